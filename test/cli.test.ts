import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli';
import { demo } from '../src/cli/demo';
import { loadManifest } from '../src/manifest';
import { Five9Simulator } from '../src/simulator';

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'five9', ...args], { out: (s) => out.push(s), err: (s) => err.push(s), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm start: the Maintain session demo', () => {
  it('runs the schedule, shows the expiry without it, and ends with the summary', async () => {
    const lines: string[] = [];
    const summary = await demo({ realMsPerSimMinute: 0, out: (l) => lines.push(l) });
    const text = lines.join('\n');
    expect(summary.problems).toEqual([]);
    expect(summary.runs).toBe(10);
    expect(summary.exits['List Session Parameters']).toEqual({ false: 2, true: 8 });
    expect(summary.exits['Set Session Parameters']).toEqual({ success: 2 });
    expect(summary.expiries).toBe(1);
    expect(summary.expiriesWhileCycleRan).toBe(0);
    expect(text).toMatch(/fast-forwarded/);
    expect(text).toMatch(/\[08:00\] run 1\n\s+List Session Parameters\s+→ false/);
    expect(text).toMatch(/\[10:00\] run 9\n\s+List Session Parameters\s+→ true/);
    expect(text).toMatch(/SessionNotInitializedFault, the session expired after its Idle Time Out/);
    expect(text).toMatch(/Summary\n\s+runs: 10/);
  });
});

describe('five9 actions / describe', () => {
  it('lists every action under its category with its display name', async () => {
    const r = await cli(['actions']);
    expect(r.code).toBe(0);
    const m = loadManifest();
    for (const a of m.actions) expect(r.out).toContain(a.displayName);
    expect(r.out).toMatch(/^Sessions\n\s+Set Session Parameters/m);
    expect(r.out).toMatch(/Domain Limits\n\s+Get Call Counters State/);
  });

  it('describes List Session Parameters by display name or operation', async () => {
    const a = await cli(['describe', 'List Session Parameters']);
    const b = await cli(['describe', 'getSessionParameters']);
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    for (const s of ['Inputs:', 'Exits:', 'true: on success', 'false: on SessionNotInitializedFault or SessionClosedFault', 'Declared faults:', 'API versions:   default, v3, v4', 'Quota class:    none', 'shiftStart']) {
      expect(a.out).toContain(s);
    }
    expect((await cli(['describe', 'Set Session Parameters'])).out).toMatch(/Quota class:\s+QueryStatistics \(2\/min, 15\/h, 240\/day\)/);
  });

  it('an unknown action is one clear line and exit code 2', async () => {
    const r = await cli(['describe', 'List Sessions']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('five9: FIVE9_UNKNOWN_ACTION: unknown action "List Sessions"; `five9 actions` lists them');
  });

  it('--help works on every subcommand', async () => {
    for (const cmd of [[], ['actions'], ['describe'], ['run'], ['simulator'], ['lint'], ['cycle'], ['cycle', 'run'], ['demo']]) {
      const r = await cli([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Usage: five9/);
    }
  });
});

describe('five9 run against a simulator with credentials from the environment', () => {
  let sim: Five9Simulator;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sim = new Five9Simulator({ users: [{ username: 'demo', password: 'demo-secret' }] });
    const { url } = await sim.start();
    env = { FIVE9_USERNAME: 'demo', FIVE9_PASSWORD: 'demo-secret', ENDPOINT: url };
  });
  afterAll(() => sim.stop());

  it('List exits false, Set succeeds, List exits true with the settings that were set', async () => {
    const target = ['--endpoint', env.ENDPOINT!, '--json'];
    const first = await cli(['run', 'List Session Parameters', ...target], env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ exit: 'false', output: null, fault: { name: 'SessionNotInitializedFault' } });
    const vs = { idleTimeOut: 1200, shiftStart: 28800000, timeZone: -25200000, rollingPeriod: 'Minutes15', statisticsRange: 'CurrentShift' };
    const set = await cli(['run', 'Set Session Parameters', '--input', JSON.stringify({ viewSettings: vs }), ...target], env);
    const answered = { kind: 'endpoint', url: `${env.ENDPOINT}/wssupervisor/v4/SupervisorWebService`, sessionOpenedByCommand: false };
    expect(JSON.parse(set.out)).toEqual({ action: 'Set Session Parameters', exit: 'success', output: null, target: answered });
    const again = await cli(['run', 'getSessionParameters', ...target], env);
    expect(JSON.parse(again.out)).toEqual({ action: 'List Session Parameters', exit: 'true', output: vs, target: answered });
  });

  it('bad input: one JSON error naming field and rule, exit 2, nothing sent', async () => {
    const before = sim.requests.length;
    const r = await cli(['run', 'Set Session Parameters', '--input', '{"viewSettings":{"idleTimeOut":5000,"shiftStart":0,"timeZone":0}}', '--endpoint', env.ENDPOINT!, '--json'], env);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error).toMatchObject({ code: 'FIVE9_INVALID_INPUT', issues: [{ field: '/viewSettings/idleTimeOut', rule: 'maximum' }] });
    expect(sim.requests.length).toBe(before);
  });

  it('wrong password: authentication error, exit 3, the password nowhere in the output', async () => {
    const bad = { ...env, FIVE9_PASSWORD: 'Wr0ng-Passw0rd!' };
    for (const json of [true, false]) {
      const r = await cli(['run', 'List Session Parameters', '--endpoint', env.ENDPOINT!, ...(json ? ['--json'] : [])], bad);
      expect(r.code).toBe(3);
      expect(r.out + r.err).toMatch(/FIVE9_AUTH/);
      expect(r.out + r.err).toContain('"demo"');
      expect(r.out + r.err).not.toContain('Wr0ng-Passw0rd!');
      expect(r.out + r.err).not.toContain(Buffer.from('demo:Wr0ng-Passw0rd!').toString('base64'));
    }
  });

  it('--endpoint without credentials in the environment is a configuration error', async () => {
    const r = await cli(['run', 'List Session Parameters', '--endpoint', env.ENDPOINT!], {});
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/FIVE9_CONFIG: set FIVE9_USERNAME and FIVE9_PASSWORD/);
  });

  it('the embedded simulator is the default target', async () => {
    const r = await cli(['run', 'Get Call Counters State', '--json'], {});
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).output.map((s: { timeout: number }) => s.timeout)).toEqual([60, 3600, 86400]);
  });

  it('cycle run --once prints each step and its exit', async () => {
    const r = await cli(['cycle', 'run', 'maintain-session', '--once'], {});
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/List Session Parameters\s+→ false/);
    expect(r.out).toMatch(/Set Session Parameters\s+→ success/);
  });

  it('lint passes for the manifest and the bundled templates', async () => {
    const r = await cli(['lint']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/manifest: ok/);
    expect(r.out).toMatch(/maintain-session: ok/);
  });
});

const bin = join(__dirname, '..', 'bin', 'five9.js');
const built = existsSync(join(__dirname, '..', 'dist', 'src', 'cli', 'index.js'));

describe('the five9 binary', () => {
  it('five9 simulator --port 0 --user prints "listening on http://127.0.0.1:PORT" and serves Five9 paths', async () => {
    if (!built) throw new Error('run `npm run build` first (npm ci does it through prepare)');
    const child = spawn(process.execPath, [bin, 'simulator', '--port', '0', '--user', 'demo:demo-secret', '--user', 'ops:ops-secret'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d) => {
          buf += d;
          const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(buf);
          if (m) resolve(m[1]);
        });
        child.once('exit', (c) => reject(new Error(`exited ${c}`)));
      });
      const wsdl = await fetch(`${url}/wssupervisor/v4/SupervisorWebService?wsdl&user=demo`);
      expect(wsdl.status).toBe(200);
      expect(await wsdl.text()).toContain('<operation name="getSessionParameters"');
      const r = await cli(['run', 'List Session Parameters', '--endpoint', url, '--json'], { FIVE9_USERNAME: 'ops', FIVE9_PASSWORD: 'ops-secret' });
      expect(JSON.parse(r.out).exit).toBe('false');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
