import { type Clock, systemClock } from '../clock';
import { type Campaign, DISPOSITIONS, DOMAIN_SUFFIX, type Domain, type DomainUser, mulberry32, realMs } from './domain';
import { SimFault } from './state';
import {
  AGENT_DISPOSITIONS,
  type AgentStateName,
  CALL_TYPES,
  DIALER_DISPOSITIONS,
  LOGOUT_REASONS,
  NOT_READY_REASONS,
  SERVICE_LEVEL_SECONDS,
  STATISTIC_SPECS,
  STATISTIC_TYPES,
  type StatisticType,
} from './statistics-columns';

export { STATISTIC_SPECS, STATISTIC_TYPES, type StatisticType } from './statistics-columns';

/**
 * The statistics engine of the simulated contact centre.
 *
 * Five9's statistics server publishes changes in batches every 1–6 s; so does this engine, on the
 * simulator's clock. It is lazily advanced: nothing runs in the background; whenever someone looks
 * (a request, `table()`, a control method) every batch due up to `clock.now()` is computed, in order,
 * from the seed alone, so advancing a VirtualClock by an hour in one step gives exactly the same
 * batches as advancing it a second at a time. Each batch moves the domain: agents log in and out,
 * change state, take inbound calls from skill queues, outbound and manual calls, wrap up and set
 * dispositions; queues fill (arrivals follow a slow wave) and drain, callers abandon, ask for a
 * callback or leave a voicemail; dialer campaigns dial, contact and disposition records; agents are
 * hired and leave (addedObjects / deletedObjects). Each batch records the cells it changed per
 * statistic type; getStatisticsUpdate merges the batches after a cursor (latest value per object and
 * column) for the columns the session asked for.
 *
 * Changes made through the API or the control methods (a campaign started, an agent added) are
 * published at once, in a batch of their own.
 */

export interface StatisticsOptions {
  /** Shortest and longest gap between two batches (simulated ms); default 1,000 and 6,000. */
  batchMinMs?: number;
  batchMaxMs?: number;
  /** How long batches are kept for getStatisticsUpdate (simulated ms); an older cursor answers UnknownTimestampFault. Default 1 h. */
  historyMs?: number;
  /** Multiplies the pace of everything (call arrivals, state changes, dialing); default 1. */
  activity?: number;
  /** Agents hired and leaving over time (addedObjects / deletedObjects); default true. */
  staffing?: boolean;
  /** The domain's time zone for `State Since` (ms east of UTC); default 0 (UTC). */
  timeZoneOffsetMs?: number;
  /** Every this many batches each agent's `State Duration` / `Reason Duration` is refreshed; default 8. */
  durationRefreshBatches?: number;
}

/** One statistic type's table as the engine holds it: the truth clients must converge to. */
export interface StatisticsTable {
  type: StatisticType;
  keyColumn: string;
  columns: string[];
  /** Rows keyed by the key column's value; every cell a string. */
  rows: Record<string, Record<string, string>>;
  /** The time stamp of the last batch applied (0 before the first). */
  timestamp: number;
}

interface TypeChanges {
  cells: Map<string, Map<string, string>>;
  added: Set<string>;
  deleted: Set<string>;
}

interface Batch {
  ts: number;
  changes: Map<StatisticType, TypeChanges>;
}

interface Table {
  columns: string[];
  rows: Map<string, Record<string, string>>;
  configVersion: number;
}

interface Subscription {
  /** Null: every column. */
  columns: Set<string> | null;
  configVersion: number;
  issued: Set<number>;
}

interface Call {
  campaign: string;
  kind: 'Inbound' | 'Outbound' | 'Manual';
  talk: number;
  hold: number;
  wrap: number;
  customer: string;
}

interface Agent {
  user: DomainUser;
  fixed: boolean;
  vm: boolean;
  skillSet: Set<number>;
  state: AgentStateName;
  since: number;
  reason: string;
  reasonSince: number;
  callType: string;
  campaign: string;
  customer: string;
  nextAt: number;
  call?: Call;
  vmSkill?: number;
  phase: number;
  stateDirty: boolean;
  statsDirty: boolean;
  calls: number;
  inbound: number;
  manual: number;
  handleSum: number;
  talkSum: number;
  holdSum: number;
  wrapSum: number;
  idleSum: number;
  idleN: number;
  nrSum: number;
  nrN: number;
  disp: Map<string, number>;
}

interface QueueItem {
  at: number;
  campaign: string;
  patience: number;
  customer: string;
}

interface Skill {
  id: number;
  name: string;
  calls: QueueItem[];
  callbacks: QueueItem[];
  vms: QueueItem[];
  longest: number;
  totalVMs: number;
}

interface CampaignSim {
  c: Campaign;
  skill?: number;
  phase: number;
  ratio: number;
  total: number;
  handled: number;
  abandoned: number;
  rejected: number;
  attempts: number;
  contacted: number;
  dispositioned: number;
  completed: number;
  totalRecords: number;
  availableRecords: number;
  asaSum: number;
  withinSL: number;
  longest: number;
  doneN: number;
  handleSum: number;
  talkSum: number;
  wrapSum: number;
  callTimeSum: number;
  disp: Map<string, number>;
  dirty: boolean;
}

const MIN = 60_000;
const FIXED_AGENTS = new Set([2345678, 2345679]);
// Lazily: domain.ts and this module import each other.
let systemOnly: Set<string> | undefined;
const SYSTEM_ONLY = () => (systemOnly ??= new Set(DISPOSITIONS.filter((d) => !AGENT_DISPOSITIONS.some(([a]) => a === d))));
const ROWS_OF_CAMPAIGN: Record<Campaign['type'], StatisticType[]> = {
  INBOUND: ['CampaignState', 'InboundCampaignStatistics'],
  OUTBOUND: ['CampaignState', 'OutboundCampaignManager', 'OutboundCampaignStatistics'],
  AUTODIAL: ['CampaignState', 'OutboundCampaignManager', 'AutodialCampaignStatistics'],
};
const FIRST = ['James', 'Priya', 'Carlos', 'Aisha', 'Ken', 'Julia', 'Marco', 'Nina', 'Sam', 'Ines', 'Leo', 'Zoe', 'Ivan', 'Mia', 'Hugo', 'Rosa'];
const LAST = ['Adams', 'Patel', 'Lopez', 'Khan', 'Sato', 'Meyer', 'Rossi', 'Novak', 'Reed', 'Silva', 'Moreau', 'Costa', 'Berg', 'Hill', 'Ward', 'Cruz'];

export class StatisticsEngine {
  readonly options: Required<StatisticsOptions>;
  private readonly domain: Domain;
  private readonly clock: Clock;
  private readonly rand: () => number;
  private readonly schedule: () => number;
  private readonly tables = new Map<StatisticType, Table>();
  private readonly agents: Agent[] = [];
  private readonly skills = new Map<number, Skill>();
  private readonly campaigns = new Map<string, CampaignSim>();
  private readonly subscriptions = new WeakMap<object, Map<StatisticType, Subscription>>();
  private readonly listeners = new Set<() => void>();
  private batches: Batch[] = [];
  private current?: Batch;
  private simT: number;
  private batchNo = 0;
  private lastStamp = 0;
  private lastBatchTs = 0;
  private prunedThrough = 0;
  private nextStaffingAt: number;
  private pending = 0;
  private disposed = false;
  private advancing = false;
  readonly longPollMaxMs?: number;
  /** The time of the next scheduled batch (simulated ms). */
  nextBatchAt: number;

  constructor(domain: Domain, clock: Clock, seed: number, options: StatisticsOptions = {}, longPollMaxMs?: number, origin = clock.now()) {
    this.domain = domain;
    this.clock = clock;
    this.longPollMaxMs = longPollMaxMs;
    this.options = {
      batchMinMs: 1000,
      batchMaxMs: 6000,
      historyMs: 60 * MIN,
      activity: 1,
      staffing: true,
      timeZoneOffsetMs: 0,
      durationRefreshBatches: 8,
      ...options,
    };
    if (!(this.options.activity > 0)) throw new Error(`statistics.activity must be above 0, got ${this.options.activity}`);
    this.rand = mulberry32((Math.imul(seed, 2654435761) ^ 0x5a17c0de) >>> 0);
    this.schedule = mulberry32((seed ^ 0x1f2e3d4c) >>> 0);
    const t0 = origin;
    this.simT = t0;
    this.nextBatchAt = t0 + this.gap();
    this.nextStaffingAt = t0 + this.dur(3 * MIN, 10 * MIN);
    for (const type of STATISTIC_TYPES) this.tables.set(type, { columns: this.columnsFor(type), rows: new Map(), configVersion: 0 });
    this.build(t0);
  }

  // ---------------------------------------------------------------------------------------------
  // The API's three methods

  /** getColumnNames: the type's columns now, key first. */
  columnNames(type: string): string[] {
    return [...this.table$(type).columns];
  }

  /** getStatistics: the snapshot (requested columns in the requested order) whose timestamp is the session's cursor. */
  snapshot(session: object, type: string, wanted?: Array<string | null>): { columns: { values: { data: string[] } }; rows: Array<{ values: { data: string[] } }>; timestamp: number; type: string } {
    const table = this.table$(type);
    this.advance();
    const columns = wanted && wanted.length ? wanted : table.columns;
    const unknown = columns.find((c) => c === null || !table.columns.includes(c));
    if (unknown !== undefined) throw new SimFault('UnknownColumnFault', { message: `Column "${unknown}" does not exist for ${type}` });
    const cols = columns as string[];
    const cursor = Math.max(this.clock.now(), this.lastStamp);
    this.lastStamp = cursor;
    let subs = this.subscriptions.get(session);
    if (!subs) this.subscriptions.set(session, (subs = new Map()));
    let sub = subs.get(type as StatisticType);
    if (!sub || sub.configVersion !== table.configVersion) subs.set(type as StatisticType, (sub = { columns: null, configVersion: table.configVersion, issued: new Set() }));
    sub.columns = wanted && wanted.length ? new Set(cols) : null;
    sub.issued.add(cursor);
    const rows = [...table.rows.values()].map((r) => ({ values: { data: cols.map((c) => r[c] ?? '') } }));
    return { columns: { values: { data: [...cols] } }, rows, timestamp: cursor, type };
  }

  /**
   * getStatisticsUpdate: waits until a batch after `previous` changed the type (for the session's
   * columns) or the time-out passes (then null: an empty answer). Waits on the simulator's clock,
   * woken by new batches, by the clock's own sleep (a VirtualClock wakes it when advanced) and by
   * dispose(); `longPollMaxMs` caps the real wait.
   */
  async update(session: object, type: string, previous: number, timeoutMs: number, withAdded = true, signal?: AbortSignal): Promise<Record<string, unknown> | null> {
    const table = this.table$(type);
    const sub = this.subscriptions.get(session)?.get(type as StatisticType);
    if (!sub) throw new SimFault('StatisticsNotRequestedFault', { message: `getStatistics was not requested for ${type} in this session. Call getStatistics first.` });
    if (!sub.issued.has(previous) || previous < this.prunedThrough) {
      throw new SimFault('UnknownTimestampFault', { message: `Time stamp ${previous} is incorrect for this session and ${type}` });
    }
    const deadline = this.clock.now() + timeoutMs;
    const realStart = Date.now();
    this.pending++;
    try {
      for (;;) {
        this.advance();
        if (sub.configVersion !== table.configVersion) {
          throw new SimFault('ConfigurationChangedFault', { message: `The configuration of ${type} changed. Call getStatistics again.` });
        }
        const out = this.collect(type as StatisticType, previous, sub.columns, withAdded);
        if (out) {
          sub.issued.add(out.lastTimestamp as number);
          // Cursors older than the kept batches can no longer be answered: forget them.
          for (const c of sub.issued) if (c < this.prunedThrough) sub.issued.delete(c);
          return out;
        }
        const now = this.clock.now();
        const realLeft = this.longPollMaxMs === undefined ? undefined : this.longPollMaxMs - (Date.now() - realStart);
        if (this.disposed || signal?.aborted || now >= deadline || (realLeft !== undefined && realLeft <= 0)) return null;
        await this.wait(Math.min(this.nextBatchAt, deadline) - now, realLeft, signal);
      }
    } finally {
      this.pending--;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Truth and control, for tests, the demo and fault scenarios

  /** The type's table now (after every batch due), rows keyed by the key column. */
  table(type: StatisticType): StatisticsTable {
    const t = this.table$(type);
    this.advance();
    const rows: Record<string, Record<string, string>> = {};
    for (const [k, r] of t.rows) rows[k] = { ...r };
    return { type, keyColumn: STATISTIC_SPECS[type].key, columns: [...t.columns], rows, timestamp: this.lastBatchTs };
  }

  /** Long polls being held now. */
  get waiting(): number {
    return this.pending;
  }

  /** Batches kept (for getStatisticsUpdate) and the time stamp of the last. */
  get history(): { batches: number; lastTimestamp: number } {
    return { batches: this.batches.length, lastTimestamp: this.lastBatchTs };
  }

  /** The dataUpdate items a batch produced for a type, by batch time stamp (for tests of batch sizes). */
  batchSizes(type: StatisticType): Array<{ ts: number; items: number; added: number; deleted: number }> {
    this.advance();
    return this.batches
      .filter((b) => b.changes.has(type))
      .map((b) => {
        const tc = b.changes.get(type)!;
        let items = 0;
        for (const m of tc.cells.values()) items += m.size;
        return { ts: b.ts, items, added: tc.added.size, deleted: tc.deleted.size };
      });
  }

  /** Computes every batch due up to the clock's now. Called by every request of the simulator. */
  advance(): void {
    this.advanceTo(this.clock.now());
  }

  /**
   * Adds a custom disposition: a configuration change. Every type with per-disposition columns gets
   * the new column (0 everywhere); sessions polling those types get ConfigurationChangedFault until
   * they call getStatistics again.
   */
  addDisposition(name: string): void {
    if (this.domain.dispositions.includes(name)) throw new SimFault('IncorrectArgumentFault', { message: `Disposition "${name}" exists` });
    this.advance();
    this.domain.dispositions.push(name);
    for (const type of STATISTIC_TYPES) {
      if (!STATISTIC_SPECS[type].dispositionColumns) continue;
      const t = this.tables.get(type)!;
      t.columns.push(name);
      for (const r of t.rows.values()) r[name] = '0';
      t.configVersion++;
    }
    this.notify();
  }

  /** Hires an agent (Logged Out until the first login): an added object of AgentState and AgentStatistics. Returns the user name. */
  addAgent(options: { local?: string; fullName?: string; skills?: string[] } = {}): string {
    let name = '';
    this.publish((t) => {
      name = this.hire(t, options).user.name;
    });
    return name;
  }

  /** An agent leaves the domain: a deleted object of AgentState and AgentStatistics. */
  removeAgent(username: string): void {
    const a = this.agent$(username);
    this.publish(() => this.fire(a));
  }

  /** Forces an agent's state (e.g. `Not Ready` with a reason, `Logged Out`), published at once. */
  setAgentState(username: string, state: AgentStateName, reason = ''): void {
    const a = this.agent$(username);
    this.publish((t) => {
      if (a.call && (a.state === 'On Call' || a.state === 'After Call Work')) this.finishCall(a, t);
      this.enter(a, state, t, reason);
      if (state === 'On Call') {
        a.call = this.newCall('Manual', this.manualCampaign());
        this.onCall(a, t);
      } else a.nextAt = t + (state === 'Logged Out' ? this.dur(20 * MIN, 240 * MIN) : this.dur(3 * MIN, 15 * MIN));
    });
  }

  /** Adds a skill: an added object of ACDStatus. */
  addSkill(name: string): number {
    if (this.domain.skills.some((s) => s.name === name)) throw new SimFault('IncorrectArgumentFault', { message: `Skill "${name}" exists` });
    let id = 0;
    this.publish((t) => {
      id = Math.max(...this.domain.skills.map((s) => s.id)) + 1;
      this.domain.skills.push({ id, name });
      this.skills.set(id, { id, name, calls: [], callbacks: [], vms: [], longest: 0, totalVMs: 0 });
      this.addRow('ACDStatus', name, this.acdRow(this.skills.get(id)!, t, this.skillCounts().get(id)));
    });
    return id;
  }

  /** Removes a skill (from the domain and every agent): a deleted object of ACDStatus. */
  removeSkill(name: string): void {
    const s = this.domain.skills.find((x) => x.name === name);
    if (!s) throw new SimFault('IncorrectArgumentFault', { message: `Skill "${name}" not found` });
    this.publish(() => {
      this.domain.skills.splice(this.domain.skills.indexOf(s), 1);
      this.skills.delete(s.id);
      for (const a of this.agents) {
        a.skillSet.delete(s.id);
        a.user.skills = a.user.skills.filter((id) => id !== s.id);
      }
      for (const c of this.campaigns.values()) if (c.skill === s.id) c.skill = undefined;
      this.deleteRow('ACDStatus', name);
    });
  }

  /** Adds a campaign (NOT_RUNNING): an added object of every type that lists campaigns of its type. */
  addCampaign(name: string, type: Campaign['type']): void {
    if (this.domain.campaigns.has(name)) throw new SimFault('IncorrectArgumentFault', { message: `Campaign "${name}" exists` });
    this.publish((t) => {
      const c: Campaign = { name, type, state: 'NOT_RUNNING', stateSince: t };
      this.domain.campaigns.set(name, c);
      const cs = this.campaignSim(c);
      for (const ty of ROWS_OF_CAMPAIGN[type]) this.addRow(ty, name, this.campaignRow(ty, cs));
    });
  }

  /** Removes a campaign: a deleted object of every type that lists it. */
  removeCampaign(name: string): void {
    const cs = this.campaigns.get(name);
    if (!cs) throw new SimFault('CampaignNotFoundFault', { campaignName: name, message: `Campaign "${name}" not found` });
    this.publish(() => {
      this.domain.campaigns.delete(name);
      this.campaigns.delete(name);
      for (const ty of ROWS_OF_CAMPAIGN[cs.c.type]) this.deleteRow(ty, name);
    });
  }

  /** Called by the domain when a campaign's state changes (startCampaign, stopCampaign, …): published at once. */
  campaignChanged(c: Campaign): void {
    const cs = this.campaigns.get(c.name);
    if (!cs) return;
    this.publish(() => {
      if (c.state === 'RESETTING') cs.availableRecords = cs.totalRecords;
      this.writeCampaign(cs);
    });
  }

  /** Releases every waiting long poll (they answer empty); the simulator is stopping. */
  dispose(): void {
    this.disposed = true;
    this.notify();
  }

  // ---------------------------------------------------------------------------------------------
  // Batches, cursors and merging

  private table$(type: string): Table {
    const t = this.tables.get(type as StatisticType);
    if (!t) throw new SimFault('IncorrectArgumentFault', { message: `Unknown statistic type ${type}` });
    return t;
  }

  private agent$(username: string): Agent {
    const n = username.toLowerCase();
    const a = this.agents.find((x) => x.user.name.toLowerCase() === n || x.user.name.toLowerCase().split('@')[0] === n);
    if (!a) throw new SimFault('AgentNotFoundFault', { agentName: username, message: `Agent "${username}" not found` });
    return a;
  }

  private columnsFor(type: StatisticType): string[] {
    const spec = STATISTIC_SPECS[type];
    return [...spec.columns.map((c) => c.name), ...(spec.dispositionColumns ? this.domain.dispositions : [])];
  }

  private gap(): number {
    const { batchMinMs: lo, batchMaxMs: hi } = this.options;
    return lo + Math.floor(this.schedule() * (hi - lo + 1));
  }

  private advanceTo(now: number): void {
    if (this.advancing) return;
    this.advancing = true;
    try {
      let produced = false;
      while (this.nextBatchAt <= now) {
        const t = this.nextBatchAt;
        this.open(t);
        this.step(t);
        produced = this.close() || produced;
        this.nextBatchAt = t + this.gap();
      }
      this.prune(now);
      if (produced) this.notify();
    } finally {
      this.advancing = false;
    }
  }

  /** Runs a change now, after every batch due, as a batch of its own. */
  private publish(fn: (t: number) => void): void {
    this.advance();
    const t = this.clock.now();
    this.open(t);
    try {
      fn(t);
      this.publishRows(t, false);
    } finally {
      if (this.close()) this.notify();
    }
  }

  private open(t: number): void {
    const ts = Math.max(t, this.lastStamp + 1);
    this.current = { ts, changes: new Map() };
  }

  private close(): boolean {
    const b = this.current!;
    this.current = undefined;
    if (!b.changes.size) return false;
    this.lastStamp = b.ts;
    this.lastBatchTs = b.ts;
    this.batches.push(b);
    return true;
  }

  private prune(now: number): void {
    const limit = now - this.options.historyMs;
    let k = 0;
    while (k < this.batches.length && this.batches[k].ts < limit) k++;
    if (k) {
      this.prunedThrough = this.batches[k - 1].ts;
      this.batches = this.batches.slice(k);
    }
  }

  private changes(type: StatisticType): TypeChanges | undefined {
    const b = this.current;
    if (!b) return undefined;
    let tc = b.changes.get(type);
    if (!tc) b.changes.set(type, (tc = { cells: new Map(), added: new Set(), deleted: new Set() }));
    return tc;
  }

  private setCell(type: StatisticType, key: string, column: string, value: string): void {
    const row = this.tables.get(type)!.rows.get(key);
    if (!row || !(column in row) || row[column] === value) return;
    row[column] = value;
    const tc = this.changes(type);
    if (!tc) return;
    let m = tc.cells.get(key);
    if (!m) tc.cells.set(key, (m = new Map()));
    m.set(column, value);
  }

  private writeRow(type: StatisticType, key: string, values: Record<string, string>): void {
    for (const col in values) this.setCell(type, key, col, values[col]);
  }

  private addRow(type: StatisticType, key: string, values: Record<string, string>): void {
    const t = this.tables.get(type)!;
    const keyCol = STATISTIC_SPECS[type].key;
    const row: Record<string, string> = {};
    for (const c of t.columns) row[c] = c === keyCol ? key : (values[c] ?? '');
    t.rows.set(key, row);
    const tc = this.changes(type);
    if (!tc) return;
    tc.deleted.delete(key);
    tc.added.add(key);
    tc.cells.set(key, new Map(t.columns.filter((c) => c !== keyCol).map((c) => [c, row[c]])));
  }

  private deleteRow(type: StatisticType, key: string): void {
    const t = this.tables.get(type)!;
    if (!t.rows.delete(key)) return;
    const tc = this.changes(type);
    if (!tc) return;
    tc.cells.delete(key);
    if (tc.added.has(key)) tc.added.delete(key);
    else tc.deleted.add(key);
  }

  /** The merged changes of the batches after `previous` for a type and the session's columns, or null if none. */
  private collect(type: StatisticType, previous: number, columns: Set<string> | null, withAdded: boolean): Record<string, unknown> | null {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.batches[mid].ts <= previous) lo = mid + 1;
      else hi = mid;
    }
    // 'added': new since previous; 'readded': deleted and added again; 'deleted': gone.
    const status = new Map<string, 'added' | 'readded' | 'deleted'>();
    const cells = new Map<string, Map<string, string>>();
    for (let i = lo; i < this.batches.length; i++) {
      const tc = this.batches[i].changes.get(type);
      if (!tc) continue;
      for (const obj of tc.added) {
        status.set(obj, status.get(obj) === 'deleted' ? 'readded' : 'added');
        cells.set(obj, new Map());
      }
      for (const [obj, m] of tc.cells) {
        let x = cells.get(obj);
        for (const [col, v] of m) {
          if (columns && !columns.has(col)) continue;
          if (!x) cells.set(obj, (x = new Map()));
          x.set(col, v);
        }
      }
      for (const obj of tc.deleted) {
        cells.delete(obj);
        const s = status.get(obj);
        if (s === 'added') status.delete(obj);
        else status.set(obj, 'deleted');
      }
    }
    const dataUpdate: Array<{ columnName: string; columnValue: string; objectName: string }> = [];
    for (const [objectName, m] of cells) for (const [columnName, columnValue] of m) dataUpdate.push({ columnName, columnValue, objectName });
    const added = [...status].filter(([, s]) => s !== 'deleted').map(([o]) => o);
    const deleted = [...status].filter(([, s]) => s === 'deleted').map(([o]) => o);
    if (!dataUpdate.length && !added.length && !deleted.length) return null;
    return {
      ...(withAdded ? { addedObjects: { values: { data: added } } } : {}),
      dataUpdate,
      deletedObjects: { values: { data: deleted } },
      lastTimestamp: this.lastBatchTs,
      previousTimestamp: previous,
      type,
    };
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves when a batch is published, `simMs` of the clock pass, `realCap` real ms pass, the client goes away, or the engine stops. */
  private wait(simMs: number, realCap: number | undefined, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        for (const t of timers) clearTimeout(t);
        this.listeners.delete(finish);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      this.listeners.add(finish);
      const timer = (ms: number) => {
        const t = setTimeout(finish, Math.max(0, ms));
        t.unref?.();
        timers.push(t);
      };
      // The wall clock or a scaled one: a real timer we can cancel. Any other clock: its own sleep (a
      // VirtualClock resolves it when advanced; a fast-forward one moves time itself).
      if (this.clock === systemClock || 'real' in this.clock) timer(realMs(this.clock, simMs));
      else this.clock.sleep(Math.max(1, simMs)).then(finish, finish);
      if (realCap !== undefined) timer(realCap);
      signal?.addEventListener('abort', finish, { once: true });
      if (this.disposed || signal?.aborted) finish();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // The simulated contact centre

  private between(lo: number, hi: number): number {
    return lo + this.rand() * (hi - lo);
  }

  /** A duration in [lo, hi) ms, shortened by the activity factor. */
  private dur(lo: number, hi: number): number {
    return Math.max(1, Math.round(this.between(lo, hi) / this.options.activity));
  }

  private pick<T>(weighted: Array<[T, number]>): T {
    const total = weighted.reduce((s, [, w]) => s + w, 0);
    let r = this.rand() * total;
    for (const [v, w] of weighted) if ((r -= w) < 0) return v;
    return weighted[weighted.length - 1][0];
  }

  private poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) {
      const u = Math.max(1e-12, this.rand());
      const g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.rand());
      return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * g));
    }
    const l = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.rand();
    } while (p > l);
    return k - 1;
  }

  private customer(): string {
    return `${200 + Math.floor(this.rand() * 790)}555${String(Math.floor(this.rand() * 10000)).padStart(4, '0')}`;
  }

  private fmt(ms: number): string {
    return new Date(ms + this.options.timeZoneOffsetMs).toISOString().replace('T', ' ').slice(0, 19);
  }

  private build(t0: number): void {
    for (const s of this.domain.skills) this.skills.set(s.id, { id: s.id, name: s.name, calls: [], callbacks: [], vms: [], longest: 0, totalVMs: 0 });
    for (const c of this.domain.campaigns.values()) this.campaignSim(c);
    for (const u of this.domain.users) if (u.role === 'Agent') this.agents.push(this.newAgent(u, t0, true));
    for (const a of this.agents) {
      this.tables.get('AgentState')!.rows.set(a.user.name, this.fullRow('AgentState', a.user.name, this.agentStateRow(a, t0)));
      this.tables.get('AgentStatistics')!.rows.set(a.user.name, this.fullRow('AgentStatistics', a.user.name, this.agentStatsRow(a)));
      a.stateDirty = a.statsDirty = false;
    }
    const counts = this.skillCounts();
    for (const s of this.skills.values()) this.tables.get('ACDStatus')!.rows.set(s.name, this.fullRow('ACDStatus', s.name, this.acdRow(s, t0, counts.get(s.id))));
    for (const cs of this.campaigns.values()) {
      for (const ty of ROWS_OF_CAMPAIGN[cs.c.type]) this.tables.get(ty)!.rows.set(cs.c.name, this.fullRow(ty, cs.c.name, this.campaignRow(ty, cs)));
      cs.dirty = false;
    }
  }

  private fullRow(type: StatisticType, key: string, values: Record<string, string>): Record<string, string> {
    const keyCol = STATISTIC_SPECS[type].key;
    const row: Record<string, string> = {};
    for (const c of this.tables.get(type)!.columns) row[c] = c === keyCol ? key : (values[c] ?? '');
    return row;
  }

  private campaignSim(c: Campaign): CampaignSim {
    const nonDefault = this.domain.skills.filter((s) => s.name !== '[Default]');
    let skill: number | undefined;
    if (c.type === 'INBOUND') {
      const cs = this.domain.skills.find((s) => s.name === 'Customer Service');
      const inboundIndex = [...this.campaigns.values()].filter((x) => x.c.type === 'INBOUND').length;
      skill = c.name === 'Inbound Support' && cs ? cs.id : nonDefault[inboundIndex % Math.max(1, nonDefault.length)]?.id;
    }
    const totalRecords = c.type === 'INBOUND' ? 0 : 2000 + Math.floor(this.rand() * 48000);
    const sim: CampaignSim = {
      c, skill, phase: this.rand() * 2 * Math.PI, ratio: 1.2 + Math.round(this.rand() * 18) / 10,
      total: 0, handled: 0, abandoned: 0, rejected: 0, attempts: 0, contacted: 0, dispositioned: 0, completed: 0,
      totalRecords, availableRecords: Math.round(totalRecords * this.between(0.4, 1)),
      asaSum: 0, withinSL: 0, longest: 0, doneN: 0, handleSum: 0, talkSum: 0, wrapSum: 0, callTimeSum: 0, disp: new Map(), dirty: false,
    };
    this.campaigns.set(c.name, sim);
    return sim;
  }

  private newAgent(user: DomainUser, t0: number, initial: boolean): Agent {
    const a: Agent = {
      user, fixed: FIXED_AGENTS.has(user.id), vm: this.rand() < 0.3, skillSet: new Set(user.skills),
      state: 'Logged Out', since: t0, reason: '', reasonSince: t0, callType: '', campaign: '', customer: '', nextAt: t0 + this.dur(MIN, 10 * MIN),
      phase: Math.floor(this.rand() * 1000), stateDirty: true, statsDirty: true,
      calls: 0, inbound: 0, manual: 0, handleSum: 0, talkSum: 0, holdSum: 0, wrapSum: 0, idleSum: 0, idleN: 0, nrSum: 0, nrN: 0, disp: new Map(),
    };
    if (!initial) return a;
    if (!user.loggedIn) {
      a.since = a.reasonSince = t0 - Math.round(this.between(10 * MIN, 600 * MIN));
      if (this.rand() < 0.5) a.reason = this.pick(LOGOUT_REASONS);
      a.nextAt = t0 + this.dur(MIN, 90 * MIN);
      return a;
    }
    const r = this.rand();
    if (r < 0.35) {
      a.state = 'Ready';
      a.since = t0 - Math.round(this.between(0, 5 * MIN));
      a.nextAt = t0 + this.dur(MIN, 15 * MIN);
    } else if (r < 0.75) {
      const call = this.initialCall(a);
      a.call = call;
      a.state = r < 0.65 ? 'On Call' : 'After Call Work';
      const length = a.state === 'On Call' ? call.talk + call.hold : call.wrap;
      const elapsed = Math.round(this.between(0, length));
      a.since = t0 - elapsed;
      a.nextAt = a.since + length + 1;
      a.callType = call.kind === 'Manual' ? CALL_TYPES.manual : call.kind === 'Inbound' ? CALL_TYPES.inbound : CALL_TYPES.outbound;
      a.campaign = call.campaign;
      a.customer = call.customer;
    } else {
      a.state = 'Not Ready';
      a.reason = this.pick(NOT_READY_REASONS);
      a.since = a.reasonSince = t0 - Math.round(this.between(0, 10 * MIN));
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
      hold: this.rand() < 0.3 ? this.dur(10_000, 120_000) : 0,
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
    if (!a.fixed && this.rand() < 0.05) this.enter(a, 'Logged Out', t, this.pick(LOGOUT_REASONS));
    else if (this.rand() < 0.12) this.enter(a, 'Not Ready', t, this.pick(NOT_READY_REASONS));
    else this.enter(a, 'Ready', t);
    a.nextAt = t + (a.state === 'Logged Out' ? this.dur(20 * MIN, 240 * MIN) : a.state === 'Ready' ? this.dur(2 * MIN, 15 * MIN) : this.dur(MIN, 10 * MIN));
  }

  /** The agent's call is done: a disposition, the agent's and the campaign's counters. */
  private finishCall(a: Agent, t: number): void {
    const call = a.call;
    if (!call) return;
    const choices: Array<[string, number]> = [];
    for (const d of this.domain.dispositions) {
      const w = AGENT_DISPOSITIONS.find(([n]) => n === d)?.[1] ?? (SYSTEM_ONLY().has(d) ? 0 : 3);
      if (w) choices.push([d, w]);
    }
    const d = choices.length ? this.pick(choices) : 'No Disposition';
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
        if (this.rand() < 0.75) {
          this.enter(a, 'Ready', at);
          a.nextAt = at + this.dur(2 * MIN, 15 * MIN);
        } else {
          this.enter(a, 'Not Ready', at, this.pick(NOT_READY_REASONS));
          a.nextAt = at + this.dur(MIN, 8 * MIN);
        }
        break;
      case 'Ready': {
        const r = this.rand();
        if (!a.fixed && r < 0.06) {
          this.enter(a, 'Logged Out', at, this.pick(LOGOUT_REASONS));
          a.nextAt = at + this.dur(20 * MIN, 240 * MIN);
        } else if (r < 0.2 && this.manualCampaign()) {
          this.enter(a, 'On Call', at);
          a.call = this.newCall('Manual', this.manualCampaign());
          this.onCall(a, at);
        } else {
          const reason = this.pick(NOT_READY_REASONS);
          this.enter(a, 'Not Ready', at, reason);
          a.nextAt = at + (reason === 'Lunch' ? this.dur(20 * MIN, 45 * MIN) : this.dur(MIN, 12 * MIN));
        }
        break;
      }
      case 'Not Ready':
        if (!a.fixed && this.rand() < 0.1) {
          this.enter(a, 'Logged Out', at, this.pick(LOGOUT_REASONS));
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

  private hire(t: number, options: { local?: string; fullName?: string; skills?: string[] } = {}): Agent {
    const taken = new Set(this.domain.users.map((u) => u.name.split('@')[0].toLowerCase()));
    const ids = new Set(this.domain.users.map((u) => u.id));
    const first = FIRST[Math.floor(this.rand() * FIRST.length)];
    const last = LAST[Math.floor(this.rand() * LAST.length)];
    let local = options.local ?? `${first[0]}${last}`.toLowerCase();
    const base = local;
    for (let n = 2; taken.has(local.toLowerCase()); n++) local = `${base}${n}`;
    let id: number;
    do id = 1_000_000 + Math.floor(this.rand() * 9_000_000);
    while (ids.has(id));
    const skills = options.skills
      ? this.domain.skills.filter((s, i) => i === 0 || options.skills!.includes(s.name)).map((s) => s.id)
      : this.domain.skills.filter((s, i) => i === 0 || this.rand() < 0.5).map((s) => s.id);
    const groups = this.domain.groups.filter(() => this.rand() < 0.4).map((g) => g.id);
    const user: DomainUser = { id, name: `${local}${DOMAIN_SUFFIX}`, fullName: options.fullName ?? `${first} ${last}`, role: 'Agent', loggedIn: false, skills, groups };
    this.domain.users.push(user);
    const a = this.newAgent(user, t, false);
    a.since = a.reasonSince = t;
    this.agents.push(a);
    this.addRow('AgentState', user.name, this.agentStateRow(a, t));
    this.addRow('AgentStatistics', user.name, this.agentStatsRow(a));
    a.stateDirty = a.statsDirty = false;
    return a;
  }

  private fire(a: Agent): void {
    const i = this.agents.indexOf(a);
    if (i < 0) return;
    this.agents.splice(i, 1);
    const j = this.domain.users.indexOf(a.user);
    if (j >= 0) this.domain.users.splice(j, 1);
    this.deleteRow('AgentState', a.user.name);
    this.deleteRow('AgentStatistics', a.user.name);
  }

  private staffing(at: number): void {
    if (this.rand() < 0.55) {
      this.hire(at);
      return;
    }
    const leavers = this.agents.filter((a) => !a.fixed && a.state === 'Logged Out');
    if (leavers.length) this.fire(leavers[Math.floor(this.rand() * leavers.length)]);
  }

  /** One batch of simulated time up to t. */
  private step(t: number): void {
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
        this.nextStaffingAt += Math.max(MIN, Math.round(this.between(3 * MIN, 10 * MIN)));
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
      const n = this.poisson(((act * 0.95 * staffed) / 330) * wave * (dt / 1000));
      const times = Array.from({ length: n }, () => t - Math.floor(this.rand() * dt)).sort((x, y) => x - y);
      for (const at of times) {
        cs.total++;
        cs.dirty = true;
        if (skill.calls.length >= 60) {
          cs.rejected++;
          continue;
        }
        skill.calls.push({ at, campaign: cs.c.name, patience: Math.round(this.between(20_000, 240_000)), customer: this.customer() });
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
        const r = this.rand();
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
      const attempts = this.poisson(((cs.ratio * share * dt) / 25_000) * act);
      for (let n = 0; n < attempts; n++) this.dial(cs, left, t);
    }
    for (const cs of this.campaigns.values()) {
      if (cs.c.type !== 'AUTODIAL' || cs.c.state !== 'RUNNING') continue;
      const attempts = this.poisson((dt / 1000) * 0.4 * act);
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
    if (this.rand() >= 0.33) {
      const d = this.pick(DIALER_DISPOSITIONS);
      if (d !== 'Dial Error') cs.total++;
      count(d);
      return;
    }
    cs.total++;
    cs.contacted++;
    if (!agents) {
      cs.callTimeSum += this.dur(15_000, 90_000);
      if (this.rand() < 0.1) {
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
  private publishRows(t: number, scheduled: boolean): void {
    const every = Math.max(1, this.options.durationRefreshBatches);
    for (const a of this.agents) {
      if (a.stateDirty) {
        this.writeRow('AgentState', a.user.name, this.agentStateRow(a, t));
        a.stateDirty = false;
      } else if (scheduled && a.state !== 'Logged Out' && (a.phase + this.batchNo) % every === 0) {
        this.setCell('AgentState', a.user.name, 'State Duration', String(t - a.since));
        if (a.reason) this.setCell('AgentState', a.user.name, 'Reason Duration', String(t - a.reasonSince));
      }
      if (a.statsDirty) {
        this.writeRow('AgentStatistics', a.user.name, this.agentStatsRow(a));
        a.statsDirty = false;
      }
    }
    const counts = this.skillCounts();
    for (const s of this.skills.values()) this.writeRow('ACDStatus', s.name, this.acdRow(s, t, counts.get(s.id)));
    const ready = this.agents.filter((a) => a.state === 'Ready').length;
    for (const cs of this.campaigns.values()) {
      if (cs.c.type === 'OUTBOUND') this.setCell('OutboundCampaignManager', cs.c.name, 'Agents Ready For Calls', String(cs.c.state === 'RUNNING' ? ready : 0));
      if (!cs.dirty) continue;
      this.writeCampaign(cs);
    }
  }

  private writeCampaign(cs: CampaignSim): void {
    for (const ty of ROWS_OF_CAMPAIGN[cs.c.type]) this.writeRow(ty, cs.c.name, this.campaignRow(ty, cs));
    cs.dirty = false;
  }

  // ---- rows ----

  private agentStateRow(a: Agent, t: number): Record<string, string> {
    return {
      'Full Name': a.user.fullName,
      State: a.state,
      'State Since': this.fmt(a.since),
      'State Duration': String(Math.max(0, t - a.since)),
      'Reason Code': a.reason,
      'Reason Since': a.reason ? this.fmt(a.reasonSince) : '',
      'Reason Duration': a.reason ? String(Math.max(0, t - a.reasonSince)) : '',
      'Call Type': a.callType,
      'Campaign Name': a.campaign,
      Customer: a.customer,
    };
  }

  private agentStatsRow(a: Agent): Record<string, string> {
    const avg = (sum: number, n: number) => String(n ? Math.round(sum / n) : 0);
    const row: Record<string, string> = {
      'Full Name': a.user.fullName,
      'Total Calls': String(a.calls),
      'Avg Handle Time': avg(a.handleSum, a.calls),
      'Avg Wrap Time': avg(a.wrapSum, a.calls),
      'Avg Idle Time': avg(a.idleSum, a.idleN),
      'Avg Not Ready Time': avg(a.nrSum, a.nrN),
      'Avg Talk Time': avg(a.talkSum, a.calls),
      'Avg Hold Time': avg(a.holdSum, a.calls),
      'Avg Call Time': avg(a.talkSum + a.holdSum, a.calls),
      'Total Inbound Calls': String(a.inbound),
      'Total Manual Calls': String(a.manual),
    };
    for (const d of this.domain.dispositions) row[d] = String(a.disp.get(d) ?? 0);
    return row;
  }

  private acdRow(s: Skill, t: number, c?: Record<AgentStateName, number> & { vmReady: number; vmBusy: number }): Record<string, string> {
    const n = (x?: number) => String(x ?? 0);
    const logged = c ? c.Ready + c['Not Ready'] + c['On Call'] + c['After Call Work'] + c['On Voicemail'] : 0;
    const available = c ? logged - c['Not Ready'] : 0;
    const oldest = s.calls.length ? t - s.calls[0].at : 0;
    return {
      'Agents Logged In': `${logged} (${available})`,
      'Agents Not Ready For Calls': n(c ? c['Not Ready'] + c['After Call Work'] + c['On Voicemail'] : 0),
      'Agents On Call': n(c?.['On Call']),
      'Agents Ready For Calls': n(c?.Ready),
      'Agents Ready For VMs': n(c?.vmReady),
      'Calls In Queue': n(s.calls.length),
      'Current Longest Queue Time': n(oldest),
      'Longest Queue Time': n(Math.max(s.longest, oldest)),
      'Queue Callbacks': n(s.callbacks.length),
      'Total VMs': n(s.totalVMs),
      'VMs In Progress': n(c?.vmBusy),
      'VMs In Queue': n(s.vms.length),
    };
  }

  private campaignRow(type: StatisticType, cs: CampaignSim): Record<string, string> {
    const avg = (sum: number, n: number) => String(n ? Math.round(sum / n) : 0);
    const pct = (x: number, n: number) => `${(n ? (100 * x) / n : 0).toFixed(2)}%`;
    const disp = () => Object.fromEntries(this.domain.dispositions.map((d) => [d, String(cs.disp.get(d) ?? 0)]));
    switch (type) {
      case 'CampaignState':
        return { State: cs.c.state, 'State Since': this.fmt(cs.c.stateSince) };
      case 'OutboundCampaignManager':
        return {
          State: cs.c.state,
          'Agents Ready For Calls': cs.c.type === 'OUTBOUND' && cs.c.state === 'RUNNING' ? String(this.agents.filter((a) => a.state === 'Ready').length) : '0',
          'Dialing Attempts': String(cs.attempts),
          Contacted: String(cs.contacted),
          Dispositioned: String(cs.dispositioned),
          'Total Records': String(cs.totalRecords),
          'Available Records': String(cs.availableRecords),
          'Calls To Agent Ratio': cs.c.type === 'OUTBOUND' ? cs.ratio.toFixed(2) : '0.00',
          'Abandoned Calls': String(cs.abandoned),
        };
      case 'OutboundCampaignStatistics':
        return {
          'Total Calls': String(cs.total),
          'Dialing Attempts': String(cs.attempts),
          Contacted: String(cs.contacted),
          'Abandoned Calls': String(cs.abandoned),
          'Abandon Rate': pct(cs.abandoned, cs.contacted),
          'Avg Handle Time': avg(cs.handleSum, cs.doneN),
          'Avg Talk Time': avg(cs.talkSum, cs.doneN),
          'Avg Wrap Time': avg(cs.wrapSum, cs.doneN),
          ...disp(),
        };
      case 'InboundCampaignStatistics':
        return {
          'Total Calls': String(cs.total),
          'Handled Calls': String(cs.handled),
          'Abandoned Calls': String(cs.abandoned),
          'Rejected Calls': String(cs.rejected),
          'Abandon Rate': pct(cs.abandoned, cs.total),
          'Avg Speed Of Answer': avg(cs.asaSum, cs.handled),
          'Avg Handle Time': avg(cs.handleSum, cs.doneN),
          'Avg Talk Time': avg(cs.talkSum, cs.doneN),
          'Avg Wrap Time': avg(cs.wrapSum, cs.doneN),
          'Longest Queue Time': String(cs.longest),
          'Service Level': pct(cs.withinSL, cs.handled + cs.abandoned),
          ...disp(),
        };
      case 'AutodialCampaignStatistics':
        return {
          'Total Calls': String(cs.total),
          'Dialing Attempts': String(cs.attempts),
          Contacted: String(cs.contacted),
          Completed: String(cs.completed),
          'Abandoned Calls': String(cs.abandoned),
          'Avg Call Time': avg(cs.callTimeSum, cs.contacted),
          ...disp(),
        };
      default:
        return {};
    }
  }
}
