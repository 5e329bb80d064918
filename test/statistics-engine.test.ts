/**
 * The simulator's statistics engine, through the real client over HTTP on 127.0.0.1 and a
 * VirtualClock: the eight types' columns and key columns, getStatistics with and without
 * columnNames, the long poll (changes after the clock moves, an empty answer at the time-out), the
 * fault paths (StatisticsNotRequested, UnknownTimestamp, ConfigurationChanged, UnknownColumn,
 * OperationsLimitExceeded), added and deleted objects, convergence of a client-side table built
 * from a snapshot and its updates to the engine's own table, and a large domain.
 */
import { VirtualClock } from '../src/clock';
import { Five9Fault } from '../src/errors';
import { type ActionResult, Five9Client } from '../src/runtime';
import type { Five9Simulator, SimulatorOptions } from '../src/simulator';
import { DISPOSITIONS } from '../src/simulator/directory';
import { STATISTIC_SPECS, STATISTIC_TYPES, type StatisticType } from '../src/simulator/statistics/columns';
import { PASSWORD, USER, startSimulator } from './helpers';

const SESSION = { viewSettings: { forceLogoutSession: true, idleTimeOut: 1800, shiftStart: 28800000, timeZone: -25200000 } };
/** Raised domain limits, for tests that are not about limits (the client's own are off). */
const RAISED = { QueryStatistics: [{ seconds: 60, limit: 10_000 }], QueryChangedStatistics: [{ seconds: 60, limit: 100_000 }] };

interface Row {
  values: { data?: Array<string | null> };
}
interface Snapshot {
  columns: Row;
  rows?: Row[];
  timestamp: number;
  type: string;
}
interface Update {
  addedObjects?: Row;
  dataUpdate?: Array<{ columnName: string; columnValue: string | null; objectName: string }>;
  deletedObjects?: Row;
  lastTimestamp: number;
  previousTimestamp: number;
  type: string;
}

const sims: Five9Simulator[] = [];
const clients: Five9Client[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const s of sims.splice(0)) await s.stop();
});

async function setup(options: SimulatorOptions = {}, session = true): Promise<{ sim: Five9Simulator; client: Five9Client; clock: VirtualClock }> {
  const clock = (options.clock as VirtualClock | undefined) ?? new VirtualClock(Date.UTC(2026, 0, 5, 8, 0, 0));
  const { sim, url } = await startSimulator({ quotas: RAISED, ...options, clock });
  sims.push(sim);
  const client = new Five9Client({ endpoint: url, username: USER, password: PASSWORD, apiVersion: 'v14', clock, quotas: false });
  clients.push(client);
  if (session) await client.run('setSessionParameters', SESSION);
  return { sim, client, clock };
}

interface FaultSeen {
  fault: string;
  fields: Record<string, unknown>;
  message: string;
}

/**
 * The Five9 fault a call ended with: thrown as a Five9Fault, or (for a fault the action maps to an
 * exit, such as the resync faults of Get Statistics Update) answered as the result's fault.
 */
async function faultOf(p: Promise<ActionResult>): Promise<FaultSeen> {
  let result: ActionResult;
  try {
    result = await p;
  } catch (e) {
    expect(e).toBeInstanceOf(Five9Fault);
    const f = e as Five9Fault;
    return { fault: f.fault, fields: f.fields, message: f.message };
  }
  if (!result.fault) throw new Error(`expected a fault, the call answered exit "${result.exit}"`);
  return { fault: result.fault.name, fields: result.fault.fields, message: String(result.fault.fields.message ?? '') };
}

async function snapshot(client: Five9Client, type: StatisticType, columns?: string[]): Promise<Snapshot> {
  return (await client.run('getStatistics', { statisticType: type, ...(columns ? { columnNames: { values: { data: columns } } } : {}) })).output as Snapshot;
}

/** Real-time pause between checks of a condition (not a timing assertion). */
const tick = () => new Promise((r) => setTimeout(r, 2));

/**
 * A long poll; when `advanceMs` is given and the simulator holds the request, the clock is advanced
 * by that much. `held` says whether the request was held at all.
 */
async function poll(
  sim: Five9Simulator,
  client: Five9Client,
  clock: VirtualClock,
  type: StatisticType,
  previousTimestamp: number,
  advanceMs?: number,
  longPollingTimeout = 5000,
): Promise<{ update: Update | null; held: boolean }> {
  const p = client.run('getStatisticsUpdate', { statisticType: type, previousTimestamp, longPollingTimeout });
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  let held = false;
  if (advanceMs !== undefined) {
    while (!settled && sim.statistics.waiting === 0) await tick();
    if (!settled) {
      held = true;
      clock.advance(advanceMs);
    }
  }
  const result = await p;
  if (result.fault) throw Object.assign(new Error(result.fault.name), { fault: result.fault.name });
  return { update: result.output as Update | null, held };
}

// ---- a client-side table, merged by hand ----

interface LocalTable {
  columns: string[];
  rows: Map<string, Record<string, string>>;
  cursor: number;
}

function local(s: Snapshot): LocalTable {
  const columns = (s.columns.values.data ?? []) as string[];
  const rows = new Map<string, Record<string, string>>();
  for (const r of s.rows ?? []) {
    const data = r.values.data ?? [];
    rows.set(String(data[0]), Object.fromEntries(columns.map((c, i) => [c, data[i] ?? ''])));
  }
  return { columns, rows, cursor: s.timestamp };
}

function apply(t: LocalTable, u: Update): void {
  expect(u.previousTimestamp).toBe(t.cursor);
  const key = t.columns[0];
  for (const name of u.addedObjects?.values.data ?? []) {
    t.rows.set(String(name), Object.fromEntries(t.columns.map((c) => [c, c === key ? String(name) : ''])));
  }
  for (const d of u.dataUpdate ?? []) {
    const row = t.rows.get(d.objectName);
    if (!row) throw new Error(`update for an unknown object ${d.objectName}`);
    if (!t.columns.includes(d.columnName)) throw new Error(`update for an unknown column ${d.columnName}`);
    row[d.columnName] = d.columnValue ?? '';
  }
  for (const name of u.deletedObjects?.values.data ?? []) t.rows.delete(String(name));
  t.cursor = u.lastTimestamp;
}

function rowsOf(t: LocalTable): Record<string, Record<string, string>> {
  return Object.fromEntries(t.rows);
}

// -------------------------------------------------------------------------------------------------

describe('columns and snapshots', () => {
  it('every type has its key column first, realistic columns and a snapshot equal to the engine table', async () => {
    const { sim, client } = await setup();
    for (const type of STATISTIC_TYPES) {
      const names = ((await client.run('getColumnNames', { statisticType: type })).output as Row).values.data as string[];
      expect(names[0]).toBe(STATISTIC_SPECS[type].key);
      expect(new Set(names).size).toBe(names.length);
      const s = await snapshot(client, type);
      expect(s.type).toBe(type);
      expect(s.columns.values.data).toEqual(names);
      const truth = sim.statistics.table(type);
      expect(truth.columns).toEqual(names);
      expect(Object.keys(truth.rows).length).toBeGreaterThan(0);
      for (const r of s.rows ?? []) expect(r.values.data).toHaveLength(names.length);
      expect(rowsOf(local(s))).toEqual(truth.rows);
    }

    expect(sim.statistics.columnNames('ACDStatus')).toEqual([
      'Skill Name', 'Agents Logged In', 'Agents Not Ready For Calls', 'Agents On Call', 'Agents Ready For Calls', 'Agents Ready For VMs',
      'Calls In Queue', 'Current Longest Queue Time', 'Longest Queue Time', 'Queue Callbacks', 'Total VMs', 'VMs In Progress', 'VMs In Queue',
    ]);
    expect(sim.statistics.columnNames('AgentState').slice(0, 9)).toEqual([
      'Username', 'Full Name', 'State', 'State Since', 'State Duration', 'Reason Code', 'Reason Since', 'Reason Duration', 'Call Type',
    ]);
    const agentStatistics = sim.statistics.columnNames('AgentStatistics');
    expect(agentStatistics).toEqual(expect.arrayContaining(['Total Calls', 'Avg Handle Time', 'Avg Wrap Time', 'Avg Idle Time', 'Avg Not Ready Time']));
    // One count column per disposition, in AgentStatistics and the campaign statistics.
    for (const type of ['AgentStatistics', 'OutboundCampaignStatistics', 'InboundCampaignStatistics', 'AutodialCampaignStatistics'] as const) {
      expect(sim.statistics.columnNames(type)).toEqual(expect.arrayContaining(DISPOSITIONS));
    }
    expect(sim.statistics.columnNames('CampaignState')).toEqual(['Campaign Name', 'State', 'State Since']);
  });

  it('value formats: states, State Since, durations in ms, "N (M)", logged-out agents and [Default] included', async () => {
    const { sim, clock } = await setup();
    clock.advance(10 * 60_000);
    const agents = Object.values(sim.statistics.table('AgentState').rows);
    for (const r of agents) {
      expect(['Logged Out', 'Ready', 'Not Ready', 'On Call', 'After Call Work', 'On Voicemail']).toContain(r.State);
      expect(r['State Since']).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(r['State Duration']).toMatch(/^\d+$/);
      if (r['Reason Code']) expect(r['Reason Duration']).toMatch(/^\d+$/);
      else expect(r['Reason Duration']).toBe('');
      if (r.State === 'On Call') expect(['Inbound', 'Outbound', 'Manual']).toContain(r['Call Type']);
      if (r.State === 'Ready' || r.State === 'Not Ready' || r.State === 'Logged Out') expect(r['Call Type']).toBe('');
    }
    expect(agents.some((r) => r.State === 'Logged Out')).toBe(true);
    expect(agents.some((r) => r.State !== 'Logged Out')).toBe(true);
    expect(agents.find((r) => r.Username === 'jsmith@example-domain.com')).toBeDefined();

    const skills = sim.statistics.table('ACDStatus').rows;
    expect(skills['[Default]']).toBeDefined();
    for (const r of Object.values(skills)) {
      expect(r['Agents Logged In']).toMatch(/^\d+ \(\d+\)$/);
      for (const c of ['Calls In Queue', 'Current Longest Queue Time', 'Longest Queue Time', 'Agents On Call']) expect(r[c]).toMatch(/^\d+$/);
    }
    for (const r of Object.values(sim.statistics.table('AgentStatistics').rows)) {
      const perDisposition = sim.domain.dispositions.reduce((sum, d) => sum + Number(r[d]), 0);
      expect(perDisposition).toBe(Number(r['Total Calls']));
      expect(r['Avg Handle Time']).toMatch(/^\d+$/);
    }
    for (const r of Object.values(sim.statistics.table('InboundCampaignStatistics').rows)) expect(r['Service Level']).toMatch(/^\d+\.\d\d%$/);
  });

  it('with columnNames: the requested columns in the requested order; updates carry only those', async () => {
    const { sim, client, clock } = await setup();
    const s = await snapshot(client, 'AgentStatistics', ['Total Calls', 'Username', 'Sale']);
    expect(s.columns.values.data).toEqual(['Total Calls', 'Username', 'Sale']);
    const truth = sim.statistics.table('AgentStatistics');
    expect(s.rows).toHaveLength(Object.keys(truth.rows).length);
    for (const r of s.rows ?? []) {
      const [calls, user, sale] = r.values.data as string[];
      expect(truth.rows[user]['Total Calls']).toBe(calls);
      expect(truth.rows[user].Sale).toBe(sale);
    }
    clock.advance(15 * 60_000);
    const { update } = await poll(sim, client, clock, 'AgentStatistics', s.timestamp);
    expect(update).not.toBeNull();
    expect(update!.dataUpdate!.some((d) => d.columnName === 'Total Calls')).toBe(true);
    for (const d of update!.dataUpdate!) expect(['Total Calls', 'Sale']).toContain(d.columnName);
  });

  it('an unknown column answers UnknownColumnFault', async () => {
    const { client } = await setup();
    const f = await faultOf(client.run('getStatistics', { statisticType: 'AgentState', columnNames: { values: { data: ['Username', 'Shoe Size'] } } }));
    expect(f.fault).toBe('UnknownColumnFault');
    expect(f.message).toContain('Shoe Size');
    // A column of another type is unknown too.
    expect((await faultOf(client.run('getStatistics', { statisticType: 'ACDStatus', columnNames: { values: { data: ['Username'] } } }))).fault).toBe('UnknownColumnFault');
  });
});

describe('long poll', () => {
  it('holds the request until the clock moves past a batch, then answers the changes', async () => {
    const { sim, client, clock } = await setup();
    const s = await snapshot(client, 'AgentState');
    const { update, held } = await poll(sim, client, clock, 'AgentState', s.timestamp, 30_000);
    expect(held).toBe(true);
    expect(update).not.toBeNull();
    expect(update!.type).toBe('AgentState');
    expect(update!.previousTimestamp).toBe(s.timestamp);
    expect(update!.lastTimestamp).toBeGreaterThan(s.timestamp);
    expect(update!.lastTimestamp).toBeLessThanOrEqual(clock.now());
    const truth = sim.statistics.table('AgentState');
    for (const d of update!.dataUpdate ?? []) {
      expect(truth.columns).toContain(d.columnName);
      expect(d.columnName).not.toBe('Username');
    }
    // Applying the update to the snapshot gives the engine's table.
    const t = local(s);
    apply(t, update!);
    expect(rowsOf(t)).toEqual(truth.rows);
    expect(sim.statistics.waiting).toBe(0);
  });

  it('answers at once when changes are already there', async () => {
    const { sim, client, clock } = await setup();
    const s = await snapshot(client, 'ACDStatus');
    clock.advance(60_000);
    const { update, held } = await poll(sim, client, clock, 'ACDStatus', s.timestamp, 60_000);
    expect(held).toBe(false);
    expect(update).not.toBeNull();
  });

  it('answers empty (no <return>, output null) when the time-out passes without a change', async () => {
    const { sim, client, clock } = await setup();
    const s = await snapshot(client, 'CampaignState');
    const { update, held } = await poll(sim, client, clock, 'CampaignState', s.timestamp, 5000, 5000);
    expect(held).toBe(true);
    expect(update).toBeNull();
    // The cursor stays valid after an empty answer; a campaign started through the API shows up at once.
    await client.run('startCampaign', { campaignName: 'Outbound Sales' });
    const { update: started } = await poll(sim, client, clock, 'CampaignState', s.timestamp, 5000);
    expect(started!.dataUpdate).toContainEqual({ columnName: 'State', columnValue: 'RUNNING', objectName: 'Outbound Sales' });
  });

  it('is woken by a change published while it waits, and released when the simulator stops', async () => {
    const { sim, client, clock } = await setup();
    const s = await snapshot(client, 'AgentState');
    const p = client.run('getStatisticsUpdate', { statisticType: 'AgentState', previousTimestamp: s.timestamp, longPollingTimeout: 60_000 });
    while (sim.statistics.waiting === 0) await tick();
    const name = sim.statistics.addAgent({ local: 'newhire', fullName: 'New Hire' });
    const u = (await p).output as Update;
    expect(u.addedObjects?.values.data).toEqual([name]);
    expect(u.dataUpdate).toContainEqual({ columnName: 'State', columnValue: 'Logged Out', objectName: name });
    expect(clock.now()).toBe(Date.UTC(2026, 0, 5, 8, 0, 0));

    const pending = client.run('getStatisticsUpdate', { statisticType: 'AgentState', previousTimestamp: u.lastTimestamp, longPollingTimeout: 60_000 });
    let settled = false;
    pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (sim.statistics.waiting === 0) await tick();
    await sim.stop();
    sims.splice(sims.indexOf(sim), 1);
    while (!settled) await tick();
    expect(sim.statistics.waiting).toBe(0);
  });

  it('works on the wall clock too (real timers)', async () => {
    const { sim, url } = await startSimulator({ statistics: { batchMinMs: 20, batchMaxMs: 60 }, longPollMaxMs: 200 });
    sims.push(sim);
    const client = new Five9Client({ endpoint: url, username: USER, password: PASSWORD, apiVersion: 'v14' });
    clients.push(client);
    await client.run('setSessionParameters', SESSION);
    const s = (await client.run('getStatistics', { statisticType: 'AgentState' })).output as Snapshot;
    let update: Update | null = null;
    for (let i = 0; i < 50 && !update; i++) {
      update = (await client.run('getStatisticsUpdate', { statisticType: 'AgentState', previousTimestamp: s.timestamp, longPollingTimeout: 5000 })).output as Update | null;
    }
    expect(update).not.toBeNull();
    expect(update!.previousTimestamp).toBe(s.timestamp);
  });
});

describe('faults of getStatisticsUpdate', () => {
  it('StatisticsNotRequestedFault before getStatistics for that type in this session', async () => {
    const { client } = await setup();
    const f = await faultOf(client.run('getStatisticsUpdate', { statisticType: 'ACDStatus', previousTimestamp: 0, longPollingTimeout: 5000 }));
    expect(f.fault).toBe('StatisticsNotRequestedFault');
    const s = await snapshot(client, 'AgentState');
    expect((await faultOf(client.run('getStatisticsUpdate', { statisticType: 'ACDStatus', previousTimestamp: s.timestamp, longPollingTimeout: 5000 }))).fault).toBe('StatisticsNotRequestedFault');
    // A new session (setSessionParameters again) has requested nothing.
    await client.run('setSessionParameters', SESSION);
    expect((await faultOf(client.run('getStatisticsUpdate', { statisticType: 'AgentState', previousTimestamp: s.timestamp, longPollingTimeout: 5000 }))).fault).toBe('StatisticsNotRequestedFault');
  });

  it('UnknownTimestampFault for a time stamp never issued for that type; any issued one is accepted', async () => {
    const { sim, client, clock } = await setup();
    const agents = await snapshot(client, 'AgentState');
    clock.advance(1000);
    const skills = await snapshot(client, 'ACDStatus');
    expect(skills.timestamp).not.toBe(agents.timestamp);
    for (const wrong of [agents.timestamp - 1, agents.timestamp + 1, 1295893918397, skills.timestamp]) {
      const f = await faultOf(client.run('getStatisticsUpdate', { statisticType: 'AgentState', previousTimestamp: wrong, longPollingTimeout: 5000 }));
      expect(f.fault).toBe('UnknownTimestampFault');
    }
    clock.advance(60_000);
    const first = (await poll(sim, client, clock, 'AgentState', agents.timestamp)).update!;
    clock.advance(60_000);
    // The old cursor again: the changes accumulated since it, merged (latest value per object and column).
    const again = (await poll(sim, client, clock, 'AgentState', agents.timestamp)).update!;
    expect(again.previousTimestamp).toBe(agents.timestamp);
    const keys = (u: Update) => new Set((u.dataUpdate ?? []).map((d) => `${d.objectName}\n${d.columnName}`));
    expect(keys(again).size).toBe(again.dataUpdate!.length);
    for (const k of keys(first)) expect(keys(again).has(k) || (again.deletedObjects?.values.data ?? []).includes(k.split('\n')[0])).toBe(true);
    const t = local(agents);
    apply(t, again);
    expect(rowsOf(t)).toEqual(sim.statistics.table('AgentState').rows);
    // And the cursor of the first answer.
    const next = (await poll(sim, client, clock, 'AgentState', first.lastTimestamp)).update!;
    expect(next.previousTimestamp).toBe(first.lastTimestamp);
  });

  it('ConfigurationChangedFault after a disposition is added, until getStatistics again', async () => {
    const { sim, client, clock } = await setup();
    const stats = await snapshot(client, 'AgentStatistics');
    const states = await snapshot(client, 'AgentState');
    // A poll waiting when the configuration changes gets the fault too.
    const waiting = client.run('getStatisticsUpdate', { statisticType: 'AgentStatistics', previousTimestamp: stats.timestamp, longPollingTimeout: 60_000 });
    while (sim.statistics.waiting === 0) await tick();
    sim.domain.addDisposition('Callback Requested');
    expect((await faultOf(waiting)).fault).toBe('ConfigurationChangedFault');
    clock.advance(60_000);
    expect((await faultOf(client.run('getStatisticsUpdate', { statisticType: 'AgentStatistics', previousTimestamp: stats.timestamp, longPollingTimeout: 5000 }))).fault).toBe(
      'ConfigurationChangedFault',
    );
    // Types without disposition columns are not affected.
    expect((await poll(sim, client, clock, 'AgentState', states.timestamp)).update).not.toBeNull();

    const columns = ((await client.run('getColumnNames', { statisticType: 'AgentStatistics' })).output as Row).values.data;
    expect(columns![columns!.length - 1]).toBe('Callback Requested');
    expect(((await client.run('getDispositionsNames')).output as string[])).toContain('Callback Requested');
    const again = await snapshot(client, 'AgentStatistics');
    expect(again.columns.values.data).toContain('Callback Requested');
    const t = local(again);
    expect(rowsOf(t)).toEqual(sim.statistics.table('AgentStatistics').rows);
    const { update } = await poll(sim, client, clock, 'AgentStatistics', again.timestamp, 10 * 60_000);
    apply(t, update!);
    expect(rowsOf(t)).toEqual(sim.statistics.table('AgentStatistics').rows);
    // Cursors of the old configuration are gone.
    expect((await faultOf(client.run('getStatisticsUpdate', { statisticType: 'AgentStatistics', previousTimestamp: stats.timestamp, longPollingTimeout: 5000 }))).fault).toBe(
      'UnknownTimestampFault',
    );
  });

  it('OperationsLimitExceededFault beyond 30 getStatisticsUpdate a minute (client quotas off), counted by getCallCountersState', async () => {
    const { sim, client, clock } = await setup({ quotas: undefined, longPollMaxMs: 1 });
    const s = await snapshot(client, 'CampaignState');
    for (let i = 0; i < 30; i++) {
      const { update } = await poll(sim, client, clock, 'CampaignState', s.timestamp);
      expect(update).toBeNull();
    }
    const f = await faultOf(client.run('getStatisticsUpdate', { statisticType: 'CampaignState', previousTimestamp: s.timestamp, longPollingTimeout: 5000 }));
    expect(f.fault).toBe('OperationsLimitExceededFault');
    expect(f.fields).toMatchObject({ limit: 30, operationType: 'QueryChangedStatistics' });
    const counters = (await client.run('getCallCountersState')).output as Array<{ timeout: number; callCounterStates: Array<{ operationType: string; limit: number; value: number }> }>;
    const minute = counters.find((c) => c.timeout === 60)!.callCounterStates.find((c) => c.operationType === 'QueryChangedStatistics');
    expect(minute).toEqual({ limit: 30, operationType: 'QueryChangedStatistics', value: 30 });
    clock.advance(60_000);
    expect((await poll(sim, client, clock, 'CampaignState', s.timestamp)).update).toBeNull();
  });
});

describe('added and deleted objects', () => {
  it('agents, skills and campaigns added and removed arrive as addedObjects / deletedObjects', async () => {
    const { sim, client, clock } = await setup();
    const types = ['AgentState', 'AgentStatistics', 'ACDStatus', 'CampaignState', 'InboundCampaignStatistics'] as const;
    const tables = new Map<StatisticType, LocalTable>();
    for (const type of types) tables.set(type, local(await snapshot(client, type)));

    const hired = sim.statistics.addAgent({ fullName: 'Rita Hayworth', skills: ['Sales'] });
    const leaver = Object.values(sim.statistics.table('AgentState').rows).find((r) => r.State === 'Logged Out' && !r.Username.startsWith('jsmith'))!.Username;
    sim.statistics.removeAgent(leaver);
    sim.statistics.addSkill('Mortgages');
    sim.statistics.addCampaign('Mortgage Hotline', 'INBOUND');
    sim.statistics.removeCampaign('Inbound Support');

    const expected: Record<string, { added: string[]; deleted: string[] }> = {
      AgentState: { added: [hired], deleted: [leaver] },
      AgentStatistics: { added: [hired], deleted: [leaver] },
      ACDStatus: { added: ['Mortgages'], deleted: [] },
      CampaignState: { added: ['Mortgage Hotline'], deleted: ['Inbound Support'] },
      InboundCampaignStatistics: { added: ['Mortgage Hotline'], deleted: ['Inbound Support'] },
    };
    for (const type of types) {
      const t = tables.get(type)!;
      const { update, held } = await poll(sim, client, clock, type, t.cursor, 1000);
      expect(held).toBe(false);
      expect(update!.addedObjects?.values.data ?? []).toEqual(expected[type].added);
      expect(update!.deletedObjects?.values.data ?? []).toEqual(expected[type].deleted);
      apply(t, update!);
      expect(rowsOf(t)).toEqual(sim.statistics.table(type).rows);
    }
    expect(sim.domain.users.some((u) => u.name === hired)).toBe(true);
    expect(sim.domain.users.some((u) => u.name === leaver)).toBe(false);
    expect(sim.statistics.table('AgentState').rows[hired]['Full Name']).toBe('Rita Hayworth');
  });

  it('a state forced by a control method is published at once', async () => {
    const { sim, client, clock } = await setup();
    const s = await snapshot(client, 'AgentState', ['Username', 'State', 'Reason Code']);
    sim.statistics.setAgentState('jsmith', 'Not Ready', 'Lunch');
    const { update, held } = await poll(sim, client, clock, 'AgentState', s.timestamp, 1000);
    expect(held).toBe(false);
    expect(update!.dataUpdate).toEqual(
      expect.arrayContaining([
        { columnName: 'State', columnValue: 'Not Ready', objectName: 'jsmith@example-domain.com' },
        { columnName: 'Reason Code', columnValue: 'Lunch', objectName: 'jsmith@example-domain.com' },
      ]),
    );
    expect(sim.domain.users.find((u) => u.name === 'jsmith@example-domain.com')!.loggedIn).toBe(true);
  });

  it('the default API version (before v3) has no addedObjects: the new row comes as data updates only', async () => {
    const { sim, url } = await startSimulator({ clock: new VirtualClock(Date.UTC(2026, 0, 5, 8, 0, 0)), quotas: RAISED });
    sims.push(sim);
    const client = new Five9Client({ endpoint: url, username: USER, password: PASSWORD, apiVersion: 'default', quotas: false });
    clients.push(client);
    await client.run('setSessionParameters', { viewSettings: { shiftStart: 28800000, timeZone: -25200000 } });
    const s = await snapshot(client, 'AgentState');
    const name = sim.statistics.addAgent();
    const u = (await client.run('getStatisticsUpdate', { statisticType: 'AgentState', previousTimestamp: s.timestamp, longPollingTimeout: 5000 })).output as Update;
    expect(u.addedObjects).toBeUndefined();
    expect(u.dataUpdate).toContainEqual({ columnName: 'Full Name', columnValue: sim.statistics.table('AgentState').rows[name]['Full Name'], objectName: name });
  });

  it('an object added and deleted between two polls is in neither list', async () => {
    const { sim, client, clock } = await setup();
    const s = await snapshot(client, 'AgentState');
    const name = sim.statistics.addAgent();
    sim.statistics.removeAgent(name);
    const { update } = await poll(sim, client, clock, 'AgentState', s.timestamp, 5000);
    for (const u of [update?.addedObjects?.values.data ?? [], update?.deletedObjects?.values.data ?? []]) expect(u).not.toContain(name);
    expect((update?.dataUpdate ?? []).some((d) => d.objectName === name)).toBe(false);
  });
});

describe('determinism', () => {
  it('the same seed gives the same tables whether the clock jumps ten minutes at once or moves a second at a time', async () => {
    const a = await setup({ seed: 11 }, false);
    const b = await setup({ seed: 11 }, false);
    a.clock.advance(10 * 60_000);
    for (let i = 0; i < 600; i++) {
      b.clock.advance(1000);
      b.sim.statistics.advance();
    }
    for (const type of STATISTIC_TYPES) expect(a.sim.statistics.table(type)).toEqual(b.sim.statistics.table(type));
    const c = await setup({ seed: 12 }, false);
    c.clock.advance(10 * 60_000);
    expect(c.sim.statistics.table('AgentState')).not.toEqual(a.sim.statistics.table('AgentState'));
  });

  it('batches come every 1–6 s of simulated time', async () => {
    const { sim, clock } = await setup({ size: { agents: 200 } }, false);
    clock.advance(5 * 60_000);
    const ts = sim.statistics.batchSizes('AgentState').map((b) => b.ts);
    expect(ts.length).toBeGreaterThan(5 * 60 / 6 - 2);
    for (let i = 1; i < ts.length; i++) expect(ts[i] - ts[i - 1]).toBeGreaterThanOrEqual(1000);
    expect(ts.length).toBeLessThanOrEqual(5 * 60);
  });
});

describe('a busy domain over simulated minutes', () => {
  it('a table built from getStatistics and the updates of every type equals the engine table exactly', async () => {
    const { sim, client, clock } = await setup({ seed: 5, size: { agents: 80, campaigns: 15, skills: 6 }, longPollMaxMs: 15, statistics: { activity: 2 } });
    const tables = new Map<StatisticType, LocalTable>();
    for (const type of STATISTIC_TYPES) tables.set(type, local(await snapshot(client, type)));
    const seen = { updates: 0, empty: 0, added: 0, deleted: 0, resyncs: 0 };
    let step = 0;
    const round = async () => {
      for (const type of STATISTIC_TYPES) {
        const t = tables.get(type)!;
        try {
          const { update } = await poll(sim, client, clock, type, t.cursor);
          if (!update) {
            seen.empty++;
            continue;
          }
          seen.updates++;
          seen.added += update.addedObjects?.values.data?.length ?? 0;
          seen.deleted += update.deletedObjects?.values.data?.length ?? 0;
          apply(t, update);
        } catch (e) {
          // The resync path: a configuration change means a new snapshot.
          expect((e as { fault?: string }).fault).toBe('ConfigurationChangedFault');
          seen.resyncs++;
          tables.set(type, local(await snapshot(client, type)));
        }
      }
    };
    for (let minute = 0; minute < 12; minute++) {
      for (const gap of [7_000, 13_000, 4_000, 21_000, 9_000, 6_000]) {
        clock.advance(gap);
        step++;
        if (step === 10) sim.statistics.addAgent();
        if (step === 20) await client.run('startCampaign', { campaignName: 'Outbound Sales' });
        if (step === 30) sim.domain.addDisposition('Callback Requested');
        if (step === 40) sim.statistics.addSkill('Mortgages');
        if (step === 50) sim.statistics.removeCampaign('Autodial Reminders');
        await round();
      }
    }
    await round();
    for (const type of STATISTIC_TYPES) {
      const truth = sim.statistics.table(type);
      const t = tables.get(type)!;
      expect({ type, columns: t.columns }).toEqual({ type, columns: truth.columns });
      expect(rowsOf(t)).toEqual(truth.rows);
    }
    expect(seen.updates).toBeGreaterThan(100);
    expect(seen.added).toBeGreaterThan(0);
    expect(seen.deleted).toBeGreaterThan(0);
    expect(seen.resyncs).toBe(4);
    // The domain did move: calls were taken and queued, campaigns counted.
    const agents = Object.values(sim.statistics.table('AgentStatistics').rows);
    expect(agents.reduce((n, r) => n + Number(r['Total Calls']), 0)).toBeGreaterThan(50);
    const acd = Object.values(sim.statistics.table('ACDStatus').rows);
    expect(acd.some((r) => Number(r['Longest Queue Time']) > 0)).toBe(true);
    const ocm = sim.statistics.table('OutboundCampaignManager').rows['Outbound Sales'];
    expect(Number(ocm['Dialing Attempts'])).toBeGreaterThan(0);
  });
});

describe('a large domain', () => {
  it('5,000 agents × 60 columns and 2,000-item updates decode correctly through the client', async () => {
    const fixed = STATISTIC_SPECS.AgentStatistics.columns.length + DISPOSITIONS.length;
    const { sim, client, clock } = await setup({ seed: 3, size: { agents: 4998, dispositions: 60 - fixed, campaigns: 15, skills: 10 } });
    const s = await snapshot(client, 'AgentStatistics');
    expect(s.columns.values.data).toHaveLength(60);
    expect(s.rows).toHaveLength(5000);
    const truth = sim.statistics.table('AgentStatistics');
    for (const i of [0, 1, 2500, 4999]) {
      const data = s.rows![i].values.data as string[];
      expect(data).toHaveLength(60);
      expect(data).toEqual(truth.columns.map((c) => truth.rows[data[0]][c]));
    }
    expect(rowsOf(local(s))).toEqual(truth.rows);

    const states = await snapshot(client, 'AgentState');
    const t = local(states);
    clock.advance(20_000);
    const { update } = await poll(sim, client, clock, 'AgentState', states.timestamp);
    expect(update!.dataUpdate!.length).toBeGreaterThanOrEqual(2000);
    apply(t, update!);
    expect(rowsOf(t)).toEqual(sim.statistics.table('AgentState').rows);
    // Single batches of that size happen in a domain this busy.
    expect(Math.max(...sim.statistics.batchSizes('AgentState').map((b) => b.items))).toBeGreaterThanOrEqual(1000);
  });
});
