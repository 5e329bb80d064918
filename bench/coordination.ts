/**
 * `npm run bench:coordination`: what sharing Five9's rules between processes costs a call.
 *
 * 1. The coordinator alone, one process, no contention: exclusive() around nothing, and a
 *    QueryStatistics-like take() + settle(), for memory, the local store (SQLite, WAL) and Redis.
 * 2. Five9Client against a simulator in another process (`five9 simulator`): Get User Limits (the
 *    slot only) and Set Session Parameters (slot + budget), per call, for each coordinator; the
 *    overhead is the difference with memory.
 * 3. Hand-over between two processes hammering one key through exclusive() (what a second process
 *    on the same credential costs): calls a second, local (polling) against Redis (pub/sub).
 *
 * Starts its own redis-server on a free port (stopped at the end) and writes
 * bench/results/coordination-DATE.json. `--quick` for fewer iterations.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Coordinator, LocalCoordinator, MemoryCoordinator, RedisCoordinator } from '../src/coordination';
import { Five9Client } from '../src/runtime';
import { packageRoot } from '../src/util/paths';

const quick = process.argv.includes('--quick');
const WINDOWS = [
  { seconds: 60, limit: 1e9 },
  { seconds: 3600, limit: 1e9 },
  { seconds: 86400, limit: 1e9 },
];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function lines(child: ChildProcess, stream: 'stdout', match: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child[stream]!.on('data', (d) => {
      buf += d;
      const m = match.exec(buf);
      if (m) resolve(m);
    });
    child.once('exit', (c) => reject(new Error(`exited ${c}: ${buf}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** µs a call of `n` calls, once. */
async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return ((performance.now() - t) * 1000) / n;
}

/**
 * Rounds that take every contender in turn (this machine is shared: load comes and goes, and
 * interleaving spreads it over all of them); the median and the best round of each, in µs a call.
 */
async function compare(names: string[], n: number, rounds: number, run: (name: string, i: number) => Promise<unknown>): Promise<Record<string, { median: number; best: number }>> {
  for (const name of names) for (let i = 0; i < Math.min(300, n); i++) await run(name, i); // warm-up
  const times: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) for (const name of names) times[name].push(await timed(n, (i) => run(name, i)));
  return Object.fromEntries(names.map((k) => [k, { median: median(times[k]), best: Math.min(...times[k]) }]));
}

const fmt = (x: { median: number; best: number }) => `${x.median.toFixed(0).padStart(6)} µs (best ${x.best.toFixed(0)})`;

/** A child of this script: hammers one key through exclusive() for `ms`, reports calls made. */
async function handoverChild(kind: string, dir: string, redis: string, ms: number): Promise<void> {
  const c: Coordinator = kind === 'local' ? new LocalCoordinator(dir, Database) : new RedisCoordinator({ url: redis, prefix: 'bench:' });
  await c.exclusive('handover', async () => undefined);
  process.send!('ready');
  await new Promise<void>((r) => process.once('message', () => r()));
  const until = performance.now() + ms;
  let calls = 0;
  while (performance.now() < until) await c.exclusive('handover', async () => void calls++);
  await c.close();
  process.send!({ calls });
}

async function handover(kind: string, dir: string, redis: string, ms: number): Promise<number> {
  const kids = [0, 1].map(() => fork(__filename, ['--handover-child', kind, dir, redis, String(ms)]));
  await Promise.all(kids.map((k) => new Promise((r) => k.once('message', r))));
  const done = kids.map((k) => new Promise<{ calls: number }>((r) => k.once('message', (m) => r(m as { calls: number }))));
  for (const k of kids) k.send('go');
  const results = await Promise.all(done);
  return results.reduce((a, r) => a + r.calls, 0) / (ms / 1000);
}

async function main(): Promise<void> {
  const started = Date.now();
  const redisPort = await freePort();
  const redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await lines(redisServer, 'stdout', /Ready to accept connections/);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const dir = mkdtempSync(join(tmpdir(), 'five9-bench-coord-'));
  const root = packageRoot();
  const sim = spawn(process.execPath, [join(root, 'bin', 'five9.js'), 'simulator', '--port', '0', '--user', 'bench:bench-secret', '--quota', 'QueryStatistics=1000000000/1000000000/1000000000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Whatever ends this process (a closed pipe, Ctrl-C), its servers end with it.
  process.once('exit', () => {
    sim.kill();
    redisServer.kill();
  });
  const [, simUrl] = await lines(sim, 'stdout', /listening on (http:\/\/127\.0\.0\.1:\d+)/);
  const result: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, quick };

  try {
    const makers: Record<string, () => Coordinator> = {
      memory: () => new MemoryCoordinator(),
      local: () => new LocalCoordinator(dir, Database),
      redis: () => new RedisCoordinator({ url: redisUrl, prefix: 'bench:' }),
    };
    const kinds = Object.keys(makers);
    const coordinators = Object.fromEntries(kinds.map((k) => [k, makers[k]()]));
    const n = quick ? 300 : 1000;
    const rounds = quick ? 3 : 9;

    console.log(`== 1. the coordinator alone, one process (µs a call; median and best of ${rounds} rounds of ${n})`);
    const exclusive = await compare(kinds, n, rounds, (k) => coordinators[k].exclusive('cred', async () => undefined));
    const takeSettle = await compare(kinds, n, rounds, async (k, i) => {
      const now = Date.now() + i;
      const r = await coordinators[k].take(`budget-${k}`, WINDOWS, now);
      if (r.ok) await coordinators[k].settle(`budget-${k}`, r.id, now);
    });
    for (const k of kinds) console.log(`${k.padEnd(7)} exclusive ${fmt(exclusive[k])}   take + settle ${fmt(takeSettle[k])}`);
    result.alone = { exclusive, takeSettle };

    // A wallboard's QueryChangedStatistics after most of a day: 20,000 calls in the day window.
    const QCS = [
      { seconds: 60, limit: 30 },
      { seconds: 3600, limit: 1200 },
      { seconds: 86400, limit: 24000 },
    ];
    const dayStart = Date.now() - 86_400_000;
    for (const k of kinds) for (let i = 0; i < 20_000; i++) await coordinators[k].take(`day-${k}`, QCS, dayStart + Math.floor(i * 4.3 * 1000));
    let tick = 0;
    const fullDay = await compare(kinds, quick ? 50 : 200, rounds, async (k) => {
      // Far enough apart that the minute and hour windows always have room: the day window decides.
      const now = Date.now() + ++tick * 4000;
      const r = await coordinators[k].take(`day-${k}`, QCS, now);
      if (r.ok) await coordinators[k].settle(`day-${k}`, r.id, now);
    });
    console.log(`\n   take + settle with 20,000 calls in the day window (QueryChangedStatistics, 30/1,200/24,000):`);
    for (const k of kinds) console.log(`${k.padEnd(7)} ${fmt(fullDay[k])}`);
    result.alone = { exclusive, takeSettle, takeSettleFullDay: fullDay };

    const m = quick ? 200 : 600;
    console.log(`\n== 2. Five9Client against the simulator in another process (µs a call; median and best of ${rounds} rounds of ${m})`);
    const clients = Object.fromEntries(kinds.map((k) => [k, new Five9Client({ endpoint: simUrl, username: 'bench', password: 'bench-secret', coordinator: coordinators[k], seedQuotas: false, quotas: { QueryStatistics: WINDOWS } })]));
    const settings = { viewSettings: { shiftStart: 0, timeZone: 0, idleTimeOut: 1800 } };
    const slotOnly = await compare(kinds, m, rounds, (k) => clients[k].run('Get User Limits'));
    const withBudget = await compare(kinds, m, rounds, (k) => clients[k].run('Set Session Parameters', settings));
    const plus = (a: number, b: number) => `${a - b >= 0 ? '+' : ''}${(a - b).toFixed(0)}`;
    for (const k of kinds) {
      console.log(
        `${k.padEnd(7)} Get User Limits ${fmt(slotOnly[k])} ${plus(slotOnly[k].median, slotOnly.memory.median).padStart(6)}   Set Session Parameters ${fmt(withBudget[k])} ${plus(withBudget[k].median, withBudget.memory.median).padStart(6)}`,
      );
    }
    result.client = { getUserLimits: slotOnly, setSessionParameters: withBudget };
    for (const k of kinds) await clients[k].close();
    for (const k of kinds) await coordinators[k].close();

    const ms = quick ? 1500 : 4000;
    console.log(`\n== 3. two processes on one key, exclusive() back to back for ${ms / 1000} s (hand-overs a second)`);
    const hand: Record<string, number> = {};
    for (const kind of ['local', 'redis']) {
      hand[kind] = await handover(kind, dir, redisUrl, ms);
      console.log(`${kind.padEnd(7)} ${hand[kind].toFixed(0)} calls/s (${(1e6 / hand[kind]).toFixed(0)} µs a hand-over)`);
    }
    result.handover = hand;
  } finally {
    await stop(sim);
    await stop(redisServer);
  }
  result.durationSeconds = Math.round((Date.now() - started) / 1000);
  const out = join(packageRoot(), 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `coordination-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}

const i = process.argv.indexOf('--handover-child');
if (i >= 0) {
  const [kind, dir, redis, ms] = process.argv.slice(i + 1);
  handoverChild(kind, dir, redis, Number(ms)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
