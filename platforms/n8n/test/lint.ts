/**
 * `npm run lint:n8n`: n8n's linter for community nodes (`n8n-node lint` of @n8n/node-cli, in its
 * strict mode) over the package's sources. The linter is installed once in a folder of its own
 * (test/lint-harness; about 700 MB, so CI does not run it); the sources are linted in a temporary
 * copy beside a link to the connector's src/, so that nothing is written into the repository.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInstalled, PLATFORM, REPO, tempDir } from './n8n';

// A dependency's preinstall runs `npx only-allow pnpm`, which fails under npm: skip install scripts.
const { dir } = ensureInstalled(join(__dirname, 'lint-harness'), 'n8n-lint', ['--ignore-scripts']);
const root = tempDir('five9-n8n-lint-');
try {
  symlinkSync(join(REPO, 'src'), join(root, 'src'));
  const pkg = join(root, 'platforms', 'n8n');
  mkdirSync(pkg, { recursive: true });
  for (const f of ['package.json', 'tsconfig.json', 'eslint.config.mjs', 'index.js', 'nodes', 'credentials']) cpSync(join(PLATFORM, f), join(pkg, f), { recursive: true });
  symlinkSync(join(dir, 'node_modules'), join(pkg, 'node_modules'));
  const r = spawnSync(process.execPath, [join(dir, 'node_modules', '@n8n', 'node-cli', 'bin', 'n8n-node.mjs'), 'lint'], { cwd: pkg, stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
