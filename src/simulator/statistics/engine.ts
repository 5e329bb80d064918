import type { Clock } from '../../clock';
import type { Campaign, Directory } from '../directory';
import { mulberry32 } from '../random';
import { SimFault } from '../state';
import { BatchLog } from './batches';
import { type AgentStateName, STATISTIC_SPECS, STATISTIC_TYPES, type StatisticType } from './columns';
import { ContactCentreModel } from './model';
import { MIN, type StatisticsOptions, type StatisticsTable } from './types';
import { Waiting } from './waiting';

interface Subscription {
  /** Null: every column. */
  columns: Set<string> | null;
  configVersion: number;
  issued: Set<number>;
}

/**
 * The statistics engine of the simulated contact centre: the API's three methods (getColumnNames,
 * getStatistics, getStatisticsUpdate) and the control methods of tests and fault scenarios.
 *
 * Five9's statistics server publishes changes in batches every 1–6 s; so does this engine, on the
 * simulator's clock. It is lazily advanced: nothing runs in the background; whenever someone looks
 * (a request, `table()`, a control method) every batch due up to `clock.now()` is computed, in order,
 * from the seed alone, so advancing a VirtualClock by an hour in one step gives exactly the same
 * batches as advancing it a second at a time. The contact centre (model.ts) moves in each batch; the
 * batch log (batches.ts) records the cells each batch changed; getStatisticsUpdate merges the
 * batches after a cursor for the columns the session asked for, waiting (waiting.ts) when there are
 * none yet. Changes made through the API or the control methods (a campaign started, an agent
 * added) are published at once, in a batch of their own.
 */
export class StatisticsEngine {
  readonly options: Required<StatisticsOptions>;
  readonly longPollMaxMs?: number;
  /** The time of the next scheduled batch (simulated ms). */
  nextBatchAt: number;
  private readonly dir: Directory;
  private readonly clock: Clock;
  private readonly schedule: () => number;
  private readonly log: BatchLog;
  private readonly model: ContactCentreModel;
  private readonly waits: Waiting;
  private readonly subscriptions = new WeakMap<object, Map<StatisticType, Subscription>>();
  private advancing = false;

  constructor(dir: Directory, clock: Clock, seed: number, options: StatisticsOptions = {}, longPollMaxMs?: number, origin = clock.now()) {
    this.dir = dir;
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
    this.schedule = mulberry32((seed ^ 0x1f2e3d4c) >>> 0);
    this.waits = new Waiting(clock);
    this.nextBatchAt = origin + this.gap();
    this.log = new BatchLog((type) => [...STATISTIC_SPECS[type].columns.map((c) => c.name), ...(STATISTIC_SPECS[type].dispositionColumns ? dir.dispositions : [])]);
    this.model = new ContactCentreModel(dir, this.log, this.options, seed, origin);
  }

  // ---------------------------------------------------------------------------------------------
  // The API's three methods

  /** getColumnNames: the type's columns now, key first. */
  columnNames(type: string): string[] {
    return [...this.log.table(type).columns];
  }

  /** getStatistics: the snapshot (requested columns in the requested order) whose timestamp is the session's cursor. */
  snapshot(session: object, type: string, wanted?: Array<string | null>): { columns: { values: { data: string[] } }; rows: Array<{ values: { data: string[] } }>; timestamp: number; type: string } {
    const table = this.log.table(type);
    this.advance();
    const columns = wanted && wanted.length ? wanted : table.columns;
    const unknown = columns.find((c) => c === null || !table.columns.includes(c));
    if (unknown !== undefined) throw new SimFault('UnknownColumnFault', { message: `Column "${unknown}" does not exist for ${type}` });
    const cols = columns as string[];
    const cursor = this.log.stampSnapshot(this.clock.now());
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
   * woken by new batches, by the clock's own sleep (a VirtualClock wakes it when advanced), by the
   * client going away (`signal`) and by dispose(); `longPollMaxMs` caps the real wait.
   */
  async update(session: object, type: string, previous: number, timeoutMs: number, withAdded = true, signal?: AbortSignal): Promise<Record<string, unknown> | null> {
    const table = this.log.table(type);
    const sub = this.subscriptions.get(session)?.get(type as StatisticType);
    if (!sub) throw new SimFault('StatisticsNotRequestedFault', { message: `getStatistics was not requested for ${type} in this session. Call getStatistics first.` });
    if (!sub.issued.has(previous) || previous < this.log.prunedThrough) {
      throw new SimFault('UnknownTimestampFault', { message: `Time stamp ${previous} is incorrect for this session and ${type}` });
    }
    const deadline = this.clock.now() + timeoutMs;
    const realStart = Date.now();
    this.waits.pending++;
    try {
      for (;;) {
        this.advance();
        if (sub.configVersion !== table.configVersion) {
          throw new SimFault('ConfigurationChangedFault', { message: `The configuration of ${type} changed. Call getStatistics again.` });
        }
        const out = this.log.collect(type as StatisticType, previous, sub.columns, withAdded);
        if (out) {
          sub.issued.add(out.lastTimestamp as number);
          // Cursors older than the kept batches can no longer be answered: forget them.
          for (const c of sub.issued) if (c < this.log.prunedThrough) sub.issued.delete(c);
          return out;
        }
        const now = this.clock.now();
        const realLeft = this.longPollMaxMs === undefined ? undefined : this.longPollMaxMs - (Date.now() - realStart);
        if (this.waits.stopped || signal?.aborted || now >= deadline || (realLeft !== undefined && realLeft <= 0)) return null;
        await this.waits.wait(Math.min(this.nextBatchAt, deadline) - now, realLeft, signal);
      }
    } finally {
      this.waits.pending--;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Truth and control, for tests, the demo and fault scenarios

  /** The type's table now (after every batch due), rows keyed by the key column. */
  table(type: StatisticType): StatisticsTable {
    const t = this.log.table(type);
    this.advance();
    const rows: Record<string, Record<string, string>> = {};
    for (const [k, r] of t.rows) rows[k] = { ...r };
    return { type, keyColumn: STATISTIC_SPECS[type].key, columns: [...t.columns], rows, timestamp: this.log.lastBatchTs };
  }

  /** Long polls being held now. */
  get waiting(): number {
    return this.waits.pending;
  }

  /** Batches kept (for getStatisticsUpdate) and the time stamp of the last. */
  get history(): { batches: number; lastTimestamp: number } {
    return { batches: this.log.size, lastTimestamp: this.log.lastBatchTs };
  }

  /** The dataUpdate items a batch produced for a type, by batch time stamp (for tests of batch sizes). */
  batchSizes(type: StatisticType): Array<{ ts: number; items: number; added: number; deleted: number }> {
    this.advance();
    return this.log.sizes(type);
  }

  /** Computes every batch due up to the clock's now. Called by every request that reads the contact centre. */
  advance(): void {
    const now = this.clock.now();
    if (this.advancing) return;
    this.advancing = true;
    try {
      let produced = false;
      while (this.nextBatchAt <= now) {
        const t = this.nextBatchAt;
        this.log.open(t);
        this.model.step(t);
        produced = this.log.close() || produced;
        this.nextBatchAt = t + this.gap();
      }
      this.log.prune(now - this.options.historyMs);
      if (produced) this.waits.notify();
    } finally {
      this.advancing = false;
    }
  }

  /**
   * Adds a custom disposition: a configuration change. Every type with per-disposition columns gets
   * the new column (0 everywhere); sessions polling those types get ConfigurationChangedFault until
   * they call getStatistics again.
   */
  addDisposition(name: string): void {
    if (this.dir.dispositions.includes(name)) throw new SimFault('IncorrectArgumentFault', { message: `Disposition "${name}" exists` });
    this.advance();
    this.dir.dispositions.push(name);
    for (const type of STATISTIC_TYPES) {
      if (!STATISTIC_SPECS[type].dispositionColumns) continue;
      const t = this.log.tables.get(type)!;
      t.columns.push(name);
      for (const r of t.rows.values()) r[name] = '0';
      t.configVersion++;
    }
    this.waits.notify();
  }

  /** Hires an agent (Logged Out until the first login): an added object of AgentState and AgentStatistics. Returns the user name. */
  addAgent(options: { local?: string; fullName?: string; skills?: string[] } = {}): string {
    let name = '';
    this.publish((t) => {
      name = this.model.hire(t, options).user.name;
    });
    return name;
  }

  /** An agent leaves the domain: a deleted object of AgentState and AgentStatistics. */
  removeAgent(username: string): void {
    const a = this.model.agent(username);
    this.publish(() => this.model.fire(a));
  }

  /** Forces an agent's state (e.g. `Not Ready` with a reason, `Logged Out`), published at once. */
  setAgentState(username: string, state: AgentStateName, reason = ''): void {
    const a = this.model.agent(username);
    this.publish((t) => this.model.forceState(a, state, reason, t));
  }

  /** Adds a skill: an added object of ACDStatus. */
  addSkill(name: string): number {
    if (this.dir.skills.some((s) => s.name === name)) throw new SimFault('IncorrectArgumentFault', { message: `Skill "${name}" exists` });
    let id = 0;
    this.publish((t) => {
      id = this.model.addSkill(name, t);
    });
    return id;
  }

  /** Removes a skill (from the domain and every agent): a deleted object of ACDStatus. */
  removeSkill(name: string): void {
    const s = this.dir.skills.find((x) => x.name === name);
    if (!s) throw new SimFault('IncorrectArgumentFault', { message: `Skill "${name}" not found` });
    this.publish(() => this.model.removeSkill(s));
  }

  /** Adds a campaign (NOT_RUNNING): an added object of every type that lists campaigns of its type. */
  addCampaign(name: string, type: Campaign['type']): void {
    if (this.dir.campaigns.has(name)) throw new SimFault('IncorrectArgumentFault', { message: `Campaign "${name}" exists` });
    this.publish((t) => this.model.addCampaign(name, type, t));
  }

  /** Removes a campaign: a deleted object of every type that lists it. */
  removeCampaign(name: string): void {
    const cs = this.model.campaigns.get(name);
    if (!cs) throw new SimFault('CampaignNotFoundFault', { campaignName: name, message: `Campaign "${name}" not found` });
    this.publish(() => this.model.removeCampaign(cs));
  }

  /** Called by the domain when a campaign's state changes (startCampaign, stopCampaign, …): published at once. */
  campaignChanged(c: Campaign): void {
    const cs = this.model.campaigns.get(c.name);
    if (!cs) return;
    this.publish(() => this.model.campaignChanged(cs));
  }

  /** Releases every waiting long poll (they answer empty); the simulator is stopping. */
  dispose(): void {
    this.waits.dispose();
  }

  private gap(): number {
    const { batchMinMs: lo, batchMaxMs: hi } = this.options;
    return lo + Math.floor(this.schedule() * (hi - lo + 1));
  }

  /** Runs a change now, after every batch due, as a batch of its own. */
  private publish(fn: (t: number) => void): void {
    this.advance();
    const t = this.clock.now();
    this.log.open(t);
    try {
      fn(t);
      this.model.publishRows(t, false);
    } finally {
      if (this.log.close()) this.waits.notify();
    }
  }
}
