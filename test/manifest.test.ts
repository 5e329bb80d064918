/**
 * The connector manifest: it loads, `lintManifest` catches each functional mistake an author can
 * make, actions are found by any of their names, and version gating refuses before sending.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Five9Error, Five9InputError } from '../src/errors';
import { Manifest, lintManifest, loadManifest, manifestPath, versionRank } from '../src/manifest';
import { Five9Client } from '../src/runtime';
import type { Five9Simulator } from '../src/simulator';
import { PASSWORD, USER, rejectionOf, startSimulator, thrownBy } from './helpers';

const RAW = readFileSync(manifestPath(), 'utf8');
type Raw = Record<string, any>;
const copy = (): Raw => JSON.parse(RAW);
const action = (m: Raw, id: string) => {
  const a = m.actions.find((x: Raw) => x.id === id);
  if (!a) throw new Error(`the manifest has no action ${id}`);
  return a;
};

/** Breaks a fresh deep copy of connector/manifest.json and returns lintManifest's problems. */
function lintBroken(breakIt: (m: Raw) => void): string[] {
  const m = copy();
  breakIt(m);
  return lintManifest(m);
}

describe('loading', () => {
  test('connector/manifest.json loads and lints clean', () => {
    const m = loadManifest();
    expect(m).toBeInstanceOf(Manifest);
    expect(m.actions.length).toBeGreaterThan(0);
    expect(lintManifest(copy())).toEqual([]);
  });

  test('a broken manifest file fails to load with FIVE9_MANIFEST_INVALID listing its problems', () => {
    const dir = mkdtempSync(join(tmpdir(), 'five9-manifest-'));
    try {
      const m = copy();
      action(m, 'getCallCountersState').category = 'weather';
      action(m, 'getCallCountersState').faults.push('MadeUpFault');
      const path = join(dir, 'manifest.json');
      writeFileSync(path, JSON.stringify(m));
      const e = thrownBy(() => loadManifest(path));
      expect(e).toBeInstanceOf(Five9Error);
      expect(e.code).toBe('FIVE9_MANIFEST_INVALID');
      expect(e.exitCode).toBe(6);
      expect(e.details.problems).toEqual(
        expect.arrayContaining([expect.stringContaining('category "weather" is not declared'), expect.stringContaining('fault MadeUpFault has no schema')]),
      );
      expect(e.message).toContain('weather');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lintManifest reports each functional problem', () => {
  test.each<[string, (m: Raw) => void, RegExp]>([
    [
      'an unresolved $ref',
      (m) => (action(m, 'setSessionParameters').input.properties.viewSettings.$ref = 'viewSetings.json'),
      /action setSessionParameters input: schema reference "viewSetings.json" does not resolve/,
    ],
    ['a hook the manifest names but src/hooks lacks', (m) => (m.hooks = { parseNothing: 'Parses nothing at all.' }), /hook "parseNothing" is named by the manifest but src\/hooks has none/],
    [
      'an action hook that the hooks block does not declare',
      (m) => (action(m, 'getCallCountersState').hooks = { parseOutput: 'ghostHook' }),
      /action getCallCountersState: hooks.parseOutput names "ghostHook", which the manifest's hooks block does not declare/,
    ],
    ['a declared fault without a schema', (m) => action(m, 'getCallCountersState').faults.push('MadeUpFault'), /action getCallCountersState: fault MadeUpFault has no schema in schemas\/faults/],
    [
      'an example whose input fails its schema',
      (m) => (action(m, 'setSessionParameters').examples[0].input.viewSettings.idleTimeOut = 5000),
      /action setSessionParameters: example ".+" input: \/viewSettings\/idleTimeOut .+ \(maximum\)/,
    ],
    [
      'an anti-example that is accepted',
      (m) => (action(m, 'setSessionParameters').antiExamples[0].input.viewSettings.idleTimeOut = 600),
      /action setSessionParameters: anti-example ".+" should be refused at \/viewSettings\/idleTimeOut by maximum, got no error/,
    ],
    [
      'an anti-example refused for another reason than it declares',
      (m) => (action(m, 'setSessionParameters').antiExamples[0].rule = 'minimum'),
      /anti-example ".+" should be refused at \/viewSettings\/idleTimeOut by minimum, got \/viewSettings\/idleTimeOut maximum/,
    ],
    ['a duplicate display name', (m) => (action(m, 'getCallCountersState').displayName = 'Close Session'), /display name "Close Session" is used by both action closeSession and action getCallCountersState/],
    ['a duplicate operation', (m) => (action(m, 'getCallCountersState').operation = 'closeSession'), /operation "closeSession" is used by both action closeSession and action getCallCountersState/],
    [
      'an exit mapping a fault the action does not declare',
      (m) => action(m, 'getSessionParameters').exits.false.onFaults.push('CampaignNotFoundFault'),
      /action getSessionParameters: exit "false" maps CampaignNotFoundFault, which the action does not declare/,
    ],
    ['an unknown category', (m) => (action(m, 'getCallCountersState').category = 'weather'), /action getCallCountersState: category "weather" is not declared/],
    ['an unknown quota class', (m) => (action(m, 'setSessionParameters').quotaClass = 'QueryEverything'), /action setSessionParameters: quota class "QueryEverything" is not declared/],
    ['an unknown versions.since', (m) => (action(m, 'getCallCountersState').versions.since = 'v2x'), /action getCallCountersState: versions.since "v2x" is not a known version/],
    ['a session action that does not exist', (m) => (m.session.checkAction = 'pingSession'), /session.checkAction "pingSession" is not an action id/],
    ['a meta-schema violation (display name verb)', (m) => (action(m, 'getCallCountersState').displayName = 'Fetch Call Counters'), /displayName .*\(pattern\)/],
  ])('%s', (_name, breakIt, expected) => {
    const problems = lintBroken(breakIt);
    expect(problems).toContainEqual(expect.stringMatching(expected));
  });

  test('each break above is reported alone (no unrelated noise)', () => {
    expect(lintBroken((m) => (action(m, 'getCallCountersState').category = 'weather'))).toHaveLength(1);
    expect(lintBroken((m) => (action(m, 'setSessionParameters').quotaClass = 'QueryEverything'))).toHaveLength(1);
    expect(lintBroken((m) => action(m, 'getCallCountersState').faults.push('MadeUpFault'))).toHaveLength(1);
  });

  test('the copy used above is untouched between cases (control)', () => {
    expect(lintManifest(copy())).toEqual([]);
  });
});

describe('finding actions', () => {
  const m = loadManifest();

  test.each(['getSessionParameters', 'GETSESSIONPARAMETERS', 'List Session Parameters', 'list session parameters', '  List Session Parameters  '])('"%s" finds List Session Parameters', (name) => {
    expect(m.action(name)).toBe(m.action('getSessionParameters'));
    expect(m.action(name).displayName).toBe('List Session Parameters');
  });

  test('every action is found by its id, operation and display name, in any case', () => {
    for (const a of m.actions) {
      for (const name of [a.id, a.operation, a.displayName, a.displayName.toUpperCase(), a.operation?.toLowerCase()]) if (name) expect(m.action(name)).toBe(a);
    }
  });

  test('an unknown action is FIVE9_UNKNOWN_ACTION naming it', () => {
    const e = thrownBy(() => m.action('Get Weather'));
    expect(e).toBeInstanceOf(Five9Error);
    expect(e.code).toBe('FIVE9_UNKNOWN_ACTION');
    expect(e.message).toContain('Get Weather');
    expect(m.findAction('Get Weather')).toBeUndefined();
  });
});

describe('through a client', () => {
  let sim: Five9Simulator;
  let url: string;
  const clients: Five9Client[] = [];
  const client = (apiVersion?: string) => {
    const c = new Five9Client({ endpoint: url, username: USER, password: PASSWORD, apiVersion });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    ({ sim, url } = await startSimulator());
  });
  afterEach(() => {
    sim.requests.length = 0;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim.stop();
  });

  test('an unknown action is FIVE9_UNKNOWN_ACTION and nothing is sent', async () => {
    const e = await rejectionOf(client().run('Get Weather'));
    expect(e.code).toBe('FIVE9_UNKNOWN_ACTION');
    expect(sim.requests).toEqual([]);
  });

  test('API version "default" refuses viewSettings.idleTimeOut (from v3) with FIVE9_UNSUPPORTED_VERSION, nothing sent', async () => {
    const e = await rejectionOf(client('default').run('Set Session Parameters', { viewSettings: { idleTimeOut: 1800, shiftStart: 0, timeZone: 0 } }));
    expect(e).toBeInstanceOf(Five9InputError);
    expect(e.code).toBe('FIVE9_UNSUPPORTED_VERSION');
    expect(e.exitCode).toBe(2);
    expect(e.issues).toContainEqual(expect.objectContaining({ field: '/viewSettings/idleTimeOut', rule: 'x-since' }));
    expect(e.message).toContain('v3');
    expect(e.message).toContain('idleTimeOut');
    expect(sim.requests).toEqual([]);
  });

  test('API version "default" without idleTimeOut is sent (control)', async () => {
    expect((await client('default').run('Set Session Parameters', { viewSettings: { shiftStart: 0, timeZone: 0 } })).exit).toBe('success');
    // The first QueryStatistics call of the process reads the domain's counters first.
    expect(sim.requests.map((r) => `${r.operation} ${r.version} ${r.outcome}`)).toEqual(['getCallCountersState default ok', 'setSessionParameters default ok']);
  });

  test('API version v3 accepts idleTimeOut', () => {
    expect(client('v3').validate('Set Session Parameters', { viewSettings: { idleTimeOut: 1800, shiftStart: 0, timeZone: 0 } }).id).toBe('setSessionParameters');
  });

  test('an action newer than the chosen version is FIVE9_UNSUPPORTED_VERSION naming the version it needs, nothing sent', async () => {
    const newer = loadManifest().soapActions.find((a) => versionRank(a.versions.since) > versionRank('default') && a.examples.length > 0);
    if (!newer) throw new Error('the manifest has no action newer than the default path');
    const e = await rejectionOf(client('default').run(newer.id, newer.examples[0].input as Record<string, unknown>));
    expect(e.code).toBe('FIVE9_UNSUPPORTED_VERSION');
    expect(e.message).toContain(newer.versions.since);
    expect(sim.requests).toEqual([]);
  });
});

describe('an endpoint whose path names the API version', () => {
  const { Five9Client } = require('../src/runtime') as typeof import('../src/runtime');
  const base = 'http://127.0.0.1:9';
  const make = (endpoint: string, apiVersion?: string) => new Five9Client({ endpoint, apiVersion, username: 'u', password: 'p-secret' });

  test('takes its version from the path, so version gating matches the server', async () => {
    const c = make(`${base}/wssupervisor/SupervisorWebService`);
    expect(c.apiVersion).toBe('default');
    expect(() => c.validate('Start Campaign', { campaignName: 'Outbound Sales' })).toThrow(/exists from v3 on/);
    await c.close();
    const v3 = make(`${base}/wssupervisor/v3/SupervisorWebService`, 'v3');
    expect(v3.apiVersion).toBe('v3');
    expect(v3.endpoint).toBe(`${base}/wssupervisor/v3/SupervisorWebService`);
    await v3.close();
  });

  test('a different --api-version is a configuration error', () => {
    expect(() => make(`${base}/wssupervisor/v3/SupervisorWebService`, 'v4')).toThrow(/--api-version v4 contradicts the endpoint's path, which is API version v3/);
  });

  test('a bare base URL takes the chosen version', async () => {
    const c = make(base, 'v14');
    expect(c.endpoint).toBe(`${base}/wssupervisor/v14/SupervisorWebService`);
    await c.close();
  });
});
