/**
 * The lint CI runs (`npm run lint:ts`): besides style, it refuses promises left floating and
 * promises handed where a callback's result is dropped, which would end a long-running cycle or
 * fleet process with an unhandled rejection. Run as CI runs it, in its own process.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

test('ESLint refuses floating promises and promises where a callback result is dropped', async () => {
  const fixture = join(ROOT, 'test', 'fixtures', 'lint', 'promises.ts');
  const out = await new Promise<string>((resolve) =>
    execFile(process.execPath, [join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--no-ignore', '--format', 'json', fixture], { cwd: ROOT, timeout: 110_000 }, (_e, stdout) => resolve(stdout)),
  );
  const [result] = JSON.parse(out) as Array<{ messages: Array<{ line: number; ruleId: string }> }>;
  const rules = result.messages.map((m) => `${m.line}:${m.ruleId}`);
  expect(rules).toEqual(expect.arrayContaining(['9:@typescript-eslint/no-floating-promises', '13:@typescript-eslint/no-misused-promises', '14:@typescript-eslint/no-misused-promises', '15:@typescript-eslint/no-misused-promises']));
}, 120_000);
