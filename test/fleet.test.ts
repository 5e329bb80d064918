/**
 * `five9 fleet`: many accounts' keep-alive cycles, in one process or on BullMQ workers over a real
 * Redis (a redis-server of the test's own), against a simulator with one domain per account in
 * another process, on a clock sped up with --time-scale. The simulator's report and the fleet's
 * history in Redis are the judges.
 */
import { Redis } from 'ioredis';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { checkFleetConfig } from '../src/fleet';
import { Five9Error } from '../src/errors';
import { type Five9Process, five9, killAll, readJson, redisServer, simulatorProcess, sleep, tempDir } from './processes';

jest.setTimeout(180_000);
afterEach(killAll);

const PASSWORD = 'Fleet-Pass-1';

interface Report {
  users: Record<string, { requests: number; sessionsStarted: number; expiries: number; concurrentDenied: number; quotaFaults: number; byOperation: Record<string, number> }>;
}

function accountsFile(dir: string, url: string, n: number): string {
  const path = join(dir, 'accounts.json');
  const accounts = Array.from({ length: n }, (_, i) => ({ id: `d${i + 1}`, username: `user${i + 1}` }));
  writeFileSync(path, JSON.stringify({ defaults: { endpoint: url, password: { env: 'FLEET_PASSWORD' }, cycles: [{ template: 'maintain-session' }] }, accounts }));
  return path;
}

function jsonLines(p: Five9Process): Array<Record<string, any>> {
  return p
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

async function stop(p: Five9Process, signal: NodeJS.Signals = 'SIGTERM') {
  p.child.kill(signal);
  return p.exit;
}

describe('accounts.json', () => {
  const abs = join(tempDir(), 'accounts.json');
  const check = (raw: unknown) => {
    try {
      checkFleetConfig(raw, abs);
    } catch (e) {
      expect(e).toBeInstanceOf(Five9Error);
      return (e as Five9Error).message;
    }
    throw new Error('accepted');
  };

  test('errors name the account and the field, for the shape and for what a schema cannot say', () => {
    const shape = check({ accounts: [{ id: 'acme', endpoint: 'http://127.0.0.1:1', username: 'u', password: { envv: 'X' }, cycles: [{ template: 'maintain-session', every: '15' }] }, { username: 'x' }] });
    expect(shape).toMatch(/account "acme": \/password must be the secret as a string, \{"env": "VARIABLE"\} or \{"file": "PATH"\}/);
    expect(shape).toMatch(/account "acme": \/cycles\/0\/every must be a duration with a unit/);
    expect(shape).toMatch(/accounts\[1\]: \/id is required/);
    const meaning = check({
      accounts: [
        { id: 'acme', dataCenter: 'mars', username: 'u', password: 'p', cycles: [{ template: 'no-such-template' }, { template: 'maintain-session', fields: { idleTimeOut: 5, colour: 'red' } }] },
        { id: 'acme', endpoint: 'http://127.0.0.1:1', dataCenter: 'us', username: 'u', password: 'p', cycles: [{ template: 'maintain-session' }] },
        { id: 'beta', endpoint: 'http://127.0.0.1:1/wssupervisor/v3/SupervisorWebService', apiVersion: 'v4', username: 'u', password: 'p', cycles: [{ template: 'maintain-session' }] },
      ],
    });
    expect(meaning).toMatch(/account "acme": \/dataCenter must be one of us, /);
    expect(meaning).toMatch(/account "acme": \/cycles\/0\/template no bundled template "no-such-template"/);
    expect(meaning).toMatch(/account "acme": \/cycles\/1\/fields\/idleTimeOut must be >= 60/);
    expect(meaning).toMatch(/account "acme": \/cycles\/1\/fields\/colour is not a field of template maintain-session/);
    expect(meaning).toMatch(/account "acme": \/id is also the id of accounts\[0\]/);
    expect(meaning).toMatch(/account "acme": \/endpoint give an endpoint or a dataCenter, not both/);
    expect(meaning).toMatch(/account "beta": \/apiVersion contradicts the endpoint's path, which is API version v3/);
    // Nothing of an inline secret is ever quoted back.
    expect(meaning).not.toMatch(/"p"/);
  });

  test('the command refuses a malformed file with exit 2, naming account and field', async () => {
    const dir = tempDir();
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ accounts: [{ id: 'acme', endpoint: 'http://127.0.0.1:1', username: 'u', password: 'Inline-Secret-7', cycles: [{ template: 'maintain-session', every: 'soon' }] }] }));
    const r = await five9(['fleet', 'run', path]).exit;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/account "acme": \/cycles\/0\/every must be a duration with a unit, such as 30s, 15m or 1h/);
    expect(r.stderr + r.stdout).not.toContain('Inline-Secret-7');
  });
});

describe('five9 fleet run (embedded, one process, no Redis)', () => {
  test('keeps 20 domains alive on their schedules; SIGTERM prints the summary; no expiry, no denial, no quota fault', async () => {
    const dir = tempDir();
    const sim = await simulatorProcess(['--port', '0', '--domains', `20:${PASSWORD}`, '--time-scale', '120', '--report', join(dir, 'report.json')]);
    const fleet = five9(['fleet', 'run', accountsFile(dir, sim.url, 20), '--time-scale', '120', '--json', '--metrics-port', '0'], { FLEET_PASSWORD: PASSWORD });
    // Each schedule's slots are spread over the 7.5 s interval: 2 intervals give 40 runs or more.
    await fleet.waitForCount(/"type":"slot"/, 45, 60_000);
    const metricsUrl = jsonLines(fleet).find((e) => e.type === 'metrics')!.url as string;
    const metrics = await (await fetch(metricsUrl)).text();
    expect(metrics).toMatch(/five9_fleet_runs_total\{template="maintain-session",outcome="ok"\} \d+/);
    expect(metrics).toMatch(/five9_fleet_exits_total\{template="maintain-session",step="check-session",exit="true"\} \d+/);
    expect(metrics).toMatch(/five9_fleet_request_duration_seconds_bucket\{le="[^"]+",operation="getSessionParameters",outcome="success"\}/);
    const end = await stop(fleet);
    expect(end.code).toBe(0);
    const slots = jsonLines(fleet).filter((e) => e.type === 'slot');
    expect(slots.every((s) => s.outcome === 'ok')).toBe(true);
    const summary = jsonLines(fleet).find((e) => e.type === 'summary')!;
    expect(summary).toMatchObject({ runs: slots.length, failed: 0 });
    // A slot never runs twice.
    const ids = slots.map((s) => `${s.scheduleId}@${s.slot}`);
    expect(new Set(ids).size).toBe(ids.length);
    await stop(sim);
    const report = readJson<Report>(join(dir, 'report.json'));
    for (let i = 1; i <= 20; i++) {
      expect(report.users[`user${i}`]).toMatchObject({ sessionsStarted: 1, expiries: 0, concurrentDenied: 0, quotaFaults: 0 });
    }
    expect(end.stdout + end.stderr).not.toContain(PASSWORD);
  });
});

describe('five9 fleet on BullMQ over Redis', () => {
  test('100 domains, two workers, one killed with kill -9 mid-run: every slot ran exactly once, no expiry, no concurrent denial, no quota fault', async () => {
    const redisProc = await redisServer();
    const redis = new Redis(redisProc.url);
    const dir = tempDir();
    try {
      // 90×: 15 minutes are 10 real s, the Idle Time Out 20 s. Every request is held 150 ms, so
      // runs are in flight most of the time and the kill lands in the middle of one.
      const sim = await simulatorProcess(['--port', '0', '--domains', `100:${PASSWORD}`, '--time-scale', '90', '--latency', '150', '--report', join(dir, 'report.json')]);
      const accounts = accountsFile(dir, sim.url, 100);
      const env = { FLEET_PASSWORD: PASSWORD };
      const scheduler = five9(['fleet', 'run', accounts, '--redis', redisProc.url, '--time-scale', '90', '--json']);
      await scheduler.waitFor(/"type":"sync".*"schedules":100/);
      const workerArgs = ['fleet', 'worker', '--redis', redisProc.url, '--concurrency', '8', '--stalled-after', '2s', '--json'];
      const w1 = five9(workerArgs, env);
      const w2 = five9(workerArgs, env);
      await w1.waitFor(/"type":"worker"/);
      await w2.waitFor(/"type":"worker"/);
      // Let the fleet settle into its schedule, then find a slot w1 is in the middle of.
      await sleep(12_000);
      const w1Name = `${hostname()}:${w1.child.pid}`;
      let killedJob: string | undefined;
      for (let i = 0; i < 400 && !killedJob; i++) {
        for (const id of await redis.lrange('five9:fleet:active', 0, -1)) {
          if ((await redis.hget(`five9:fleet:${id}`, 'pb')) === w1Name) {
            killedJob = id;
            w1.child.kill('SIGKILL');
            break;
          }
        }
        if (!killedJob) await sleep(10);
      }
      expect(killedJob).toBeDefined();
      await w1.exit;
      // Two more intervals: the survivor takes the orphaned slot and every schedule goes on.
      await sleep(22_000);
      const status = JSON.parse((await five9(['fleet', 'status', '--redis', redisProc.url, '--json']).exit).stdout);
      expect(status.schedules).toHaveLength(100);
      for (const s of status.schedules) {
        expect(s.runs).toBeGreaterThanOrEqual(2);
        expect(s.lastRun.outcome).toBe('ok');
        expect(s.nextRun).toBeGreaterThan(Date.now() - 10_000);
        expect(s.lastError).toBeUndefined();
      }
      await stop(scheduler);
      expect((await stop(w2)).code).toBe(0);
      await stop(sim);

      // The history: every (schedule, slot) once, and each schedule's slots 10 s apart, no gap.
      const history = (await redis.xrange('five9:fleet:f:history', '-', '+')).map(([, f]) => {
        const o: Record<string, string> = {};
        for (let i = 0; i < f.length; i += 2) o[f[i]] = f[i + 1];
        return o;
      });
      const keys = history.map((h) => `${h.s}@${h.slot}`);
      expect(new Set(keys).size).toBe(keys.length);
      const bySchedule = new Map<string, number[]>();
      for (const h of history) bySchedule.set(h.s, [...(bySchedule.get(h.s) ?? []), Number(h.slot)]);
      expect(bySchedule.size).toBe(100);
      for (const slots of bySchedule.values()) {
        slots.sort((a, b) => a - b);
        for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBe(10_000);
      }
      // The slot w1 was killed in was finished by w2.
      const killedSlot = killedJob!.slice(killedJob!.lastIndexOf(':') + 1);
      const killedSchedule = killedJob!.slice('repeat:'.length, killedJob!.lastIndexOf(':'));
      const rerun = history.filter((h) => h.s === killedSchedule && h.slot === killedSlot);
      expect(rerun).toHaveLength(1);
      expect(rerun[0].w).toBe(`${hostname()}:${w2.child.pid}`);
      expect(rerun[0].o).toBe('ok');

      // The simulator agrees: no expiry, no denial, no quota fault; its requests are the history's
      // steps, plus what the killed attempt had sent before it died.
      const counters = await redis.hgetall('five9:fleet:f:counters');
      const abandoned = Number(counters.started) - Number(counters.finished);
      expect(abandoned).toBeGreaterThanOrEqual(1);
      const report = readJson<Report>(join(dir, 'report.json'));
      let gets = 0;
      let sets = 0;
      for (let i = 1; i <= 100; i++) {
        const u = report.users[`user${i}`];
        expect(u).toMatchObject({ sessionsStarted: 1, expiries: 0, concurrentDenied: 0, quotaFaults: 0 });
        gets += u.byOperation.getSessionParameters ?? 0;
        sets += u.byOperation.setSessionParameters ?? 0;
      }
      const histGets = history.reduce((n, h) => n + (h.x.match(/check-session:/g) ?? []).length, 0);
      const histSets = history.reduce((n, h) => n + (h.x.match(/start-session:/g) ?? []).length, 0);
      expect(gets - histGets).toBeGreaterThanOrEqual(0);
      expect(gets - histGets).toBeLessThanOrEqual(abandoned);
      expect(sets - histSets).toBeGreaterThanOrEqual(0);
      expect(sets - histSets).toBeLessThanOrEqual(abandoned);
      expect(histSets).toBeGreaterThanOrEqual(100 - abandoned);
    } finally {
      redis.disconnect();
      await redisProc.stop();
    }
  });

  test('after Redis restarts empty, and after every worker is replaced, the schedule resumes; /metrics and status work', async () => {
    const redisProc = await redisServer();
    const dir = tempDir();
    try {
      const sim = await simulatorProcess(['--port', '0', '--domains', `5:${PASSWORD}`, '--time-scale', '120', '--report', join(dir, 'report.json')]);
      const accounts = accountsFile(dir, sim.url, 5);
      const env = { FLEET_PASSWORD: PASSWORD };
      const scheduler = five9(['fleet', 'run', accounts, '--redis', redisProc.url, '--time-scale', '120', '--resync-every', '1s', '--json']);
      await scheduler.waitFor(/"type":"sync"/);
      const w1 = five9(['fleet', 'worker', '--redis', redisProc.url, '--json', '--metrics-port', '0'], env);
      await w1.waitForCount(/"type":"slot"/, 5, 30_000);

      await redisProc.restart();
      const before = jsonLines(w1).filter((e) => e.type === 'slot').length;
      // The scheduler puts the schedules back; the worker reconnects and takes them.
      await scheduler.waitFor(/"type":"sync","why":"schedules restored"/, 30_000);
      await w1.waitForCount(/"type":"slot"/, before + 5, 30_000);

      const metricsUrl = jsonLines(w1).find((e) => e.type === 'metrics')!.url as string;
      const metrics = await (await fetch(metricsUrl)).text();
      expect(metrics).toMatch(/five9_fleet_runs_total\{template="maintain-session",outcome="ok"\} \d+/);
      expect(metrics).toMatch(/five9_fleet_run_lateness_seconds_count \d+/);
      expect(metrics).not.toContain(PASSWORD);

      w1.child.kill('SIGKILL');
      await w1.exit;
      const w2 = five9(['fleet', 'worker', '--redis', redisProc.url, '--json'], env);
      await w2.waitForCount(/"type":"slot"/, 5, 30_000);
      expect(jsonLines(w2).filter((e) => e.type === 'slot').every((s) => s.outcome === 'ok')).toBe(true);

      const text = (await five9(['fleet', 'status', '--redis', redisProc.url]).exit).stdout;
      expect(text).toMatch(/fleet fleet: 5 schedule\(s\), time scale 120/);
      expect(text).toMatch(/^ {2}d1 +maintain-session +15m +\d+ +\d{4}-\d\d-\d\d [\d:]+ \(.* ago\) +ok true +in /m);
      expect(text).not.toContain(PASSWORD);

      await stop(scheduler);
      await stop(w2);
      await stop(sim);
      const report = readJson<Report>(join(dir, 'report.json'));
      for (let i = 1; i <= 5; i++) expect(report.users[`user${i}`]).toMatchObject({ expiries: 0, concurrentDenied: 0, quotaFaults: 0 });
    } finally {
      await redisProc.stop();
    }
  });

  test('no secret is written to Redis', async () => {
    const redisProc = await redisServer();
    const redis = new Redis(redisProc.url);
    const dir = tempDir();
    try {
      const sim = await simulatorProcess(['--port', '0', '--domains', `2:${PASSWORD}`, '--time-scale', '120']);
      const path = join(dir, 'accounts.json');
      writeFileSync(join(dir, 'secret.txt'), `${PASSWORD}\n`);
      writeFileSync(path, JSON.stringify({ accounts: [
        { id: 'inline', endpoint: sim.url, username: 'user1', password: PASSWORD, cycles: [{ template: 'maintain-session' }] },
        { id: 'file', endpoint: sim.url, username: 'user2', password: { file: 'secret.txt' }, cycles: [{ template: 'maintain-session' }] },
      ] }));
      const scheduler = five9(['fleet', 'run', path, '--redis', redisProc.url, '--time-scale', '120', '--json']);
      await scheduler.waitFor(/"type":"sync"/);
      // A worker without the file cannot run the inline account (it says so); with it, it can.
      const w = five9(['fleet', 'worker', '--redis', redisProc.url, '--json', '--accounts', path]);
      await w.waitForCount(/"type":"slot".*"outcome":"ok"/, 2, 30_000);
      const dump: string[] = [];
      for (const key of await redis.keys('*')) {
        const type = await redis.type(key);
        if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'string') dump.push(String(await redis.get(key)));
        else if (type === 'stream') dump.push(JSON.stringify(await redis.xrange(key, '-', '+')));
        else if (type === 'list') dump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'zset') dump.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
      }
      const all = dump.join('\n');
      // Redis holds references: an environment variable's name, a file's path, or "inline" (the file has it).
      const stored = await redis.hgetall('five9:fleet:f:accounts');
      expect(JSON.parse(stored.inline).password).toEqual({ inline: true });
      expect(JSON.parse(stored.file).password).toEqual({ file: 'secret.txt' });
      expect(all).not.toContain(PASSWORD);
      expect(all).not.toContain(Buffer.from(`user1:${PASSWORD}`).toString('base64'));
      await stop(scheduler);
      await stop(w);
      await stop(sim);
    } finally {
      redis.disconnect();
      await redisProc.stop();
    }
  });

  test("a worker that starts with many slots due reads the fleet's configuration once, not once per slot", async () => {
    const redisProc = await redisServer();
    const redis = new Redis(redisProc.url);
    const dir = tempDir();
    try {
      // 900×: every account's slot comes round each real second, so a worker starts with a queue
      // of due slots and --concurrency of them ask for the configuration at the same moment.
      const sim = await simulatorProcess(['--port', '0', '--domains', `300:${PASSWORD}`, '--time-scale', '900']);
      const scheduler = five9(['fleet', 'run', accountsFile(dir, sim.url, 300), '--redis', redisProc.url, '--time-scale', '900', '--sync-only']);
      expect((await scheduler.exit).code).toBe(0);
      await sleep(1500);
      const reads: string[] = [];
      const monitor = await redis.monitor();
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (String(args[0]).toLowerCase() === 'hgetall' && String(args[1]).startsWith('five9:fleet:f:')) reads.push(String(args[1]));
      });
      const w = five9(['fleet', 'worker', '--redis', redisProc.url, '--concurrency', '32', '--json'], { FLEET_PASSWORD: PASSWORD });
      await w.waitForCount(/"type":"slot"/, 64, 60_000);
      // One reading: the meta, the accounts and the templates hashes (32 slots each reading their
      // own copy of the accounts once took a worker of 10,000 accounts from 80 to 200 MB).
      expect(reads.sort()).toEqual(['five9:fleet:f:accounts', 'five9:fleet:f:meta', 'five9:fleet:f:templates']);
      monitor.disconnect();
      await stop(w);
      await stop(sim);
    } finally {
      redis.disconnect();
      await redisProc.stop();
    }
  });
});
