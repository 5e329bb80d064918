// Builds the installable package: the node and credentials bundled with the connector's runtime
// (esbuild), and beside them what the runtime reads at run time (connector/manifest.json, schemas/)
// and the icon. Nothing outside this folder is needed once it is packed.
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = join(here, '..', '..');

for (const d of ['dist', 'connector', 'schemas']) rmSync(join(here, d), { recursive: true, force: true });

await build({
  absWorkingDir: here,
  entryPoints: [
    'nodes/Five9Statistics/Five9Statistics.node.ts',
    'credentials/Five9StatisticsApi.credentials.ts',
    'credentials/Five9RestApi.credentials.ts',
  ],
  outdir: 'dist',
  outbase: '.',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // n8n-workflow is n8n's own (resolved from n8n's node_modules at load time); better-sqlite3 is
  // the runtime's optional coordinator store, loaded lazily when installed and otherwise skipped.
  external: ['n8n-workflow', 'better-sqlite3'],
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});

// The runtime finds its package root as the folder holding package.json beside connector/.
mkdirSync(join(here, 'connector'), { recursive: true });
cpSync(join(repo, 'connector', 'manifest.json'), join(here, 'connector', 'manifest.json'));
cpSync(join(repo, 'schemas'), join(here, 'schemas'), { recursive: true });
for (const d of ['nodes/Five9Statistics', 'credentials']) cpSync(join(here, d, 'five9.svg'), join(here, 'dist', d, 'five9.svg'));
console.log('built platforms/n8n: dist/, connector/manifest.json, schemas/');
