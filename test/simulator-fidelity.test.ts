/**
 * The simulator's contract is Five9's WSDL of each version (issue 13): it reads requests by the
 * version's WSDL types, not by the connector's stricter input schemas; it answers only values the
 * version lists (newer ones only with the newer-values scenario); and it faults only with faults
 * the operation declares, except the few src/simulator/faults.ts lists with their reasons.
 */
import { loadManifest, versionHas } from '../src/manifest';
import { Five9Simulator, type SimulatorOptions } from '../src/simulator';
import { BARE_WHEN_UNDECLARED } from '../src/simulator/faults';
import { parseWsdl } from '../src/wsdl';
import { request } from 'undici';
import { VIEW_SETTINGS, soap } from './sim-helpers';

const manifest = loadManifest();
const U = 'ops';
const P = 'ops-secret';
let sim: Five9Simulator;
let url: string;

async function start(options: SimulatorOptions = {}): Promise<void> {
  sim = new Five9Simulator({ users: [{ username: U, password: P }], longPollMaxMs: 2000, checkAnswers: true, ...options });
  ({ url } = await sim.start(0));
}
afterEach(async () => {
  expect(sim.undeclaredFaults).toEqual([]);
  expect(sim.answerProblems).toEqual([]);
  await sim.stop();
});

const call = (operation: string, inner = '', version = 'v4') => soap(url, U, P, operation, inner, { version });

describe('requests are read by the WSDL of the version', () => {
  beforeEach(() => start());

  test('receiveMessages with longPollingTimeout 1000 is accepted (the 5,000 ms advice is not a server rule)', async () => {
    await call('setSessionParameters', VIEW_SETTINGS());
    const t0 = Date.now();
    const r = await call('receiveMessages', '<previousTimestamp>0</previousTimestamp><longPollingTimeout>1000</longPollingTimeout>');
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/<return><timestamp>\d+<\/timestamp><\/return>/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  test("setSessionParameters without viewSettings is accepted (minOccurs 0 in Five9's WSDL): the session takes the defaults", async () => {
    expect((await call('setSessionParameters')).status).toBe(200);
    const r = await call('getSessionParameters');
    expect(r.body).toContain('<return><idleTimeOut>180</idleTimeOut><shiftStart>0</shiftStart><timeZone>0</timeZone></return>');
  });

  test('a missing required element is MissedArgumentFault naming it, where the operation declares it', async () => {
    await call('setSessionParameters', VIEW_SETTINGS());
    const r = await call('getStatisticsUpdate', '<statisticType>ACDStatus</statisticType><longPollingTimeout>5000</longPollingTimeout>');
    expect(r.fault).toBe('MissedArgumentFault');
    expect(r.faultString).toBe('Required element is missing: previousTimestamp');
    const vs = await call('setSessionParameters', '<viewSettings><idleTimeOut>600</idleTimeOut></viewSettings>');
    expect(vs.fault).toBe('MissedArgumentFault');
    expect(vs.faultString).toBe('Required elements are missing: viewSettings/shiftStart, viewSettings/timeZone');
  });

  test('receiveMessages declares no argument fault: a missing long is 0, as JAXB hands it to the method', async () => {
    await call('setSessionParameters', VIEW_SETTINGS());
    const t0 = Date.now();
    const r = await call('receiveMessages', '<previousTimestamp>0</previousTimestamp>');
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  test("an enumeration value the version does not list is IncorrectArgumentFault naming the field and the version's values", async () => {
    await call('setSessionParameters', VIEW_SETTINGS());
    const r = await call('getStatistics', '<statisticType>AgentSkills</statisticType>');
    expect(r.fault).toBe('IncorrectArgumentFault');
    expect(r.faultString).toMatch(/^statisticType: "AgentSkills" is not one of AgentState, AgentStatistics, ACDStatus/);
  });

  test('a value its XSD type cannot hold is an Unmarshalling Error: a Client fault without detail, as JAX-WS answers', async () => {
    await call('setSessionParameters', VIEW_SETTINGS());
    const r = await call('receiveMessages', '<previousTimestamp>yesterday</previousTimestamp><longPollingTimeout>1000</longPollingTimeout>');
    expect(r.status).toBe(500);
    expect(r.body).toContain('<faultcode>env:Client</faultcode>');
    expect(r.faultString).toMatch(/^Unmarshalling Error: For input string: "yesterday"/);
    expect(r.body).not.toContain('<detail>');
  });

  test('unknown elements are ignored, as JAXB ignores them', async () => {
    await call('setSessionParameters', VIEW_SETTINGS(600));
    const r = await call('getSessionParameters', '<extra>1</extra>');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<idleTimeOut>600</idleTimeOut>');
  });

  test('an operation the version does not have is "Cannot find dispatch method", a bare Client fault', async () => {
    const r = await call('getApiVersions', '', 'v4');
    expect(r.faultString).toBe(`Cannot find dispatch method for {${manifest.raw.protocol.namespace}}getApiVersions`);
    expect(r.body).toContain('<faultcode>env:Client</faultcode>');
  });
});

describe("answers carry only what the version's WSDL lists", () => {
  const versions = ['default', 'v3', 'v4', 'v9_5', 'v14'];

  test.each(versions)('version %s: reads of the session, limits, users and every statistic type conform', async (version) => {
    await start();
    expect((await call('setSessionParameters', VIEW_SETTINGS(), version)).status).toBe(200);
    const ops = ['getSessionParameters', 'getCallCountersState', 'getMyPermissions', 'getLoggedInUsers', 'getUserLimits', 'getMySkillsIds', 'getMyGroupIds', 'getDispositionsNames', 'getApiVersions'];
    for (const op of ops.filter((o) => versionHas(version, manifest.soapAction(o).versions.since))) {
      expect({ op, status: (await call(op, '', version)).status }).toEqual({ op, status: 200 });
    }
    for (const type of ['AgentState', 'AgentStatistics', 'ACDStatus', 'CampaignState']) {
      sim.quotas.classes.QueryStatistics = [{ seconds: 60, limit: 1000 }];
      expect((await call('getStatistics', `<statisticType>${type}</statisticType>`, version)).status).toBe(200);
    }
    // The permission types answered are exactly some of the served WSDL's values for the version.
    if (!versionHas(version, manifest.soapAction('getMyPermissions').versions.since)) return;
    const wsdl = parseWsdl(await (await request(`${url}${manifest.raw.apiVersions.pathTemplate.replace('{versionSegment}', version === 'default' ? '' : `/${version}`)}?wsdl`)).body.text());
    const listed = wsdl.schema.simpleTypes.get('supervisorPermissionType')!;
    const answered = [...(await call('getMyPermissions', '', version)).body.matchAll(/<type>([^<]+)<\/type>/g)].map((m) => m[1]);
    expect(answered.length).toBeGreaterThan(10);
    expect(answered.filter((t) => !listed.includes(t))).toEqual([]);
  });

  test('CanMonitorIdleAgents, which no Supervisor WSDL lists, comes only with --scenario newer-values', async () => {
    await start({ scenarios: ['newer-values'] });
    await call('setSessionParameters', VIEW_SETTINGS());
    expect((await call('getMyPermissions')).body).toContain('<type>CanMonitorIdleAgents</type>');
    // The answer check reports it: it is exactly what a strict toolkit would reject.
    expect(sim.answerProblems).toEqual([expect.stringMatching(/"CanMonitorIdleAgents" is not a value of supervisorPermissionType/)]);
    sim.answerProblems.length = 0;
  });

  test("getApiVersions' maxVersion is the manifest's latest version", async () => {
    await start();
    const r = await call('getApiVersions', '', 'v9_5');
    expect(r.body).toContain(`<maxVersion>${manifest.raw.apiVersions.latest}</maxVersion>`);
  });
});

describe('faults: the declared ones, and bare only where faults.ts says why', () => {
  beforeEach(() => start());

  test('every bare-when-undeclared fault has its reason', () => {
    for (const [fault, reason] of Object.entries(BARE_WHEN_UNDECLARED)) expect({ fault, long: reason.length > 40 }).toEqual({ fault, long: true });
  });

  test('during maintenance: getSessionParameters declares ServiceUnavailableFault (detail), closeSession declares nothing (bare)', async () => {
    sim.serviceUnavailable = true;
    expect((await call('getSessionParameters')).fault).toBe('ServiceUnavailableFault');
    const bare = await call('closeSession');
    expect(bare.body).not.toContain('<detail>');
    expect(bare.faultString).toBe('Web Services are not available.');
  });

  test('without Web Services access: getSessionParameters declares AccessDisallowedFault, getUserLimits does not (bare)', async () => {
    sim.setAccount(U, 'no-api-access');
    expect((await call('getSessionParameters')).fault).toBe('AccessDisallowedFault');
    const bare = await call('getUserLimits');
    expect(bare.body).not.toContain('<detail>');
    expect(bare.faultString).toMatch(/does not have access/);
  });

  test('a concurrent request: ServerFault where declared, bare for getUserLimits', async () => {
    const release = sim.holdRequests();
    const first = call('getCallCountersState');
    while (!sim.busy(U)) await new Promise((r) => setTimeout(r, 2));
    const declared = await call('getCallCountersState');
    const bare = await call('getUserLimits');
    release();
    await first;
    expect(declared.fault).toBe('ServerFault');
    expect(declared.body).toContain('<detail>');
    expect(bare.body).not.toContain('<detail>');
    expect(bare.faultString).toBe('Concurrent requests with the same credentials are denied');
  });

  test('closeSession after another login closed the session: no fault (it declares none), the session is gone', async () => {
    await call('setSessionParameters', VIEW_SETTINGS());
    sim.loginElsewhere(U);
    expect((await call('closeSession')).status).toBe(200);
    expect((await call('getSessionParameters')).fault).toBe('SessionNotInitializedFault');
  });
});
