/**
 * The CLI's edges: programming errors have their own exit code and say how to report them;
 * `--input @FILE` and `--input -`; the embedded target opens (and closes) a session so that a
 * statistics call can succeed, and says so; template names never reach outside the templates.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type CliIO } from '../src/cli';
import { openTarget } from '../src/cli/target';
import { ERROR_TABLE } from '../src/errors';
import { Five9Simulator } from '../src/simulator';

const bin = join(__dirname, '..', 'bin', 'five9.js');
const built = () => {
  if (!existsSync(join(__dirname, '..', 'dist', 'src', 'cli', 'index.js'))) throw new Error('run `npm run build` first');
};

/** The five9 binary in its own process; resolves with its exit code and output. */
function five9(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  built();
  const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}, extra: Partial<CliIO> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'five9', ...args], { out: (s) => out.push(s), err: (s) => err.push(s), env, ...extra });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'five9-cli-inputs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('programming errors', () => {
  const boom = async (): Promise<string> => {
    throw new TypeError("Cannot read properties of undefined (reading 'x')");
  };

  test('an unexpected exception is FIVE9_INTERNAL, exit 70, and says how to report the bug', async () => {
    const r = await cli(['run', 'Get Call Counters State', '--input', '-'], {}, { stdin: boom });
    expect(ERROR_TABLE.FIVE9_INTERNAL.exitCode).toBe(70);
    expect(r.code).toBe(70);
    expect(r.err).toMatch(/^five9: FIVE9_INTERNAL: an unexpected error inside the connector \(TypeError: Cannot read properties of undefined \(reading 'x'\)\); please report it as a bug/);
    expect(r.err).toMatch(/five9 --version/);
    expect(r.err).not.toMatch(/FIVE9_TRANSPORT/);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack unless asked for
  });

  test('with --json it is one JSON error; FIVE9_DEBUG=1 adds the stack on stderr', async () => {
    const r = await cli(['run', 'Get Call Counters State', '--input', '-', '--json'], { FIVE9_DEBUG: '1' }, { stdin: boom });
    expect(r.code).toBe(70);
    expect(JSON.parse(r.out).error).toMatchObject({ code: 'FIVE9_INTERNAL' });
    expect(r.err).toMatch(/TypeError: Cannot read properties[\s\S]*\n\s+at /);
  });

  test('five9 --version prints the package version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(require('../package.json').version);
  });
});

describe('--input @FILE and --input -', () => {
  const input = { viewSettings: { idleTimeOut: 1200, shiftStart: 28800000, timeZone: -25200000 } };

  test('@FILE reads the input from a file, - from standard input (in process)', async () => {
    const file = join(dir, 'input.json');
    writeFileSync(file, JSON.stringify(input));
    const a = await cli(['run', 'Set Session Parameters', '--input', `@${file}`, '--json']);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out)).toMatchObject({ action: 'Set Session Parameters', exit: 'success' });
    const b = await cli(['run', 'Set Session Parameters', '--input', '-', '--json'], {}, { stdin: async () => JSON.stringify(input) });
    expect(b.code).toBe(0);
    // A wrong value from a file is refused naming the field, as on the command line.
    writeFileSync(file, JSON.stringify({ viewSettings: { ...input.viewSettings, idleTimeOut: 5000 } }));
    const c = await cli(['run', 'Set Session Parameters', '--input', `@${file}`, '--json']);
    expect(c.code).toBe(2);
    expect(JSON.parse(c.out).error.issues).toEqual([expect.objectContaining({ field: '/viewSettings/idleTimeOut', rule: 'maximum' })]);
  });

  test('a file that is missing or not JSON: where, never what it holds', async () => {
    expect((await cli(['run', 'Get Call Counters State', '--input', `@${join(dir, 'nope.json')}`])).err).toMatch(/FIVE9_INVALID_INPUT: --input @.*nope\.json: cannot read the file \(no such file\)/);
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{\n  "stationPassword": "Hunter2-Secret",\n  oops\n}');
    const r = await cli(['run', 'Get Call Counters State', '--input', `@${file}`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--input @.*broken\.json is not JSON \(at line 3, column 3\)/);
    expect(r.err).not.toContain('Hunter2');
    expect((await cli(['run', 'Get Call Counters State', '--input', '[1]'])).err).toMatch(/--input must be a JSON object/);
  });

  test('as a user runs it: piped to five9 run --input -, and --input @FILE', async () => {
    const piped = await five9(['run', 'Set Session Parameters', '--input', '-', '--json'], {}, JSON.stringify(input));
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout)).toMatchObject({ exit: 'success', target: { kind: 'embedded-simulator' } });
    const file = join(dir, 'big-input.json');
    writeFileSync(file, JSON.stringify({ ...input, padding: undefined }));
    const fromFile = await five9(['run', 'Set Session Parameters', '--input', `@${file}`, '--json'], {});
    expect(fromFile.code).toBe(0);
  });
});

describe('the embedded target opens a session with the Maintain session defaults; a real one never does', () => {
  test('five9 run "Get Statistics" on the embedded target answers data, says so on stderr, and names the target in --json', async () => {
    const r = await cli(['run', 'Get Statistics', '--input', '{"statisticType":"AgentState"}', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.exit).toBe('success');
    expect(j.output.rows.length).toBeGreaterThan(0);
    expect(j.target).toEqual({ kind: 'embedded-simulator', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/wssupervisor\/v4\/SupervisorWebService$/), sessionOpenedByCommand: true });
    expect(r.err).toMatch(/the embedded simulator starts with no session: opened one with the Maintain session defaults \(idleTimeOut 1800, rollingPeriod Minutes30, shiftStart 28800000, statisticsRange CurrentDay, timeZone 0\); it is closed when this command ends/);
    const text = await cli(['run', 'List Session Parameters']);
    expect(text.out).toMatch(/^exit: true/);
  });

  test('the session is closed when the command ends: only the one the command opened', async () => {
    const target = await openTarget({}, {}, { openSession: true });
    expect(target.sessionOpenedByCommand).toBe(true);
    const sim = target.simulator!;
    await target.close();
    expect(sim.requests.map((q) => q.operation)).toEqual(['setSessionParameters', 'closeSession']);
    const plain = await openTarget({}, {});
    const sim2 = plain.simulator!;
    await plain.client.run('getCallCountersState');
    await plain.close();
    expect(sim2.requests.map((q) => q.operation)).toEqual(['getCallCountersState']);
  });

  test('a real target gets no session it did not ask for', async () => {
    const sim = new Five9Simulator({ users: [{ username: 'real', password: 'real-Passw0rd' }] });
    const { url } = await sim.start(0);
    try {
      const r = await cli(['run', 'Get Statistics', '--input', '{"statisticType":"AgentState"}', '--endpoint', url, '--json'], { FIVE9_USERNAME: 'real', FIVE9_PASSWORD: 'real-Passw0rd' });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out).error.fault).toBe('SessionNotInitializedFault');
      expect(r.err).not.toMatch(/opened one/);
      // The client reads the domain's counters before its first QueryStatistics call (calls made
      // elsewhere count against the budget), then the statistics: no session is opened.
      expect(sim.requests.map((q) => q.operation)).toEqual(['getCallCountersState', 'getStatistics']);
    } finally {
      await sim.stop();
    }
  });
});

describe('template names', () => {
  test('a bundled id matches only bundled templates: ../../package is a path, and nothing outside is read or quoted', async () => {
    for (const ref of ['../../package', '../package', 'package', '../../connector/manifest']) {
      const r = await cli(['cycle', 'run', ref, '--once']);
      expect(r.code).toBe(6);
      expect(r.err).toMatch(/FIVE9_TEMPLATE_INVALID: no (bundled template|template file)/);
      expect(r.err).not.toMatch(/five9-statistics-connector|devDependencies|"scripts"/);
    }
  });

  test('a file must be given by its path; its content is never quoted in errors', async () => {
    const cwd = process.cwd();
    const work = join(dir, 'names');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'mine.json'), '{ "connector": "x", "secret": "Hunter2-Secret-Value", oops }');
    writeFileSync(join(work, 'other.json'), JSON.stringify({ name: 'not a template', token: 'Hunter2-Secret-Value' }));
    process.chdir(work);
    try {
      const bare = await cli(['cycle', 'run', 'mine.json', '--once']);
      expect(bare.err).toContain('no bundled template "mine.json"');
      expect(bare.err).toContain('to use the file mine.json, give its path: ./mine.json');
      const explicit = await cli(['cycle', 'run', './mine.json', '--once']);
      expect(explicit.code).toBe(6);
      expect(explicit.err).toMatch(/\.\/mine\.json is not JSON \(at line 1, column \d+\)/);
      const other = await cli(['lint', './other.json']);
      expect(other.out + other.err).toMatch(/not a cycle template/);
      for (const r of [bare, explicit, other]) expect(r.out + r.err).not.toMatch(/Hunter2|not a template"/);
      expect((await cli(['cycle', 'run', 'Maintain session', '--once'])).code).toBe(0); // the display name still works
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('five9 stats watch --json | head -1', () => {
  test('exits quietly when the reader goes away, and closes the session it opened', async () => {
    built();
    const sim = new Five9Simulator({ users: [{ username: 'pipe', password: 'pipe-Passw0rd' }] });
    const { url } = await sim.start(0);
    try {
      const child = spawn('bash', ['-c', `"${process.execPath}" "${bin}" stats watch AgentState --json --endpoint ${url} | head -1; echo "five9 exit: \${PIPESTATUS[0]}" >&2`], {
        env: { PATH: process.env.PATH, FIVE9_USERNAME: 'pipe', FIVE9_PASSWORD: 'pipe-Passw0rd' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise((r) => child.once('close', r));
      expect(code).toBe(0);
      expect(stdout.trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(stdout).type).toBe('pacing');
      expect(stderr).toBe('five9 exit: 0\n'); // no EPIPE, no stack trace
      const ops = sim.requests.filter((q) => q.user === 'pipe').map((q) => q.operation);
      expect(ops).toContain('setSessionParameters');
      expect(ops[ops.length - 1]).toBe('closeSession');
    } finally {
      await sim.stop();
    }
  });
});
