import { type Clock, systemClock } from '../clock';
import { Five9Error, Five9Fault, Five9QuotaError, describeWindow } from '../errors';
import type { Statistics, StatisticsUpdate, ViewSettings } from '../generated/five9-types';
import type { Manifest } from '../manifest';
import type { Five9Client } from '../runtime';
import { StatsTable, type TableChange, UnknownColumnInUpdate } from './table';

/** What a feed reports; `five9 stats watch --json` prints these as NDJSON. */
export type FeedEvent =
  /** `left-open`: the feed found the session (a keep-alive cycle's, say) and leaves it as it was. */
  | { type: 'session'; action: 'started' | 'found' | 'restarted' | 'closed' | 'left-open'; time: number }
  | { type: 'pacing'; pollEveryMs: number; perTypeEveryMs: number; message: string }
  | { type: 'snapshot'; statisticType: string; time: number; timestamp: number; columns: string[]; rows: number; reason?: string }
  | { type: 'added'; statisticType: string; time: number; key: string; row: Record<string, string | null> }
  | { type: 'updated'; statisticType: string; time: number; key: string; changes: Record<string, string | null> }
  | { type: 'deleted'; statisticType: string; time: number; key: string }
  | { type: 'unchanged'; statisticType: string; time: number }
  | { type: 'waiting'; time: number; until: number; reason: string };

export interface FeedOptions {
  /** Statistic types to follow, polled one after another on the credential's single connection. */
  types: string[];
  /** Columns to ask for per type (the key column is always added first); default: all. */
  columns?: Record<string, string[]>;
  /** The server's long-poll wait in ms (at least 5,000; default 5,000). */
  longPollingTimeout?: number;
  /** Settings of the session the feed starts when none is active. */
  viewSettings?: ViewSettings;
  clock?: Clock;
  /** Told at once when the feed waits for a quota window (a snapshot may wait up to a minute). */
  onWait?: (e: Extract<FeedEvent, { type: 'waiting' }>) => void;
  /**
   * Told of each session and snapshot event the moment it happens (start() returns them only after
   * its last snapshot, which may wait a minute for a QueryStatistics window); poll() still returns
   * them too. The wallboard uses it to show the first tables early and to know whose session it is.
   */
  onEvent?: (e: Extract<FeedEvent, { type: 'session' | 'snapshot' }>) => void;
}

/** Faults after which the type is read again with getStatistics (the guide's resync). */
const RESYNC_FAULTS = new Set(['StatisticsNotRequestedFault', 'UnknownTimestampFault', 'ConfigurationChangedFault']);

/**
 * Live statistics as a platform wants them: a table per statistic type and change events.
 * It follows the guide's loop: a session, getStatistics once per type (its timestamp is the
 * cursor), then getStatisticsUpdate with the previous lastTimestamp, one type after another, never
 * in parallel, paced inside the QueryChangedStatistics limits. It resynchronises a type after
 * StatisticsNotRequested, UnknownTimestamp or ConfigurationChanged faults, restarts the session
 * once after SessionNotInitializedFault, treats an empty answer as no change, and only moves a
 * cursor after the answer was applied, so no update is lost or applied twice.
 */
export class StatisticsFeed {
  readonly tables = new Map<string, StatsTable>();
  readonly pollEveryMs: number;
  readonly perTypeEveryMs: number;
  private readonly clock: Clock;
  private readonly longPollingTimeout: number;
  private readonly manifest: Manifest;
  private next = 0;
  private lastPollAt = -Infinity;
  private stopped = false;
  private started = false;
  private restartedSession = false;
  /** True once this feed started the session itself: only then may it close it. */
  private ownsSession = false;

  constructor(
    private readonly client: Five9Client,
    private readonly options: FeedOptions,
  ) {
    this.manifest = client.manifest;
    this.clock = options.clock ?? systemClock;
    if (!options.types.length) throw new Five9Error('FIVE9_CONFIG', 'give at least one statistic type');
    const typeSchema = this.manifest.registry.resolve({ $ref: 'statisticType.json' });
    const keys = typeSchema['x-keyColumns'] as Record<string, string>;
    for (const t of options.types) {
      if (!keys[t]) throw new Five9Error('FIVE9_CONFIG', `unknown statistic type "${t}": use ${Object.keys(keys).join(', ')}`);
      this.tables.set(t, new StatsTable(t, keys[t]));
    }
    const action = this.manifest.action('getStatisticsUpdate');
    const minimum = action.longPoll?.minimum ?? 5000;
    this.longPollingTimeout = options.longPollingTimeout ?? 5000;
    if (this.longPollingTimeout < minimum) {
      throw new Five9Error('FIVE9_CONFIG', `longPollingTimeout ${this.longPollingTimeout} ms is below Five9's minimum of ${minimum} ms`);
    }
    // The sustained rate is set by the tightest window (24,000 a day is one poll every 3.6 s),
    // and Five9 asks for each type to be polled at most every 5 s.
    const windows = this.manifest.raw.quotaClasses[action.quotaClass ?? '']?.windows ?? [];
    const perPoll = Math.max(0, ...windows.map((w) => Math.ceil((w.seconds * 1000) / w.limit)));
    this.pollEveryMs = Math.max(perPoll, Math.ceil(5000 / options.types.length));
    this.perTypeEveryMs = this.pollEveryMs * options.types.length;
  }

  table(type: string): StatsTable {
    const t = this.tables.get(type);
    if (!t) throw new Five9Error('FIVE9_CONFIG', `the feed does not follow ${type}`);
    return t;
  }

  /** The pacing the limits impose, as an event; `five9 stats watch` prints its message. */
  pacing(): FeedEvent {
    const n = this.options.types.length;
    const windows = this.manifest.raw.quotaClasses.QueryChangedStatistics?.windows ?? [];
    const limits = windows.map((w) => `${w.limit.toLocaleString('en')}/${describeWindow(w.seconds)}`).join(', ');
    const message =
      this.perTypeEveryMs > 5000
        ? `${n} statistic type(s) cannot each be polled every 5 s within QueryChangedStatistics (${limits}): one poll every ${this.pollEveryMs / 1000} s, each type every ${this.perTypeEveryMs / 1000} s`
        : `each type is polled every ${this.perTypeEveryMs / 1000} s, within QueryChangedStatistics (${limits})`;
    return { type: 'pacing', pollEveryMs: this.pollEveryMs, perTypeEveryMs: this.perTypeEveryMs, message };
  }

  /** Starts (or finds) the session and takes a snapshot of every type. */
  async start(): Promise<FeedEvent[]> {
    const events: FeedEvent[] = [this.pacing()];
    events.push(await this.ensureSession(false));
    for (const type of this.options.types) events.push(await this.snapshot(type));
    this.started = true;
    return events;
  }

  /** One poll of the next type in turn (after pacing), and the events it produced. */
  async poll(): Promise<FeedEvent[]> {
    if (!this.started) return this.start();
    const type = this.options.types[this.next];
    const wait = this.lastPollAt + this.pollEveryMs - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
    const table = this.table(type);
    this.lastPollAt = this.clock.now();
    let answer: StatisticsUpdate | null;
    try {
      const r = await this.client.run('getStatisticsUpdate', {
        statisticType: type,
        previousTimestamp: table.timestamp,
        longPollingTimeout: this.longPollingTimeout,
      });
      // The manifest maps the resync faults to an exit: the answer is then the fault, not "no change".
      if (r.fault) return await this.recover(new Five9Fault(r.fault.name, r.fault.fields, String(r.fault.fields.message ?? '')), type);
      answer = r.output as StatisticsUpdate | null;
    } catch (e) {
      return this.recover(e, type);
    }
    this.restartedSession = false;
    this.next = (this.next + 1) % this.options.types.length;
    const time = this.clock.now();
    if (!answer) return [{ type: 'unchanged', statisticType: type, time }];
    let changes: TableChange[];
    try {
      changes = table.apply(answer);
    } catch (e) {
      if (e instanceof UnknownColumnInUpdate) return [await this.snapshot(type, 'the columns changed')];
      throw e;
    }
    return changes.map((c): FeedEvent =>
      c.kind === 'added'
        ? { type: 'added', statisticType: type, time, key: c.key, row: { ...c.row } }
        : c.kind === 'updated'
          ? { type: 'updated', statisticType: type, time, key: c.key, changes: c.changes }
          : { type: 'deleted', statisticType: type, time, key: c.key },
    );
  }

  /** Polls until stop(), yielding every event; at the end closes the session if it started it. */
  async *events(): AsyncGenerator<FeedEvent> {
    try {
      while (!this.stopped) for (const e of await this.poll()) yield e;
    } finally {
      yield await this.close();
    }
  }

  /** Stops after the poll in flight (at most one long-poll time-out). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Stops, and closes the session only if this feed started it. A session it found belongs to
   * someone else (a keep-alive cycle, another supervisor tool on the same user): Five9 has one
   * session per user, so closing it would end theirs.
   */
  async close(): Promise<FeedEvent> {
    this.stopped = true;
    if (!this.ownsSession) return { type: 'session', action: 'left-open', time: this.clock.now() };
    this.ownsSession = false;
    await this.client.run(this.manifest.raw.session.closeAction).catch(() => undefined);
    return { type: 'session', action: 'closed', time: this.clock.now() };
  }

  private async recover(e: unknown, type: string): Promise<FeedEvent[]> {
    if (e instanceof Five9QuotaError) {
      // The client refused before sending: wait for the window, then the same poll again.
      await this.clock.sleep(Math.max(0, e.retryAt - this.clock.now()));
      return [{ type: 'waiting', time: this.clock.now(), until: e.retryAt, reason: e.message }];
    }
    if (e instanceof Five9Fault && RESYNC_FAULTS.has(e.fault)) return [await this.snapshot(type, e.fault)];
    if (e instanceof Five9Fault && this.manifest.raw.session.noSessionFaults.includes(e.fault)) {
      if (this.restartedSession) throw e; // once, not in a loop
      this.restartedSession = true;
      const events: FeedEvent[] = [await this.ensureSession(true)];
      for (const t of this.options.types) events.push(await this.snapshot(t, e.fault));
      return events;
    }
    throw e;
  }

  private async ensureSession(restart: boolean): Promise<FeedEvent> {
    if (!restart) {
      const check = await this.client.run(this.manifest.raw.session.checkAction);
      if (check.exit === 'true') return this.told({ type: 'session', action: 'found', time: this.clock.now() });
    }
    const viewSettings = this.options.viewSettings ?? { shiftStart: 0, timeZone: 0, idleTimeOut: 1800 };
    await this.withQuota(() => this.client.run(this.manifest.raw.session.startAction, { viewSettings }));
    this.ownsSession = true;
    return this.told({ type: 'session', action: restart ? 'restarted' : 'started', time: this.clock.now() });
  }

  private told<E extends Extract<FeedEvent, { type: 'session' | 'snapshot' }>>(e: E): E {
    this.options.onEvent?.(e);
    return e;
  }

  private async snapshot(type: string, reason?: string): Promise<FeedEvent> {
    const table = this.table(type);
    const wanted = this.options.columns?.[type];
    const columnNames = wanted ? { values: { data: [table.keyColumn, ...wanted.filter((c) => c !== table.keyColumn)] } } : undefined;
    const r = await this.withQuota(() => this.client.run('getStatistics', { statisticType: type, ...(columnNames ? { columnNames } : {}) }));
    table.load(r.output as Statistics);
    return this.told({ type: 'snapshot', statisticType: type, time: this.clock.now(), timestamp: table.timestamp, columns: table.columns, rows: table.rows.size, ...(reason ? { reason } : {}) });
  }

  /** QueryStatistics allows 2 a minute: a refused snapshot waits for its window instead of failing. */
  private async withQuota<T>(call: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await call();
      } catch (e) {
        if (!(e instanceof Five9QuotaError)) throw e;
        this.options.onWait?.({ type: 'waiting', time: this.clock.now(), until: e.retryAt, reason: e.message });
        await this.clock.sleep(Math.max(1, e.retryAt - this.clock.now()));
      }
    }
  }
}
