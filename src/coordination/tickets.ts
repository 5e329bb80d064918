import { randomBytes } from 'node:crypto';
import { KeyedQueue, pause } from './queue';
import type { ExclusiveOptions } from './types';

/** Where a waiter stands after asking the store. */
export type SlotState =
  | { held: true }
  /** Someone is ahead; ask again within `retryMs` (a hint: when the holder's lease runs out, say). */
  | { held: false; retryMs?: number }
  /** The store forgot this waiter (it missed its lease, its event loop stalled): join again. */
  | { held: false; lost: true };

/**
 * What a shared store does for one request at a time. The slot of a key is a lease held by one
 * token; the waiters stand in a first-come, first-served line of tickets, each with its own lease,
 * so a waiter or holder killed with kill -9 stops blocking the others once its lease runs out.
 */
export interface SlotStore {
  /** Takes the slot at once when it is free and nobody waits; otherwise takes a ticket. */
  enter(key: string, token: string, leaseMs: number): Promise<SlotState>;
  /** Renews the ticket, drops dead tickets ahead, and takes the slot when this ticket is first and the slot free. */
  poll(key: string, token: string, leaseMs: number): Promise<SlotState>;
  /** Extends a held slot's lease; false when it was lost. */
  renew(key: string, token: string, leaseMs: number): Promise<boolean>;
  /** Frees a held slot (only if this token still holds it). */
  release(key: string, token: string): Promise<void>;
  /** Leaves the line without having held the slot. */
  abandon(key: string, token: string): Promise<void>;
  /** Resolves when the slot of `key` may have been freed, or after `ms` at the latest. */
  wait(key: string, ms: number, signal?: AbortSignal): Promise<void>;
}

export interface TicketOptions {
  /** How long a slot or a ticket outlives its holder without renewal (default 5,000 ms). */
  leaseMs?: number;
  /** The longest pause between two polls of a waiter (default 20 ms). */
  maxPollMs?: number;
}

/**
 * `exclusive` over a SlotStore: this process's callers queue in memory first, so one ticket per key
 * and process is in the store at a time; the holder renews its lease every third of it while `fn`
 * runs. Fairness across processes comes from the tickets: a process that releases the slot and
 * asks again at once gets a ticket behind everyone already waiting.
 */
export class TicketedSlots {
  readonly leaseMs: number;
  private readonly maxPollMs: number;
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly store: SlotStore,
    options: TicketOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 5000;
    this.maxPollMs = options.maxPollMs ?? 20;
  }

  async exclusive<T>(key: string, fn: () => Promise<T>, options: ExclusiveOptions = {}): Promise<T> {
    const { signal } = options;
    const asked = performance.now();
    const turn = await this.queue.acquire(key, signal);
    try {
      const token = randomBytes(12).toString('base64url');
      const queued = !(await this.hold(key, token, signal)) || turn.queued;
      options.onAcquired?.({ waitedMs: performance.now() - asked, queued });
      // Renewed while fn runs; a timer that does not keep the process alive (fn's own I/O does).
      const renewal = setInterval(() => void this.store.renew(key, token, this.leaseMs).catch(() => undefined), Math.max(1, Math.floor(this.leaseMs / 3)));
      renewal.unref();
      try {
        return await fn();
      } finally {
        clearInterval(renewal);
        // A release that fails (the store went away) leaves the slot to expire with its lease.
        await this.store.release(key, token).catch(() => undefined);
      }
    } finally {
      turn.release();
    }
  }

  /** Waits for the slot; resolves true when it was free at once. */
  private async hold(key: string, token: string, signal?: AbortSignal): Promise<boolean> {
    let state = await this.store.enter(key, token, this.leaseMs);
    if (state.held) return true;
    let pollMs = 1;
    try {
      while (!state.held) {
        if ('lost' in state) {
          state = await this.store.enter(key, token, this.leaseMs);
          continue;
        }
        await this.store.wait(key, Math.min(pollMs, state.retryMs ?? Infinity, this.maxPollMs), signal);
        pollMs = Math.min(this.maxPollMs, pollMs * 2);
        state = await this.store.poll(key, token, this.leaseMs);
      }
    } catch (e) {
      await this.store.abandon(key, token).catch(() => undefined);
      throw e;
    }
    return false;
  }
}

/** The default wait of a store that is not told when a slot is freed: a plain pause. */
export const pollingWait = (_key: string, ms: number, signal?: AbortSignal) => pause(Math.max(1, ms), signal);
