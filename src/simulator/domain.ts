import type { Clock } from '../clock';
import { type Campaign, type ChatMessage, DISPOSITIONS, DOMAIN_SUFFIX, type Directory, type DomainSize, type DomainUser, type Role, type RoledId } from './directory';
import { mulberry32 } from './random';
import { SimFault } from './state';
import { StatisticsEngine, type StatisticsOptions, customDispositionName } from './statistics';
import { realMs } from './time';

/**
 * A small seeded contact centre: users and roles, skills, agent groups, campaigns, stations,
 * dispositions, chat sessions and agent monitoring. Everything is generated from the seed by a
 * mulberry32 PRNG, so two simulators with the same seed and size hold the same domain. A few fixed
 * objects (the names the manifest's examples use) are always present.
 */

interface Chat {
  id: string;
  participants: Map<number, RoledId>;
  invited: Map<number, RoledId>;
}

/** Bounds, so a flood of chat requests cannot grow a domain without end. */
const CHATS_KEPT = 10_000;
const MESSAGES_KEPT_PER_USER = 1_000;

interface Waiter {
  user: string;
  wake: () => void;
}

const FIRST = ['John', 'Mary', 'Anna', 'Peter', 'Linda', 'Omar', 'Grace', 'Ravi', 'Sofia', 'Tom', 'Wei', 'Laura', 'Diego', 'Emma', 'Noah', 'Olga'];
const LAST = ['Smith', 'Jones', 'Brown', 'Garcia', 'Miller', 'Davis', 'Wilson', 'Taylor', 'Clark', 'Lewis', 'Walker', 'Young', 'King', 'Scott', 'Green', 'Baker'];
const SKILL_WORDS = ['Billing', 'Retention', 'Technical Support', 'Spanish', 'Premium', 'Claims', 'Renewals', 'Escalations'];
const GROUP_WORDS = ['Night Shift', 'Tier 2', 'Remote', 'Trainees', 'Back Office'];
const CAMPAIGN_WORDS = ['Renewals', 'Winback', 'Survey', 'Reminders', 'Collections', 'Helpdesk', 'Upsell', 'Welcome'];

export interface DomainOptions {
  seed?: number;
  size?: DomainSize;
  clock: Clock;
  /** The moment the domain exists from (default now): a contact centre built lazily is the same as one built then. */
  origin?: number;
  /** Caps every long poll's real wait (ms), so tests need not wait the requested time-out. */
  longPollMaxMs?: number;
  /** Real ms a simulated agent takes to accept an invitation or answer a chat message. */
  agentDelayMs?: number;
  /** The statistics engine's pace and batching (see StatisticsOptions). */
  statistics?: StatisticsOptions;
}

export class Domain implements Directory {
  readonly seed: number;
  readonly users: DomainUser[] = [];
  readonly skills: Array<{ id: number; name: string }> = [];
  readonly groups: Array<{ id: number; name: string }> = [];
  readonly campaigns = new Map<string, Campaign>();
  readonly stations: string[] = [];
  readonly dispositions = [...DISPOSITIONS];
  /** Station logged in by each API user. */
  readonly stationOf = new Map<string, { stationName: string; lost?: boolean }>();
  /** Monitored agents (by user name) and who monitors them. */
  readonly monitoring = new Map<string, { supervisor: string; mode: string }>();
  readonly chats = new Map<string, Chat>();
  private readonly inbox = new Map<string, ChatMessage[]>();
  private readonly waiters = new Set<Waiter>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly rand: () => number;
  private readonly clock: Clock;
  private readonly origin: number;
  private readonly statisticsOptions?: StatisticsOptions;
  private engine?: StatisticsEngine;
  private lastStamp = 0;
  private disposed = false;
  readonly longPollMaxMs?: number;
  readonly agentDelayMs: number;

  constructor(options: DomainOptions) {
    this.seed = options.seed ?? 1;
    this.clock = options.clock;
    this.origin = options.origin ?? options.clock.now();
    this.statisticsOptions = options.statistics;
    this.longPollMaxMs = options.longPollMaxMs;
    this.agentDelayMs = options.agentDelayMs ?? 50;
    this.rand = mulberry32(this.seed);
    const size = { agents: 12, supervisors: 3, campaigns: 6, skills: 4, groups: 3, dispositions: 0, ...(options.size ?? {}) };
    for (let i = 0; i < size.dispositions; i++) this.dispositions.push(customDispositionName(i));
    const ids = new Set<number>();
    const names = new Set<string>();
    const newId = () => {
      let id: number;
      do id = 1_000_000 + Math.floor(this.rand() * 9_000_000);
      while (ids.has(id));
      ids.add(id);
      return id;
    };

    // Skills and groups: the fixed ones first ([Default] is a housekeeping skill every domain has).
    this.skills.push({ id: 266183, name: '[Default]' }, { id: 266184, name: 'Customer Service' }, { id: 266185, name: 'Sales' });
    for (let i = 0; i < size.skills; i++) this.skills.push({ id: 266186 + i, name: `${SKILL_WORDS[Math.floor(this.rand() * SKILL_WORDS.length)]} ${i + 1}` });
    this.groups.push({ id: 4123456, name: 'Sales Team' }, { id: 4123457, name: 'Support Team' });
    for (let i = 0; i < size.groups; i++) this.groups.push({ id: 4123458 + i, name: `${GROUP_WORDS[Math.floor(this.rand() * GROUP_WORDS.length)]} ${i + 1}` });

    const add = (role: Role, id: number, local: string, fullName: string, loggedIn: boolean) => {
      ids.add(id);
      names.add(local.toLowerCase());
      const skills = this.skills.filter((s, i) => i === 0 || this.rand() < 0.5).map((s) => s.id);
      const groups = this.groups.filter(() => this.rand() < 0.4).map((g) => g.id);
      this.users.push({ id, name: `${local}${DOMAIN_SUFFIX}`, fullName, role, loggedIn, skills, groups });
    };
    add('Agent', 2345678, 'jsmith', 'John Smith', true);
    add('Agent', 2345679, 'AgentNumber1', 'Agent Number1', true);
    add('DomainSupervisor', 1234567, 'mbrown', 'Mary Brown', true);
    add('DomainAdmin', 3456789, 'admin', 'Domain Admin', false);
    const generate = (role: Role, count: number, pLoggedIn: number) => {
      for (let i = 0; i < count; i++) {
        const first = FIRST[Math.floor(this.rand() * FIRST.length)];
        const last = LAST[Math.floor(this.rand() * LAST.length)];
        let local = `${first[0]}${last}`.toLowerCase();
        for (let n = 2; names.has(local); n++) local = `${first[0]}${last}${n}`.toLowerCase();
        add(role, newId(), local, `${first} ${last}`, this.rand() < pLoggedIn);
      }
    };
    generate('Agent', size.agents, 0.6);
    generate('DomainSupervisor', size.supervisors, 0.5);
    generate('DomainAdmin', 1, 0.3);

    // Campaigns: one of each type at rest, then generated ones in every state.
    const start = this.origin;
    const campaign = (name: string, type: Campaign['type'], state: Campaign['state']) => this.campaigns.set(name, { name, type, state, stateSince: start });
    campaign('Outbound Sales', 'OUTBOUND', 'NOT_RUNNING');
    campaign('Inbound Support', 'INBOUND', 'NOT_RUNNING');
    campaign('Autodial Reminders', 'AUTODIAL', 'NOT_RUNNING');
    const types: Campaign['type'][] = ['INBOUND', 'OUTBOUND', 'AUTODIAL'];
    const states: Campaign['state'][] = ['RUNNING', 'NOT_RUNNING', 'STARTING', 'STOPPING', 'RESETTING'];
    for (let i = 0; i < size.campaigns; i++) {
      const type = types[i % 3];
      const state = states[i % states.length];
      campaign(`${CAMPAIGN_WORDS[Math.floor(this.rand() * CAMPAIGN_WORDS.length)]} ${type[0]}${type.slice(1).toLowerCase()} ${i + 1}`, type, state);
    }

    for (let i = 1; i <= Math.max(4, size.agents); i++) this.stations.push(`station-${i}`);
    this.stations.push('4155550123');

    // The chat of the guide's examples: an agent waits in it.
    const agent = { role: 'Agent' as Role, userId: 2345678 };
    this.chats.set('123ABC', { id: '123ABC', participants: new Map([[agent.userId, agent]]), invited: new Map() });
  }

  /**
   * The live statistics: the eight types' tables, batches every 1–6 s, getStatistics /
   * getStatisticsUpdate. Built on first use, as of the domain's origin (the batches are the same
   * whenever it is first read).
   */
  get statistics(): StatisticsEngine {
    this.engine ??= new StatisticsEngine(this, this.clock, this.seed, this.statisticsOptions, this.longPollMaxMs, this.origin);
    return this.engine;
  }

  /** Adds a custom disposition: a configuration change of the statistics (a new count column). */
  addDisposition(name: string): void {
    this.statistics.addDisposition(name);
  }

  // ---- users ----

  /** The roled id of an API user (a supervisor), derived from the user name. */
  self(user: string): RoledId {
    let h = 0x811c9dc5;
    for (const ch of user) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    return { role: 'DomainSupervisor', userId: 5_000_000 + (h % 4_000_000) };
  }

  userById(id: number): DomainUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  /** An agent by full user name or by the part before the @, case-insensitive. */
  agentByName(name: string): DomainUser | undefined {
    const n = name.toLowerCase();
    return this.users.find((u) => u.role === 'Agent' && (u.name.toLowerCase() === n || u.name.toLowerCase().split('@')[0] === n));
  }

  mySkills(): Array<{ id: number; name: string }> {
    return this.skills.filter((s) => s.id === 266184 || s.id === 266185 || s.id % 2 === 0);
  }

  myGroups(): Array<{ id: number; name: string }> {
    return this.groups.filter((g, i) => i < 2 || i % 2 === 0);
  }

  // ---- campaigns ----

  campaign(name: unknown): Campaign {
    if (name === undefined || name === '') throw new SimFault('MissedArgumentFault', { message: 'campaignName is required' });
    const c = this.campaigns.get(String(name));
    if (!c) throw new SimFault('CampaignNotFoundFault', { campaignName: name, message: `Campaign "${name}" not found` });
    return c;
  }

  setState(c: Campaign, state: Campaign['state']): void {
    c.state = state;
    c.stateSince = this.clock.now();
    this.statistics.campaignChanged(c);
  }

  // ---- chat ----

  /** A strictly increasing time stamp (ms) on the simulator's clock. */
  stamp(): number {
    this.lastStamp = Math.max(this.clock.now(), this.lastStamp + 1);
    return this.lastStamp;
  }

  /** Opens a chat; beyond CHATS_KEPT the oldest is forgotten (as if it had ended). */
  openChat(chat: Chat): void {
    this.chats.set(chat.id, chat);
    if (this.chats.size > CHATS_KEPT) this.chats.delete(this.chats.keys().next().value as string);
  }

  newChatId(): string {
    let id: string;
    do id = Math.floor(this.rand() * 0xffffff).toString(16).toUpperCase().padStart(6, '0');
    while (this.chats.has(id));
    return id;
  }

  chat(chatId: unknown): Chat {
    if (chatId === undefined || chatId === '') throw new SimFault('MissedArgumentFault', { message: 'chatId is required' });
    const c = this.chats.get(String(chatId));
    if (!c) throw new SimFault('ChatFault', { message: `Chat session ${chatId} not found` });
    return c;
  }

  /** Hands a message to API users (the only ones who poll) and wakes their long polls. */
  deliver(users: Iterable<string>, message: Omit<ChatMessage, 'timestamp'>): void {
    const m = { ...message, timestamp: this.stamp() };
    for (const u of users) {
      const box = this.inbox.get(u) ?? [];
      box.push(m);
      // A user who never polls keeps only the newest messages.
      if (box.length > MESSAGES_KEPT_PER_USER) box.shift();
      this.inbox.set(u, box);
      for (const w of this.waiters) if (w.user === u) w.wake();
    }
  }

  /** API users in a chat (their self id is a participant). */
  apiUsersIn(chat: Chat, apiUsers: Iterable<string>): string[] {
    return [...apiUsers].filter((u) => chat.participants.has(this.self(u).userId));
  }

  later(fn: () => void, ms = this.agentDelayMs): void {
    if (this.disposed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.disposed) fn();
    }, ms);
    t.unref?.();
    this.timers.add(t);
  }

  messagesFor(user: string, after: number): ChatMessage[] {
    return (this.inbox.get(user) ?? []).filter((m) => m.timestamp > after);
  }

  /**
   * Waits until a message for the user arrives, `ms` of the clock pass (real ms on a wall or scaled
   * clock), the client goes away (`signal`), or the domain stops.
   */
  waitFor(user: string, ms: number, ready: () => boolean, signal?: AbortSignal): Promise<void> {
    if (this.disposed || signal?.aborted || ready()) return Promise.resolve();
    const real = realMs(this.clock, ms);
    const wait = this.longPollMaxMs === undefined ? real : Math.min(real, this.longPollMaxMs);
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.waiters.delete(waiter);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const waiter: Waiter = {
        user,
        wake: () => {
          if (!ready() && !this.disposed) return;
          finish();
        },
      };
      const timer = setTimeout(finish, wait);
      timer.unref?.();
      this.timers.add(timer);
      this.waiters.add(waiter);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }

  /** Plain real-time sleep that ends early when the domain stops. */
  sleep(ms: number): Promise<void> {
    return this.waitFor('\u0000none', ms, () => false);
  }

  /** Releases every pending long poll and clears every timer (the simulator is stopping). */
  dispose(): void {
    this.disposed = true;
    this.engine?.dispose();
    for (const w of [...this.waiters]) w.wake();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
