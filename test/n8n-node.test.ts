import { ACTIONS } from '../platforms/n8n/nodes/Five9Statistics/actions';
import { inputFrom } from '../platforms/n8n/nodes/Five9Statistics/input';
import { inputToParameters } from '../scripts/n8n/form';
import { nodeModel } from '../scripts/n8n/node';
import { templateWorkflow } from '../scripts/n8n/workflows';
import { readTemplate } from '../src/cycles';
import { isRestAction, loadManifest, type Action } from '../src/manifest';
import { RestClient } from '../src/rest';
import { Five9Client } from '../src/runtime';
import type { JsonSchema } from '../src/schemas';

// The generated n8n node's logic, in process: the form's mapping both ways and the routing by exit.
// Run by n8n itself, through its CLI against the simulator, by `npm run test:n8n`.
const manifest = loadManifest();
const soap = new Five9Client({ endpoint: 'http://127.0.0.1:9/wssupervisor/v4/SupervisorWebService', username: 'u', password: 'p' });
const rest = new RestClient({ endpoint: 'http://127.0.0.1:9', domainId: '1', consumerKey: 'k', consumerSecret: 's' });
afterAll(async () => {
  await soap.close();
  await rest.close();
});

/** What the node would read from a workflow whose parameters the form made from this input. */
function throughTheForm(action: Action, input: Record<string, unknown>): Record<string, unknown> {
  const params = inputToParameters(action, manifest, input, (v) => v);
  const read = inputFrom(ACTIONS[action.id], (name, fallback) => (name in params ? params[name] : fallback));
  if (!('input' in read)) throw new Error(read.message);
  return read.input;
}

const examples = manifest.actions.flatMap((a) => (a.examples ?? []).map((e) => [a.displayName, e.name, a, e.input as Record<string, unknown>] as const));
const properties = (a: Action) => Object.keys(manifest.registry.resolve(a.input as JsonSchema).properties ?? {});
// Anti-examples with a field the action does not have cannot be entered in the form at all.
const antiExamples = manifest.actions.flatMap((a) =>
  ((a.antiExamples ?? []) as Array<{ name: string; input: Record<string, unknown>; field: string; rule: string }>)
    .filter((x) => Object.keys(x.input).every((k) => properties(a).includes(k)))
    .map((x) => [a.displayName, x.name, a, x] as const),
);

describe('the n8n node form', () => {
  it.each(examples)('%s, example "%s": entered in the form, reaches the runtime unchanged', (_, __, action, input) => {
    expect(throughTheForm(action, input)).toEqual(input);
  });

  it.each(antiExamples)('%s, anti-example "%s": reaches the runtime unchanged and is refused there, naming the field', (_, __, action, x) => {
    const input = throughTheForm(action, x.input);
    expect(input).toEqual(x.input);
    const validate = () => (isRestAction(action) ? rest.validate(action.id, input) : soap.validate(action.id, input));
    expect(validate).toThrow(expect.objectContaining({ issues: expect.arrayContaining([expect.objectContaining({ field: x.field, rule: x.rule })]) }));
  });

  it('a JSON field whose text does not parse is named, and no input is made', () => {
    const action = manifest.action('Add Contacts To List');
    const read = inputFrom(ACTIONS[action.id], (name) => ({ listName: 'Renewals', contacts: '[{"number1": ' } as Record<string, unknown>)[name]);
    expect(read).toEqual({ field: '/contacts', message: expect.stringMatching(/^invalid input: \/contacts is not JSON/) });
  });

  it('required fields are required parameters shown for their operation only; optional ones wait under Additional Fields', () => {
    const { description } = nodeModel(manifest);
    const props = description.properties as Array<Record<string, any>>;
    for (const a of manifest.actions) {
      const schema = manifest.registry.resolve(a.input as JsonSchema);
      const mine = props.filter((p) => p.displayOptions?.show?.operation?.includes(a.id));
      for (const p of mine) expect(p.displayOptions.show.resource).toEqual([a.category]);
      for (const f of schema.required ?? []) expect(mine.find((p) => p.name === f)).toMatchObject({ required: true });
      const optional = properties(a).filter((f) => !(schema.required ?? []).includes(f));
      const additional = mine.find((p) => p.name === 'additionalFields');
      expect((additional?.options ?? []).map((o: { name: string }) => o.name).sort()).toEqual(optional.sort());
    }
  });

  it('enums are options with their descriptions, integers keep their bounds, View Settings is a collection', () => {
    const { description } = nodeModel(manifest);
    const set = (description.properties as Array<Record<string, any>>).find((p) => p.name === 'viewSettings');
    expect(set).toMatchObject({ type: 'collection', displayName: 'View Settings', required: true });
    const idle = set!.options.find((o: { name: string }) => o.name === 'idleTimeOut');
    expect(idle).toMatchObject({ displayName: 'Idle Time Out', type: 'number', typeOptions: { minValue: 60, maxValue: 1800, numberPrecision: 0 } });
    expect(idle.description).toMatch(/Needs API version v3 or later/);
    const type = (description.properties as Array<Record<string, any>>).find((p) => p.name === 'additionalFields' && p.displayOptions.show.operation[0] === 'getStatistics');
    const statisticType = type!.options.find((o: { name: string }) => o.name === 'statisticType');
    expect(statisticType.type).toBe('options');
    expect(statisticType.options.find((o: { value: string }) => o.value === 'AgentState').description).toBeTruthy();
  });
});

describe('the n8n node outputs', () => {
  // The outputs expression as n8n evaluates it, with the node's parameters as $parameter.
  const outputsFor = (operation: string) => {
    const expr = String(nodeModel(manifest).description.outputs).replace(/^=\{\{/, '').replace(/\}\}$/, '');
    return new Function('$parameter', `return ${expr}`)({ operation });
  };

  it('an action with exits has one output per exit, in the order the node routes them; others have one', () => {
    expect(outputsFor('getSessionParameters')).toEqual([{ type: 'main', displayName: 'true' }, { type: 'main', displayName: 'false' }]);
    expect(outputsFor('getStatisticsUpdate').map((o: { displayName: string }) => o.displayName)).toEqual(ACTIONS.getStatisticsUpdate.exits);
    expect(outputsFor('setSessionParameters')).toEqual(['main']);
    for (const a of manifest.actions) expect(ACTIONS[a.id].exits).toEqual(a.exits ? Object.keys(a.exits) : null);
  });
});

describe('the templates as n8n workflows', () => {
  it('Maintain session: every 15 minutes, List Session Parameters, its "false" output to Set Session Parameters with Idle Time Out 1800', () => {
    const wf = templateWorkflow(readTemplate('maintain-session'), manifest) as any;
    const node = (name: string) => wf.nodes.find((n: { name: string }) => n.name === name);
    expect(node('Every 15 minutes').parameters.rule.interval[0]).toEqual({ field: 'minutes', minutesInterval: 15 });
    expect(wf.connections['Every 15 minutes'].main[0][0].node).toBe('List Session Parameters');
    const out = wf.connections['List Session Parameters'].main;
    expect(out[ACTIONS.getSessionParameters.exits!.indexOf('false')].map((c: { node: string }) => c.node)).toEqual(['Set Session Parameters']);
    expect(out[ACTIONS.getSessionParameters.exits!.indexOf('true')]).toEqual([]);
    expect(node('Set Session Parameters').parameters.viewSettings.idleTimeOut).toBe(1800);
  });
});
