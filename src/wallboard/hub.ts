import type { Clock } from '../clock';
import { Five9Error, Five9Fault } from '../errors';
import type { Five9Client } from '../runtime';
import { type FeedEvent, StatisticsFeed, type StatsTable } from '../stats';
import type { Cell, ChangesMessage, FeedState, Hello, PanelView, ServerMessage, Status, TableMessage } from './protocol';

export interface HubOptions {
  panels: PanelView[];
  /** Shown on the page: host and path of the target, never a credential. */
  target: string;
  title: string;
  /** Every message passes through it before it leaves the process (the page never sees a secret). */
  redactor: { text(s: string): string };
  longPollingTimeout?: number;
  /** The feed's clock; default the wall clock, with timers that do not hold the process open. */
  clock?: Clock;
  /** How long a type keeps being polled after the last tab showing it left (default 60 s): a reload costs no snapshot. */
  lingerMs?: number;
  /** Back-off after a failed poll: from this (default 1 s), doubling, up to the maximum (default 30 s). */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Told of sessions, failures and recoveries, one line each (the CLI prints them). */
  log?: (line: string) => void;
}

/** A browser tab: the types it shows and where its messages go (already serialised and redacted). */
export interface Subscriber {
  readonly types: ReadonlySet<string>;
  send(data: string): void;
}

interface HubTable {
  table: StatsTable;
  /** When the snapshot was taken (server ms). */
  time: number;
  reason?: string;
  /** For a ticking column: when each row's value was current. */
  at?: Map<string, number>;
}

/** A wall clock whose sleeps do not keep the process alive: stopping the board never waits for a pacing pause. */
const detachedClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

/**
 * One statistics feed per target, shared by every tab: one Five9 session, one request at a time,
 * paced within the domain limits whatever the number of viewers. The feed follows only the types
 * some open tab shows; when the last tab showing a type leaves, the type keeps being polled for
 * `lingerMs` (a reload costs no snapshot), then the feed is rebuilt without it, and with no tab at
 * all nothing is polled. A failed poll marks the board stale and is retried on the same feed, whose
 * cursors stay valid: a short network drop costs no snapshot, and a lost session or cursor is
 * resynchronised by the feed itself. The session is closed at the end only if this hub opened it.
 */
export class FeedHub {
  private readonly subs = new Set<Subscriber>();
  private readonly tables = new Map<string, HubTable>();
  private readonly panels: Map<string, PanelView>;
  private readonly clock: Clock;
  private readonly longPollingTimeout: number;
  private following: string[] = [];
  private feed?: StatisticsFeed;
  private gen = 0;
  private status: Omit<Status, 'now' | 't'> = { state: 'starting' };
  private pacing = { pollEveryMs: 5000, perTypeEveryMs: 5000 };
  private allColumns = false;
  private sessionOurs = false;
  private closed = false;
  private lingerTimer?: NodeJS.Timeout;
  private joining?: Subscriber;

  constructor(
    private readonly client: Five9Client,
    private readonly options: HubOptions,
  ) {
    this.panels = new Map(options.panels.map((p) => [p.type, p]));
    this.clock = options.clock ?? detachedClock;
    this.longPollingTimeout = options.longPollingTimeout ?? 5000;
  }

  /** The types the feed polls now (for tests and the CLI). */
  get polling(): readonly string[] {
    return this.following;
  }

  /** Whether the session in use was opened by this hub (and so will be closed by it). */
  get ownsSession(): boolean {
    return this.sessionOurs;
  }

  get subscribers(): number {
    return this.subs.size;
  }

  /**
   * A tab arrives: it gets the board's description, the status and every table already loaded at
   * once, then each change as it is polled. Returns the function to call when it leaves.
   */
  subscribe(types: string[] | undefined, send: (data: string) => void): () => void {
    if (this.closed) throw new Five9Error('FIVE9_CONFIG', 'the wallboard is stopping');
    const wanted = types?.length ? types.filter((t) => this.panels.has(t)) : [...this.panels.keys()];
    const sub: Subscriber = { types: new Set(wanted.length ? wanted : this.panels.keys()), send };
    this.subs.add(sub);
    // The feed may be rebuilt for this tab first; the tab hears nothing until its hello.
    this.joining = sub;
    try {
      this.reconcile();
    } finally {
      this.joining = undefined;
    }
    this.sendTo(sub, this.hello(sub));
    this.sendTo(sub, this.statusMessage());
    for (const type of sub.types) if (this.tables.has(type)) this.sendTo(sub, this.tableMessage(type));
    return () => {
      if (this.subs.delete(sub)) this.reconcile();
    };
  }

  /** Sends every tab a message (the server's heartbeat). */
  broadcast(m: ServerMessage, type?: string): void {
    if (!this.subs.size) return;
    const data = this.serialise(m);
    for (const s of this.subs) if (s !== this.joining && (!type || s.types.has(type))) s.send(data);
  }

  /** Stops polling and closes the session if this hub opened it. Resolves to whether it closed one. */
  async close(): Promise<boolean> {
    if (this.closed) return false;
    this.closed = true;
    this.gen++;
    clearTimeout(this.lingerTimer);
    this.feed?.stop();
    this.setStatus({ state: 'stopping', reason: 'the wallboard server is stopping' });
    if (!this.sessionOurs) return false;
    // Waits for the poll in flight (one request at a time per credential): at most one long poll.
    const closing = this.client.manifest.raw.session.closeAction ?? 'closeSession';
    return this.client.run(closing).then(
      () => true,
      () => false,
    );
  }

  // ---------------------------------------------------------------------------------------------

  /** Follows exactly the types some tab shows: at once when a type is added, after the linger when one is dropped. */
  private reconcile(): void {
    if (this.closed) return;
    const want = this.wantedTypes();
    if (want.some((t) => !this.following.includes(t))) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
      this.follow(want);
    } else if (want.length < this.following.length) {
      this.lingerTimer ??= setTimeout(() => {
        this.lingerTimer = undefined;
        const now = this.wantedTypes();
        if (now.join('\n') !== this.following.join('\n')) this.follow(now);
      }, this.options.lingerMs ?? 60_000).unref();
    } else {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
  }

  private wantedTypes(): string[] {
    return [...this.panels.keys()].filter((t) => [...this.subs].some((s) => s.types.has(t)));
  }

  /** Replaces the feed by one that follows `types` (none: nothing is polled). */
  private follow(types: string[]): void {
    const g = ++this.gen;
    this.feed?.stop();
    this.following = types;
    for (const t of [...this.tables.keys()]) if (!types.includes(t)) this.tables.delete(t);
    this.feed = undefined;
    if (!types.length) {
      this.options.log?.('no tab is open: polling stopped');
      return;
    }
    const columns: Record<string, string[]> = {};
    for (const t of types) {
      const p = this.panels.get(t)!;
      if (p.columns.length && !this.allColumns) columns[t] = p.columns;
    }
    // A replaced feed must not go on with its start: each snapshot costs one of the two
    // QueryStatistics calls a minute. It gets a client that refuses every call once it is replaced.
    const client = Object.create(this.client) as Five9Client;
    client.run = (action, input) => (this.gen === g ? this.client.run(action, input) : Promise.reject(new Error('replaced')));
    const feed = new StatisticsFeed(client, {
      types,
      columns,
      longPollingTimeout: this.longPollingTimeout,
      clock: this.clock,
      onEvent: (e) => {
        // Whose session it is matters even if this feed was replaced meanwhile.
        if (e.type === 'session') this.onSession(e);
        else if (this.gen === g) this.onSnapshot(feed, e);
      },
      onWait: (e) => {
        if (this.gen === g) this.setStatus({ state: 'waiting', reason: e.reason, until: e.until });
      },
    });
    this.feed = feed;
    if (feed.perTypeEveryMs !== this.pacing.perTypeEveryMs || feed.pollEveryMs !== this.pacing.pollEveryMs) {
      this.pacing = { pollEveryMs: feed.pollEveryMs, perTypeEveryMs: feed.perTypeEveryMs };
      for (const s of this.subs) if (s !== this.joining) this.sendTo(s, this.hello(s));
    }
    const pacing = feed.pacing();
    if (pacing.type === 'pacing') this.options.log?.(pacing.message);
    this.setStatus({ state: 'starting' });
    void this.run(g, feed);
  }

  private async run(g: number, feed: StatisticsFeed): Promise<void> {
    let failures = 0;
    while (this.gen === g) {
      try {
        const events = await feed.poll();
        if (this.gen !== g) return;
        if (failures) this.options.log?.('recovered');
        failures = 0;
        this.onPoll(events);
      } catch (e) {
        if (this.gen !== g) return;
        failures++;
        const min = this.options.retryMinMs ?? 1000;
        const delay = Math.min(this.options.retryMaxMs ?? 30_000, min * 2 ** (failures - 1));
        const reason = this.describe(e);
        this.setStatus({ state: 'stale', reason, until: this.clock.now() + delay });
        if (failures === 1) this.options.log?.(`feed stalled: ${reason}; retrying`);
        await this.clock.sleep(delay);
        if (this.gen !== g) return;
        if (e instanceof Five9Fault && e.fault === 'UnknownColumnFault' && !this.allColumns) {
          // A domain without one of the columns the board asks for: ask for every column instead.
          this.allColumns = true;
          return this.follow(this.following);
        }
        // The feed gives up after restarting a lost session once; a new feed starts afresh.
        if (e instanceof Five9Fault && this.client.manifest.raw.session.noSessionFaults.includes(e.fault)) return this.follow(this.following);
      }
    }
  }

  private describe(e: unknown): string {
    return e instanceof Five9Error ? `${e.code}: ${e.message}` : (e as Error)?.message ?? String(e);
  }

  private onSession(e: Extract<FeedEvent, { type: 'session' }>): void {
    if (e.action === 'started' || e.action === 'restarted') this.sessionOurs = true;
    this.options.log?.(`session ${e.action}`);
  }

  /** A snapshot, the moment it is taken (also during the feed's start): the table goes out whole. */
  private onSnapshot(feed: StatisticsFeed, e: Extract<FeedEvent, { type: 'snapshot' }>): void {
    const table = feed.table(e.statisticType);
    const ticking = this.panels.get(e.statisticType)?.ticking;
    const at = ticking ? new Map([...table.rows.keys()].map((k) => [k, e.time])) : undefined;
    this.tables.set(e.statisticType, { table, time: e.time, reason: e.reason, at });
    this.broadcast(this.tableMessage(e.statisticType), e.statisticType);
    this.setStatus(this.following.every((t) => this.tables.has(t)) ? { state: 'live' } : { state: 'starting' });
  }

  /** What one poll returned: the changes of its type as one message, or "polled, nothing new". */
  private onPoll(events: FeedEvent[]): void {
    const batches = new Map<string, ChangesMessage>();
    const polled = new Map<string, number>();
    for (const e of events) {
      if (e.type !== 'added' && e.type !== 'updated' && e.type !== 'deleted' && e.type !== 'unchanged') continue;
      const type = e.statisticType;
      const ht = this.tables.get(type);
      if (!ht) continue;
      polled.set(type, e.time);
      if (e.type === 'unchanged') continue;
      const panel = this.panels.get(type)!;
      const columns = this.shownColumns(type);
      let b = batches.get(type);
      if (!b) batches.set(type, (b = { t: 'changes', now: 0, type, time: e.time, added: [], updated: [], deleted: [] }));
      if (e.type === 'added') {
        b.added.push(columns.map((c) => e.row[c] ?? null));
        ht.at?.set(e.key, e.time);
      } else if (e.type === 'updated') {
        const shown: Record<string, Cell> = {};
        let any = false;
        for (const c of columns) {
          if (c in e.changes) {
            shown[c] = e.changes[c];
            any = true;
          }
        }
        if (any) b.updated.push([e.key, shown]);
        if (panel.ticking && panel.ticking in e.changes) ht.at?.set(e.key, e.time);
      } else {
        b.deleted.push(e.key);
        ht.at?.delete(e.key);
      }
    }
    for (const [type, time] of polled) {
      const b = batches.get(type);
      if (b && (b.added.length || b.updated.length || b.deleted.length)) this.broadcast(b, type);
      else this.broadcast({ t: 'polled', now: 0, type, time }, type);
    }
    if (this.following.every((t) => this.tables.has(t))) this.setStatus({ state: 'live' });
  }

  private shownColumns(type: string): string[] {
    const have = this.tables.get(type)?.table.columns ?? [];
    const want = this.panels.get(type)?.columns ?? [];
    return want.length ? want.filter((c) => have.includes(c)) : have;
  }

  private tableMessage(type: string): TableMessage {
    const ht = this.tables.get(type)!;
    const columns = this.shownColumns(type);
    const rows: Cell[][] = [];
    const at: number[] = [];
    for (const [key, row] of ht.table.rows) {
      rows.push(columns.map((c) => row[c] ?? null));
      if (ht.at) at.push(ht.at.get(key) ?? ht.time);
    }
    return { t: 'table', now: 0, type, time: ht.time, columns, rows, ...(ht.at ? { at } : {}), ...(ht.reason ? { reason: ht.reason } : {}) };
  }

  private hello(sub: Subscriber): Hello {
    const stallMs = Math.max(15_000, 3 * (this.pacing.pollEveryMs + this.longPollingTimeout));
    return {
      t: 'hello',
      now: 0,
      title: this.options.title,
      target: this.options.target,
      user: this.client.username,
      panels: [...this.panels.values()].filter((p) => sub.types.has(p.type)),
      perTypeEveryMs: this.pacing.perTypeEveryMs,
      stallMs,
    };
  }

  private statusMessage(): Status {
    const pending = this.following.filter((t) => !this.tables.has(t));
    return { t: 'status', now: 0, ...this.status, ...(pending.length ? { pending } : {}) };
  }

  private setStatus(s: { state: FeedState; reason?: string; until?: number }): void {
    const same = this.status.state === s.state && this.status.reason === s.reason && this.status.until === s.until;
    if (same && s.state !== 'starting') return;
    this.status = s;
    this.broadcast(this.statusMessage());
  }

  private sendTo(sub: Subscriber, m: ServerMessage): void {
    sub.send(this.serialise(m));
  }

  /** The one place a message becomes text: stamped with the server's time and redacted. */
  private serialise(m: ServerMessage): string {
    return this.options.redactor.text(JSON.stringify({ ...m, now: this.clock.now() }));
  }
}
