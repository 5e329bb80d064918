/**
 * A cycle template (connector/templates/*.json) as an n8n workflow: its schedule becomes a Schedule
 * Trigger, with a Manual Trigger beside it (n8n runs a workflow from the command line, and a builder
 * tries one, from a Manual Trigger); each step a Five9 Statistics node whose outputs, one per exit,
 * connect as the template's exits do. Template fields become the parameters' values (their defaults),
 * {"$step": id, "pointer"} an expression on that step's output, and the template's state lives in
 * n8n's workflow static data: a Code node reads it after the triggers and one writes it after each
 * step that saves it.
 */
import type { CycleTemplate } from '../../src/cycles';
import type { Step } from '../../src/cycles/template';
import type { Action, Manifest } from '../../src/manifest';
import { inputToParameters, isReference } from './form';
import { NODE_TYPE, credentialOf, SOAP_CREDENTIAL } from './node';

/** The credentials a generated workflow names; `n8n import:credentials` of the same ids links them. */
export const WORKFLOW_CREDENTIALS: Record<string, { id: string; name: string }> = {
  five9StatisticsApi: { id: 'five9StatisticsAp', name: 'Five9 Statistics account' },
  five9RestApi: { id: 'five9RestApiCred1', name: 'Five9 REST account' },
};

const STATE_NODE = 'Cycle state';

/** A stable id (n8n's are 16 to 21 letters and digits) so that importing again replaces the workflow. */
export function workflowId(template: CycleTemplate): string {
  return `f9${template.id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())}`.slice(0, 21);
}

function pointerPath(pointer: string): string {
  return pointer.split('/').slice(1).map((p) => `[${JSON.stringify(p.replace(/~1/g, '/').replace(/~0/g, '~'))}]`).join('');
}

/** Whether leaving by this exit carries an answer to save state from (not a fault, not an empty answer). */
function answersWithValue(action: Action, exit: string): boolean {
  const rule = (action.exits as Record<string, { onFaults?: string[]; output?: string }> | undefined)?.[exit];
  return !rule || (!rule.onFaults && rule.output !== 'empty');
}

export function templateWorkflow(template: CycleTemplate, manifest: Manifest): Record<string, unknown> {
  const stepName = new Map<string, string>();
  for (const s of template.steps) {
    const base = s.label ?? manifest.action(s.action).displayName;
    let name = base;
    for (let i = 2; [...stepName.values()].includes(name); i++) name = `${base} ${i}`;
    stepName.set(s.id, name);
  }
  const fields = (template.fields ?? {}) as Record<string, { default: unknown }>;
  const state = (template.state ?? {}) as Record<string, { default: unknown; description?: string }>;
  const hasState = Object.keys(state).length > 0;
  const leaf = (v: unknown): unknown => {
    if (!isReference(v)) return v;
    const r = v as Record<string, string>;
    if ('$field' in r) return fields[r.$field].default;
    if ('$state' in r) return `={{ $('${STATE_NODE}').first().json${pointerPath(`/${r.$state}`)} }}`;
    return `={{ $('${stepName.get(r.$step)}').first().json${pointerPath(r.pointer ?? '')} }}`;
  };

  // Columns: triggers, the state reader, then steps by their distance from the start.
  const depth = new Map<string, number>([[template.start, 0]]);
  const queue = [template.start];
  const steps = new Map(template.steps.map((s) => [s.id, s]));
  while (queue.length) {
    const id = queue.shift()!;
    for (const next of Object.values(steps.get(id)!.exits)) {
      if (next && !depth.has(next)) {
        depth.set(next, depth.get(id)! + 1);
        queue.push(next);
      }
    }
  }
  const first = hasState ? 2 : 1;
  const nodes: Array<Record<string, unknown>> = [];
  const connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }> = {};
  const link = (from: string, output: number, to: string) => {
    const c = (connections[from] ??= { main: [] });
    while (c.main.length <= output) c.main.push([]);
    c.main[output].push({ node: to, type: 'main', index: 0 });
  };
  const rows = new Map<number, number>();
  const at = (column: number): [number, number] => {
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    return [column * 280, row * 200];
  };

  const entry = hasState ? STATE_NODE : stepName.get(template.start)!;
  const every = template.schedule.everyMinutes;
  nodes.push({
    parameters: { rule: { interval: [{ field: 'minutes', minutesInterval: every }] } },
    name: `Every ${every} minutes`,
    type: 'n8n-nodes-base.scheduleTrigger',
    typeVersion: 1.2,
    position: at(0),
  });
  nodes.push({ parameters: {}, name: 'Run now', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: at(0) });
  link(`Every ${every} minutes`, 0, entry);
  link('Run now', 0, entry);
  if (hasState) {
    const defaults = JSON.stringify(Object.fromEntries(Object.entries(state).map(([k, s]) => [k, s.default])));
    nodes.push({
      parameters: {
        jsCode: `// The cycle's state, kept between runs in the workflow's static data (saved by active workflows' runs).\nconst state = $getWorkflowStaticData('global');\nreturn [{ json: { ...${defaults}, ...state } }];`,
      },
      name: STATE_NODE,
      type: 'n8n-nodes-base.code',
      typeVersion: 2,
      position: at(1),
    });
    link(STATE_NODE, 0, stepName.get(template.start)!);
  }

  for (const step of template.steps as Step[]) {
    const action = manifest.action(step.action);
    const name = stepName.get(step.id)!;
    const credential = credentialOf(action);
    const column = first + (depth.get(step.id) ?? 0);
    nodes.push({
      parameters: { resource: action.category, operation: action.id, ...inputToParameters(action, manifest, (step.input ?? {}) as Record<string, unknown>, leaf) },
      name,
      type: NODE_TYPE,
      typeVersion: 1,
      position: at(column),
      credentials: { [credential]: WORKFLOW_CREDENTIALS[credential] ?? WORKFLOW_CREDENTIALS[SOAP_CREDENTIAL] },
    });
    const exits = action.exits ? Object.keys(action.exits) : ['success'];
    const save = step.saveState as Record<string, string> | undefined;
    let saver: string | undefined;
    if (save) {
      saver = `Save state after ${name}`;
      const assignments = Object.entries(save).map(([k, p]) => `\tif ($json${pointerPath(p).replace(/\[/g, '?.[')} !== undefined) state[${JSON.stringify(k)}] = $json${pointerPath(p)};`).join('\n');
      nodes.push({
        parameters: {
          mode: 'runOnceForEachItem',
          jsCode: `// saveState of step "${step.id}": kept in the workflow's static data for the next run.\nconst state = $getWorkflowStaticData('global');\n${assignments.replace(/\t/g, '')}\nreturn { json: $json };`,
        },
        name: saver,
        type: 'n8n-nodes-base.code',
        typeVersion: 2,
        position: at(column),
      });
    }
    exits.forEach((exit, i) => {
      const next = step.exits[exit];
      if (saver && answersWithValue(action, exit)) {
        link(name, i, saver);
        if (next) link(saver, 0, stepName.get(next)!);
      } else if (next) link(name, i, stepName.get(next)!);
    });
  }
  return {
    id: workflowId(template),
    name: template.name,
    nodes,
    connections,
    settings: { executionOrder: 'v1' },
    pinData: {},
    active: false,
    meta: { generatedBy: `npm run gen from connector/templates/${template.id}.json; do not edit`, description: template.description },
  };
}
