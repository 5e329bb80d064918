import { type Clock, VirtualClock } from '../src/clock';
import { lintTemplate, readTemplate, runSchedule, type RunEvent } from '../src/cycles';
import { Five9Error, Five9Fault, Five9InputError, Five9QuotaError } from '../src/errors';
import { loadManifest } from '../src/manifest';
import { Five9Client } from '../src/runtime';
import { Five9Simulator } from '../src/simulator';
import { type FeedEvent, StatisticsFeed } from '../src/stats';

const ALL_TYPES = ['AgentState', 'AgentStatistics', 'ACDStatus', 'CampaignState', 'OutboundCampaignManager', 'OutboundCampaignStatistics', 'InboundCampaignStatistics', 'AutodialCampaignStatistics'];

describe('the statistics feed against the simulator', () => {
  let clock: VirtualClock;
  let sim: Five9Simulator;
  let client: Five9Client;
  // The feed paces itself on this clock: its waits move the simulator's time, unless frozen.
  let pacing: Clock;
  let frozen: boolean;

  beforeEach(async () => {
    clock = new VirtualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
    frozen = false;
    pacing = {
      now: () => clock.now(),
      sleep: async (ms) => {
        if (!frozen) clock.advance(ms);
      },
    };
    sim = new Five9Simulator({ users: [{ username: 'wall', password: 'wallboard-1' }], clock, longPollMaxMs: 20, size: { agents: 60 }, statistics: { activity: 3 } });
    await sim.start();
    client = new Five9Client({ endpoint: sim.url, username: 'wall', password: 'wallboard-1', clock });
  });
  afterEach(async () => {
    await client.close();
    await sim.stop();
  });

  const truth = (type: string) => sim.statistics.table(type as Parameters<Five9Simulator['statistics']['table']>[0]);
  const expectEqualToTruth = (feed: StatisticsFeed, type: string) => {
    const t = feed.table(type);
    const real = truth(type);
    expect(t.columns).toEqual(real.columns);
    expect(Object.fromEntries(t.rows)).toEqual(real.rows);
  };
  const quotaFaults = () => sim.requests.filter((r) => r.outcome === 'OperationsLimitExceededFault').length;

  it('after 10 busy simulated minutes every type equals the simulator\'s own table, within the limits', async () => {
    const feed = new StatisticsFeed(client, { types: ALL_TYPES, clock: pacing });
    const events: FeedEvent[] = [];
    for (const e of await feed.start()) events.push(e);
    // Snapshots of 8 types need 8 QueryStatistics calls: the feed waits for the windows itself.
    const end = clock.now() + 10 * 60_000;
    while (clock.now() < end) events.push(...(await feed.poll()));
    // One more round with the clock standing still: each type catches up to now.
    frozen = true;
    for (let i = 0; i < ALL_TYPES.length; i++) events.push(...(await feed.poll()));
    for (const type of ALL_TYPES) expectEqualToTruth(feed, type);
    const kinds = new Set(events.map((e) => e.type));
    for (const k of ['pacing', 'session', 'snapshot', 'updated']) expect(kinds).toContain(k);
    expect(events.filter((e) => e.type === 'added' || e.type === 'deleted').length).toBeGreaterThan(0);
    expect(quotaFaults()).toBe(0);
    expect(feed.pacing()).toMatchObject({ pollEveryMs: 3600, perTypeEveryMs: 28_800 });
    expect((feed.pacing() as { message: string }).message).toMatch(/8 statistic type\(s\) cannot each be polled every 5 s/);
  });

  it('an empty long-poll answer is "no change"', async () => {
    // Time stands still, so no batch follows the snapshot and the poll answers with no <return>.
    frozen = true;
    const feed = new StatisticsFeed(client, { types: ['CampaignState'], clock: pacing });
    await feed.start();
    const before = JSON.stringify(Object.fromEntries(feed.table('CampaignState').rows));
    expect(await feed.poll()).toEqual([{ type: 'unchanged', statisticType: 'CampaignState', time: clock.now() }]);
    expect(JSON.stringify(Object.fromEntries(feed.table('CampaignState').rows))).toBe(before);
  });

  it('resynchronises after ConfigurationChangedFault (a disposition was added) and gains the new column', async () => {
    const feed = new StatisticsFeed(client, { types: ['AgentStatistics'], clock: pacing });
    await feed.start();
    clock.advance(60_000);
    sim.domain.addDisposition('Callback Requested');
    const events = await feed.poll();
    expect(events).toEqual([expect.objectContaining({ type: 'snapshot', statisticType: 'AgentStatistics', reason: 'ConfigurationChangedFault' })]);
    expect(feed.table('AgentStatistics').columns).toContain('Callback Requested');
    expectEqualToTruth(feed, 'AgentStatistics');
  });

  it('resynchronises after StatisticsNotRequestedFault (another client replaced the session)', async () => {
    const feed = new StatisticsFeed(client, { types: ['ACDStatus'], clock: pacing });
    await feed.start();
    clock.advance(60_000);
    await client.run('Set Session Parameters', { viewSettings: { shiftStart: 0, timeZone: 0 } });
    clock.advance(60_000);
    const events = await feed.poll();
    expect(events).toEqual([expect.objectContaining({ type: 'snapshot', reason: 'StatisticsNotRequestedFault' })]);
    expectEqualToTruth(feed, 'ACDStatus');
  });

  it('resynchronises after UnknownTimestampFault (a cursor the server never issued)', async () => {
    const feed = new StatisticsFeed(client, { types: ['ACDStatus'], clock: pacing });
    await feed.start();
    feed.table('ACDStatus').timestamp = clock.now() + 3_600_000;
    const events = await feed.poll();
    expect(events).toEqual([expect.objectContaining({ type: 'snapshot', reason: 'UnknownTimestampFault' })]);
  });

  it('restarts an expired session once, then goes on', async () => {
    const feed = new StatisticsFeed(client, { types: ['AgentState'], clock: pacing });
    await feed.start();
    clock.advance(31 * 60_000); // past the 1800 s Idle Time Out the feed set
    const events = await feed.poll();
    expect(events.map((e) => e.type)).toEqual(['session', 'snapshot']);
    expect(events[0]).toMatchObject({ action: 'restarted' });
    expect(sim.expiries).toBe(1);
    clock.advance(5_000);
    await feed.poll();
    expectEqualToTruth(feed, 'AgentState');
  });

  it('does not restart in a loop: a second loss right after the restart is an error', async () => {
    const feed = new StatisticsFeed(client, { types: ['AgentState'], clock: pacing });
    await feed.start();
    sim.loginElsewhere('wall');
    clock.advance(60_000);
    expect((await feed.poll())[0]).toMatchObject({ type: 'session', action: 'restarted' });
    sim.loginElsewhere('wall');
    clock.advance(5_000);
    await expect(feed.poll()).rejects.toMatchObject({ fault: 'SessionClosedFault' });
  });

  it('a long-poll time-out under 5,000 ms is refused before sending', async () => {
    expect(() => new StatisticsFeed(client, { types: ['AgentState'], longPollingTimeout: 1000 })).toThrow(Five9Error);
    await client.run('Set Session Parameters', { viewSettings: { shiftStart: 0, timeZone: 0 } });
    const sent = sim.requests.length;
    const err = await client.run('Get Statistics Update', { statisticType: 'AgentState', previousTimestamp: 1, longPollingTimeout: 1000 }).catch((e) => e);
    expect(err).toBeInstanceOf(Five9InputError);
    expect(err.issues[0]).toMatchObject({ field: '/longPollingTimeout', rule: 'minimum' });
    expect(sim.requests.length).toBe(sent);
  });

  it('a hostile loop never reaches the server\'s limit: the client refuses first; with client quotas off the fault arrives typed', async () => {
    await client.run('Set Session Parameters', { viewSettings: { shiftStart: 0, timeZone: 0 } });
    const snap = (await client.run('Get Statistics', { statisticType: 'ACDStatus' })).output as { timestamp: number };
    const poll = (c: Five9Client) => c.run('Get Statistics Update', { statisticType: 'ACDStatus', previousTimestamp: snap.timestamp, longPollingTimeout: 5000 });
    let refused: unknown;
    for (let i = 0; i < 40 && !refused; i++) await poll(client).catch((e) => (refused = e));
    expect(refused).toBeInstanceOf(Five9QuotaError);
    expect(refused).toMatchObject({ quotaClass: 'QueryChangedStatistics', windowSeconds: 60, limit: 30 });
    expect(quotaFaults()).toBe(0);
    const raw = new Five9Client({ endpoint: sim.url, username: 'wall', password: 'wallboard-1', clock, quotas: false });
    try {
      const err = await poll(raw).catch((e) => e);
      expect(err).toBeInstanceOf(Five9Fault);
      expect(err.fields).toMatchObject({ limit: 30, operationType: 'QueryChangedStatistics' });
    } finally {
      await raw.close();
    }
  });
});

describe('the Statistics changes template', () => {
  it('passes the linter and keeps its calls inside the quotas; a hostile schedule does not', () => {
    const manifest = loadManifest();
    const t = readTemplate('statistics-changes');
    expect(lintTemplate(t, manifest)).toEqual([]);
    expect(lintTemplate({ ...t, schedule: { everyMinutes: 5 } }, manifest).join('\n')).toMatch(/QueryStatistics: up to 2 call\(s\) a run × 12 run\(s\) a hour = 24, over the domain limit of 15/);
  });

  it('delivers a snapshot first, then the changes since the previous run, keeping its cursor', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 5, 9, 0, 0), 0);
    const sim = new Five9Simulator({ users: [{ username: 'cy', password: 'cycle-pass' }], clock, longPollMaxMs: 20, statistics: { activity: 3 } });
    await sim.start();
    const client = new Five9Client({ endpoint: sim.url, username: 'cy', password: 'cycle-pass', clock });
    try {
      const events: RunEvent[] = [];
      const state: Record<string, unknown> = {};
      await runSchedule(readTemplate('statistics-changes'), { executor: client, clock, runs: 3, state, fields: { statisticType: 'ACDStatus' }, onEvent: (e) => events.push(e) });
      const ends = events.filter((e): e is Extract<RunEvent, { type: 'run-end' }> => e.type === 'run-end');
      expect(ends.map((e) => e.outcome)).toEqual(['ok', 'ok', 'ok']);
      const steps = events.filter((e): e is Extract<RunEvent, { type: 'step' }> => e.type === 'step');
      expect(steps.filter((s) => s.run === 1).map((s) => `${s.action}:${s.exit}`)).toEqual([
        'List Session Parameters:false',
        'Set Session Parameters:success',
        'Get Statistics Update:resync',
        'Get Statistics:success',
      ]);
      expect(steps.filter((s) => s.run === 2).map((s) => `${s.action}:${s.exit}`)).toEqual(['List Session Parameters:true', 'Get Statistics Update:changed']);
      // Run 2 continued from the snapshot's timestamp; run 3 from run 2's lastTimestamp.
      const polls = steps.filter((s) => s.action === 'Get Statistics Update');
      const snapshot = ends[0].output as { timestamp: number };
      expect((polls[1].input as { previousTimestamp: number }).previousTimestamp).toBe(snapshot.timestamp);
      expect((polls[2].input as { previousTimestamp: number }).previousTimestamp).toBe((ends[1].output as { lastTimestamp: number }).lastTimestamp);
      expect(state.cursor).toBe((ends[2].output as { lastTimestamp: number }).lastTimestamp);
      expect(sim.requests.filter((r) => r.outcome === 'OperationsLimitExceededFault')).toHaveLength(0);
    } finally {
      await client.close();
      await sim.stop();
    }
  });
});

describe('one source for statistic types and key columns', () => {
  it('the simulator\'s types and key columns are the schema\'s (statisticType enum and x-keyColumns)', () => {
    const { STATISTIC_TYPES, STATISTIC_SPECS } = require('../src/simulator/statistics/columns');
    const schema = loadManifest().registry.resolve({ $ref: 'statisticType.json' });
    expect([...STATISTIC_TYPES].sort()).toEqual([...schema.enum].sort());
    expect(Object.fromEntries(Object.entries(STATISTIC_SPECS).map(([t, s]: [string, any]) => [t, s.key]))).toEqual(schema['x-keyColumns']);
  });
});
