/**
 * `five9 simulator` as a user runs it: a separate process (node bin/five9.js), real time, stopped
 * with SIGTERM or SIGINT. Its fleet flags (--domains, --time-scale, --report) and its errors,
 * which never show a secret.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SimulatorProcess, startSimulatorProcess } from '../src/simulator';
import { VIEW_SETTINGS, soap } from './sim-helpers';

const bin = join(__dirname, '..', 'bin', 'five9.js');
const built = existsSync(join(__dirname, '..', 'dist', 'src', 'cli', 'simulator.js'));

function spawnCli(args: string[]) {
  if (!built) throw new Error('run `npm run build` first (npm ci does it through prepare)');
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, exit, stdout: () => stdout };
}

async function simulator(args: string[]): Promise<SimulatorProcess> {
  if (!built) throw new Error('run `npm run build` first (npm ci does it through prepare)');
  return startSimulatorProcess(args);
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const c of running.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('five9 simulator --domains --time-scale --report', () => {
  test('domains have their own limits; a 60 s idle time-out expires in a real second at scale 60; SIGTERM writes the report (0600)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'five9-sim-'));
    const report = join(dir, 'report.json');
    // One QueryStatistics call a day per domain: user1's second is refused, the others' first are not.
    const sim = await simulator(['--domains', '3:Fleet-Pass-1', '--time-scale', '60', '--quota', 'QueryStatistics=1/1/1', '--report', report]);
    running.push(sim.child);
    expect(sim.stdout()).toMatch(/^ {2}domains: 3, one supervisor each: user1 … user3$/m);
    expect(sim.stdout()).not.toMatch(/users: demo/);
    const pw = 'Fleet-Pass-1';
    expect((await soap(sim.url, 'user1', pw, 'setSessionParameters', VIEW_SETTINGS(1800))).status).toBe(200);
    expect((await soap(sim.url, 'user1', pw, 'setSessionParameters', VIEW_SETTINGS(1800))).fault).toBe('OperationsLimitExceededFault');
    expect((await soap(sim.url, 'user2', pw, 'setSessionParameters', VIEW_SETTINGS(60))).status).toBe(200);
    expect((await soap(sim.url, 'user3', pw, 'setSessionParameters', VIEW_SETTINGS(60))).status).toBe(200);
    expect((await soap(sim.url, 'user2', pw, 'getSessionParameters')).status).toBe(200);
    // 60 s of idle time-out at scale 60 is one real second: wait longer than that, in real time.
    await sleep(1500);
    expect((await soap(sim.url, 'user2', pw, 'getSessionParameters')).fault).toBe('SessionNotInitializedFault');
    expect((await soap(sim.url, 'user1', pw, 'getSessionParameters')).status).toBe(200);
    sim.child.kill('SIGTERM');
    const { code, stdout, stderr } = await sim.exit;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`report written to ${report}`);
    expect(statSync(report).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toEqual({
      users: {
        user1: { requests: 3, sessionsStarted: 1, expiries: 0, concurrentDenied: 0, quotaFaults: 1, byOperation: { setSessionParameters: 2, getSessionParameters: 1 } },
        user2: { requests: 3, sessionsStarted: 1, expiries: 1, concurrentDenied: 0, quotaFaults: 0, byOperation: { setSessionParameters: 1, getSessionParameters: 2 } },
        // Expired with no request after: found when the report is written.
        user3: { requests: 1, sessionsStarted: 1, expiries: 1, concurrentDenied: 0, quotaFaults: 0, byOperation: { setSessionParameters: 1 } },
      },
    });
  });

  test('SIGINT also writes the report; --user users share the first domain', async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'five9-sim-')), 'sub', 'r.json');
    const sim = await simulator(['--user', 'ann:ann-secret', '--user', 'bob:bob-secret', '--report', report]);
    running.push(sim.child);
    await soap(sim.url, 'ann', 'ann-secret', 'setSessionParameters', VIEW_SETTINGS());
    await soap(sim.url, 'ann', 'ann-secret', 'setSessionParameters', VIEW_SETTINGS());
    expect((await soap(sim.url, 'bob', 'bob-secret', 'setSessionParameters', VIEW_SETTINGS())).fault).toBe('OperationsLimitExceededFault');
    sim.child.kill('SIGINT');
    expect((await sim.exit).code).toBe(0);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    expect(Object.keys(r.users)).toEqual(['ann', 'bob']);
    expect(r.users.bob).toMatchObject({ requests: 1, quotaFaults: 1, sessionsStarted: 0 });
  });
});

describe('five9 simulator errors never show a secret', () => {
  const secret = 'TypoSecret-ä&<"%\\';
  test.each([
    [['--user', `alice=${secret}`], /--user must be NAME:PASSWORD, got a value without ":" \(not shown/],
    [['--user', `alice:`], /--user must be NAME:PASSWORD, got "alice:…"/],
    [['--domains', `5=${secret}`], /--domains must be COUNT:PASSWORD/],
    [['--domains', `many:${secret}`], /--domains must be COUNT:PASSWORD with COUNT from 1 to 100000, got "many:…"/],
    [['--consumer', `key${secret}`], /--consumer must be KEY:SECRET/],
    [['--time-scale', 'fast'], /--time-scale must be a positive number, got "fast"/],
  ])('simulator %j: exit 2 and a message naming the flag', async (args, message) => {
    const { code, stdout, stderr } = await spawnCli(['simulator', '--port', '0', ...args]).exit;
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    // No run of 6 characters of the secret, in any form.
    const text = stdout + stderr;
    for (let i = 0; i + 6 <= secret.length; i++) expect(text).not.toContain(secret.slice(i, i + 6));
    expect(text).not.toContain(encodeURIComponent(secret).slice(0, 12));
  });
});
