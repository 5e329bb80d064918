import { request } from 'undici';
import { VirtualClock } from '../src/clock';
import { Five9Fault } from '../src/errors';
import { loadManifest } from '../src/manifest';
import { Five9Client } from '../src/runtime';
import { Five9Simulator } from '../src/simulator';

/**
 * Every fault an action declares (the WSDL's portType) can be produced by some request to the
 * simulator and reaches the caller as a typed Five9Fault with its fields. A fault added to the
 * manifest without a scenario here fails the first test.
 */
const settings = { viewSettings: { shiftStart: 0, timeZone: 0, idleTimeOut: 1800 } };
const USERS = ['ops', 'sup2', 'sup3', 'sup4'];

interface World {
  sim: Five9Simulator;
  clock: VirtualClock;
  client: (user?: string) => Promise<Five9Client>;
}

type Scenario = { run: (w: World) => Promise<unknown>; fields?: Record<string, unknown> };

const SCENARIOS: Record<string, Scenario> = {
  SessionNotInitializedFault: { run: async (w) => (await w.client()).run('List My Skill IDs') },
  SessionClosedFault: {
    run: async (w) => {
      const c = await w.client();
      await c.run('Set Session Parameters', settings);
      w.sim.loginElsewhere('ops');
      return c.run('List My Skill IDs');
    },
  },
  ServerFault: {
    // Another program of the same user holds a request while this one arrives.
    run: async (w) => {
      const body = (await w.client()).envelope('Get Call Counters State');
      const release = w.sim.holdRequests();
      const other = request(`${w.sim.url}/wssupervisor/v14/SupervisorWebService`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/xml;charset=UTF-8', authorization: `Basic ${Buffer.from('ops:ops-secret').toString('base64')}` },
      }).then((r) => r.body.text());
      for (let i = 0; i < 500 && !w.sim.busy('ops'); i++) await new Promise((r) => setTimeout(r, 1));
      expect(w.sim.busy('ops')).toBe(true);
      try {
        return await (await w.client()).run('Get Call Counters State');
      } finally {
        release();
        await other;
      }
    },
  },
  ServiceUnavailableFault: {
    run: async (w) => {
      w.sim.serviceUnavailable = true;
      return (await w.client()).run('Get User Limits');
    },
  },
  InvalidAccountFault: {
    run: async (w) => {
      w.sim.setAccount('ops', 'disabled');
      return (await w.client()).run('Get Call Counters State');
    },
  },
  AccessDisallowedFault: {
    run: async (w) => {
      w.sim.setAccount('ops', 'no-api-access');
      return (await w.client()).run('Set Session Parameters', settings);
    },
  },
  UserLimitReachedFault: {
    run: async (w) => {
      const first = await w.client('ops');
      const limits = (await first.run('Get User Limits')).output as { supervisorsLoggedin: number };
      w.sim.supervisorSeats = limits.supervisorsLoggedin + 1;
      await first.run('Set Session Parameters', settings);
      return (await w.client('sup2')).run('Set Session Parameters', settings);
    },
  },
  UserAlreadyLoggedInFault: {
    run: async (w) => {
      await (await w.client('ops')).run('Login Station', { stationName: '4155550123', forceLogoutSession: false });
      return (await w.client('sup2')).run('Login Station', { stationName: '4155550123', forceLogoutSession: false });
    },
  },
  MissedArgumentFault: { run: async (w) => (await session(w)).run('Start Campaign', {}) },
  IncorrectArgumentFault: {
    run: async (w) => (await session(w)).run('Send Broadcast Messages', { type: 'SPEC_SKILL', specId: 999, text: 'Queue is long' }),
  },
  OperationsLimitExceededFault: {
    fields: { limit: 2, operationType: 'QueryStatistics' },
    run: async (w) => {
      const c = await w.client();
      await c.run('Set Session Parameters', settings);
      await c.run('Set Session Parameters', settings);
      return c.run('Set Session Parameters', settings);
    },
  },
  ChatFault: { run: async (w) => (await session(w)).run('Send Message To Chat', { chatId: 'no-such-chat', text: 'hello' }) },
  StationNotLoggedInFault: { run: async (w) => (await w.client()).run('Start Monitoring', { agentName: 'jsmith', monitoringMode: 'Silence' }) },
  StationNotFoundFault: {
    fields: { stationName: 'no-such-station' },
    run: async (w) => (await w.client()).run('Login Station', { stationName: 'no-such-station', forceLogoutSession: false }),
  },
  AgentNotFoundFault: {
    fields: { agentName: 'nobody' },
    run: async (w) => {
      const c = await w.client();
      await c.run('Login Station', { stationName: '4155550123', forceLogoutSession: false });
      return c.run('Start Monitoring', { agentName: 'nobody', monitoringMode: 'Silence' });
    },
  },
  AgentMonitorFault: {
    fields: { agentName: 'jsmith' },
    run: async (w) => {
      const c = await w.client();
      await c.run('Login Station', { stationName: '4155550123', forceLogoutSession: false });
      await c.run('Start Monitoring', { agentName: 'jsmith', monitoringMode: 'Silence' });
      return c.run('Start Monitoring', { agentName: 'jsmith', monitoringMode: 'BargeIn' });
    },
  },
  ReconnectStationFault: {
    fields: { stationName: '4155550123' },
    run: async (w) => {
      const a = await w.client('ops');
      await a.run('Login Station', { stationName: '4155550123', forceLogoutSession: false });
      await (await w.client('sup2')).run('Login Station', { stationName: '4155550123', forceLogoutSession: true });
      return a.run('Reconnect Station');
    },
  },
  CampaignNotFoundFault: { fields: { campaignName: 'Nope' }, run: async (w) => (await session(w)).run('Start Campaign', { campaignName: 'Nope' }) },
  CampaignStateUpdateFault: {
    fields: { campaignName: 'Outbound Sales' },
    run: async (w) => (await session(w)).run('Stop Campaign', { campaignName: 'Outbound Sales' }),
  },
  ConcurrentModificationFault: {
    run: async (w) => {
      const busy = [...w.sim.domain.campaigns.values()].find((c) => ['STARTING', 'STOPPING', 'RESETTING'].includes(c.state))!;
      return (await session(w)).run('Start Campaign', { campaignName: busy.name });
    },
  },
  WrongCampaignTypeFault: {
    fields: { campaignName: 'Inbound Support', actualType: 'INBOUND' },
    run: async (w) => (await session(w)).run('Reset Campaign', { campaignName: 'Inbound Support' }),
  },
  WrongCampaignStateFault: {
    fields: { campaignName: 'Outbound Sales', actualState: 'RUNNING', desiredState: 'NOT_RUNNING' },
    run: async (w) => {
      const c = await session(w);
      await c.run('Start Campaign', { campaignName: 'Outbound Sales' });
      return c.run('Reset Campaign Dispositions', { campaignName: 'Outbound Sales', dispositions: ['No Answer'] });
    },
  },
  DispositionNotFoundFault: {
    fields: { dispositionName: 'Nonexistent' },
    run: async (w) => (await session(w)).run('Reset Campaign Dispositions', { campaignName: 'Outbound Sales', dispositions: ['Nonexistent'] }),
  },
  UnknownColumnFault: {
    run: async (w) => (await session(w)).run('Get Statistics', { statisticType: 'AgentState', columnNames: { values: { data: ['Username', 'Shoe Size'] } } }),
  },
  StatisticsNotRequestedFault: {
    run: async (w) => (await session(w)).run('Get Statistics Update', { statisticType: 'ACDStatus', previousTimestamp: w.clock.now(), longPollingTimeout: 5000 }),
  },
  UnknownTimestampFault: {
    run: async (w) => {
      const c = await session(w);
      await c.run('Get Statistics', { statisticType: 'ACDStatus' });
      return c.run('Get Statistics Update', { statisticType: 'ACDStatus', previousTimestamp: w.clock.now() + 3_600_000, longPollingTimeout: 5000 });
    },
  },
  ConfigurationChangedFault: {
    run: async (w) => {
      const c = await session(w);
      const snap = (await c.run('Get Statistics', { statisticType: 'AgentStatistics' })).output as { timestamp: number };
      w.sim.domain.addDisposition('Callback Requested');
      return c.run('Get Statistics Update', { statisticType: 'AgentStatistics', previousTimestamp: snap.timestamp, longPollingTimeout: 5000 });
    },
  },
};

async function session(w: World): Promise<Five9Client> {
  const c = await w.client();
  await c.run('Set Session Parameters', settings);
  return c;
}

describe('every declared fault can be produced and arrives typed', () => {
  const manifest = loadManifest();
  const declared = [...new Set(manifest.actions.flatMap((a) => a.faults ?? []))].sort();
  let world: World;
  let clients: Five9Client[];

  beforeEach(async () => {
    clients = [];
    const clock = new VirtualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
    const sim = new Five9Simulator({ users: USERS.map((u) => ({ username: u, password: `${u}-secret` })), clock, latencyMs: 20, longPollMaxMs: 50, checkAnswers: true });
    await sim.start();
    world = {
      sim,
      clock,
      client: async (user = 'ops') => {
        const c = new Five9Client({ endpoint: sim.url, apiVersion: 'v14', username: user, password: `${user}-secret`, clock, quotas: false });
        clients.push(c);
        return c;
      },
    };
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await world.sim.stop();
    // Every fault answered was one the operation declares, or one faults.ts allows bare.
    expect(world.sim.undeclaredFaults).toEqual([]);
    expect(world.sim.answerProblems).toEqual([]);
  });

  it('has a scenario for every fault any action declares', () => {
    expect(declared.filter((f) => !SCENARIOS[f])).toEqual([]);
  });

  it.each(Object.keys(SCENARIOS).sort())('%s', async (fault) => {
    const scenario = SCENARIOS[fault];
    // A fault the action maps to an exit (Get Statistics Update's resync faults) comes back as the result's fault.
    const err = await scenario.run(world).then(
      (r: any) => (r?.fault ? { fault: r.fault.name, fields: r.fault.fields, exit: r.exit } : new Error(`expected ${fault}, got ${JSON.stringify(r)}`)),
      (e) => e,
    );
    if (!err.exit) expect(err).toBeInstanceOf(Five9Fault);
    expect({ fault: err.fault, message: typeof err.fields.message }).toEqual({ fault, message: 'string' });
    if (scenario.fields) expect(err.fields).toMatchObject(scenario.fields);
  });

  it('a fault the operation does not declare arrives as a bare server fault', async () => {
    // closeSession declares no fault; during maintenance the server still fails it.
    world.sim.serviceUnavailable = true;
    const err = await (await world.client()).run('Close Session').catch((e) => e);
    expect(err).toBeInstanceOf(Five9Fault);
    expect(err.fault).toBe('ServerFault');
    expect(err.fields.message).toMatch(/not available/);
  });
});
