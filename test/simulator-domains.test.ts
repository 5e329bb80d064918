/**
 * The simulator as a fleet's test bed (issue 10 §5), in process: many Five9 domains with their own
 * sessions and limits, contact centres built only when read, the per-user counters of
 * `--report`, and a client that disconnects releasing its user at once. The command itself (a
 * separate process, real time, SIGTERM) is tested in simulator-cli.test.ts.
 */
import { VirtualClock } from '../src/clock';
import { Five9Simulator, numberedDomains } from '../src/simulator';
import { VIEW_SETTINGS, soap } from './sim-helpers';

let sim: Five9Simulator;
let url: string;
afterEach(() => sim?.stop());

async function start(options: ConstructorParameters<typeof Five9Simulator>[0]): Promise<void> {
  sim = new Five9Simulator(options);
  ({ url } = await sim.start(0));
}

const set = (user: string, password = 'fleet-pw', idle = 1800) => soap(url, user, password, 'setSessionParameters', VIEW_SETTINGS(idle));
const get = (user: string, password = 'fleet-pw') => soap(url, user, password, 'getSessionParameters');

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('many domains', () => {
  test('each domain has its own limits and sessions; user names from --domains only', async () => {
    await start({ clock: new VirtualClock(), domains: numberedDomains(3, 'fleet-pw') });
    // QueryStatistics is 2 a minute per domain: user1's third is refused, user2's first is not.
    expect((await set('user1')).status).toBe(200);
    expect((await set('user1')).status).toBe(200);
    expect((await set('user1')).fault).toBe('OperationsLimitExceededFault');
    expect((await set('user2')).status).toBe(200);
    const counters = await soap(url, 'user2', 'fleet-pw', 'getCallCountersState');
    expect(counters.body).toMatch(/<operationType>QueryStatistics<\/operationType><value>1<\/value>/);
    // user3 never opened a session: its domain has none.
    expect((await get('user3')).fault).toBe('SessionNotInitializedFault');
    // The other API supervisors of a domain are its own only.
    const loggedIn = await soap(url, 'user2', 'fleet-pw', 'getLoggedInUsers');
    expect(loggedIn.body).toContain('<name>user2</name>');
    expect(loggedIn.body).not.toContain('<name>user1</name>');
    // With domains and no `users`, there is no demo user.
    expect((await get('demo', 'demo-secret')).status).toBe(401);
    expect((await get('user2', 'wrong')).status).toBe(401);
  });

  test('users given as `users` share one domain, as before', async () => {
    await start({ clock: new VirtualClock(), users: [{ username: 'a', password: 'pa' }, { username: 'b', password: 'pb' }] });
    await set('a', 'pa');
    await set('a', 'pa');
    expect((await set('b', 'pb')).fault).toBe('OperationsLimitExceededFault');
    expect([...sim.sessions.keys()]).toEqual(['a']);
  });

  test('a user name in two domains is refused', () => {
    expect(() => new Five9Simulator({ users: [{ username: 'user1', password: 'x' }], domains: numberedDomains(2, 'y') })).toThrow(/user1.*two domains/);
  });

  test('a keep-alive builds no contact centre; a request that reads one builds that domain\'s only, the same as if built at the start', async () => {
    await start({ clock: new VirtualClock(), domains: numberedDomains(50, 'fleet-pw') });
    for (let i = 1; i <= 50; i++) {
      await get(`user${i}`);
      await set(`user${i}`);
      await get(`user${i}`);
    }
    expect(sim.tenants.filter((t) => t.built)).toHaveLength(0);
    // Seats are answered without building it, and agree with the built contact centre's.
    const before = await soap(url, 'user7', 'fleet-pw', 'getUserLimits');
    expect(sim.tenantOf('user7')!.built).toBe(false);
    await soap(url, 'user7', 'fleet-pw', 'getLoggedInUsers');
    expect(sim.tenantOf('user7')!.built).toBe(true);
    const after = await soap(url, 'user7', 'fleet-pw', 'getUserLimits');
    expect(after.body).toBe(before.body);
    expect(sim.tenants.filter((t) => t.built)).toEqual([sim.tenantOf('user7')]);
  });

  test('a contact centre first read later is the one it would have been from the start', async () => {
    const clock = new VirtualClock();
    const early = new Five9Simulator({ clock, seed: 7 });
    const late = new Five9Simulator({ clock, seed: 7 });
    early.statistics.table('AgentState');
    clock.advance(10 * 60_000);
    expect(late.statistics.table('AgentState')).toEqual(early.statistics.table('AgentState'));
    await Promise.all([early.stop(), late.stop()]);
    sim = early;
  });
});

describe('the report', () => {
  test('counts requests, sessions started, quota faults and operations per user', async () => {
    await start({ clock: new VirtualClock(), domains: numberedDomains(2, 'fleet-pw') });
    await get('user1');
    await set('user1');
    await set('user1');
    await set('user1');
    await get('user1');
    await soap(url, 'user1', 'fleet-pw', 'noSuchOperation');
    expect(sim.report()).toEqual({
      users: {
        user1: { requests: 6, sessionsStarted: 1, expiries: 0, concurrentDenied: 0, quotaFaults: 1, byOperation: { getSessionParameters: 2, setSessionParameters: 3 } },
        user2: { requests: 0, sessionsStarted: 0, expiries: 0, concurrentDenied: 0, quotaFaults: 0, byOperation: {} },
      },
    });
  });

  test('expiries: counted when a request finds the session expired, and at report time for sessions nobody asked about', async () => {
    const clock = new VirtualClock();
    await start({ clock, domains: numberedDomains(2, 'fleet-pw') });
    await set('user1', 'fleet-pw', 60);
    await set('user2', 'fleet-pw', 60);
    clock.advance(61_000);
    expect((await get('user1')).fault).toBe('SessionNotInitializedFault');
    expect(sim.report().users.user1.expiries).toBe(1);
    // user2 sent nothing since: its expiry is found by the report, and counted once.
    expect(sim.report().users.user2.expiries).toBe(1);
    expect(sim.report().users.user2.expiries).toBe(1);
    expect(sim.expiries).toBe(2);
  });

  test('concurrent requests of one user are counted as denied', async () => {
    await start({ domains: numberedDomains(1, 'fleet-pw') });
    const release = sim.holdRequests();
    const first = get('user1');
    await until(() => sim.busy('user1'));
    const second = await get('user1');
    release();
    const answers = [await first, second];
    expect(answers.map((a) => a.faultString).sort()).toEqual(['Concurrent requests with the same credentials are denied', 'Session was not initialized. Call setSessionParameters first.']);
    expect(sim.report().users.user1).toMatchObject({ requests: 2, concurrentDenied: 1 });
  });
});

describe('a client that disconnects', () => {
  test('an abandoned getStatisticsUpdate long poll ends and releases its user at once', async () => {
    await start({ users: [{ username: 'demo', password: 'demo-secret' }] });
    await set('demo', 'demo-secret');
    const snapshot = await soap(url, 'demo', 'demo-secret', 'getStatistics', '<statisticType>CampaignState</statisticType>');
    const ts = /<timestamp>(\d+)<\/timestamp>/.exec(snapshot.body)![1];
    // A long poll of a minute on a type that changes rarely, then the client goes away.
    const ac = new AbortController();
    const poll = soap(url, 'demo', 'demo-secret', 'getStatisticsUpdate', `<statisticType>CampaignState</statisticType><previousTimestamp>${ts}</previousTimestamp><longPollingTimeout>60000</longPollingTimeout>`, { signal: ac.signal }).catch((e) => e);
    await until(() => sim.statistics.waiting === 1);
    ac.abort();
    await poll;
    await until(() => !sim.busy('demo') && sim.statistics.waiting === 0);
    const next = await get('demo', 'demo-secret');
    expect(next.status).toBe(200);
    expect(sim.report().users.demo.concurrentDenied).toBe(0);
  });

  test('an abandoned receiveMessages long poll ends and releases its user at once', async () => {
    await start({ users: [{ username: 'demo', password: 'demo-secret' }] });
    await set('demo', 'demo-secret');
    const ac = new AbortController();
    const poll = soap(url, 'demo', 'demo-secret', 'receiveMessages', '<previousTimestamp>0</previousTimestamp><longPollingTimeout>60000</longPollingTimeout>', { signal: ac.signal }).catch((e) => e);
    await until(() => sim.busy('demo'));
    ac.abort();
    await poll;
    await until(() => !sim.busy('demo'));
    expect((await get('demo', 'demo-secret')).status).toBe(200);
  });
});
