/**
 * Five9's rules hold per domain and per credential, not per process: every process and worker that
 * uses one Five9 user shares one request at a time and one budget per quota class. A Coordinator is
 * where those processes meet: in this process only (memory), on this machine (a store under the
 * user's state directory), or across machines (Redis).
 */

export interface Window {
  /** Length of the moving window in seconds (60, 3,600, 86,400 for Five9's minute, hour and day). */
  seconds: number;
  /** Calls allowed in any such window. */
  limit: number;
}

export type TakeResult =
  /** Counted; `id` names the call for settle(). */
  | { ok: true; id: string }
  /** Refused: nothing was counted; `retryAt` (on the caller's clock) is when the fullest window has room. */
  | { ok: false; retryAt: number; windowSeconds: number; limit: number };

/** How the slot was obtained, for metrics: `queued` when another holder (in any process) was ahead. */
export interface SlotInfo {
  /** Real milliseconds from asking for the slot to holding it. */
  waitedMs: number;
  queued: boolean;
}

export interface ExclusiveOptions {
  /** Gives up waiting for the slot (rejects with the signal's reason); a held slot is not interrupted. */
  signal?: AbortSignal;
  /** Told once the slot is held, before `fn` runs. */
  onAcquired?: (info: SlotInfo) => void;
}

export interface Coordinator {
  readonly kind: 'memory' | 'local' | 'redis';

  /**
   * Runs `fn` while holding the one-request slot of `key` (a credential: origin and user name),
   * waiting for any other holder in any process sharing this coordinator. A holder that dies
   * (kill -9, a lost machine) loses the slot within a short lease, renewed while `fn` runs.
   * Waiters are served first come, first served across processes, so a process that always has a
   * request queued cannot starve another.
   */
  exclusive<T>(key: string, fn: () => Promise<T>, options?: ExclusiveOptions): Promise<T>;

  /**
   * Counts one call against the budget `key` (a domain and a quota class) at `now`, if every window
   * has room; atomic across every process sharing this coordinator. `now` is the caller's clock
   * (wall, or scaled: processes given the same time scale agree).
   */
  take(key: string, windows: Window[], now: number): Promise<TakeResult>;

  /**
   * Moves a counted call to `at`, the time its answer came (never earlier than where it is). The
   * server counted the call when it arrived, somewhere between take() and the answer: counting it
   * at the answer keeps every window at least as full as the server's, whatever the network's delay.
   */
  settle(key: string, id: string, at: number): Promise<void>;

  /**
   * Raises the budget so that each window holds at least `counts[seconds]` calls, the extra ones
   * counted as made at `now` (calls made elsewhere, as getCallCountersState reports them).
   */
  seed(key: string, windows: Window[], counts: Record<number, number>, now: number): Promise<void>;

  /** Calls counted in each window at `now`, e.g. { 60: 1, 3600: 4, 86400: 9 }. */
  usage(key: string, windows: Window[], now: number): Promise<Record<number, number>>;

  close(): Promise<void>;
}
