/**
 * Generated outputs beyond the TypeScript types (scripts/gen.ts loads this file):
 * - docs/actions.md          from connector/manifest.json
 * - images/<template id>.svg  from each bundled template in connector/templates
 * - platforms/n8n/…           the n8n node, credentials and workflows (scripts/n8n)
 */
import { bundledTemplates, readTemplate, renderTemplateDiagram } from '../src/cycles';
import { renderActionsDoc } from '../src/docs';
import { loadManifest } from '../src/manifest';
import { N8N_OUTPUTS } from './n8n';

export const EXTRA_OUTPUTS: Array<{ path: string; make: () => string | Promise<string> }> = [
  { path: 'docs/actions.md', make: () => renderActionsDoc(loadManifest()) },
  ...bundledTemplates().map((id) => ({
    path: `images/${id}.svg`,
    make: () => renderTemplateDiagram(readTemplate(id), { manifest: loadManifest() }),
  })),
  ...N8N_OUTPUTS,
];
