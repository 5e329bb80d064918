/**
 * Generated files (src/generated/*, and whatever scripts/gen-outputs.ts registers) match their
 * sources: `npm run gen:check` exits 0. A stale file would make types, docs or the WSDL lie.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, timeout: 50_000, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as NodeJS.ErrnoException).code === 'number' ? Number((error as NodeJS.ErrnoException).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('scripts/gen.ts --check exits 0: every generated file is up to date', async () => {
  const { code, stdout, stderr } = await run('npx', ['ts-node', '--transpile-only', 'scripts/gen.ts', '--check']);
  if (code !== 0) throw new Error(`gen --check exited ${code}:\n${stdout}\n${stderr}`);
  expect(stdout).toMatch(/generated files are up to date \(\d+\)/);
}, 60_000);
