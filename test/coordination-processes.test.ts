/**
 * Five9's rules across processes, as deployed: `five9` processes and library clients in processes
 * of their own, a simulator in another (test/procs/simulator.js), real time; through the local
 * store (one state directory shared by the processes) and through Redis (a redis-server of the
 * test's own; each process then has a state directory of its own, so only Redis is shared).
 * Build first: `npm run build`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { LOCAL_STORE_FILE } from '../src/coordination';
import { type Finished, ROOT, type RedisServer, SimulatorProcess, type SimStats, five9, requireBuild, run, startRedis } from './coordination-harness';

const USER = 'u1';
const PASSWORD = 'pw-u1-secret';
const CREDENTIALS = { FIVE9_USERNAME: USER, FIVE9_PASSWORD: PASSWORD };
const SETTINGS = JSON.stringify({ viewSettings: { shiftStart: 0, timeZone: 0, idleTimeOut: 1800 } });
const LEASE_MS = 5000;

let redis: RedisServer;
beforeAll(async () => {
  requireBuild();
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const freshDir = () => mkdtempSync(join(tmpdir(), 'five9-proc-'));

/** How the processes of one test meet: one state directory, or Redis (and a state directory each). */
interface Sharing {
  env(): NodeJS.ProcessEnv;
  flags: string[];
  redis?: string;
}
function sharing(kind: string): Sharing {
  if (kind === 'local') {
    const dir = freshDir();
    return { env: () => ({ FIVE9_STATE_DIR: dir }), flags: [] };
  }
  return { env: () => ({ FIVE9_STATE_DIR: freshDir() }), flags: ['--redis', redis.url], redis: redis.url };
}

const count = (s: SimStats, operation: string, outcome?: string) => s.requests.filter((r) => r.operation === operation && (outcome === undefined || r.outcome === outcome)).length;

/** No request of the user overlapped another at the simulator, which denies them as Five9 does. */
function expectOneAtATime(s: SimStats): void {
  expect(s.overlaps).toBe(0);
  expect(s.requests.filter((r) => r.outcome === 'ServerFault')).toEqual([]);
  const sorted = [...s.requests].sort((a, b) => a.startedAt - b.startedAt);
  for (let i = 1; i < sorted.length; i++) expect(sorted[i].startedAt).toBeGreaterThanOrEqual(sorted[i - 1].endedAt);
}

/** Polls a condition every 20 ms (a state that another process reaches), for at most 20 s. */
async function until(ok: () => Promise<boolean>): Promise<void> {
  for (const started = Date.now(); !(await ok()); ) {
    if (Date.now() - started > 20_000) throw new Error('the condition never held');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A look into the store the processes share: how many wait for a slot, when its holder's lease ends. */
async function peek(kind: string, env: NodeJS.ProcessEnv, key: string): Promise<{ waiting(): Promise<number>; leaseEnds(): Promise<number>; close(): Promise<void> }> {
  if (kind === 'local') {
    // Opened once a five9 process has made the store (it sets WAL mode and the schema).
    let db: Database.Database | undefined;
    const open = () => (db ??= new Database(join(env.FIVE9_STATE_DIR!, LOCAL_STORE_FILE)));
    return {
      waiting: async () => (open().prepare('SELECT count(*) AS n FROM ticket WHERE key = ?').get(key) as { n: number }).n,
      leaseEnds: async () => (open().prepare('SELECT expires FROM slot WHERE key = ?').get(key) as { expires: number }).expires,
      close: async () => void db?.close(),
    };
  }
  const r = new Redis(redis.url);
  return {
    waiting: () => r.zcard(`five9:line:${key}`),
    leaseEnds: async () => Date.now() + (await r.pttl(`five9:slot:${key}`)),
    close: async () => void (await r.quit()),
  };
}

describe.each(['local', 'redis'])('through the %s store', (kind) => {
  let sim: SimulatorProcess;
  afterEach(async () => {
    await sim?.stop();
  });

  test('two processes, one credential, driven hard: never two requests at once, 2 QueryStatistics a minute, neither starved', async () => {
    sim = await SimulatorProcess.start({ users: [{ username: USER, password: PASSWORD }], latencyMs: 5 });
    const share = sharing(kind);
    const hammer = (role: string, calls: number) => run([join(ROOT, 'test', 'procs', 'hammer.js'), JSON.stringify({ endpoint: sim.url, username: USER, password: PASSWORD, redis: share.redis, role, calls })], share.env());
    // 4 × 30 back to back, and 30 a keep-alive: 18 of them Set Session Parameters (QueryStatistics).
    const [busy, keepAlive] = await Promise.all([hammer('busy', 30).done, hammer('keepalive', 30).done]);
    expect([busy.code, keepAlive.code, busy.err, keepAlive.err]).toEqual([0, 0, '', '']);
    type Call = { action: string; askedAt: number; outcome: string };
    const busyCalls: Call[] = JSON.parse(busy.out).calls;
    const keepCalls: Call[] = JSON.parse(keepAlive.out).calls;
    const s = await sim.stats();

    expectOneAtATime(s);
    // Both asked for far more than 2 QueryStatistics: exactly 2 went, the 16 others were refused
    // before sending, and the simulator refused none.
    const all = [...busyCalls, ...keepCalls];
    expect(all.filter((c) => c.action === 'Set Session Parameters').map((c) => c.outcome).sort()).toEqual([...Array(16).fill('FIVE9_QUOTA'), 'success', 'success']);
    expect(count(s, 'setSessionParameters')).toBe(2);
    expect(s.requests.filter((r) => r.outcome === 'OperationsLimitExceededFault')).toEqual([]);
    expect(count(s, 'getUserLimits')).toBe(108);
    // They ran side by side.
    expect(keepCalls[0].askedAt).toBeLessThan(busyCalls[busyCalls.length - 1].askedAt);
    expect(busyCalls[0].askedAt).toBeLessThan(keepCalls[keepCalls.length - 1].askedAt);

    // Fairness: while the keep-alive waited for its turn, at most one request of the busy process
    // (always 4 queued) went before it, and the one in flight when it asked may have reached the
    // simulator just after it asked: at most 2. Without tickets the busy process takes the slot
    // back at once, every time, and the keep-alive waits until the busy one stops.
    const asked = keepCalls.filter((c) => c.action === 'List Session Parameters');
    const served = s.requests.filter((r) => r.operation === 'getSessionParameters');
    expect(served).toHaveLength(asked.length);
    const overtaken = asked.map((c, i) => s.requests.filter((r) => r.operation === 'getUserLimits' && r.startedAt > c.askedAt && r.startedAt < served[i].startedAt).length);
    // (The first call is left out: it asked before its process had connected to the store.)
    const later = overtaken.slice(1);
    expect({ later }).toEqual({ later: later.map((n) => Math.min(n, 2)) });
  }, 60_000);

  test('ten five9 run at once: one request at a time; exactly two Set Session Parameters go, the others exit 5 and send nothing', async () => {
    sim = await SimulatorProcess.start({ users: [{ username: USER, password: PASSWORD }], latencyMs: 100 });
    const share = sharing(kind);
    const runs = [
      ...Array.from({ length: 6 }, () => five9(['run', 'List Session Parameters', '--endpoint', sim.url, ...share.flags], { ...CREDENTIALS, ...share.env() })),
      ...Array.from({ length: 4 }, () => five9(['run', 'Set Session Parameters', '--input', SETTINGS, '--endpoint', sim.url, ...share.flags], { ...CREDENTIALS, ...share.env() })),
    ];
    const done: Finished[] = await Promise.all(runs.map((r) => r.done));
    const s = await sim.stats();
    expectOneAtATime(s);
    expect(done.slice(0, 6).map((d) => d.code)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(done.slice(6).map((d) => d.code).sort()).toEqual([0, 0, 5, 5]);
    for (const d of done.slice(6).filter((x) => x.code === 5)) expect(d.err).toMatch(/^five9: FIVE9_QUOTA: QueryStatistics limit of 2 per minute reached; retry after .*\. Nothing was sent\.$/m);
    expect(count(s, 'setSessionParameters')).toBe(2);
    expect(count(s, 'getSessionParameters')).toBe(6);
    expect(s.requests.filter((r) => r.outcome === 'OperationsLimitExceededFault')).toEqual([]);
  }, 90_000);

  test('after two Set Session Parameters made elsewhere in the same minute, a fresh process refuses the third without sending it (exit 5)', async () => {
    sim = await SimulatorProcess.start({ users: [{ username: USER, password: PASSWORD }] });
    // Five9's minute starts at the top of the minute: all three calls must fall in one, or Five9
    // itself would allow the third. Start early enough in a minute for three process starts.
    const into = Date.now() % 60_000;
    if (into > 30_000) await new Promise((r) => setTimeout(r, 60_000 - into + 100));
    // "Elsewhere": processes that share nothing with the next one (a state directory each, no Redis).
    for (let i = 0; i < 2; i++) {
      const r = await five9(['run', 'Set Session Parameters', '--input', SETTINGS, '--endpoint', sim.url], { ...CREDENTIALS, FIVE9_STATE_DIR: freshDir() }).done;
      expect(r.code).toBe(0);
    }
    const share = sharing(kind);
    const third = await five9(['run', 'Set Session Parameters', '--input', SETTINGS, '--endpoint', sim.url, ...share.flags], { ...CREDENTIALS, ...share.env() }).done;
    expect(third.code).toBe(5);
    expect(third.err).toMatch(/five9: FIVE9_QUOTA: QueryStatistics limit of 2 per minute reached; retry after .*\. Nothing was sent\./);
    const s = await sim.stats();
    expect(s.requests.map((r) => `${r.operation} ${r.outcome}`)).toEqual([
      'getCallCountersState ok',
      'setSessionParameters ok',
      'getCallCountersState ok',
      'setSessionParameters ok',
      // The fresh process read the counters, and sent nothing else.
      'getCallCountersState ok',
    ]);
  }, 120_000);

  test('kill -9 of the process holding the slot: the next one proceeds within the lease', async () => {
    sim = await SimulatorProcess.start({ users: [{ username: USER, password: PASSWORD }] });
    const share = sharing(kind);
    const env = { ...CREDENTIALS, ...share.env() };
    const store = await peek(kind, env, `${new URL(sim.gate).origin}|${USER}`);
    try {
      // The holder's request hangs at the gate in front of the simulator, so it holds the slot.
      const heldOne = await sim.hold();
      const holder = five9(['run', 'List Session Parameters', '--endpoint', sim.gate, ...share.flags], env);
      await heldOne();
      const next = five9(['run', 'Get User Limits', '--endpoint', sim.gate, ...share.flags], env);
      // The next process waits in line for the slot; its request has not gone out.
      await until(async () => (await store.waiting()) === 1);
      expect(sim.events).toEqual(['held']);
      // When the holder's lease would run out: it renews no more once killed.
      const leaseEnds = await store.leaseEnds();
      const killedAt = Date.now();
      holder.child.kill('SIGKILL');
      expect((await holder.done).signal).toBe('SIGKILL');
      // Its connection closed with it: the gate drops the held request instead of forwarding it.
      await sim.event('dropped');
      await sim.pass();
      const finished = await next.done;
      expect(finished.code).toBe(0);
      expect(finished.out).toMatch(/^exit: success/m);
      const s = await sim.stats();
      // The killed holder's request died with it at the gate; the simulator saw only the next one.
      expect(s.requests.map((r) => `${r.operation} ${r.outcome}`)).toEqual(['getUserLimits ok']);
      const sentAt = s.requests[0].startedAt;
      expect(leaseEnds - killedAt).toBeGreaterThan(LEASE_MS / 3);
      if (kind === 'local') {
        // The holder's PID is gone: passed over at once, before its lease ran out.
        expect(sentAt).toBeLessThan(leaseEnds);
      } else {
        // Redis knows no PID: the slot is free when the lease runs out (polls are 100 ms apart at most).
        expect(sentAt).toBeGreaterThanOrEqual(leaseEnds - 50);
        expect(sentAt).toBeLessThan(leaseEnds + 2000);
      }
    } finally {
      await store.close();
    }
  }, 60_000);
});

test('two uploads with one REST key draw no 429, through the local store and through Redis at once', async () => {
  // 21 chunks of 1,000 contacts each: 42 requests a key, over the 40 a minute Five9 allows.
  const contacts = (from: number) => ['number1,first_name', ...Array.from({ length: 21_000 }, (_, i) => `${6170000000 + from + i},N${i}`)].join('\n');
  const dir = freshDir();
  const files = [0, 1, 2, 3].map((i) => {
    const f = join(dir, `c${i}.csv`);
    writeFileSync(f, contacts(i * 100_000));
    return f;
  });
  const sim = await SimulatorProcess.start({
    users: [{ username: USER, password: PASSWORD }],
    consumers: [
      { key: 'key-local', secret: 'secret-local-1' },
      { key: 'key-redis', secret: 'secret-redis-1' },
    ],
    rest: { lists: ['A', 'B'] },
  });
  try {
    const local = freshDir();
    const upload = (i: number, key: string, list: string, extra: { env: NodeJS.ProcessEnv; flags: string[] }) =>
      five9(['contacts', 'upload', files[i], '--list', list, '--endpoint', sim.url, '--domain-id', '10001', '--checkpoint', join(dir, `cp${i}.json`), '--json', ...extra.flags], {
        FIVE9_CONSUMER_KEY: key,
        FIVE9_CONSUMER_SECRET: key === 'key-local' ? 'secret-local-1' : 'secret-redis-1',
        ...extra.env,
      }).done;
    const viaLocal = { env: { FIVE9_STATE_DIR: local }, flags: [] };
    const viaRedis = () => ({ env: { FIVE9_STATE_DIR: freshDir() }, flags: ['--redis', redis.url] });
    const done = await Promise.all([upload(0, 'key-local', 'A', viaLocal), upload(1, 'key-local', 'B', viaLocal), upload(2, 'key-redis', 'A', viaRedis()), upload(3, 'key-redis', 'B', viaRedis())]);
    for (const d of done) {
      expect(d.code).toBe(0);
      expect(JSON.parse(d.out)).toMatchObject({ accepted: 21_000, chunks: 21 });
    }
    const s = await sim.stats();
    for (const key of ['key-local', 'key-redis']) {
      const mine = s.rest.filter((r) => r.consumerKey === key && r.action && r.action !== 'token');
      expect(mine.filter((r) => r.status === 429)).toEqual([]);
      expect(mine).toHaveLength(42);
      // The 41st request waited for the first to leave the minute.
      const at = mine.map((r) => r.at).sort((a, b) => a - b);
      expect(at[40] - at[0]).toBeGreaterThanOrEqual(60_000);
    }
  } finally {
    await sim.stop();
  }
}, 180_000);
