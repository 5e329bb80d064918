/**
 * `npm run bench:fleet`: how many accounts' keep-alive cycles a fleet sustains on this machine, and
 * what bounds it. Every case runs as deployed: one simulator process with one domain per account
 * on a scaled clock, the fleet as `five9 fleet run` (embedded: one process, no Redis) or as
 * `five9 fleet run --redis` plus 1, 2 or 4 `five9 fleet worker` processes on a redis-server of the
 * bench's own.
 *
 * A case is (accounts N, mode, offered rate R runs/s). The template's 15-minute schedule is kept;
 * the clock runs K = R × 900 / N times faster, so one interval is N / R real seconds. The first
 * interval starts every session (two requests a run); the second is measured (one request a run,
 * the steady state): sustained runs/s, lateness of a run against its slot (real ms), CPU ms per run
 * of the fleet's processes (and of the simulator and Redis, to see which bounds it), Redis
 * commands per run, SOAP requests per run (the steps of the window's runs, and what the simulator
 * counted over the whole case, seeding included), RSS per worker (peak) and per 1,000 accounts.
 * A rate is held when p99 lateness < 1 s and sustained ≥ 97% of offered; the first rate not held
 * is the mode's ceiling, and higher rates are skipped.
 *
 *   node dist/bench/fleet.js [--accounts 1000,10000] [--modes embedded,redis:1,redis:2,redis:4]
 *                            [--rates 100,200,400,800] [--warmup S] [--window S] [--smoke | --goal]
 *                            [--redis URL] [--out bench/results/fleet-DATE.json]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { packageRoot } from '../src/util/paths';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const smoke = args.includes('--smoke');
/**
 * The goal as it is: 10,000 accounts on the 15-minute keep-alive (11.1 runs/s) on the wall
 * clock (time scale 1), measured over the first interval from the start, when every run also starts
 * its session (two requests a run: heavier than the steady state that follows).
 */
const goal = args.includes('--goal');
const ACCOUNTS = (arg('--accounts') ?? (smoke ? '200' : goal ? '10000' : '1000,10000')).split(',').map(Number);
const MODES = (arg('--modes') ?? (smoke ? 'embedded,redis:1' : goal ? 'embedded,redis:1,redis:2' : 'embedded,redis:1,redis:2,redis:4')).split(',');
const RATES = arg('--rates')?.split(',').map(Number) ?? (goal ? [10_000 / 900] : undefined);
/** Real seconds of warm-up before the window (default: one interval) and of the window (default: one interval). */
const WARMUP_S = arg('--warmup') === undefined ? (goal ? 0 : undefined) : Number(arg('--warmup'));
const WINDOW_S = arg('--window') === undefined ? undefined : Number(arg('--window'));
/** A Redis to use instead of starting one per case (CI passes its own): each case gets a fleet name of its own. */
const EXTERNAL_REDIS = arg('--redis');
const PASSWORD = 'bench-fleet-pw';
const BIN = join(packageRoot(), 'bin', 'five9.js');
const TICKS = 100; // clock ticks per second of /proc/PID/stat (USER_HZ)

interface Case {
  accounts: number;
  mode: string;
  rate: number;
}

interface Result extends Case {
  timeScale: number;
  intervalS: number;
  sustained: number;
  runs: number;
  failed: number;
  lateP50: number;
  lateP99: number;
  lateMax: number;
  fleetCpuMsPerRun: number;
  simulatorCpuMsPerRun: number;
  redisCpuMsPerRun?: number;
  redisCommandsPerRun?: number;
  /** Requests the template's steps made per run in the window (one a step). */
  stepsPerRun: number;
  /**
   * Requests the simulator received per run over the whole case, warm-up included: the steps, and
   * the getCallCountersState a process sends once per domain to seed its budgets.
   */
  soapRequestsPerRunAll: number;
  rssPerWorkerMb: number;
  rssPer1000AccountsMb: number;
  held: boolean;
  report: { expiries: number; concurrentDenied: number; quotaFaults: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS;
  } catch {
    return 0;
  }
}

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return 0;
  }
}

interface Proc {
  child: ChildProcess;
  out: () => string;
  lines: string[];
  done: Promise<void>;
}

function start(cmd: string, argv: string[], env: NodeJS.ProcessEnv = {}, keepLines = false): Proc {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let partial = '';
  const lines: string[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    const s = d.toString();
    if (out.length < 1_000_000) out += s;
    if (keepLines) {
      const parts = (partial + s).split('\n');
      partial = parts.pop()!;
      for (const l of parts) if (l.startsWith('{"type":"slot"')) lines.push(l);
    }
  });
  child.stderr!.on('data', (d: Buffer) => {
    if (!/stopping after/.test(String(d))) process.stderr.write(`  [${argv[1] ?? cmd}] ${d}`);
  });
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, out: () => out, lines, done };
}

async function waitFor(p: Proc, re: RegExp, ms = 60_000): Promise<RegExpExecArray> {
  const until = Date.now() + ms;
  for (;;) {
    const m = re.exec(p.out());
    if (m) return m;
    if (p.child.exitCode !== null) throw new Error(`process exited: ${p.out().slice(-2000)}`);
    if (Date.now() > until) throw new Error(`timed out waiting for ${re}: ${p.out().slice(-2000)}`);
    await sleep(50);
  }
}

async function stop(p: Proc | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null) return;
  p.child.kill('SIGTERM');
  await Promise.race([p.done, sleep(20_000).then(() => p.child.kill('SIGKILL'))]);
}

function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] : NaN;
}

async function commandCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let n = 0;
  for (const m of info.matchAll(/calls=(\d+)/g)) n += Number(m[1]);
  return n;
}

async function runCase(c: Case): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'five9-fleet-bench-'));
  const K = (c.rate * 900) / c.accounts;
  const intervalMs = (c.accounts / c.rate) * 1000;
  const report = join(dir, 'report.json');
  const procs: Proc[] = [];
  let redisProc: Proc | undefined;
  let redis: Redis | undefined;
  let redisPid = 0;
  // Its own fleet name, so that a shared Redis (CI's) holds no state of another case.
  const fleetName = `bench${process.pid}x${Date.now()}`;
  try {
    const sim = start(process.execPath, [BIN, 'simulator', '--port', '0', '--domains', `${c.accounts}:${PASSWORD}`, '--time-scale', String(K), '--report', report]);
    procs.push(sim);
    const url = (await waitFor(sim, /^listening on (\S+)$/m))[1];
    await waitFor(sim, /^ {2}REST: /m);
    const accountsPath = join(dir, 'accounts.json');
    writeFileSync(
      accountsPath,
      JSON.stringify({ defaults: { endpoint: url, password: { env: 'BENCH_PW' }, cycles: [{ template: 'maintain-session' }] }, accounts: Array.from({ length: c.accounts }, (_, i) => ({ id: `d${i + 1}`, username: `user${i + 1}` })) }),
    );
    const env = { BENCH_PW: PASSWORD };
    const fleetPids: number[] = [];
    const workerPids: number[] = [];
    let embedded: Proc | undefined;
    if (c.mode === 'embedded') {
      embedded = start(process.execPath, [BIN, 'fleet', 'run', accountsPath, '--time-scale', String(K), '--concurrency', '64', '--json'], env, true);
      procs.push(embedded);
      await waitFor(embedded, /"type":"fleet"/);
      fleetPids.push(embedded.child.pid!);
      workerPids.push(embedded.child.pid!);
    } else {
      const workers = Number(c.mode.split(':')[1]);
      let redisUrl: string;
      if (EXTERNAL_REDIS) {
        redisUrl = EXTERNAL_REDIS;
        redis = new Redis(redisUrl);
        redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
      } else {
        const port = await freePort();
        redisProc = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
        await waitFor(redisProc, /Ready to accept connections/);
        redisUrl = `redis://127.0.0.1:${port}`;
        redis = new Redis(redisUrl);
        redisPid = redisProc.child.pid!;
      }
      const sched = start(process.execPath, [BIN, 'fleet', 'run', accountsPath, '--redis', redisUrl, '--fleet', fleetName, '--time-scale', String(K), '--json'], env);
      procs.push(sched);
      await waitFor(sched, /"type":"sync"/, 120_000);
      fleetPids.push(sched.child.pid!);
      for (let i = 0; i < workers; i++) {
        const w = start(process.execPath, [BIN, 'fleet', 'worker', '--redis', redisUrl, '--fleet', fleetName, '--concurrency', '32'], env);
        procs.push(w);
        await waitFor(w, /^worker /m);
        fleetPids.push(w.child.pid!);
        workerPids.push(w.child.pid!);
      }
    }
    // Warm-up: the first interval starts every session.
    await sleep(WARMUP_S === undefined ? intervalMs + 2000 : WARMUP_S * 1000);
    const t0 = Date.now();
    const cpu0 = fleetPids.map(cpuMs);
    const simCpu0 = cpuMs(sim.child.pid!);
    const redisCpu0 = redisPid ? cpuMs(redisPid) : 0;
    const cmds0 = redis ? await commandCalls(redis) : 0;
    const slots0 = embedded ? embedded.lines.length : 0;
    const rssPeak = new Map<number, number>();
    const sampler = setInterval(() => {
      for (const pid of workerPids) rssPeak.set(pid, Math.max(rssPeak.get(pid) ?? 0, rssMb(pid)));
    }, 500);
    await sleep(WINDOW_S === undefined ? intervalMs : WINDOW_S * 1000);
    clearInterval(sampler);
    const t1 = Date.now();
    const cpu1 = fleetPids.map(cpuMs);
    const simCpu1 = cpuMs(sim.child.pid!);
    const redisCpu1 = redisPid ? cpuMs(redisPid) : 0;
    const cmds1 = redis ? await commandCalls(redis) : 0;
    // The runs that started in the window.
    let window: Array<{ late: number; ok: boolean; steps: number }>;
    if (embedded) {
      window = embedded.lines
        .slice(Math.max(0, slots0 - 5000))
        .map((l) => JSON.parse(l))
        .filter((r) => r.startedAt >= t0 && r.startedAt < t1)
        .map((r) => ({ late: r.lateMs, ok: r.outcome === 'ok', steps: r.steps }));
    } else {
      const entries = await redis!.xrange(`five9:${fleetName}:f:history`, String(t0), String(t1 + 60_000));
      window = entries
        .map(([, f]) => {
          const o: Record<string, string> = {};
          for (let i = 0; i < f.length; i += 2) o[f[i]] = f[i + 1];
          return o;
        })
        .filter((o) => Number(o.slot) + Number(o.late) >= t0 && Number(o.slot) + Number(o.late) < t1)
        .map((o) => ({ late: Number(o.late), ok: o.o === 'ok', steps: Number(o.n) }));
    }
    const late = window.map((w) => w.late).sort((a, b) => a - b);
    const runs = window.length;
    const seconds = (t1 - t0) / 1000;
    const fleetCpu = cpu1.reduce((s, v, i) => s + v - cpu0[i], 0);
    for (const p of procs.slice(1)) await stop(p);
    await stop(sim);
    // Every run of the case, warm-up included: the simulator's count of requests is for the whole case.
    const runsAll = embedded ? embedded.lines.length : await redis!.xlen(`five9:${fleetName}:f:history`);
    const rep = JSON.parse(readFileSync(report, 'utf8')) as { users: Record<string, { requests: number; expiries: number; concurrentDenied: number; quotaFaults: number }> };
    const requestsAll = Object.values(rep.users).reduce((n, u) => n + u.requests, 0);
    const totals = Object.values(rep.users).reduce((a, u) => ({ expiries: a.expiries + u.expiries, concurrentDenied: a.concurrentDenied + u.concurrentDenied, quotaFaults: a.quotaFaults + u.quotaFaults }), { expiries: 0, concurrentDenied: 0, quotaFaults: 0 });
    const peak = Math.max(...[...rssPeak.values()]);
    const sustained = runs / seconds;
    const lateP99 = quantile(late, 0.99);
    return {
      ...c,
      timeScale: K,
      intervalS: intervalMs / 1000,
      sustained,
      runs,
      failed: window.filter((w) => !w.ok).length,
      lateP50: quantile(late, 0.5),
      lateP99,
      lateMax: late[late.length - 1] ?? NaN,
      fleetCpuMsPerRun: fleetCpu / Math.max(1, runs),
      simulatorCpuMsPerRun: (simCpu1 - simCpu0) / Math.max(1, runs),
      ...(redis ? { redisCpuMsPerRun: (redisCpu1 - redisCpu0) / Math.max(1, runs), redisCommandsPerRun: (cmds1 - cmds0) / Math.max(1, runs) } : {}),
      stepsPerRun: window.reduce((s, w) => s + w.steps, 0) / Math.max(1, runs),
      soapRequestsPerRunAll: requestsAll / Math.max(1, runsAll),
      rssPerWorkerMb: peak,
      rssPer1000AccountsMb: c.mode === 'embedded' ? peak / (c.accounts / 1000) : [...rssPeak.values()].reduce((a, b) => a + b, 0) / (c.accounts / 1000),
      held: lateP99 < 1000 && sustained >= 0.97 * c.rate && window.every((w) => w.ok),
      report: totals,
    };
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    if (redis && EXTERNAL_REDIS) {
      // Leave a shared Redis as it was: this case's keys go.
      for (const pattern of [`five9:${fleetName}:*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      }
    }
    redis?.disconnect();
    await stop(redisProc);
  }
}

function row(r: Result): string {
  const f = (n: number | undefined, d = 1) => (n === undefined || Number.isNaN(n) ? '' : n.toFixed(d));
  return `| ${r.accounts} | ${r.mode} | ${f(r.rate, 1)} | ${f(r.timeScale, 1)} | ${f(r.sustained, 1)} | ${f(r.lateP50, 0)} | ${f(r.lateP99, 0)} | ${f(r.fleetCpuMsPerRun, 2)} | ${f(r.simulatorCpuMsPerRun, 2)} | ${f(r.redisCpuMsPerRun, 2)} | ${f(r.redisCommandsPerRun, 1)} | ${f(r.stepsPerRun, 2)} | ${f(r.soapRequestsPerRunAll, 2)} | ${f(r.rssPerWorkerMb, 0)} | ${f(r.rssPer1000AccountsMb, 1)} | ${r.report.expiries}/${r.report.concurrentDenied}/${r.report.quotaFaults} | ${r.held ? 'held' : 'NOT held'} |`;
}

async function main(): Promise<void> {
  if (spawnSync('redis-server', ['--version']).status !== 0 && MODES.some((m) => m.startsWith('redis'))) throw new Error('redis-server is needed for the redis modes');
  console.log(`fleet benchmark: ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}`);
  console.log('| accounts | mode | offered runs/s | time scale | sustained runs/s | p50 late ms | p99 late ms | fleet CPU ms/run | simulator CPU ms/run | Redis CPU ms/run | Redis cmds/run | SOAP req/run (window) | SOAP req/run (whole case) | RSS/worker MB | RSS per 1,000 accounts MB | expiries/denied/quota faults | |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  const results: Result[] = [];
  for (const accounts of ACCOUNTS) {
    const rates = RATES ?? (smoke ? [50] : accounts >= 10_000 ? [100, 200, 400, 800] : [50, 100, 200, 400, 800]);
    for (const mode of MODES) {
      for (const rate of rates) {
        const r = await runCase({ accounts, mode, rate });
        results.push(r);
        console.log(row(r));
        if (!r.held) break; // the ceiling of this mode: higher rates are not tried
      }
    }
  }
  const out = arg('--out') ?? join(packageRoot(), 'bench', 'results', `fleet-${new Date().toISOString().slice(0, 10)}${smoke ? '-smoke' : goal ? '-goal' : ''}.json`);
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: cpus().length, cpu: cpus()[0]?.model, results }, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
