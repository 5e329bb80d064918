/**
 * The wallboard's shared feed (FeedHub) in-process, against the real simulator, on a ScaledClock
 * (ten times the wall clock, shared by simulator, client and feed) so that polls paced at 3.6 s
 * come every 0.36 s. The page and the processes are tested in wallboard-page / wallboard-deploy.
 */
import { ScaledClock } from '../src/clock';
import { main } from '../src/cli';
import { Five9Client } from '../src/runtime';
import { Five9Simulator } from '../src/simulator';
import { Redactor } from '../src/util/redact';
import { FeedHub, panelsFor } from '../src/wallboard';
import type { ServerMessage } from '../src/wallboard/protocol';
import { until } from './wallboard-helpers';

jest.setTimeout(60_000);

const PASSWORD = 'hub-secret';

interface Setup {
  sim: Five9Simulator;
  client: Five9Client;
  hub: FeedHub;
  /** Every request the feed made: action and statistic type. */
  calls: Array<{ action: string; type?: string }>;
}

const open: Setup[] = [];

async function setup(user: string, options: { lingerMs?: number; types?: string[] } = {}): Promise<Setup> {
  const clock = new ScaledClock(10);
  const sim = new Five9Simulator({ clock, users: [{ username: user, password: PASSWORD }] });
  const { url } = await sim.start(0);
  const client = new Five9Client({ endpoint: url, username: user, password: PASSWORD, clock });
  const calls: Setup['calls'] = [];
  const run = client.run.bind(client);
  jest.spyOn(client, 'run').mockImplementation((action, input = {}) => {
    calls.push({ action, type: (input as Record<string, unknown>).statisticType as string | undefined });
    return run(action, input);
  });
  const hub = new FeedHub(client, {
    panels: panelsFor(client.manifest, options.types ?? ['AgentState', 'ACDStatus', 'CampaignState']),
    target: 'test',
    title: 'test',
    redactor: new Redactor().addBasic(user, PASSWORD),
    clock,
    lingerMs: options.lingerMs ?? 300,
    retryMinMs: 500,
  });
  const s = { sim, client, hub, calls };
  open.push(s);
  return s;
}

function tab(hub: FeedHub, types?: string[]): { messages: ServerMessage[]; leave: () => void } {
  const messages: ServerMessage[] = [];
  const leave = hub.subscribe(types, (data) => messages.push(JSON.parse(data) as ServerMessage));
  return { messages, leave };
}

const polls = (calls: Setup['calls'], type: string) => calls.filter((c) => c.action === 'getStatisticsUpdate' && c.type === type).length;
const statusOf = (messages: ServerMessage[]) => messages.filter((m) => m.t === 'status').at(-1);

afterEach(async () => {
  for (const s of open.splice(0)) {
    await s.hub.close();
    await s.client.close();
    await s.sim.stop();
  }
});

describe('FeedHub: one feed per target for every tab', () => {
  it('polls only the types some tab shows, sends each tab only its types, and polls nothing once no tab is left', async () => {
    const { sim, hub, calls } = await setup('union');
    const agents = tab(hub, ['AgentState']);
    const queues = tab(hub, ['ACDStatus']);
    await until('both tables and a few polls', () => polls(calls, 'AgentState') >= 2 && polls(calls, 'ACDStatus') >= 2);
    expect(hub.polling).toEqual(['AgentState', 'ACDStatus']);
    expect(calls.some((c) => c.type === 'CampaignState')).toBe(false);
    expect(agents.messages.some((m) => 'type' in m && m.type !== 'AgentState')).toBe(false);
    expect(queues.messages.some((m) => 'type' in m && m.type !== 'ACDStatus')).toBe(false);
    expect(agents.messages.find((m) => m.t === 'hello')).toMatchObject({ panels: [{ type: 'AgentState', key: 'Username' }] });
    // One session, one request at a time, whatever the number of tabs.
    expect(calls.filter((c) => c.action === 'setSessionParameters')).toHaveLength(1);
    expect(sim.sessions.size).toBe(1);
    expect(sim.overlaps).toBe(0);

    // The queues tab leaves: after the linger, ACDStatus is no longer polled.
    queues.leave();
    await until('the feed to drop ACDStatus', () => hub.polling.join() === 'AgentState');
    const dropped = calls.length;
    await until('three more AgentState polls', () => polls(calls.slice(dropped), 'AgentState') >= 3);
    expect(polls(calls.slice(dropped), 'ACDStatus')).toBe(0);

    // The last tab leaves: after the linger, nothing at all is polled.
    agents.leave();
    await until('the feed to stop', () => hub.polling.length === 0);
    await new Promise((r) => setTimeout(r, 1000)); // let a poll in flight end
    const stopped = calls.length;
    await new Promise((r) => setTimeout(r, 2000)); // five poll periods at this clock
    expect(calls.slice(stopped)).toEqual([]);
  });

  it('a reload within the linger costs no snapshot: the new tab gets the tables the hub holds', async () => {
    const { hub, calls } = await setup('reload', { lingerMs: 5000, types: ['AgentState'] });
    const first = tab(hub);
    await until('the first table', () => first.messages.some((m) => m.t === 'table'));
    first.leave();
    const second = tab(hub);
    const table = second.messages.find((m) => m.t === 'table');
    expect(table).toMatchObject({ type: 'AgentState', columns: ['Username', 'Full Name', 'State', 'State Duration', 'Reason Code', 'Campaign Name'] });
    expect(calls.filter((c) => c.action === 'getStatistics')).toHaveLength(1);
    second.leave();
  });

  it('shows a table as soon as it is loaded and says which wait for the QueryStatistics window', async () => {
    const { hub } = await setup('window');
    const t = tab(hub);
    // setSessionParameters and the AgentState snapshot use the minute's two QueryStatistics calls.
    await until('a waiting status', () => statusOf(t.messages)?.state === 'waiting');
    expect(statusOf(t.messages)).toMatchObject({ state: 'waiting', pending: ['ACDStatus', 'CampaignState'], reason: expect.stringMatching(/^QueryStatistics limit of 2 per minute reached/) });
    expect(t.messages.filter((m) => m.t === 'table').map((m) => (m as { type: string }).type)).toEqual(['AgentState']);
    await until('every table', () => t.messages.filter((m) => m.t === 'table').length === 3, 30_000);
    expect(statusOf(t.messages)).toMatchObject({ state: 'live' });
    t.leave();
  });

  it('a failed poll marks the board stale; the next good poll on the same feed makes it live again without a new snapshot', async () => {
    const { sim, hub, calls } = await setup('drop', { types: ['AgentState'] });
    const t = tab(hub);
    await until('live', () => statusOf(t.messages)?.state === 'live' && polls(calls, 'AgentState') >= 1);
    const snapshots = calls.filter((c) => c.action === 'getStatistics').length;
    sim.serviceUnavailable = true;
    await until('stale', () => statusOf(t.messages)?.state === 'stale');
    expect(statusOf(t.messages)).toMatchObject({ reason: expect.stringMatching(/ServiceUnavailableFault/) });
    sim.serviceUnavailable = false;
    await until('live again', () => statusOf(t.messages)?.state === 'live');
    const after = calls.length;
    await until('another poll', () => polls(calls.slice(after), 'AgentState') >= 1);
    expect(calls.filter((c) => c.action === 'getStatistics')).toHaveLength(snapshots);
    t.leave();
  });

  it("a resync of the feed (ConfigurationChangedFault) reaches every tab as a whole table, with the new column", async () => {
    const { sim, hub } = await setup('config', { types: ['AgentStatistics'] });
    const t = tab(hub);
    await until('the first table', () => t.messages.some((m) => m.t === 'table'));
    sim.domain.statistics.addDisposition('Wallboard Test');
    await until('a second table', () => t.messages.filter((m) => m.t === 'table').length === 2, 30_000);
    const resync = t.messages.filter((m) => m.t === 'table')[1] as Extract<ServerMessage, { t: 'table' }>;
    expect(resync).toMatchObject({ type: 'AgentStatistics', reason: 'ConfigurationChangedFault' });
    expect(resync.columns).toContain('Wallboard Test');
    expect(resync.rows.length).toBe(Object.keys(sim.domain.statistics.table('AgentStatistics').rows).length);
    t.leave();
  });

  it('closes the session only if it opened it', async () => {
    const opened = await setup('opener', { types: ['CampaignState'] });
    const a = tab(opened.hub);
    await until('live', () => statusOf(a.messages)?.state === 'live');
    expect(opened.hub.ownsSession).toBe(true);
    expect(await opened.hub.close()).toBe(true);
    expect(opened.sim.sessions.size).toBe(0);

    const found = await setup('finder', { types: ['CampaignState'] });
    const other = new Five9Client({ endpoint: found.sim.url, username: 'finder', password: PASSWORD, quotas: false });
    await other.run('setSessionParameters', { viewSettings: { idleTimeOut: 1800, shiftStart: 0, timeZone: 0 } });
    const b = tab(found.hub);
    await until('live', () => statusOf(b.messages)?.state === 'live');
    expect(found.hub.ownsSession).toBe(false);
    expect(await found.hub.close()).toBe(false);
    expect((await other.run('getSessionParameters')).exit).toBe('true');
    await other.close();
  });
});

describe('five9 wallboard: bad input', () => {
  async function cli(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['node', 'five9', 'wallboard', ...args], { out: (s) => out.push(s), err: (s) => err.push(s), env: {}, isTTY: false });
    return { code, out, err: err.join('\n') };
  }

  it('is one clear line naming the value and the rule, and nothing is served', async () => {
    const unknown = await cli(['Agents']);
    expect(unknown).toMatchObject({ code: 2, out: [] });
    expect(unknown.err).toMatch(/^five9: FIVE9_CONFIG: unknown statistic type "Agents": use AgentState, AgentStatistics, ACDStatus/);
    expect((await cli(['AgentState', 'AgentState'])).err).toMatch(/statistic type "AgentState" is named twice/);
    expect((await cli(['--port', '70000'])).err).toMatch(/--port must be a whole number from 0 to 65535, not "70000"/);
    expect((await cli(['--long-poll', '1000'])).err).toMatch(/--long-poll must be at least 5000 ms, not "1000"/);
    expect((await cli(['--endpoint', 'http://127.0.0.1:9'])).err).toMatch(/set FIVE9_USERNAME and FIVE9_PASSWORD/);
  });
});
