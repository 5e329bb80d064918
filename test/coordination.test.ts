/**
 * The three coordinators keep one contract: budgets counted atomically over every window, seeded
 * from Five9's counters, and one request at a time per key, first come first served across the
 * processes sharing a store, a dead holder losing the slot within its lease. Two instances on one
 * store stand for two processes here; test/coordination-processes.test.ts uses real processes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ScaledClock, VirtualClock, systemClock } from '../src/clock';
import { type Coordinator, LocalCoordinator, MemoryCoordinator, RedisCoordinator, openCoordinator, stateDir } from '../src/coordination';
import { type RedisServer, startRedis } from './coordination-harness';

const MINUTE_HOUR = [
  { seconds: 60, limit: 2 },
  { seconds: 3600, limit: 3 },
];
const T0 = Date.UTC(2026, 0, 5, 8, 0, 30);

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

/** Two coordinators on one store (one for memory: it is one process's). */
type Pair = { a: Coordinator; b: Coordinator; close(): Promise<void> };
const kinds: Record<string, (leaseMs?: number) => Pair> = {
  memory: () => {
    const m = new MemoryCoordinator();
    return { a: m, b: m, close: () => m.close() };
  },
  local: (leaseMs) => {
    const dir = mkdtempSync(join(tmpdir(), 'five9-coord-'));
    const a = new LocalCoordinator(dir, Database, { leaseMs });
    const b = new LocalCoordinator(dir, Database, { leaseMs });
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  },
  redis: (leaseMs) => {
    const prefix = `t${Math.random().toString(36).slice(2)}:`;
    const a = new RedisCoordinator({ url: redis.url, prefix, leaseMs });
    const b = new RedisCoordinator({ url: redis.url, prefix, leaseMs });
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(Object.keys(kinds))('the %s coordinator', (kind) => {
  let pair: Pair;
  beforeEach(() => {
    pair = kinds[kind]();
  });
  afterEach(() => pair.close());

  test('a third call within a minute is refused, not counted, with the time the window has room', async () => {
    const { a, b } = pair;
    expect(await a.take('k', MINUTE_HOUR, T0)).toMatchObject({ ok: true });
    expect(await b.take('k', MINUTE_HOUR, T0 + 10_000)).toMatchObject({ ok: true });
    expect(await a.take('k', MINUTE_HOUR, T0 + 20_000)).toEqual({ ok: false, retryAt: T0 + 60_000, windowSeconds: 60, limit: 2 });
    expect(await b.usage('k', MINUTE_HOUR, T0 + 20_000)).toEqual({ 60: 2, 3600: 2 });
    // The first call leaves the minute after exactly 60 s (moving windows); the hour is then full.
    expect(await b.take('k', MINUTE_HOUR, T0 + 59_999)).toMatchObject({ ok: false });
    expect(await b.take('k', MINUTE_HOUR, T0 + 60_000)).toMatchObject({ ok: true });
    expect(await a.take('k', MINUTE_HOUR, T0 + 200_000)).toEqual({ ok: false, retryAt: T0 + 3_600_000, windowSeconds: 3600, limit: 3 });
    expect(await a.usage('k', MINUTE_HOUR, T0 + 3_600_000)).toEqual({ 60: 0, 3600: 2 });
    // Other keys are other budgets.
    expect(await a.take('other', MINUTE_HOUR, T0 + 20_000)).toMatchObject({ ok: true });
  });

  test("Five9's own windows (2 a minute, 15 an hour, 240 a day) hold exactly, one call a minute all day", async () => {
    const five9 = [
      { seconds: 60, limit: 2 },
      { seconds: 3600, limit: 15 },
      { seconds: 86400, limit: 240 },
    ];
    let sent = 0;
    for (let t = T0; t < T0 + 86_400_000; t += 60_000) if ((await pair.a.take('day', five9, t)).ok) sent++;
    // 15 in the first hour, then 15 in each moving hour: 24 × 15 = 360 would pass the hour; the day stops at 240.
    expect(sent).toBe(240);
    expect(await pair.b.usage('day', five9, T0 + 86_400_000 - 1)).toMatchObject({ 86400: 240 });
  }, 60_000);

  test('a call settled at its answer counts from then: the window frees no earlier than the server’s', async () => {
    const { a, b } = pair;
    const first = await a.take('r', MINUTE_HOUR, T0);
    await b.take('r', MINUTE_HOUR, T0 + 30_000);
    // The first answer came 2 s after it was counted (the server saw it somewhere in between).
    if (!first.ok) throw new Error('refused');
    await a.settle('r', first.id, T0 + 2000);
    await a.settle('r', first.id, T0 + 1000); // never earlier
    expect(await b.take('r', MINUTE_HOUR, T0 + 61_000)).toEqual({ ok: false, retryAt: T0 + 62_000, windowSeconds: 60, limit: 2 });
    expect(await b.take('r', MINUTE_HOUR, T0 + 62_000)).toMatchObject({ ok: true });
  });

  test('seeding raises a budget to what Five9 counted, never lowers it', async () => {
    const { a, b } = pair;
    await a.take('s', MINUTE_HOUR, T0);
    // Five9 counted 3 this hour, 1 of them ours: 2 made elsewhere, counted as made now, so in the minute too.
    await b.seed('s', MINUTE_HOUR, { 60: 2, 3600: 3 }, T0 + 1000);
    expect(await a.usage('s', MINUTE_HOUR, T0 + 1000)).toEqual({ 60: 3, 3600: 3 });
    await a.seed('s', MINUTE_HOUR, { 60: 0, 3600: 1 }, T0 + 2000);
    expect(await b.usage('s', MINUTE_HOUR, T0 + 2000)).toEqual({ 60: 3, 3600: 3 });
    // Calls made elsewhere count as made at the seeding time.
    expect(await b.take('s', MINUTE_HOUR, T0 + 61_000)).toMatchObject({ ok: false, windowSeconds: 3600 });
  });

  test('calls to exclusive never overlap, across the instances, and all of them run', async () => {
    const { a, b } = pair;
    let inside = 0;
    let most = 0;
    let ran = 0;
    const work = async () => {
      inside++;
      most = Math.max(most, inside);
      await sleep(3);
      inside--;
      ran++;
    };
    const queued: boolean[] = [];
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).exclusive('cred', work, { onAcquired: (s) => queued.push(s.queued) })));
    expect(ran).toBe(20);
    expect(most).toBe(1);
    expect(queued.filter(Boolean).length).toBeGreaterThanOrEqual(10);
  });

  test('first come, first served: a caller that always has a request queued does not starve another', async () => {
    const { a, b } = pair;
    const started: Array<{ who: string; at: number }> = [];
    let stop = false;
    // "a" is a wallboard: three requests always waiting in its process.
    const busy = async () => {
      while (!stop) {
        await a.exclusive('cred', async () => {
          started.push({ who: 'a', at: performance.now() });
          await sleep(5);
        });
      }
    };
    const loops = [busy(), busy(), busy()];
    await sleep(30);
    // "b" is a keep-alive: one request at a time. At most one of a's may start between b asking and b starting.
    const overtaken: number[] = [];
    for (let i = 0; i < 8; i++) {
      const asked = performance.now();
      await b.exclusive('cred', async () => {
        const at = performance.now();
        started.push({ who: 'b', at });
        overtaken.push(started.filter((s) => s.who === 'a' && s.at > asked && s.at < at).length);
      });
    }
    stop = true;
    await Promise.all(loops);
    expect(overtaken).toHaveLength(8);
    expect(Math.max(...overtaken)).toBeLessThanOrEqual(kind === 'memory' ? 3 : 1);
  });

  test('a waiter that gives up (abort) leaves the line without blocking the others', async () => {
    const { a, b } = pair;
    let release!: () => void;
    const holding = a.exclusive('cred', () => new Promise<void>((r) => (release = r)));
    await sleep(20);
    const ac = new AbortController();
    const gaveUp = b.exclusive('cred', async () => 'never', { signal: ac.signal });
    await sleep(20);
    ac.abort(new Error('stopped by the user'));
    await expect(gaveUp).rejects.toThrow('stopped by the user');
    const next = b.exclusive('cred', async () => 'ran');
    release();
    await holding;
    await expect(next).resolves.toBe('ran');
  });
});

describe.each(['local', 'redis'])('a %s slot holder that stops renewing its lease', (kind) => {
  test('loses the slot within the lease; the next waiter proceeds while the frozen holder still runs', async () => {
    const pair = kinds[kind](400);
    try {
      // A frozen holder: its renewals do nothing (a process stopped with SIGSTOP, or killed).
      jest.spyOn(pair.a as LocalCoordinator, 'renew').mockResolvedValue(false);
      let frozenDone = false;
      let unfreeze!: () => void;
      const frozen = pair.a.exclusive('cred', () => new Promise<void>((r) => (unfreeze = r))).then(() => (frozenDone = true));
      await sleep(50);
      const asked = performance.now();
      await pair.b.exclusive('cred', async () => undefined);
      const waited = performance.now() - asked;
      expect(frozenDone).toBe(false);
      // It waited for the lease (400 ms from the holder's start), not for the holder.
      expect(waited).toBeGreaterThanOrEqual(250);
      unfreeze();
      await frozen;
    } finally {
      await pair.close();
    }
  });
});

test('the local store passes over a holder whose process on this host is gone, at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'five9-coord-'));
  const store = new LocalCoordinator(dir, Database, { leaseMs: 60_000 });
  try {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const db = new Database(join(dir, 'coordination.db'));
    db.prepare('INSERT INTO slot (key, token, pid, host, expires) VALUES (?, ?, ?, ?, ?)').run('cred', 'dead-token', Number(gone), require('node:os').hostname(), Date.now() + 60_000);
    db.close();
    const asked = performance.now();
    await expect(store.exclusive('cred', async () => 'mine')).resolves.toBe('mine');
    // The lease had a minute left; the dead holder was passed over without waiting for it.
    expect(performance.now() - asked).toBeLessThan(30_000);
  } finally {
    await store.close();
  }
});

describe('choosing a coordinator without configuration', () => {
  test('the wall clock and a ScaledClock use the local store (a ScaledClock with its own budgets); a VirtualClock, memory', async () => {
    const wall = openCoordinator({ clock: systemClock });
    const scaled = openCoordinator({ clock: new ScaledClock(60) });
    const virtual = openCoordinator({ clock: new VirtualClock() });
    try {
      expect(wall.coordinator.kind).toBe('local');
      expect(wall.scope).toBe('');
      expect(scaled.coordinator).toBe(wall.coordinator);
      expect(scaled.scope).toBe('@x60');
      expect(virtual.coordinator.kind).toBe('memory');
      expect((wall.coordinator as LocalCoordinator).path).toBe(join(process.env.FIVE9_STATE_DIR!, 'coordination.db'));
    } finally {
      await Promise.all([wall.release(), scaled.release(), virtual.release()]);
    }
  });

  test('FIVE9_REDIS_URL, or the redis option, selects Redis; "memory" and a given coordinator are taken as asked', async () => {
    const byEnv = openCoordinator({ env: { FIVE9_REDIS_URL: redis.url } });
    const byOption = openCoordinator({ redis: redis.url });
    const own = new MemoryCoordinator();
    try {
      expect(byEnv.coordinator.kind).toBe('redis');
      expect(byOption.coordinator).toBe(byEnv.coordinator);
      expect(openCoordinator({ coordinator: 'memory', redis: redis.url }).coordinator.kind).toBe('memory');
      expect(openCoordinator({ coordinator: own }).coordinator).toBe(own);
      // A VirtualClock's time means nothing to other processes: the environment does not move it to Redis.
      expect(openCoordinator({ clock: new VirtualClock(), env: { FIVE9_REDIS_URL: redis.url } }).coordinator.kind).toBe('memory');
    } finally {
      await byEnv.release();
      await byOption.release();
    }
  });

  test('the state directory: FIVE9_STATE_DIR, else $XDG_STATE_HOME/five9, else ~/.local/state/five9; made 0700, the store 0600', async () => {
    expect(stateDir({ FIVE9_STATE_DIR: '/x/y', XDG_STATE_HOME: '/s' })).toBe('/x/y');
    expect(stateDir({ XDG_STATE_HOME: '/s' })).toBe('/s/five9');
    expect(stateDir({})).toBe(join(require('node:os').homedir(), '.local', 'state', 'five9'));
    const home = mkdtempSync(join(tmpdir(), 'five9-xdg-'));
    const h = openCoordinator({ env: { XDG_STATE_HOME: home } });
    try {
      expect(statSync(join(home, 'five9')).mode & 0o777).toBe(0o700);
      expect(statSync(join(home, 'five9', 'coordination.db')).mode & 0o777).toBe(0o600);
    } finally {
      await h.release();
    }
  });

  test('without the native SQLite module, one warning on stderr and the rules are kept in memory', async () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (writes.push(String(s)), true));
    try {
      await jest.isolateModulesAsync(async () => {
        jest.doMock('better-sqlite3', () => {
          throw new Error('Could not locate the bindings file (better_sqlite3.node)');
        });
        const { openCoordinator: open } = await import('../src/coordination');
        const first = open({});
        const second = open({});
        expect(first.coordinator.kind).toBe('memory');
        expect(second.coordinator).toBe(first.coordinator);
      });
    } finally {
      spy.mockRestore();
      jest.dontMock('better-sqlite3');
    }
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^five9: warning: the local store in .* cannot be used \(Could not locate the bindings file .*\); Five9's limits and one request at a time are kept in this process only\n$/);
  });

  test('a Redis that cannot be reached is FIVE9_COORDINATION, naming host and port, never the password', async () => {
    const c = new RedisCoordinator({ url: 'redis://:s3cret-pass@127.0.0.1:1' });
    try {
      const e = await c.take('k', MINUTE_HOUR, T0).catch((x) => x);
      expect(e).toMatchObject({ code: 'FIVE9_COORDINATION', exitCode: 4 });
      expect(e.message).toMatch(/^Redis at 127\.0\.0\.1:1 could not be used/);
      expect(JSON.stringify(e.toJSON())).not.toContain('s3cret');
    } finally {
      await c.close();
    }
    expect(() => new RedisCoordinator({ url: 'http://user:s3cret@host:6379' })).toThrow(/--redis must be a redis:\/\/ or rediss:\/\/ URL, not "http:\/\/…@host:6379"/);
  });
});
