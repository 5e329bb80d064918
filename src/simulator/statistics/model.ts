import { type Campaign, DISPOSITIONS, DOMAIN_SUFFIX, type Directory, type DomainUser } from '../directory';
import { Random } from '../random';
import { SimFault } from '../state';
import type { BatchLog } from './batches';
import { AGENT_DISPOSITIONS, type AgentStateName, CALL_TYPES, DIALER_DISPOSITIONS, LOGOUT_REASONS, NOT_READY_REASONS, SERVICE_LEVEL_SECONDS } from './columns';
import { ROWS_OF_CAMPAIGN, acdRow, agentStateRow, agentStatsRow, campaignRow, formatTime } from './rows';
import { type Agent, type Call, type CampaignSim, MIN, type QueueItem, type Skill, type StatisticsOptions } from './types';

const FIXED_AGENTS = new Set([2345678, 2345679]);
/** Dispositions only the system sets (no agent picks them). */
const SYSTEM_ONLY = new Set(DISPOSITIONS.filter((d) => !AGENT_DISPOSITIONS.some(([a]) => a === d)));
const FIRST = ['James', 'Priya', 'Carlos', 'Aisha', 'Ken', 'Julia', 'Marco', 'Nina', 'Sam', 'Ines', 'Leo', 'Zoe', 'Ivan', 'Mia', 'Hugo', 'Rosa'];
const LAST = ['Adams', 'Patel', 'Lopez', 'Khan', 'Sato', 'Meyer', 'Rossi', 'Novak', 'Reed', 'Silva', 'Moreau', 'Costa', 'Berg', 'Hill', 'Ward', 'Cruz'];

/**
 * The simulated contact centre as the statistics see it: agents, skill queues and the dialer. Each
 * batch (`step`) moves it on: agents log in and out, change state, take inbound calls from skill
 * queues, outbound and manual calls, wrap up and set dispositions; queues fill (arrivals follow a
 * slow wave) and drain, callers abandon, ask for a callback or leave a voicemail; dialer campaigns
 * dial, contact and disposition records; agents are hired and leave. What changed is written as rows
 * into the batch log (`publishRows`). Every draw comes from one seeded sequence, in a fixed order.
 */
export class ContactCentreModel {
  readonly agents: Agent[] = [];
  readonly skills = new Map<number, Skill>();
  readonly campaigns = new Map<string, CampaignSim>();
  private readonly rng: Random;
  private readonly fmt: (ms: number) => string;
  private simT: number;
  private batchNo = 0;
  private nextStaffingAt: number;

  constructor(
    private readonly dir: Directory,
    private readonly log: BatchLog,
    private readonly options: Required<StatisticsOptions>,
    seed: number,
    t0: number,
  ) {
    this.rng = new Random((Math.imul(seed, 2654435761) ^ 0x5a17c0de) >>> 0);
    this.fmt = (ms) => formatTime(ms, options.timeZoneOffsetMs);
    this.simT = t0;
    this.nextStaffingAt = t0 + this.dur(3 * MIN, 10 * MIN);
    this.build(t0);
  }

  /** Agents Ready now (the dialer's pool). */
  readonly readyAgents = (): number => this.agents.filter((a) => a.state === 'Ready').length;

  /** An agent by full user name or by the part before the @, case-insensitive. */
  agent(username: string): Agent {
    const n = username.toLowerCase();
    const a = this.agents.find((x) => x.user.name.toLowerCase() === n || x.user.name.toLowerCase().split('@')[0] === n);
    if (!a) throw new SimFault('AgentNotFoundFault', { agentName: username, message: `Agent "${username}" not found` });
    return a;
  }

  // ---- changes made through the API or the control methods (inside an open batch) ----

  forceState(a: Agent, state: AgentStateName, reason: string, t: number): void {
    if (a.call && (a.state === 'On Call' || a.state === 'After Call Work')) this.finishCall(a, t);
    this.enter(a, state, t, reason);
    if (state === 'On Call') {
      a.call = this.newCall('Manual', this.manualCampaign());
      this.onCall(a, t);
    } else a.nextAt = t + (state === 'Logged Out' ? this.dur(20 * MIN, 240 * MIN) : this.dur(3 * MIN, 15 * MIN));
  }

  addSkill(name: string, t: number): number {
    const id = Math.max(...this.dir.skills.map((s) => s.id)) + 1;
    this.dir.skills.push({ id, name });
    this.skills.set(id, { id, name, calls: [], callbacks: [], vms: [], longest: 0, totalVMs: 0 });
    this.log.addRow('ACDStatus', name, acdRow(this.skills.get(id)!, t, this.skillCounts().get(id)));
    return id;
  }

  removeSkill(s: { id: number; name: string }): void {
    this.dir.skills.splice(this.dir.skills.indexOf(s), 1);
    this.skills.delete(s.id);
    for (const a of this.agents) {
      a.skillSet.delete(s.id);
      a.user.skills = a.user.skills.filter((id) => id !== s.id);
    }
    for (const c of this.campaigns.values()) if (c.skill === s.id) c.skill = undefined;
    this.log.deleteRow('ACDStatus', s.name);
  }

  addCampaign(name: string, type: Campaign['type'], t: number): void {
    const c: Campaign = { name, type, state: 'NOT_RUNNING', stateSince: t };
    this.dir.campaigns.set(name, c);
    const cs = this.campaignSim(c);
    for (const ty of ROWS_OF_CAMPAIGN[type]) this.log.addRow(ty, name, campaignRow(ty, cs, this.dir.dispositions, this.readyAgents, this.fmt));
  }

  removeCampaign(cs: CampaignSim): void {
    this.dir.campaigns.delete(cs.c.name);
    this.campaigns.delete(cs.c.name);
    for (const ty of ROWS_OF_CAMPAIGN[cs.c.type]) this.log.deleteRow(ty, cs.c.name);
  }

  campaignChanged(cs: CampaignSim): void {
    if (cs.c.state === 'RESETTING') cs.availableRecords = cs.totalRecords;
    this.writeCampaign(cs);
  }

  /** A duration in [lo, hi) ms, shortened by the activity factor. */
  private dur(lo: number, hi: number): number {
    return Math.max(1, Math.round(this.rng.between(lo, hi) / this.options.activity));
  }

  private customer(): string {
    return `${200 + Math.floor(this.rng.next() * 790)}555${String(Math.floor(this.rng.next() * 10000)).padStart(4, '0')}`;
  }

  private build(t0: number): void {
    for (const s of this.dir.skills) this.skills.set(s.id, { id: s.id, name: s.name, calls: [], callbacks: [], vms: [], longest: 0, totalVMs: 0 });
    for (const c of this.dir.campaigns.values()) this.campaignSim(c);
    for (const u of this.dir.users) if (u.role === 'Agent') this.agents.push(this.newAgent(u, t0, true));
    for (const a of this.agents) {
      this.log.seedRow('AgentState', a.user.name, agentStateRow(a, t0, this.fmt));
      this.log.seedRow('AgentStatistics', a.user.name, agentStatsRow(a, this.dir.dispositions));
      a.stateDirty = a.statsDirty = false;
    }
    const counts = this.skillCounts();
    for (const s of this.skills.values()) this.log.seedRow('ACDStatus', s.name, acdRow(s, t0, counts.get(s.id)));
    for (const cs of this.campaigns.values()) {
      for (const ty of ROWS_OF_CAMPAIGN[cs.c.type]) this.log.seedRow(ty, cs.c.name, campaignRow(ty, cs, this.dir.dispositions, this.readyAgents, this.fmt));
      cs.dirty = false;
    }
  }

  private campaignSim(c: Campaign): CampaignSim {
    const nonDefault = this.dir.skills.filter((s) => s.name !== '[Default]');
    let skill: number | undefined;
    if (c.type === 'INBOUND') {
      const cs = this.dir.skills.find((s) => s.name === 'Customer Service');
      const inboundIndex = [...this.campaigns.values()].filter((x) => x.c.type === 'INBOUND').length;
      skill = c.name === 'Inbound Support' && cs ? cs.id : nonDefault[inboundIndex % Math.max(1, nonDefault.length)]?.id;
    }
    const totalRecords = c.type === 'INBOUND' ? 0 : 2000 + Math.floor(this.rng.next() * 48000);
    const sim: CampaignSim = {
      c, skill, phase: this.rng.next() * 2 * Math.PI, ratio: 1.2 + Math.round(this.rng.next() * 18) / 10,
      total: 0, handled: 0, abandoned: 0, rejected: 0, attempts: 0, contacted: 0, dispositioned: 0, completed: 0,
      totalRecords, availableRecords: Math.round(totalRecords * this.rng.between(0.4, 1)),
      asaSum: 0, withinSL: 0, longest: 0, doneN: 0, handleSum: 0, talkSum: 0, wrapSum: 0, callTimeSum: 0, disp: new Map(), dirty: false,
    };
    this.campaigns.set(c.name, sim);
    return sim;
  }

  private newAgent(user: DomainUser, t0: number, initial: boolean): Agent {
    const a: Agent = {
      user, fixed: FIXED_AGENTS.has(user.id), vm: this.rng.next() < 0.3, skillSet: new Set(user.skills),
      state: 'Logged Out', since: t0, reason: '', reasonSince: t0, callType: '', campaign: '', customer: '', nextAt: t0 + this.dur(MIN, 10 * MIN),
      phase: Math.floor(this.rng.next() * 1000), stateDirty: true, statsDirty: true,
      calls: 0, inbound: 0, manual: 0, handleSum: 0, talkSum: 0, holdSum: 0, wrapSum: 0, idleSum: 0, idleN: 0, nrSum: 0, nrN: 0, disp: new Map(),
    };
    if (!initial) return a;
    if (!user.loggedIn) {
      a.since = a.reasonSince = t0 - Math.round(this.rng.between(10 * MIN, 600 * MIN));
      if (this.rng.next() < 0.5) a.reason = this.rng.pick(LOGOUT_REASONS);
      a.nextAt = t0 + this.dur(MIN, 90 * MIN);
      return a;
    }
    const r = this.rng.next();
    if (r < 0.35) {
      a.state = 'Ready';
      a.since = t0 - Math.round(this.rng.between(0, 5 * MIN));
      a.nextAt = t0 + this.dur(MIN, 15 * MIN);
    } else if (r < 0.75) {
      const call = this.initialCall(a);
      a.call = call;
      a.state = r < 0.65 ? 'On Call' : 'After Call Work';
      const length = a.state === 'On Call' ? call.talk + call.hold : call.wrap;
      const elapsed = Math.round(this.rng.between(0, length));
      a.since = t0 - elapsed;
      a.nextAt = a.since + length + 1;
      a.callType = call.kind === 'Manual' ? CALL_TYPES.manual : call.kind === 'Inbound' ? CALL_TYPES.inbound : CALL_TYPES.outbound;
      a.campaign = call.campaign;
      a.customer = call.customer;
    } else {
      a.state = 'Not Ready';
      a.reason = this.rng.pick(NOT_READY_REASONS);
      a.since = a.reasonSince = t0 - Math.round(this.rng.between(0, 10 * MIN));
      a.nextAt = t0 + this.dur(MIN, 12 * MIN);
    }
    return a;
  }

  private initialCall(a: Agent): Call {
    const mine = [...this.campaigns.values()].filter((c) => c.c.type === 'INBOUND' && c.skill !== undefined && a.skillSet.has(c.skill));
    const inbound = mine.find((c) => c.c.state === 'RUNNING') ?? mine[0];
    return inbound ? this.newCall('Inbound', inbound.c.name) : this.newCall('Manual', this.manualCampaign());
  }

  private manualCampaign(): string {
    return this.campaigns.has('Outbound Sales') ? 'Outbound Sales' : ([...this.campaigns.values()].find((c) => c.c.type === 'OUTBOUND')?.c.name ?? '');
  }

  private newCall(kind: Call['kind'], campaign: string, customer = this.customer()): Call {
    return {
      campaign, kind, customer,
      talk: this.dur(40_000, 420_000),
      hold: this.rng.next() < 0.3 ? this.dur(10_000, 120_000) : 0,
      wrap: this.dur(5_000, 90_000),
    };
  }

  /** Enters a state at time t (reason for Not Ready / Logged Out), ending the one before. */
  private enter(a: Agent, state: AgentStateName, t: number, reason = ''): void {
    if (a.state === 'Ready') {
      a.idleSum += t - a.since;
      a.idleN++;
      a.statsDirty = true;
    } else if (a.state === 'Not Ready') {
      a.nrSum += t - a.since;
      a.nrN++;
      a.statsDirty = true;
    }
    a.state = state;
    a.since = t;
    a.reason = state === 'Not Ready' || state === 'Logged Out' ? reason : '';
    a.reasonSince = t;
    if (state !== 'On Call' && state !== 'After Call Work') {
      a.callType = a.campaign = a.customer = '';
      a.call = undefined;
    }
    if (state !== 'On Voicemail') a.vmSkill = undefined;
    a.user.loggedIn = state !== 'Logged Out';
    a.stateDirty = true;
  }

  private onCall(a: Agent, t: number): void {
    const call = a.call!;
    a.callType = call.kind === 'Manual' ? CALL_TYPES.manual : call.kind === 'Inbound' ? CALL_TYPES.inbound : CALL_TYPES.outbound;
    a.campaign = call.campaign;
    a.customer = call.customer;
    a.nextAt = t + call.talk + call.hold;
  }

  private afterWork(a: Agent, t: number): void {
    if (!a.fixed && this.rng.next() < 0.05) this.enter(a, 'Logged Out', t, this.rng.pick(LOGOUT_REASONS));
    else if (this.rng.next() < 0.12) this.enter(a, 'Not Ready', t, this.rng.pick(NOT_READY_REASONS));
    else this.enter(a, 'Ready', t);
    a.nextAt = t + (a.state === 'Logged Out' ? this.dur(20 * MIN, 240 * MIN) : a.state === 'Ready' ? this.dur(2 * MIN, 15 * MIN) : this.dur(MIN, 10 * MIN));
  }

  /** The agent's call is done: a disposition, the agent's and the campaign's counters. */
  private finishCall(a: Agent, t: number): void {
    const call = a.call;
    if (!call) return;
    const choices: Array<[string, number]> = [];
    for (const d of this.dir.dispositions) {
      const w = AGENT_DISPOSITIONS.find(([n]) => n === d)?.[1] ?? (SYSTEM_ONLY.has(d) ? 0 : 3);
      if (w) choices.push([d, w]);
    }
    const d = choices.length ? this.rng.pick(choices) : 'No Disposition';
    const wrap = a.state === 'After Call Work' ? Math.min(call.wrap, t - a.since) : 0;
    a.calls++;
    if (call.kind === 'Inbound') a.inbound++;
    if (call.kind === 'Manual') a.manual++;
    a.handleSum += call.talk + call.hold + wrap;
    a.talkSum += call.talk;
    a.holdSum += call.hold;
    a.wrapSum += wrap;
    a.disp.set(d, (a.disp.get(d) ?? 0) + 1);
    a.statsDirty = true;
    const cs = this.campaigns.get(call.campaign);
    if (cs) {
      cs.doneN++;
      cs.handleSum += call.talk + call.hold + wrap;
      cs.talkSum += call.talk;
      cs.wrapSum += wrap;
      cs.dispositioned++;
      cs.disp.set(d, (cs.disp.get(d) ?? 0) + 1);
      if (call.kind === 'Manual') {
        cs.total++;
        cs.attempts++;
        cs.contacted++;
      }
      cs.dirty = true;
    }
    a.call = undefined;
  }

  /** One agent's own next step (not a call offered by a queue or the dialer). */
  private transition(a: Agent, at: number): void {
    switch (a.state) {
      case 'Logged Out':
        if (this.rng.next() < 0.75) {
          this.enter(a, 'Ready', at);
          a.nextAt = at + this.dur(2 * MIN, 15 * MIN);
        } else {
          this.enter(a, 'Not Ready', at, this.rng.pick(NOT_READY_REASONS));
          a.nextAt = at + this.dur(MIN, 8 * MIN);
        }
        break;
      case 'Ready': {
        const r = this.rng.next();
        if (!a.fixed && r < 0.06) {
          this.enter(a, 'Logged Out', at, this.rng.pick(LOGOUT_REASONS));
          a.nextAt = at + this.dur(20 * MIN, 240 * MIN);
        } else if (r < 0.2 && this.manualCampaign()) {
          this.enter(a, 'On Call', at);
          a.call = this.newCall('Manual', this.manualCampaign());
          this.onCall(a, at);
        } else {
          const reason = this.rng.pick(NOT_READY_REASONS);
          this.enter(a, 'Not Ready', at, reason);
          a.nextAt = at + (reason === 'Lunch' ? this.dur(20 * MIN, 45 * MIN) : this.dur(MIN, 12 * MIN));
        }
        break;
      }
      case 'Not Ready':
        if (!a.fixed && this.rng.next() < 0.1) {
          this.enter(a, 'Logged Out', at, this.rng.pick(LOGOUT_REASONS));
          a.nextAt = at + this.dur(20 * MIN, 240 * MIN);
        } else {
          this.enter(a, 'Ready', at);
          a.nextAt = at + this.dur(2 * MIN, 15 * MIN);
        }
        break;
      case 'On Call':
        if (!a.call) a.call = this.newCall('Manual', this.manualCampaign());
        this.enter(a, 'After Call Work', at);
        a.nextAt = at + a.call.wrap;
        break;
      case 'After Call Work':
        this.finishCall(a, at);
        this.afterWork(a, at);
        break;
      case 'On Voicemail':
        this.enter(a, 'Ready', at);
        a.nextAt = at + this.dur(2 * MIN, 15 * MIN);
        break;
    }
  }

  hire(t: number, options: { local?: string; fullName?: string; skills?: string[] } = {}): Agent {
    const taken = new Set(this.dir.users.map((u) => u.name.split('@')[0].toLowerCase()));
    const ids = new Set(this.dir.users.map((u) => u.id));
    const first = FIRST[Math.floor(this.rng.next() * FIRST.length)];
    const last = LAST[Math.floor(this.rng.next() * LAST.length)];
    let local = options.local ?? `${first[0]}${last}`.toLowerCase();
    const base = local;
    for (let n = 2; taken.has(local.toLowerCase()); n++) local = `${base}${n}`;
    let id: number;
    do id = 1_000_000 + Math.floor(this.rng.next() * 9_000_000);
    while (ids.has(id));
    const skills = options.skills
      ? this.dir.skills.filter((s, i) => i === 0 || options.skills!.includes(s.name)).map((s) => s.id)
      : this.dir.skills.filter((s, i) => i === 0 || this.rng.next() < 0.5).map((s) => s.id);
    const groups = this.dir.groups.filter(() => this.rng.next() < 0.4).map((g) => g.id);
    const user: DomainUser = { id, name: `${local}${DOMAIN_SUFFIX}`, fullName: options.fullName ?? `${first} ${last}`, role: 'Agent', loggedIn: false, skills, groups };
    this.dir.users.push(user);
    const a = this.newAgent(user, t, false);
    a.since = a.reasonSince = t;
    this.agents.push(a);
    this.log.addRow('AgentState', user.name, agentStateRow(a, t, this.fmt));
    this.log.addRow('AgentStatistics', user.name, agentStatsRow(a, this.dir.dispositions));
    a.stateDirty = a.statsDirty = false;
    return a;
  }

  fire(a: Agent): void {
    const i = this.agents.indexOf(a);
    if (i < 0) return;
    this.agents.splice(i, 1);
    const j = this.dir.users.indexOf(a.user);
    if (j >= 0) this.dir.users.splice(j, 1);
    this.log.deleteRow('AgentState', a.user.name);
    this.log.deleteRow('AgentStatistics', a.user.name);
  }

  private staffing(at: number): void {
    if (this.rng.next() < 0.55) {
      this.hire(at);
      return;
    }
    const leavers = this.agents.filter((a) => !a.fixed && a.state === 'Logged Out');
    if (leavers.length) this.fire(leavers[Math.floor(this.rng.next() * leavers.length)]);
  }

  /** One batch of simulated time up to t. */
  step(t: number): void {
    const dt = t - this.simT;
    this.simT = t;
    this.batchNo++;
    const act = this.options.activity;

    for (const a of this.agents) {
      for (let guard = 0; a.nextAt <= t && guard < 100; guard++) this.transition(a, a.nextAt);
    }
    if (this.options.staffing) {
      while (this.nextStaffingAt <= t) {
        this.staffing(this.nextStaffingAt);
        this.nextStaffingAt += Math.max(MIN, Math.round(this.rng.between(3 * MIN, 10 * MIN)));
      }
    }

    // Inbound: arrivals on a slow wave, then patience runs out (abandon, callback or voicemail).
    const loggedBySkill = new Map<number, number>();
    for (const a of this.agents) if (a.state !== 'Logged Out') for (const s of a.skillSet) loggedBySkill.set(s, (loggedBySkill.get(s) ?? 0) + 1);
    for (const cs of this.campaigns.values()) {
      if (cs.c.type !== 'INBOUND' || cs.c.state !== 'RUNNING' || cs.skill === undefined) continue;
      const skill = this.skills.get(cs.skill);
      if (!skill) continue;
      const staffed = Math.max(0.5, loggedBySkill.get(skill.id) ?? 0);
      const wave = 1 + 0.6 * Math.sin((2 * Math.PI * t) / (20 * MIN) + cs.phase);
      const n = this.rng.poisson(((act * 0.95 * staffed) / 330) * wave * (dt / 1000));
      const times = Array.from({ length: n }, () => t - Math.floor(this.rng.next() * dt)).sort((x, y) => x - y);
      for (const at of times) {
        cs.total++;
        cs.dirty = true;
        if (skill.calls.length >= 60) {
          cs.rejected++;
          continue;
        }
        skill.calls.push({ at, campaign: cs.c.name, patience: Math.round(this.rng.between(20_000, 240_000)), customer: this.customer() });
      }
    }
    for (const skill of this.skills.values()) {
      const keep: QueueItem[] = [];
      for (const q of skill.calls) {
        if (q.at + q.patience > t) {
          keep.push(q);
          continue;
        }
        skill.longest = Math.max(skill.longest, q.patience);
        const cs = this.campaigns.get(q.campaign);
        const r = this.rng.next();
        if (r < 0.8) {
          if (cs) {
            cs.abandoned++;
            cs.dispositioned++;
            cs.disp.set('Abandon', (cs.disp.get('Abandon') ?? 0) + 1);
            cs.longest = Math.max(cs.longest, q.patience);
            cs.dirty = true;
          }
        } else if (r < 0.92) skill.callbacks.push({ ...q, at: q.at + q.patience });
        else {
          skill.vms.push({ ...q, at: q.at + q.patience });
          skill.totalVMs++;
        }
      }
      skill.calls = keep;
    }

    // Ready agents (longest idle first) take live calls, then callbacks, then voicemails.
    const ready = this.agents.filter((a) => a.state === 'Ready').sort((x, y) => x.since - y.since || x.phase - y.phase);
    const taken = new Set<Agent>();
    const skills = [...this.skills.values()];
    for (let k = 0; k < skills.length; k++) {
      const skill = skills[(k + this.batchNo) % skills.length];
      const free = ready.filter((a) => !taken.has(a) && a.skillSet.has(skill.id));
      let i = 0;
      for (const queue of [skill.calls, skill.callbacks]) {
        while (queue.length && i < free.length) {
          const q = queue.shift()!;
          const a = free[i++];
          taken.add(a);
          const wait = t - q.at;
          skill.longest = Math.max(skill.longest, wait);
          const cs = this.campaigns.get(q.campaign);
          if (cs && queue === skill.calls) {
            cs.handled++;
            cs.asaSum += wait;
            if (wait <= SERVICE_LEVEL_SECONDS * 1000) cs.withinSL++;
            cs.longest = Math.max(cs.longest, wait);
            cs.dirty = true;
          }
          this.enter(a, 'On Call', t);
          a.call = this.newCall(queue === skill.calls ? 'Inbound' : 'Outbound', q.campaign, q.customer);
          this.onCall(a, t);
        }
      }
      const vmFree = free.slice(i).filter((a) => a.vm && !taken.has(a));
      for (let j = 0; skill.vms.length && j < vmFree.length; j++) {
        skill.vms.shift();
        const a = vmFree[j];
        taken.add(a);
        this.enter(a, 'On Voicemail', t);
        a.vmSkill = skill.id;
        a.nextAt = t + this.dur(30_000, 120_000);
      }
    }

    // Dialer campaigns.
    const left = ready.filter((a) => !taken.has(a));
    const outbound = [...this.campaigns.values()].filter((c) => c.c.type === 'OUTBOUND' && c.c.state === 'RUNNING');
    for (const cs of outbound) {
      const share = Math.ceil(left.length / outbound.length);
      const attempts = this.rng.poisson(((cs.ratio * share * dt) / 25_000) * act);
      for (let n = 0; n < attempts; n++) this.dial(cs, left, t);
    }
    for (const cs of this.campaigns.values()) {
      if (cs.c.type !== 'AUTODIAL' || cs.c.state !== 'RUNNING') continue;
      const attempts = this.rng.poisson((dt / 1000) * 0.4 * act);
      for (let n = 0; n < attempts; n++) this.dial(cs, undefined, t);
    }

    this.publishRows(t, true);
  }

  private dial(cs: CampaignSim, agents: Agent[] | undefined, t: number): void {
    cs.attempts++;
    cs.dirty = true;
    cs.availableRecords = cs.availableRecords > 0 ? cs.availableRecords - 1 : cs.totalRecords - 1;
    const count = (d: string) => {
      cs.disp.set(d, (cs.disp.get(d) ?? 0) + 1);
      cs.dispositioned++;
    };
    if (this.rng.next() >= 0.33) {
      const d = this.rng.pick(DIALER_DISPOSITIONS);
      if (d !== 'Dial Error') cs.total++;
      count(d);
      return;
    }
    cs.total++;
    cs.contacted++;
    if (!agents) {
      cs.callTimeSum += this.dur(15_000, 90_000);
      if (this.rng.next() < 0.1) {
        cs.abandoned++;
        count('Abandon');
      } else {
        cs.completed++;
        count('No Disposition');
      }
      return;
    }
    const a = agents.shift();
    if (!a) {
      cs.abandoned++;
      count('Abandon');
      return;
    }
    this.enter(a, 'On Call', t);
    a.call = this.newCall('Outbound', cs.c.name);
    this.onCall(a, t);
  }

  private skillCounts(): Map<number, Record<AgentStateName, number> & { vmReady: number; vmBusy: number }> {
    const counts = new Map<number, Record<AgentStateName, number> & { vmReady: number; vmBusy: number }>();
    for (const s of this.skills.keys()) {
      counts.set(s, { 'Logged Out': 0, Ready: 0, 'Not Ready': 0, 'On Call': 0, 'After Call Work': 0, 'On Voicemail': 0, vmReady: 0, vmBusy: 0 });
    }
    for (const a of this.agents) {
      for (const s of a.skillSet) {
        const c = counts.get(s);
        if (!c) continue;
        c[a.state]++;
        if (a.state === 'Ready' && a.vm) c.vmReady++;
      }
      if (a.state === 'On Voicemail' && a.vmSkill !== undefined) {
        const c = counts.get(a.vmSkill);
        if (c) c.vmBusy++;
      }
    }
    return counts;
  }

  /**
   * Writes what changed into the tables (and so into the batch's changes): changed agents and
   * campaigns, the skills' counts; on a scheduled batch also this batch's slice of durations.
   */
  publishRows(t: number, scheduled: boolean): void {
    const every = Math.max(1, this.options.durationRefreshBatches);
    for (const a of this.agents) {
      if (a.stateDirty) {
        this.log.writeRow('AgentState', a.user.name, agentStateRow(a, t, this.fmt));
        a.stateDirty = false;
      } else if (scheduled && a.state !== 'Logged Out' && (a.phase + this.batchNo) % every === 0) {
        this.log.setCell('AgentState', a.user.name, 'State Duration', String(t - a.since));
        if (a.reason) this.log.setCell('AgentState', a.user.name, 'Reason Duration', String(t - a.reasonSince));
      }
      if (a.statsDirty) {
        this.log.writeRow('AgentStatistics', a.user.name, agentStatsRow(a, this.dir.dispositions));
        a.statsDirty = false;
      }
    }
    const counts = this.skillCounts();
    for (const s of this.skills.values()) this.log.writeRow('ACDStatus', s.name, acdRow(s, t, counts.get(s.id)));
    const ready = this.agents.filter((a) => a.state === 'Ready').length;
    for (const cs of this.campaigns.values()) {
      if (cs.c.type === 'OUTBOUND') this.log.setCell('OutboundCampaignManager', cs.c.name, 'Agents Ready For Calls', String(cs.c.state === 'RUNNING' ? ready : 0));
      if (!cs.dirty) continue;
      this.writeCampaign(cs);
    }
  }

  private writeCampaign(cs: CampaignSim): void {
    for (const ty of ROWS_OF_CAMPAIGN[cs.c.type]) this.log.writeRow(ty, cs.c.name, campaignRow(ty, cs, this.dir.dispositions, this.readyAgents, this.fmt));
    cs.dirty = false;
  }

}
