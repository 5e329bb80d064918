/**
 * `npm run bench:simulator`: the memory of `five9 simulator --domains N` (a separate process, as a
 * fleet test would run it), idle and after every domain's user did a getSessionParameters and a
 * setSessionParameters (the keep-alive cycle's two calls), and the time those calls took.
 *
 *   node dist/bench/simulator-domains.js [--domains 10000] [--concurrency 32]
 *
 * RSS is read from /proc/PID/status (VmRSS) of the simulator process; a fleet's keep-alive builds
 * no contact centre, so what grows is sessions, limits and counters.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'undici';
import { packageRoot } from '../src/util/paths';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const DOMAINS = arg('--domains', 10_000);
const CONCURRENCY = arg('--concurrency', 32);
const PASSWORD = 'bench-pw';
const NS = 'http://service.supervisor.ws.five9.com/';

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const envelope = (op: string, inner = '') =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ser="${NS}"><soapenv:Body><ser:${op}>${inner}</ser:${op}></soapenv:Body></soapenv:Envelope>`;
const SETTINGS = '<viewSettings><idleTimeOut>1800</idleTimeOut><shiftStart>0</shiftStart><timeZone>0</timeZone></viewSettings>';

async function main(): Promise<void> {
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'five9.js'), 'simulator', '--port', '0', '--domains', `${DOMAINS}:${PASSWORD}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = Date.now();
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const m = /^listening on (\S+)$/m.exec(buf);
      if (m) resolve(m[1]);
    });
    child.once('exit', (c) => reject(new Error(`simulator exited ${c}`)));
  });
  const startMs = Date.now() - started;
  await sleep(2000);
  const idle = rssMb(child.pid!);

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
  const afterCalls = rssMb(child.pid!);
  await sleep(5000);
  const settled = rssMb(child.pid!);
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
    failures,
  };
  console.log(JSON.stringify(result, null, 2));
  if (failures) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
