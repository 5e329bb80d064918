import type BetterSqlite3 from 'better-sqlite3';
import { hostname } from 'node:os';
import { longestMs } from './memory';
import { privateFile } from './state-dir';
import { type SlotState, type SlotStore, type TicketOptions, TicketedSlots, pollingWait } from './tickets';
import type { Coordinator, ExclusiveOptions, TakeResult, Window } from './types';

export const LOCAL_STORE_FILE = 'coordination.db';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS slot (key TEXT PRIMARY KEY, token TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ticket (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, token TEXT NOT NULL UNIQUE, pid INTEGER NOT NULL, host TEXT NOT NULL, expires INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ticket_line ON ticket (key, id);
CREATE TABLE IF NOT EXISTS call (key TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS call_log ON call (key, at);
`;

interface Holder {
  token: string;
  pid: number;
  host: string;
  expires: number;
}

/** Whether a process of this host is alive (EPERM: alive, but another user's). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * This machine: a SQLite database (better-sqlite3) in the user's state directory, in WAL mode, every
 * change in one `BEGIN IMMEDIATE` transaction, so processes never see half of another's step.
 * Leases run on the wall clock of this machine; a holder or waiter whose process on this host is
 * gone is passed over at once, without waiting for its lease.
 */
export class LocalCoordinator implements Coordinator, SlotStore {
  readonly kind = 'local' as const;
  readonly path: string;
  private readonly db: BetterSqlite3.Database;
  private readonly host = hostname();
  private readonly slots: TicketedSlots;
  private readonly q: Record<string, BetterSqlite3.Statement>;
  private closed = false;
  readonly wait = pollingWait;

  /**
   * @param dir the state directory (created 0700; the database file 0600)
   * @param Database better-sqlite3's constructor (loaded by the caller, which falls back when it cannot be)
   */
  constructor(dir: string, Database: typeof BetterSqlite3, options: TicketOptions = {}) {
    this.path = privateFile(dir, LOCAL_STORE_FILE);
    this.db = new Database(this.path, { timeout: 10_000 });
    this.db.pragma('journal_mode = WAL');
    // Nothing here must survive a power cut (leases expire, budgets are re-seeded from Five9).
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    const p = (sql: string) => this.db.prepare(sql);
    this.q = {
      slot: p('SELECT token, pid, host, expires FROM slot WHERE key = ?'),
      dropSlot: p('DELETE FROM slot WHERE key = ? AND token = ?'),
      takeSlot: p('INSERT INTO slot (key, token, pid, host, expires) VALUES (?, ?, ?, ?, ?)'),
      renewSlot: p('UPDATE slot SET expires = ? WHERE key = ? AND token = ?'),
      head: p('SELECT token, pid, host, expires FROM ticket WHERE key = ? ORDER BY id LIMIT 1'),
      mine: p('SELECT id FROM ticket WHERE token = ?'),
      addTicket: p('INSERT INTO ticket (key, token, pid, host, expires) VALUES (?, ?, ?, ?, ?)'),
      renewTicket: p('UPDATE ticket SET expires = ? WHERE token = ?'),
      dropTicket: p('DELETE FROM ticket WHERE token = ?'),
      prune: p('DELETE FROM call WHERE key = ? AND at <= ?'),
      count: p('SELECT count(*) AS n FROM call WHERE key = ? AND at > ?'),
      nth: p('SELECT at FROM call WHERE key = ? AND at > ? ORDER BY at LIMIT 1 OFFSET ?'),
      add: p('INSERT INTO call (key, at) VALUES (?, ?)'),
      settle: p('UPDATE call SET at = ? WHERE rowid = ? AND key = ? AND at < ?'),
    };
    this.slots = new TicketedSlots(this, options);
  }

  exclusive<T>(key: string, fn: () => Promise<T>, options?: ExclusiveOptions): Promise<T> {
    return this.slots.exclusive(key, fn, options);
  }

  private dead(h: Holder, now: number): boolean {
    return h.expires <= now || (h.host === this.host && !alive(h.pid));
  }

  /** Frees the slot if its holder is dead; true when the slot is free afterwards. */
  private slotFree(key: string, now: number): boolean {
    const h = this.q.slot.get(key) as Holder | undefined;
    if (!h) return true;
    if (!this.dead(h, now)) return false;
    this.q.dropSlot.run(key, h.token);
    return true;
  }

  /** Drops dead tickets at the head of the line; the first live one, if any. */
  private liveHead(key: string, now: number, self?: string): Holder | undefined {
    for (;;) {
      const h = this.q.head.get(key) as Holder | undefined;
      if (!h || h.token === self || !this.dead(h, now)) return h;
      this.q.dropTicket.run(h.token);
    }
  }

  async enter(key: string, token: string, leaseMs: number): Promise<SlotState> {
    return this.db
      .transaction((): SlotState => {
        const now = Date.now();
        const free = this.slotFree(key, now);
        if (free && !this.liveHead(key, now)) {
          this.q.takeSlot.run(key, token, process.pid, this.host, now + leaseMs);
          return { held: true };
        }
        this.q.addTicket.run(key, token, process.pid, this.host, now + leaseMs);
        return { held: false };
      })
      .immediate();
  }

  async poll(key: string, token: string, leaseMs: number): Promise<SlotState> {
    return this.db
      .transaction((): SlotState => {
        const now = Date.now();
        if (!this.q.renewTicket.run(now + leaseMs, token).changes) return { held: false, lost: true };
        const head = this.liveHead(key, now, token);
        if (head?.token !== token || !this.slotFree(key, now)) return { held: false };
        this.q.dropTicket.run(token);
        this.q.takeSlot.run(key, token, process.pid, this.host, now + leaseMs);
        return { held: true };
      })
      .immediate();
  }

  async renew(key: string, token: string, leaseMs: number): Promise<boolean> {
    return this.q.renewSlot.run(Date.now() + leaseMs, key, token).changes === 1;
  }

  async release(key: string, token: string): Promise<void> {
    if (!this.closed) this.q.dropSlot.run(key, token);
  }

  async abandon(_key: string, token: string): Promise<void> {
    if (!this.closed) this.q.dropTicket.run(token);
  }

  async take(key: string, windows: Window[], now: number): Promise<TakeResult> {
    return this.db
      .transaction((): TakeResult => {
        this.q.prune.run(key, now - longestMs(windows));
        for (const w of windows) {
          const from = now - w.seconds * 1000;
          const n = (this.q.count.get(key, from) as { n: number }).n;
          if (n >= w.limit) {
            const { at } = this.q.nth.get(key, from, n - w.limit) as { at: number };
            return { ok: false, retryAt: at + w.seconds * 1000, windowSeconds: w.seconds, limit: w.limit };
          }
        }
        return { ok: true, id: String(this.q.add.run(key, now).lastInsertRowid) };
      })
      .immediate();
  }

  async settle(key: string, id: string, at: number): Promise<void> {
    if (!this.closed) this.q.settle.run(at, Number(id), key, at);
  }

  async seed(key: string, windows: Window[], counts: Record<number, number>, now: number): Promise<void> {
    this.db
      .transaction(() => {
        this.q.prune.run(key, now - longestMs(windows));
        let extra = 0;
        for (const w of windows) extra = Math.max(extra, (counts[w.seconds] ?? 0) - (this.q.count.get(key, now - w.seconds * 1000) as { n: number }).n);
        for (let i = 0; i < extra; i++) this.q.add.run(key, now);
      })
      .immediate();
  }

  async usage(key: string, windows: Window[], now: number): Promise<Record<number, number>> {
    return Object.fromEntries(windows.map((w) => [w.seconds, (this.q.count.get(key, now - w.seconds * 1000) as { n: number }).n]));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
