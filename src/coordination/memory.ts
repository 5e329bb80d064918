import { KeyedQueue } from './queue';
import type { Coordinator, ExclusiveOptions, TakeResult, Window } from './types';

/** The longest window in ms: calls older than this count in no window. */
export function longestMs(windows: Window[]): number {
  return Math.max(0, ...windows.map((w) => w.seconds)) * 1000;
}

/**
 * One process only: what a VirtualClock uses (simulated time is not shared with other processes),
 * and the fallback when the local store cannot be opened. A budget is a sorted log of call times;
 * a window is full when it holds `limit` calls later than `now - seconds`.
 */
interface Call {
  at: number;
  id: string;
}

export class MemoryCoordinator implements Coordinator {
  readonly kind = 'memory' as const;
  private readonly logs = new Map<string, Call[]>();
  private readonly queue = new KeyedQueue();
  private seq = 0;

  async exclusive<T>(key: string, fn: () => Promise<T>, options: ExclusiveOptions = {}): Promise<T> {
    const asked = performance.now();
    const turn = await this.queue.acquire(key, options.signal);
    try {
      options.onAcquired?.({ waitedMs: performance.now() - asked, queued: turn.queued });
      return await fn();
    } finally {
      turn.release();
    }
  }

  async take(key: string, windows: Window[], now: number): Promise<TakeResult> {
    const times = this.prune(key, windows, now);
    for (const w of windows) {
      const inWindow = countAfter(times, now - w.seconds * 1000);
      if (inWindow >= w.limit) {
        // Room comes back when the oldest call that keeps the window full ages out of it.
        const retryAt = times[times.length - w.limit].at + w.seconds * 1000;
        return { ok: false, retryAt, windowSeconds: w.seconds, limit: w.limit };
      }
    }
    const id = String(++this.seq);
    insertSorted(times, { at: now, id });
    return { ok: true, id };
  }

  async settle(key: string, id: string, at: number): Promise<void> {
    const times = this.logs.get(key);
    if (!times) return;
    // From the newest: a call is settled when its answer comes, so it is near the end.
    let i = times.length - 1;
    while (i >= 0 && times[i].id !== id) i--;
    if (i < 0 || times[i].at >= at) return;
    const [call] = times.splice(i, 1);
    insertSorted(times, { ...call, at });
  }

  async seed(key: string, windows: Window[], counts: Record<number, number>, now: number): Promise<void> {
    const times = this.prune(key, windows, now);
    let extra = 0;
    for (const w of windows) extra = Math.max(extra, (counts[w.seconds] ?? 0) - countAfter(times, now - w.seconds * 1000));
    for (let i = 0; i < extra; i++) insertSorted(times, { at: now, id: String(++this.seq) });
  }

  async usage(key: string, windows: Window[], now: number): Promise<Record<number, number>> {
    const times = this.prune(key, windows, now);
    return Object.fromEntries(windows.map((w) => [w.seconds, countAfter(times, now - w.seconds * 1000)]));
  }

  async close(): Promise<void> {
    this.logs.clear();
  }

  private prune(key: string, windows: Window[], now: number): Call[] {
    let times = this.logs.get(key);
    if (!times) this.logs.set(key, (times = []));
    const from = now - longestMs(windows);
    let drop = 0;
    while (drop < times.length && times[drop].at <= from) drop++;
    if (drop) times.splice(0, drop);
    return times;
  }
}

/** Calls in a sorted log later than `from` (binary search: a day window may hold 24,000). */
function countAfter(times: Call[], from: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid].at <= from) lo = mid + 1;
    else hi = mid;
  }
  return times.length - lo;
}

function insertSorted(times: Call[], c: Call): void {
  let i = times.length;
  while (i > 0 && times[i - 1].at > c.at) i--;
  times.splice(i, 0, c);
}
