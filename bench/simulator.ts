/**
 * `npm run bench:simulator`: `five9 simulator --domains N` in a separate process, as a fleet test
 * runs it.
 * 1. Memory: RSS idle and after every domain's user did a getSessionParameters and a
 *    setSessionParameters (the keep-alive cycle's two calls), and the rate of those calls. A
 *    keep-alive builds no contact centre, so what grows is sessions, limits and counters.
 * 2. Limits: how long the largest deeply nested body (just under the size limit) takes to refuse,
 *    and RSS after a flood of unauthenticated requests with 8 KB paths and bodies over the limit.
 *
 *   node dist/bench/simulator.js [--domains 10000] [--concurrency 32] [--flood 20000]
 *
 * RSS is read from /proc/PID/status (VmRSS) of the simulator process.
 */
import { Pool } from 'undici';
import { startSimulatorProcess } from '../src/simulator';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const DOMAINS = arg('--domains', 10_000);
const CONCURRENCY = arg('--concurrency', 32);
const FLOOD = arg('--flood', 20_000);
const PASSWORD = 'bench-pw';
const NS = 'http://service.supervisor.ws.five9.com/';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const envelope = (op: string, inner = '') =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ser="${NS}"><soapenv:Body><ser:${op}>${inner}</ser:${op}></soapenv:Body></soapenv:Envelope>`;
const SETTINGS = '<viewSettings><idleTimeOut>1800</idleTimeOut><shiftStart>0</shiftStart><timeZone>0</timeZone></viewSettings>';

async function main(): Promise<void> {
  const started = Date.now();
  const sim = await startSimulatorProcess(['--domains', `${DOMAINS}:${PASSWORD}`]);
  const { child, url } = sim;
  const startMs = Date.now() - started;
  await sleep(2000);
  const idle = sim.rssMb();

  const pool = new Pool(url, { connections: CONCURRENCY });
  const call = async (user: number, op: string, inner?: string) => {
    const res = await pool.request({
      path: '/wssupervisor/v4/SupervisorWebService',
      method: 'POST',
      headers: { 'content-type': 'text/xml;charset=utf-8', authorization: `Basic ${Buffer.from(`user${user}:${PASSWORD}`).toString('base64')}` },
      body: envelope(op, inner),
    });
    const text = await res.body.text();
    return { status: res.statusCode, text };
  };
  let next = 1;
  let failures = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let u = next++; u <= DOMAINS; u = next++) {
        const get = await call(u, 'getSessionParameters');
        if (!get.text.includes('SessionNotInitializedFault')) failures++;
        const set = await call(u, 'setSessionParameters', SETTINGS);
        if (set.status !== 200) failures++;
      }
    }),
  );
  const driveMs = Date.now() - t0;
  const afterCalls = sim.rssMb();
  await sleep(5000);
  const settled = sim.rssMb();

  // Limits: the worst body that is read (nested as deep as it goes, just under 2 MiB), then a flood.
  const deepBody = envelope('getStatistics', '<a>'.repeat(Math.floor((2 * 1024 * 1024 - 300) / 3)));
  const d0 = process.hrtime.bigint();
  const deep = await pool.request({ path: '/wssupervisor/v4/SupervisorWebService', method: 'POST', headers: { 'content-type': 'text/xml', authorization: `Basic ${Buffer.from(`user1:${PASSWORD}`).toString('base64')}` }, body: deepBody });
  const deepText = await deep.body.text();
  const deepMs = Number(process.hrtime.bigint() - d0) / 1e6;
  if (!deepText.includes('Maximum nested tags exceeded')) failures++;
  const longPath = `/lists/v1/domains/10001/lists/${'x'.repeat(8000)}/contacts`;
  const oversized = Buffer.alloc(2 * 1024 * 1024 + 1, ' ');
  let sent = 0;
  const f0 = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < FLOOD) {
        const i = sent++;
        const r = i % 100 === 0
          ? await pool.request({ path: '/wssupervisor/v4/SupervisorWebService', method: 'POST', body: oversized, headers: { 'content-type': 'text/xml' } })
          : await pool.request({ path: i % 2 ? longPath : '/wssupervisor/v4/SupervisorWebService', method: 'POST', body: i % 2 ? '{}' : envelope('getSessionParameters'), headers: { 'content-type': i % 2 ? 'application/json' : 'text/xml', authorization: `Basic ${Buffer.from(`user1:wrong${i}`).toString('base64')}` } });
        await r.body.text();
        if (r.statusCode !== 401 && r.statusCode !== 413) failures++;
      }
    }),
  ).catch(() => failures++);
  const floodMs = Date.now() - f0;
  const afterFlood = sim.rssMb();
  await pool.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const result = {
    domains: DOMAINS,
    startMs,
    rssIdleMb: +idle.toFixed(1),
    rssAfterKeepAliveMb: +afterCalls.toFixed(1),
    rssAfter5sMb: +settled.toFixed(1),
    requests: DOMAINS * 2,
    requestsPerSecond: Math.round((DOMAINS * 2) / (driveMs / 1000)),
    deepNesting2MiBMs: Math.round(deepMs),
    unauthenticatedFlood: FLOOD,
    floodPerSecond: Math.round(FLOOD / (floodMs / 1000)),
    rssAfterFloodMb: +afterFlood.toFixed(1),
    failures,
  };
  console.log(JSON.stringify(result, null, 2));
  if (failures) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
