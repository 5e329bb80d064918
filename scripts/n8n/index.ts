/**
 * The n8n community package's generated sources (platforms/n8n), registered with `npm run gen`:
 * the node description and input plans, the two credential types, and each bundled cycle template
 * as an n8n workflow.
 */
import { bundledTemplates, readTemplate } from '../../src/cycles';
import { loadManifest } from '../../src/manifest';
import { actionsSource, credentialSource, iconSource, nodeSource } from './node';
import { templateWorkflow } from './workflows';

const DIR = 'platforms/n8n';

export const N8N_OUTPUTS: Array<{ path: string; make: () => string }> = [
  { path: `${DIR}/nodes/Five9Statistics/Five9Statistics.node.ts`, make: () => nodeSource(loadManifest()) },
  { path: `${DIR}/nodes/Five9Statistics/actions.ts`, make: () => actionsSource(loadManifest()) },
  { path: `${DIR}/credentials/Five9StatisticsApi.credentials.ts`, make: () => credentialSource(loadManifest(), 'soap') },
  { path: `${DIR}/credentials/Five9RestApi.credentials.ts`, make: () => credentialSource(loadManifest(), 'rest') },
  { path: `${DIR}/nodes/Five9Statistics/five9.svg`, make: () => iconSource(loadManifest()) },
  { path: `${DIR}/credentials/five9.svg`, make: () => iconSource(loadManifest()) },
  ...bundledTemplates().map((id) => ({
    path: `${DIR}/templates/${id}.json`,
    make: () => `${JSON.stringify(templateWorkflow(readTemplate(id), loadManifest()), null, 2)}\n`,
  })),
];
