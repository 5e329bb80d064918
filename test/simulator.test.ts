/**
 * The embedded simulator behaves as Five9 does for what a connector user meets: its paths and
 * WSDL, the session life cycle with its idle time-out (on a virtual clock), and the domain limits.
 */
import { XMLValidator } from 'fast-xml-parser';
import { request } from 'undici';
import { VirtualClock } from '../src/clock';
import { Five9Error, Five9Fault } from '../src/errors';
import { loadManifest, versionHas } from '../src/manifest';
import { Five9Client } from '../src/runtime';
import { type Five9Simulator, HANDLERS } from '../src/simulator';
import { PASSWORD, USER, rejectionOf, startSimulator } from './helpers';

const manifest = loadManifest();
const SETTINGS = { shiftStart: 28800000, timeZone: -25200000, rollingPeriod: 'Minutes30', statisticsRange: 'CurrentWeek', forceLogoutSession: true } as const;

let sim: Five9Simulator;
let url: string;
let clock: VirtualClock;
const clients: Five9Client[] = [];

/** A client whose own quota check is off, so the simulator's domain limits are what answers. */
function client(options: Partial<ConstructorParameters<typeof Five9Client>[0]> = {}): Five9Client {
  const c = new Five9Client({ endpoint: url, username: USER, password: PASSWORD, quotas: false, ...options });
  clients.push(c);
  return c;
}

async function start(options: ConstructorParameters<typeof Five9Simulator>[0] = {}): Promise<void> {
  clock = new VirtualClock();
  ({ sim, url } = await startSimulator({ clock, ...options }));
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await sim?.stop();
});

const sessionExit = async (c: Five9Client) => (await c.run('List Session Parameters')).exit;

describe('paths and WSDL', () => {
  beforeEach(() => start());

  test.each([
    ['default', '/wssupervisor/SupervisorWebService'],
    ['v3', '/wssupervisor/v3/SupervisorWebService'],
    ['v4', '/wssupervisor/v4/SupervisorWebService'],
    ['v14', '/wssupervisor/v14/SupervisorWebService'],
  ])('version %s answers at %s', async (apiVersion, path) => {
    const c = client({ apiVersion });
    expect(new URL(c.endpoint).pathname).toBe(path);
    const result = await c.run('Get Call Counters State');
    expect(result.exit).toBe('success');
    expect(sim.requests.map((r) => [r.operation, r.version, r.outcome])).toEqual([['getCallCountersState', apiVersion, 'ok']]);
  });

  test.each(['/', '/wssupervisor/v2x/SupervisorWebService', '/wssupervisor/v4/OtherService', '/wsadmin/v4/AdminWebService'])('unknown path %s is HTTP 404', async (path) => {
    const res = await request(`${url}${path}`, { method: 'POST', body: '<x/>', headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` } });
    await res.body.text();
    expect(res.statusCode).toBe(404);
  });

  test('a client pointed at a wrong path gets FIVE9_HTTP 404', async () => {
    const e = await rejectionOf(client({ endpoint: `${url}/wssupervisor/v4/Nope` }).run('Get Call Counters State'));
    expect(e).toBeInstanceOf(Five9Error);
    expect(e.code).toBe('FIVE9_HTTP');
    expect(e.message).toContain('404');
  });

  test.each(['default', 'v3', 'v4', 'v9_5', 'v14'])('?wsdl of version %s is well-formed XML with exactly the operations of that version', async (version) => {
    const path = version === 'default' ? '/wssupervisor/SupervisorWebService' : `/wssupervisor/${version}/SupervisorWebService`;
    const res = await request(`${url}${path}?wsdl&user=${encodeURIComponent(USER)}`);
    const wsdl = await res.body.text();
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/xml/);
    expect(XMLValidator.validate(wsdl)).toBe(true);
    expect(wsdl).toContain(`targetNamespace="${manifest.raw.protocol.namespace}"`);
    expect(wsdl).toContain(`<soap:address location="${url}${path}" />`);
    for (const a of manifest.soapActions) {
      const listed = wsdl.includes(`<operation name="${a.operation}"`);
      expect({ operation: a.operation, since: a.versions.since, listed }).toEqual({ operation: a.operation, since: a.versions.since, listed: versionHas(version, a.versions.since) });
    }
  });
});

describe('sessions', () => {
  beforeEach(() => start());

  test('before Set Session Parameters: List Session Parameters leaves by false with SessionNotInitializedFault', async () => {
    const result = await client().run('List Session Parameters');
    expect(result.exit).toBe('false');
    expect(result.output).toBeNull();
    expect(result.fault?.name).toBe('SessionNotInitializedFault');
    expect(sim.requests.map((r) => r.outcome)).toEqual(['SessionNotInitializedFault']);
  });

  test('a method that needs a session and has no false exit throws SessionNotInitializedFault', async () => {
    const action = manifest.soapActions.find((a) => a.requiresSession && !a.exits && a.versions.since === 'default' && a.examples.length > 0);
    if (!action) throw new Error('the manifest has no action that requires a session without true/false exits');
    const e = await rejectionOf(client().run(action.id, action.examples[0].input as Record<string, unknown>));
    expect(e).toBeInstanceOf(Five9Fault);
    expect(e.fault).toBe('SessionNotInitializedFault');
  });

  test('Close Session without a session does nothing and succeeds', async () => {
    expect((await client().run('Close Session')).exit).toBe('success');
  });

  test('after Set Session Parameters: true with the settings; after Close Session: false again', async () => {
    const c = client();
    await c.run('Set Session Parameters', { viewSettings: { ...SETTINGS, idleTimeOut: 600 } });
    expect(await c.run('List Session Parameters')).toEqual({ action: 'List Session Parameters', exit: 'true', output: { ...SETTINGS, idleTimeOut: 600 } });
    await c.run('Close Session');
    expect(await sessionExit(c)).toBe('false');
  });

  test('a second Set Session Parameters replaces the settings of the one session', async () => {
    const c = client();
    await c.run('Set Session Parameters', { viewSettings: { ...SETTINGS, idleTimeOut: 600 } });
    clock.advance(60_000); // out of the first minute's QueryStatistics limit
    await c.run('Set Session Parameters', { viewSettings: { shiftStart: 0, timeZone: 0, idleTimeOut: 900 } });
    expect((await c.run('List Session Parameters')).output).toEqual({ shiftStart: 0, timeZone: 0, idleTimeOut: 900 });
    expect(sim.sessions.size).toBe(1);
  });

  test('sessions are per user', async () => {
    await sim.stop();
    await start({ users: [{ username: USER, password: PASSWORD }, { username: 'other', password: 'other-secret' }] });
    await client().run('Set Session Parameters', { viewSettings: SETTINGS });
    expect(await sessionExit(client())).toBe('true');
    expect(await sessionExit(client({ username: 'other', password: 'other-secret' }))).toBe('false');
  });

  test('the session expires after its Idle Time Out without a request', async () => {
    const c = client();
    await c.run('Set Session Parameters', { viewSettings: { ...SETTINGS, idleTimeOut: 60 } });
    expect(await sessionExit(c)).toBe('true');
    clock.advance(61_000);
    expect(await sessionExit(c)).toBe('false');
    expect(sim.expiries).toBe(1);
  });

  test('a request every 59 s keeps a 60-s session alive across several steps', async () => {
    const c = client();
    await c.run('Set Session Parameters', { viewSettings: { ...SETTINGS, idleTimeOut: 60 } });
    const exits: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(59_000);
      exits.push(await sessionExit(c));
    }
    expect(exits).toEqual(['true', 'true', 'true', 'true', 'true']);
    expect(sim.expiries).toBe(0);
    clock.advance(61_000);
    expect(await sessionExit(c)).toBe('false');
    expect(sim.expiries).toBe(1);
  });

  test('any request of the user keeps the session alive, not only List Session Parameters', async () => {
    const c = client();
    await c.run('Set Session Parameters', { viewSettings: { ...SETTINGS, idleTimeOut: 60 } });
    clock.advance(50_000);
    await c.run('Get Call Counters State');
    clock.advance(50_000);
    expect(await sessionExit(c)).toBe('true');
  });

  test('without idleTimeOut the session lives 180 s', async () => {
    const c = client();
    await c.run('Set Session Parameters', { viewSettings: SETTINGS });
    expect((await c.run('List Session Parameters')).output?.idleTimeOut).toBe(180);
    clock.advance(179_000);
    expect(await sessionExit(c)).toBe('true');
    clock.advance(181_000);
    expect(await sessionExit(c)).toBe('false');
    expect(sim.expiries).toBe(1);
  });
});

describe('domain limits', () => {
  const queryStatistics = (counters: any[], seconds: number) =>
    counters.find((p) => p.timeout === seconds).callCounterStates.find((s: any) => s?.operationType === 'QueryStatistics');

  test('a third Set Session Parameters in one minute is refused with OperationsLimitExceededFault (limit 2, QueryStatistics)', async () => {
    await start();
    const c = client();
    await c.run('Set Session Parameters', { viewSettings: SETTINGS });
    clock.advance(10_000);
    await c.run('Set Session Parameters', { viewSettings: SETTINGS });
    clock.advance(10_000);
    const e = await rejectionOf(c.run('Set Session Parameters', { viewSettings: SETTINGS }));
    expect(e).toBeInstanceOf(Five9Fault);
    expect(e.code).toBe('FIVE9_FAULT');
    expect(e.fault).toBe('OperationsLimitExceededFault');
    expect(e.fields).toMatchObject({ limit: 2, operationType: 'QueryStatistics' });
    expect(typeof e.fields.limit).toBe('number');

    const counters = (await c.run('Get Call Counters State')).output as any[];
    expect(counters.map((p) => p.timeout)).toEqual([60, 3600, 86400]);
    expect(queryStatistics(counters, 60)).toEqual({ limit: 2, operationType: 'QueryStatistics', value: 2 });
    expect(queryStatistics(counters, 3600)).toEqual({ limit: 15, operationType: 'QueryStatistics', value: 2 });

    clock.advance(60_000);
    expect((await c.run('Set Session Parameters', { viewSettings: SETTINGS })).exit).toBe('success');
    const next = (await c.run('Get Call Counters State')).output as any[];
    expect(queryStatistics(next, 60).value).toBe(1);
    expect(queryStatistics(next, 3600).value).toBe(3);
  });

  test('windows start at the top of the minute, not at the first request', async () => {
    clock = new VirtualClock(Date.UTC(2026, 0, 5, 8, 0, 50));
    ({ sim, url } = await startSimulator({ clock }));
    const c = client();
    await c.run('Set Session Parameters', { viewSettings: SETTINGS });
    await c.run('Set Session Parameters', { viewSettings: SETTINGS });
    clock.advance(15_000); // 08:01:05, only 15 s later
    expect((await c.run('Set Session Parameters', { viewSettings: SETTINGS })).exit).toBe('success');
  });

  test('methods outside a quota class are not limited', async () => {
    await start();
    const c = client();
    for (let i = 0; i < 5; i++) expect((await c.run('Get Call Counters State')).exit).toBe('success');
    expect(sim.requests.every((r) => r.outcome === 'ok')).toBe(true);
  });

  test('the quotas option changes the limits', async () => {
    await start({ quotas: { QueryStatistics: [{ seconds: 60, limit: 4 }] } });
    const c = client();
    for (let i = 0; i < 4; i++) await c.run('Set Session Parameters', { viewSettings: SETTINGS });
    const e = await rejectionOf(c.run('Set Session Parameters', { viewSettings: SETTINGS }));
    expect(e.fault).toBe('OperationsLimitExceededFault');
    expect(e.fields).toMatchObject({ limit: 4, operationType: 'QueryStatistics' });
    const counters = (await c.run('Get Call Counters State')).output as any[];
    expect(queryStatistics(counters, 60)).toEqual({ limit: 4, operationType: 'QueryStatistics', value: 4 });
  });
});

describe('coverage of the manifest', () => {
  test('every manifest action has a handler in src/simulator/handlers.ts', () => {
    const missing = manifest.soapActions.filter((a) => !HANDLERS[a.operation]).map((a) => a.operation);
    expect(missing).toEqual([]);
  });
});
