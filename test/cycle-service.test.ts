/**
 * `five9 cycle run` as the long-running service it is: a separate process against a simulator in
 * another process, over real time (the schedule sped up with --time-scale on both), through a
 * simulator restart, stopped with SIGTERM and Ctrl-C. The simulator's own report is the judge.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { type Five9Process, five9, freePort, killAll, readJson, simulatorProcess, tempDir } from './processes';

jest.setTimeout(120_000);
afterEach(killAll);

const USER = 'keeper';
const PASSWORD = 'Keeper-Pass-1';
const ENV = { FIVE9_USERNAME: USER, FIVE9_PASSWORD: PASSWORD };

interface Report {
  users: Record<string, { requests: number; sessionsStarted: number; expiries: number; concurrentDenied: number; quotaFaults: number; byOperation: Record<string, number> }>;
}

function events(stdout: string): Array<Record<string, any>> {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

async function stopSimulator(sim: Five9Process): Promise<void> {
  sim.child.kill('SIGTERM');
  await sim.exit;
}

describe('five9 cycle run: a keep-alive that keeps running', () => {
  test("runs on the template's own 15-minute schedule, survives the simulator's restart, stops on SIGTERM; no session ever expires", async () => {
    const dir = tempDir();
    const port = await freePort();
    // 180×: the template's 15 minutes are 5 real seconds, the 1,800 s Idle Time Out 10 seconds.
    const simArgs = (report: string) => ['--port', String(port), '--user', `${USER}:${PASSWORD}`, '--time-scale', '180', '--report', report];
    let sim = await simulatorProcess(simArgs(join(dir, 'before.json')));
    const cycle = five9(['cycle', 'run', 'maintain-session', '--endpoint', sim.url, '--time-scale', '180', '--json'], ENV);

    // Three scheduled runs: the first starts the session, the next two find it.
    await cycle.waitForCount(/"type":"run-end"/, 3, 40_000);
    let seen = events(cycle.stdout());
    const steps = seen.filter((e) => e.type === 'step').map((e) => `${e.run}:${e.step}:${e.exit}`);
    expect(steps.slice(0, 4)).toEqual(['1:check-session:false', '1:start-session:success', '2:check-session:true', '3:check-session:true']);
    // Runs are a schedule's slots apart (5 real s = 15 simulated minutes), not back to back.
    const starts = seen.filter((e) => e.type === 'run-start').map((e) => e.time);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(15 * 60_000 - 60_000);

    // The simulator goes away: runs fail with their error code, and the schedule goes on.
    await stopSimulator(sim);
    const before = readJson<Report>(join(dir, 'before.json')).users[USER];
    expect(before).toMatchObject({ sessionsStarted: 1, expiries: 0, concurrentDenied: 0, quotaFaults: 0 });
    expect(before.byOperation.closeSession ?? 0).toBe(0);
    await cycle.waitFor(/"type":"step-error".*"code":"FIVE9_TRANSPORT"/, 20_000);

    // Restarted on the same port (it forgot every session): the next run starts a new one.
    sim = await simulatorProcess(simArgs(join(dir, 'after.json')));
    const runsSoFar = events(cycle.stdout()).filter((e) => e.type === 'run-end').length;
    await cycle.waitForCount(/"type":"run-end"/, runsSoFar + 2, 30_000);
    seen = events(cycle.stdout());
    const after = seen.filter((e) => e.type === 'step' && e.run > runsSoFar - 1).map((e) => `${e.step}:${e.exit}`);
    expect(after).toContain('start-session:success');
    expect(after[after.length - 1]).toBe('check-session:true');

    // SIGTERM: the service stops cleanly, says what it did, exits 0.
    cycle.child.kill('SIGTERM');
    const end = await cycle.exit;
    expect(end.code).toBe(0);
    const last = events(end.stdout);
    expect(last.find((e) => e.type === 'schedule-end')).toMatchObject({ reason: 'aborted' });
    const summary = last.find((e) => e.type === 'summary')!;
    expect(summary.failed).toBeGreaterThanOrEqual(1);
    expect(summary.ok).toBeGreaterThanOrEqual(5);
    expect(summary.errors.FIVE9_TRANSPORT).toBeGreaterThanOrEqual(1);
    expect(end.stderr).toMatch(/stopping after the step in flight/);

    // It never closed the session it kept alive, and none expired.
    await stopSimulator(sim);
    const report = readJson<Report>(join(dir, 'after.json')).users[USER];
    expect(report).toMatchObject({ sessionsStarted: 1, expiries: 0, concurrentDenied: 0, quotaFaults: 0 });
    expect(report.byOperation.closeSession ?? 0).toBe(0);
    expect(end.stdout + end.stderr).not.toContain(PASSWORD);
  });

  test('--every overrides the schedule; a refused password fails each run with FIVE9_AUTH, the schedule goes on, and the exit code is 3', async () => {
    const sim = await simulatorProcess(['--port', '0', '--user', `${USER}:${PASSWORD}`]);
    const bad = five9(['cycle', 'run', 'maintain-session', '--endpoint', sim.url, '--every', '1s', '--runs', '3'], { FIVE9_USERNAME: USER, FIVE9_PASSWORD: 'Wrong-Pass-9' });
    const end = await bad.exit;
    expect(end.code).toBe(3);
    expect(end.stdout).toMatch(/every 1s against/);
    expect(end.stdout.match(/✗ FIVE9_AUTH/g)).toHaveLength(3);
    expect(end.stdout).toMatch(/summary: 3 run\(s\) in .*: 0 ok, 3 failed/);
    expect(end.stdout + end.stderr).not.toContain('Wrong-Pass-9');
    await stopSimulator(sim);
  });

  test('Ctrl-C lets the step in flight finish; a second Ctrl-C exits at once with 130', async () => {
    // A server that accepts and never answers: the first step stays in flight.
    const sockets = new Set<Socket>();
    const server: Server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const cycle = five9(['cycle', 'run', 'maintain-session', '--endpoint', url, '--timeout', '60000'], ENV);
      await cycle.waitFor(/run 1/);
      while (!sockets.size) await new Promise((r) => setTimeout(r, 20));
      cycle.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 500));
      // Still running: the step in flight is waited for.
      expect(cycle.child.exitCode).toBeNull();
      expect(cycle.stderr()).toMatch(/stopping after the step in flight \(Ctrl-C again to exit at once\)/);
      cycle.child.kill('SIGINT');
      const end = await cycle.exit;
      expect(end.code).toBe(130);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  test('stats get next to the cycle finds its session and leaves it active', async () => {
    const dir = tempDir();
    const sim = await simulatorProcess(['--port', '0', '--user', `${USER}:${PASSWORD}`, '--report', join(dir, 'r.json')]);
    const cycle = five9(['cycle', 'run', 'maintain-session', '--endpoint', sim.url, '--json'], ENV);
    await cycle.waitFor(/"type":"run-end"/);
    const get = await five9(['stats', 'get', 'ACDStatus', '--endpoint', sim.url, '--format', 'json'], ENV).exit;
    expect(get.code).toBe(0);
    expect(JSON.parse(get.stdout.trim().split('\n').pop()!)).toMatchObject({ type: 'ACDStatus' });
    const check = await five9(['run', 'List Session Parameters', '--endpoint', sim.url, '--json'], ENV).exit;
    expect(JSON.parse(check.stdout)).toMatchObject({ exit: 'true' });
    cycle.child.kill('SIGTERM');
    expect((await cycle.exit).code).toBe(0);
    await stopSimulator(sim);
    const report = readJson<Report>(join(dir, 'r.json')).users[USER];
    // One session, started by the cycle; nobody closed it; the snapshot cost one QueryStatistics.
    expect(report.sessionsStarted).toBe(1);
    expect(report.byOperation.closeSession ?? 0).toBe(0);
    expect(report.byOperation.setSessionParameters).toBe(1);
    expect(report.byOperation.getStatistics).toBe(1);
  });
});
