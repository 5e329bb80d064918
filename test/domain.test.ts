/**
 * The seeded contact centre behind the simulator: campaigns' life, the chat round trip with a
 * simulated agent, agent monitoring, extensible permissions, determinism and version gating.
 */
import { request } from 'node:http';
import { Five9Fault, Five9InputError } from '../src/errors';
import { loadManifest } from '../src/manifest';
import { Five9Client } from '../src/runtime';
import type { Five9Simulator, SimulatorOptions } from '../src/simulator';
import { SoapCodec } from '../src/soap';
import { PASSWORD, USER, rejectionOf, startSimulator } from './helpers';

const manifest = loadManifest();
const SESSION = { viewSettings: { forceLogoutSession: true, idleTimeOut: 1800, shiftStart: 28800000, timeZone: -25200000 } };

const sims: Five9Simulator[] = [];
const clients: Five9Client[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const s of sims.splice(0)) await s.stop();
});

async function connect(options: SimulatorOptions = {}, apiVersion = 'v14'): Promise<{ sim: Five9Simulator; client: Five9Client; url: string }> {
  const { sim, url } = await startSimulator(options);
  sims.push(sim);
  const client = new Five9Client({ endpoint: url, username: USER, password: PASSWORD, apiVersion });
  clients.push(client);
  return { sim, client, url };
}

async function faultOf(p: Promise<unknown>): Promise<Five9Fault> {
  const e = await rejectionOf(p);
  expect(e).toBeInstanceOf(Five9Fault);
  return e as Five9Fault;
}

async function campaignState(client: Five9Client, name: string): Promise<string> {
  const r = await client.run('getStatistics', { statisticType: 'CampaignState', columnNames: { values: { data: ['Campaign Name', 'State'] } } });
  const rows = (r.output as any).rows as Array<{ values: { data: string[] } }>;
  return rows.find((row) => row.values.data[0] === name)!.values.data[1];
}

describe('campaigns', () => {
  it('start, start again, stop, reset and their faults', async () => {
    const { client } = await connect();
    await client.run('setSessionParameters', SESSION);
    expect(await client.run('startCampaign', { campaignName: 'Outbound Sales' })).toMatchObject({ exit: 'success' });
    expect(await campaignState(client, 'Outbound Sales')).toBe('RUNNING');

    const again = await faultOf(client.run('startCampaign', { campaignName: 'Outbound Sales' }));
    expect(again.fault).toBe('CampaignStateUpdateFault');
    expect(again.fields).toMatchObject({ campaignName: 'Outbound Sales' });
    expect(typeof again.fields.details).toBe('string');

    // resetCampaign does not declare WrongCampaignStateFault (WSDL): it refuses a running campaign with CampaignStateUpdateFault.
    const resetRunning = await faultOf(client.run('resetCampaign', { campaignName: 'Outbound Sales' }));
    expect(resetRunning.fault).toBe('CampaignStateUpdateFault');
    const dispositionsRunning = await faultOf(client.run('resetCampaignDispositions', { campaignName: 'Outbound Sales', dispositions: ['Busy'] }));
    expect(dispositionsRunning.fault).toBe('WrongCampaignStateFault');
    expect(dispositionsRunning.fields).toMatchObject({ campaignName: 'Outbound Sales', actualState: 'RUNNING', desiredState: 'NOT_RUNNING' });

    await client.run('stopCampaign', { campaignName: 'Outbound Sales' });
    const stopped = await faultOf(client.run('stopCampaign', { campaignName: 'Outbound Sales' }));
    expect(stopped.fault).toBe('CampaignStateUpdateFault');
    const forceStopped = await faultOf(client.run('forceStopCampaign', { campaignName: 'Outbound Sales' }));
    expect(forceStopped.fault).toBe('CampaignStateUpdateFault');
    await client.run('resetCampaign', { campaignName: 'Outbound Sales' });
    await client.run('resetCampaignDispositions', { campaignName: 'Outbound Sales', dispositions: ['Busy', 'Sale'] });

    const inbound = await faultOf(client.run('resetCampaign', { campaignName: 'Inbound Support' }));
    expect(inbound.fault).toBe('WrongCampaignTypeFault');
    expect(inbound.fields).toMatchObject({ campaignName: 'Inbound Support', actualType: 'INBOUND', desiredTypes: ['OUTBOUND', 'AUTODIAL'] });

    const unknown = await faultOf(client.run('startCampaign', { campaignName: 'No Such Campaign' }));
    expect(unknown.fault).toBe('CampaignNotFoundFault');
    expect(unknown.fields).toMatchObject({ campaignName: 'No Such Campaign' });

    const disposition = await faultOf(client.run('resetCampaignDispositions', { campaignName: 'Outbound Sales', dispositions: ['Maybe Later'] }));
    expect(disposition.fault).toBe('DispositionNotFoundFault');
    expect(disposition.fields).toMatchObject({ dispositionName: 'Maybe Later' });

    const missing = await faultOf(client.run('startCampaign', {}));
    expect(missing.fault).toBe('MissedArgumentFault');
  });

  it('lists the system and domain dispositions', async () => {
    const { client } = await connect();
    await client.run('setSessionParameters', SESSION);
    const names = (await client.run('getDispositionsNames')).output as string[];
    expect(names).toEqual(expect.arrayContaining(['No Disposition', 'Busy', 'Sale', 'Not Interested', 'Call Back']));
  });
});

describe('chat', () => {
  it('round trip with a logged-in simulated agent, by long poll', async () => {
    const { client } = await connect();
    await client.run('setSessionParameters', SESSION);
    const users = (await client.run('getLoggedInUsers')).output; // typed from the action map: WsUserRoledId[]
    const agent = users.find((u) => u.roledId?.role === 'Agent')!.roledId!;

    const chatId = (await client.run('createChatSession')).output as string;
    expect(typeof chatId).toBe('string');
    await client.run('sendChatInvite', { chatId, user: agent });

    const first = (await client.run('receiveMessages', { previousTimestamp: 0, longPollingTimeout: 5000 })).output as any;
    expect(first.messages).toEqual([expect.objectContaining({ chatId, type: 'ARRIVED', from: agent })]);

    await client.run('sendMsgToChat', { chatId, text: 'Hello there' });
    const second = (await client.run('receiveMessages', { previousTimestamp: first.timestamp, longPollingTimeout: 5000 })).output as any;
    expect(second.messages).toEqual([expect.objectContaining({ chatId, type: 'CHAT', from: agent, text: expect.stringContaining('Hello there') })]);
    expect(second.timestamp).toBeGreaterThan(first.timestamp);

    await client.run('removeUserFromChat', { chatId, user: agent });
    await client.run('closeChatSession', { chatId });
    const closed = await faultOf(client.run('sendMsgToChat', { chatId, text: 'anyone?' }));
    expect(closed.fault).toBe('ChatFault');
    const unknown = await faultOf(client.run('closeChatSession', { chatId: 'NOPE' }));
    expect(unknown.fault).toBe('ChatFault');
  });

  it('a long poll with nothing to deliver answers empty at its time-out, and stop releases a pending one', async () => {
    const { sim, client } = await connect({ longPollMaxMs: 50 });
    await client.run('setSessionParameters', SESSION);
    const empty = (await client.run('receiveMessages', { previousTimestamp: 1234, longPollingTimeout: 5000 })).output as any;
    expect(empty).toEqual({ messages: [], timestamp: 1234 });

    const other = await connect();
    await other.client.run('setSessionParameters', SESSION);
    const pending = other.client.run('receiveMessages', { previousTimestamp: 0, longPollingTimeout: 600000 });
    await new Promise((r) => setTimeout(r, 50));
    await other.sim.stop();
    await pending.catch(() => undefined);
    expect(sim.requests.length).toBeGreaterThan(0);
  });

  it('broadcasts: ALL reaches the sender, an unknown specific skill or group is refused', async () => {
    const { client } = await connect();
    await client.run('setSessionParameters', SESSION);
    const skills = (await client.run('getMySkillsIds')).output as Array<{ id: number; name: string }>;
    const groups = (await client.run('getMyGroupIds')).output as Array<{ id: number; name: string }>;
    expect(skills.length).toBeGreaterThan(0);
    await client.run('sendBroadcastMessages', { type: 'SPEC_SKILL', specId: skills[0].id, text: 'hi' });
    await client.run('sendBroadcastMessages', { type: 'SPEC_AGENT_GROUP', specId: groups[0].id, text: 'hi' });
    expect((await faultOf(client.run('sendBroadcastMessages', { type: 'SPEC_SKILL', specId: 1, text: 'hi' }))).fault).toBe('IncorrectArgumentFault');
    expect((await faultOf(client.run('sendBroadcastMessages', { type: 'SPEC_AGENT_GROUP', specId: 1, text: 'hi' }))).fault).toBe('IncorrectArgumentFault');
    await client.run('sendBroadcastMessages', { type: 'ALL', specId: 0, text: 'Team meeting' });
    const got = (await client.run('receiveMessages', { previousTimestamp: 0, longPollingTimeout: 5000 })).output as any;
    expect(got.messages).toEqual([expect.objectContaining({ type: 'BROADCAST', text: 'Team meeting' })]);
  });
});

describe('agent monitoring', () => {
  it('station login, monitoring and its faults', async () => {
    const { client } = await connect();
    const before = await faultOf(client.run('startMonitoring', { agentName: 'jsmith', monitoringMode: 'Silence' }));
    expect(before.fault).toBe('StationNotLoggedInFault');
    expect((await faultOf(client.run('reconnectStation'))).fault).toBe('StationNotLoggedInFault');

    const nostation = await faultOf(client.run('loginStation', { stationName: 'no-such-station', forceLogoutSession: true }));
    expect(nostation.fault).toBe('StationNotFoundFault');
    expect(nostation.fields).toMatchObject({ stationName: 'no-such-station' });

    const params = (await client.run('loginStation', { stationName: 'station-2', forceLogoutSession: false })).output as any;
    expect(params).toMatchObject({ name: 'station-2', codecParameters: { codecs: expect.any(Array), ptime: 20 } });
    expect((await client.run('reconnectStation')).output).toBe('CONNECT');

    await client.run('startMonitoring', { agentName: 'jsmith', monitoringMode: 'BargeIn' });
    const twice = await faultOf(client.run('startMonitoring', { agentName: 'jsmith', monitoringMode: 'Silence' }));
    expect(twice.fault).toBe('AgentMonitorFault');
    expect(twice.fields).toMatchObject({ agentName: 'jsmith', monitorError: expect.any(String) });
    expect((await client.run('getMonitoringSupervisors', { agentName: 'jsmith' })).output).toEqual([{ mode: 'BargeIn', supervisorName: USER }]);

    const nobody = await faultOf(client.run('startMonitoring', { agentName: 'nobody', monitoringMode: 'Silence' }));
    expect(nobody.fault).toBe('AgentNotFoundFault');
    expect(nobody.fields).toMatchObject({ agentName: 'nobody' });

    await client.run('stopMonitoring', { agentName: 'jsmith' });
    expect((await client.run('getMonitoringSupervisors', { agentName: 'jsmith' })).output).toEqual([]);
  });
});

describe('users', () => {
  it('with the newer-values scenario getMyPermissions includes a newer type no WSDL lists, and the client accepts it', async () => {
    const { client } = await connect({ scenarios: ['newer-values'] });
    await client.run('setSessionParameters', SESSION);
    const perms = (await client.run('getMyPermissions')).output as Array<{ type: string; value: boolean }>;
    expect(perms).toContainEqual({ type: 'CanMonitorIdleAgents', value: true });
    expect(perms.map((p) => p.type)).toEqual(expect.arrayContaining(['CampaignManagementStart', 'CallMonitoring']));
  });

  it('by default getMyPermissions answers only the values the version\'s WSDL lists', async () => {
    const { client } = await connect();
    await client.run('setSessionParameters', SESSION);
    const types = ((await client.run('getMyPermissions')).output as Array<{ type: string }>).map((p) => p.type);
    expect(types).not.toContain('CanMonitorIdleAgents');
    expect(types).toContain('CampaignManagementResetAbandonCallRate');
  });

  it('the same seed gives the same logged-in users, another seed differs', async () => {
    const names = async (seed: number) => {
      const { client } = await connect({ seed });
      await client.run('setSessionParameters', SESSION);
      return (await client.run('getLoggedInUsers')).output as Array<{ name: string; roledId: { role: string; userId: number } }>;
    };
    const a = await names(42);
    const b = await names(42);
    const c = await names(7);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    for (const u of a) expect(String(u.roledId.userId)).toMatch(/^\d{7}$/);
  });

  it('user limits and API versions', async () => {
    const { client } = await connect();
    const limits = (await client.run('getUserLimits')).output;
    expect(Object.keys(limits).sort()).toEqual(['mobileLimit', 'mobileLoggedin', 'supervisorLimit', 'supervisorsLoggedin']);
    expect((await client.run('getApiVersions')).output).toEqual({ maxVersion: 'v14', minVersion: 'default' });
  });
});

describe('statistics', () => {
  it('columns, rows, unknown columns and updates', async () => {
    const { client } = await connect({ longPollMaxMs: 50 });
    await client.run('setSessionParameters', SESSION);
    const cols = (await client.run('getColumnNames', { statisticType: 'ACDStatus' })).output as any;
    expect(cols.values.data[0]).toBe('Skill Name');
    // The action maps the resync faults to its `resync` exit.
    const notRequested = await client.run('getStatisticsUpdate', { statisticType: 'AgentState', previousTimestamp: 0, longPollingTimeout: 5000 });
    expect(notRequested.fault?.name).toBe('StatisticsNotRequestedFault');
    const stats = (await client.run('getStatistics', { statisticType: 'AgentState' })).output as any;
    expect(stats.columns.values.data[0]).toBe('Username');
    expect(stats.rows.length).toBeGreaterThan(0);
    const none = await client.run('getStatisticsUpdate', { statisticType: 'AgentState', previousTimestamp: stats.timestamp, longPollingTimeout: 5000 });
    expect(none.output).toBeNull();
  });

  it('a campaign started after getStatistics shows up in the CampaignState update', async () => {
    const { client } = await connect();
    await client.run('setSessionParameters', SESSION);
    const stats = (await client.run('getStatistics', { statisticType: 'CampaignState' })).output as any;
    await client.run('startCampaign', { campaignName: 'Autodial Reminders' });
    const update = (await client.run('getStatisticsUpdate', { statisticType: 'CampaignState', previousTimestamp: stats.timestamp, longPollingTimeout: 5000 })).output as any;
    expect(update.previousTimestamp).toBe(stats.timestamp);
    expect(update.dataUpdate).toContainEqual({ columnName: 'State', columnValue: 'RUNNING', objectName: 'Autodial Reminders' });
  });

  it('an unknown column is refused with UnknownColumnFault', async () => {
    const { client } = await connect();
    await client.run('setSessionParameters', SESSION);
    const unknownColumn = await faultOf(client.run('getStatistics', { statisticType: 'AgentState', columnNames: { values: { data: ['Username', 'Shoe Size'] } } }));
    expect(unknownColumn.fault).toBe('UnknownColumnFault');
  });
});

describe('version gating', () => {
  it('the client refuses startCampaign in the default version, naming v3, and sends nothing', async () => {
    const { sim, client } = await connect({}, 'default');
    const e = await rejectionOf(client.run('startCampaign', { campaignName: 'Outbound Sales' }));
    expect(e).toBeInstanceOf(Five9InputError);
    expect(e.code).toBe('FIVE9_UNSUPPORTED_VERSION');
    expect(e.message).toContain('v3');
    expect(sim.requests).toEqual([]);
  });

  it('with v3 it works', async () => {
    const { client } = await connect({}, 'v3');
    expect((await client.run('startCampaign', { campaignName: 'Outbound Sales' })).exit).toBe('success');
  });

  it('the simulator answers a Client fault for a v3 operation posted to the default path', async () => {
    const { url } = await connect();
    const codec = new SoapCodec(manifest.registry, manifest.raw.protocol.namespace);
    const body = codec.request('startCampaign', { campaignName: 'Outbound Sales' }, manifest.action('startCampaign').input as any);
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${url}/wssupervisor/SupervisorWebService`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml;charset=UTF-8', authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`, connection: 'close' },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(answer.status).toBe(500);
    expect(answer.text).toContain('env:Client');
    expect(answer.text).toContain('startCampaign');
  });
});
