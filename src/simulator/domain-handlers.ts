import { enumValueIn, latestVersion, versionHas } from '../manifest';
import { schemaRegistry } from '../schemas';
import type { Handler, SimulatorContext } from './context';
import { type DomainUser, NEWER_PERMISSIONS, type RoledId } from './directory';
import { SimFault } from './state';

// The permission types come from the schema (one source); each version filters them as its WSDL does.
const PERMISSION_SCHEMA = schemaRegistry().resolve({ $ref: 'supervisorPermissionType.json' });
const PERMISSION_TYPES = PERMISSION_SCHEMA.enum as string[];
const NOT_GRANTED = new Set(['BillingInfo', 'NICEEnabled', 'ReviewVoiceRecordings']);

function required(input: Record<string, any>, field: string): any {
  const v = input[field];
  if (v === undefined || v === null || v === '') throw new SimFault('MissedArgumentFault', { message: `${field} is required` });
  return v;
}

function roled(u: DomainUser): RoledId {
  return { role: u.role, userId: u.id };
}

/** The domain user a wsRoledId names (simulated users only), else IncorrectArgumentFault. */
function target(ctx: SimulatorContext, user: RoledId | undefined): DomainUser {
  if (!user) throw new SimFault('MissedArgumentFault', { message: 'user is required' });
  const u = ctx.domain.userById(user.userId);
  if (!u || (user.role && user.role !== u.role)) throw new SimFault('IncorrectArgumentFault', { message: `User ${user.role ?? ''} ${user.userId} not found` });
  return u;
}

function apiUsers(ctx: SimulatorContext): string[] {
  return [...ctx.sessions.keys()];
}

// ---- campaigns ----

function transient(c: { name: string; state: string }): void {
  if (c.state === 'STARTING' || c.state === 'STOPPING' || c.state === 'RESETTING') {
    throw new SimFault('ConcurrentModificationFault', { message: `Campaign "${c.name}" is ${c.state}; try again later` });
  }
}

const campaigns: Record<string, Handler> = {
  startCampaign(ctx, input) {
    const c = ctx.domain.campaign(input.campaignName);
    transient(c);
    if (c.state === 'RUNNING') throw new SimFault('CampaignStateUpdateFault', { campaignName: c.name, details: 'Campaign is already running', message: `Campaign "${c.name}" is already running` });
    ctx.domain.setState(c, 'STARTING');
    ctx.domain.setState(c, 'RUNNING');
    return null;
  },
  stopCampaign(ctx, input) {
    return stop(ctx, input, false);
  },
  forceStopCampaign(ctx, input) {
    return stop(ctx, input, true);
  },
  resetCampaign(ctx, input) {
    const c = ctx.domain.campaign(input.campaignName);
    if (c.type === 'INBOUND') {
      throw new SimFault('WrongCampaignTypeFault', { campaignName: c.name, actualType: c.type, desiredTypes: ['OUTBOUND', 'AUTODIAL'], message: `Campaign "${c.name}" is INBOUND` });
    }
    transient(c);
    if (c.state !== 'NOT_RUNNING') {
      throw new SimFault('CampaignStateUpdateFault', { campaignName: c.name, details: `Campaign is ${c.state}; stop it first`, message: `Campaign "${c.name}" cannot be reset while ${c.state}` });
    }
    ctx.domain.setState(c, 'RESETTING');
    ctx.domain.setState(c, 'NOT_RUNNING');
    return null;
  },
  resetCampaignDispositions(ctx, input) {
    const c = ctx.domain.campaign(input.campaignName);
    for (const d of input.dispositions ?? []) {
      if (!ctx.domain.dispositions.includes(d)) throw new SimFault('DispositionNotFoundFault', { dispositionName: d, message: `Disposition "${d}" not found` });
    }
    if (c.state !== 'NOT_RUNNING') {
      throw new SimFault('WrongCampaignStateFault', { campaignName: c.name, actualState: c.state, desiredState: 'NOT_RUNNING', message: `Campaign "${c.name}" is ${c.state}` });
    }
    if (input.after && input.before && Date.parse(input.after) >= Date.parse(input.before)) {
      throw new SimFault('IncorrectArgumentFault', { message: '"after" must be earlier than "before"' });
    }
    return null;
  },
  getDispositionsNames(ctx) {
    return [...ctx.domain.dispositions];
  },
};

function stop(ctx: SimulatorContext, input: Record<string, any>, force: boolean): null {
  const c = ctx.domain.campaign(input.campaignName);
  if (!force) transient(c);
  if (c.state !== 'RUNNING' && !(force && (c.state === 'STARTING' || c.state === 'STOPPING'))) {
    throw new SimFault('CampaignStateUpdateFault', { campaignName: c.name, details: `Campaign is ${c.state}`, message: `Campaign "${c.name}" is not running` });
  }
  if (!force) ctx.domain.setState(c, 'STOPPING');
  ctx.domain.setState(c, 'NOT_RUNNING');
  return null;
}

// ---- users ----

const users: Record<string, Handler> = {
  getLoggedInUsers(ctx) {
    const seeded = ctx.domain.users.filter((u) => u.loggedIn).map((u) => ({ name: u.name, roledId: roled(u) }));
    const api = apiUsers(ctx).map((u) => ({ name: u, roledId: ctx.domain.self(u) }));
    return [...seeded, ...api];
  },
  getMySkillsIds(ctx) {
    return ctx.domain.mySkills();
  },
  getMyGroupIds(ctx) {
    return ctx.domain.myGroups();
  },
  getMyPermissions(ctx) {
    // Each version names the permissions as its WSDL does (ResetDialerDCP in v3, ResetAbandonCallRate
    // from v4); values no WSDL lists come only with the newer-values scenario.
    const listed = PERMISSION_TYPES.filter((type) => enumValueIn(PERMISSION_SCHEMA, type, ctx.version)).map((type) => ({ type, value: !NOT_GRANTED.has(type) }));
    return ctx.scenarios.has('newer-values') ? [...listed, ...NEWER_PERMISSIONS.map((type) => ({ type, value: true }))] : listed;
  },
  getUserLimits(ctx) {
    return { mobileLimit: 0, mobileLoggedin: 0, ...ctx.tenant.seats() };
  },
  getApiVersions(ctx) {
    return { maxVersion: latestVersion(ctx.manifest.raw), minVersion: 'default' };
  },
};

// ---- chat ----

const chat: Record<string, Handler> = {
  createChatSession(ctx) {
    const id = ctx.domain.newChatId();
    const me = ctx.domain.self(ctx.user);
    ctx.domain.openChat({ id, participants: new Map([[me.userId, me]]), invited: new Map() });
    return id;
  },
  sendChatInvite(ctx, input) {
    const c = ctx.domain.chat(input.chatId);
    const u = target(ctx, input.user);
    if (!u.loggedIn) throw new SimFault('ChatFault', { message: `User ${u.name} is not logged in` });
    if (c.participants.has(u.id)) return null; // already in the chat: nothing to do
    const who = roled(u);
    c.invited.set(u.id, who);
    const domain = ctx.domain;
    const sessions = ctx.sessions;
    domain.later(() => {
      if (!domain.chats.has(c.id) || !c.invited.has(u.id)) return;
      c.invited.delete(u.id);
      c.participants.set(u.id, who);
      domain.deliver(domain.apiUsersIn(c, sessions.keys()), { chatId: c.id, from: who, participants: [...c.participants.values()], type: 'ARRIVED' });
    });
    return null;
  },
  acceptChatInvite(ctx, input) {
    const c = ctx.domain.chat(input.chatId);
    const me = ctx.domain.self(ctx.user);
    if (input.accepted) {
      const others = ctx.domain.apiUsersIn(c, ctx.sessions.keys());
      c.participants.set(me.userId, me);
      ctx.domain.deliver(others, { chatId: c.id, from: me, participants: [...c.participants.values()], type: 'ARRIVED' });
    }
    return null;
  },
  sendMsgToChat(ctx, input) {
    const c = ctx.domain.chat(input.chatId);
    const me = ctx.domain.self(ctx.user);
    const text = String(input.text ?? '');
    const others = ctx.domain.apiUsersIn(c, ctx.sessions.keys()).filter((u) => u !== ctx.user);
    ctx.domain.deliver(others, { chatId: c.id, from: me, text, type: 'CHAT' });
    const domain = ctx.domain;
    const sessions = ctx.sessions;
    // Every simulated agent in the chat (or about to join it) answers.
    for (const agent of [...c.participants.values(), ...c.invited.values()].filter((p) => p.role === 'Agent')) {
      domain.later(() => {
        if (!domain.chats.has(c.id) || !c.participants.has(agent.userId)) return;
        domain.deliver(domain.apiUsersIn(c, sessions.keys()), { chatId: c.id, from: agent, text: `Re: ${text}`, type: 'CHAT' });
      }, domain.agentDelayMs * 2);
    }
    return null;
  },
  sendInfoMessage(ctx, input) {
    target(ctx, input.user);
    return null;
  },
  sendBroadcastMessages(ctx, input) {
    const type = input.type ?? 'ALL';
    const me = ctx.domain.self(ctx.user);
    if (type === 'SPEC_SKILL' && !ctx.domain.mySkills().some((s) => s.id === input.specId)) {
      throw new SimFault('IncorrectArgumentFault', { message: `Skill ${input.specId} is not one of your skills` });
    }
    if (type === 'SPEC_AGENT_GROUP' && !ctx.domain.myGroups().some((g) => g.id === input.specId)) {
      throw new SimFault('IncorrectArgumentFault', { message: `Agent group ${input.specId} is not one of your agent groups` });
    }
    // Only ALL reaches supervisors (the sender included); the others reach agents only.
    if (type === 'ALL') ctx.domain.deliver(apiUsers(ctx), { from: me, text: input.text ?? '', type: 'BROADCAST' });
    return null;
  },
  removeUserFromChat(ctx, input) {
    const c = ctx.domain.chat(input.chatId);
    if (!input.user) throw new SimFault('MissedArgumentFault', { message: 'user is required' });
    const id = input.user.userId;
    if (!c.participants.has(id)) throw new SimFault('ChatFault', { message: `User ${id} is not in chat ${c.id}` });
    const who = c.participants.get(id)!;
    c.participants.delete(id);
    ctx.domain.deliver(ctx.domain.apiUsersIn(c, ctx.sessions.keys()), { chatId: c.id, from: who, participants: [...c.participants.values()], type: 'LEAVE' });
    return null;
  },
  closeChatSession(ctx, input) {
    const c = ctx.domain.chat(input.chatId);
    ctx.domain.chats.delete(c.id);
    return null;
  },
  async receiveMessages(ctx, input) {
    const after = Number(input.previousTimestamp);
    await ctx.domain.waitFor(ctx.user, Number(input.longPollingTimeout), () => ctx.domain.messagesFor(ctx.user, after).length > 0, ctx.signal);
    const messages = ctx.domain.messagesFor(ctx.user, after);
    const timestamp = messages.length ? Math.max(...messages.map((m) => m.timestamp)) : after || ctx.domain.stamp();
    return { messages, timestamp };
  },
};

// ---- agent monitoring ----

function station(ctx: SimulatorContext): string {
  const s = ctx.domain.stationOf.get(ctx.user);
  if (!s) throw new SimFault('StationNotLoggedInFault', { message: 'Station is not logged in. Call loginStation first.' });
  return s.stationName;
}

function agentNamed(ctx: SimulatorContext, name: unknown): DomainUser {
  if (name === undefined || name === '') throw new SimFault('MissedArgumentFault', { message: 'agentName is required' });
  const a = ctx.domain.agentByName(String(name));
  if (!a) throw new SimFault('AgentNotFoundFault', { agentName: name, message: `Agent "${name}" not found` });
  return a;
}

const monitoring: Record<string, Handler> = {
  loginStation(ctx, input) {
    const name = required(input, 'stationName');
    if (!ctx.domain.stations.includes(name)) throw new SimFault('StationNotFoundFault', { stationName: name, message: `Station "${name}" not found` });
    const holder = [...ctx.domain.stationOf.entries()].find(([u, s]) => u !== ctx.user && s.stationName === name && !s.lost);
    if (holder) {
      if (!input.forceLogoutSession) throw new SimFault('UserAlreadyLoggedInFault', { message: `Station "${name}" is in use by ${holder[0]}` });
      holder[1].lost = true;
    }
    ctx.domain.stationOf.set(ctx.user, { stationName: name });
    const n = ctx.domain.stations.indexOf(name);
    return {
      backupProxy: '198.51.100.21:5060',
      codecParameters: { codecs: ['G711U', 'G729'], cryptoSuites: ['AES_CM_128_HMAC_SHA1_80'], disableNAT: false, noSilenceSuppression: true, ptime: 20, rfc2833pType: 101, useSRTP: false },
      name,
      password: `sim-${ctx.domain.seed}-${n}`,
      proxy: '198.51.100.20:5060',
    };
  },
  reconnectStation(ctx) {
    const name = station(ctx);
    if (ctx.domain.stationOf.get(ctx.user)!.lost) {
      throw new SimFault('ReconnectStationFault', { stationName: name, problem: 'RESOURCE_UNAVAILABLE', message: `Station "${name}" was taken by another user` });
    }
    return 'CONNECT';
  },
  startMonitoring(ctx, input) {
    station(ctx);
    const a = agentNamed(ctx, input.agentName);
    const current = ctx.domain.monitoring.get(a.name);
    if (current) throw new SimFault('AgentMonitorFault', { agentName: input.agentName, monitorError: `Agent is already monitored by ${current.supervisor}`, message: `Agent "${input.agentName}" is already monitored` });
    if (!a.loggedIn) throw new SimFault('AgentMonitorFault', { agentName: input.agentName, monitorError: 'Agent is not logged in', message: `Agent "${input.agentName}" is not logged in` });
    ctx.domain.monitoring.set(a.name, { supervisor: ctx.user, mode: input.monitoringMode ?? 'Silence' });
    return null;
  },
  stopMonitoring(ctx, input) {
    station(ctx);
    const a = agentNamed(ctx, input.agentName);
    const current = ctx.domain.monitoring.get(a.name);
    if (!current || current.supervisor !== ctx.user) {
      throw new SimFault('AgentMonitorFault', { agentName: input.agentName, monitorError: 'Agent is not monitored by you', message: `Agent "${input.agentName}" is not monitored by you` });
    }
    ctx.domain.monitoring.delete(a.name);
    return null;
  },
  getMonitoringSupervisors(ctx, input) {
    const a = agentNamed(ctx, input.agentName);
    const m = ctx.domain.monitoring.get(a.name);
    return m ? [{ mode: m.mode, supervisorName: m.supervisor }] : [];
  },
};

// ---- statistics ----

// The statistics engine (./statistics.ts) holds the tables, the batches and each session's cursors.
const statistics: Record<string, Handler> = {
  getColumnNames(ctx, input) {
    const type = required(input, 'statisticType');
    return { values: { data: ctx.domain.statistics.columnNames(type) } };
  },
  getStatistics(ctx, input) {
    const type = required(input, 'statisticType');
    return ctx.domain.statistics.snapshot(ctx.session!, type, input.columnNames?.values?.data);
  },
  getStatisticsUpdate(ctx, input) {
    const type = required(input, 'statisticType');
    // addedObjects came with version 3 of the API.
    return ctx.domain.statistics.update(ctx.session!, type, Number(input.previousTimestamp), Number(input.longPollingTimeout), versionHas(ctx.version, 'v3'), ctx.signal);
  },
};

export const DOMAIN_HANDLERS: Record<string, Handler> = { ...campaigns, ...users, ...chat, ...monitoring, ...statistics };
