/**
 * The CLI's edges: programming errors have their own exit code and say how to report them;
 * `--input @FILE` and `--input -`; the embedded target opens (and closes) a session so that a
 * statistics call can succeed, and says so; template names never reach outside the templates.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type CliIO } from '../src/cli';
import { ERROR_TABLE } from '../src/errors';

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
