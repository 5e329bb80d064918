import type { Clock } from '../clock';
import { Five9QuotaError } from '../errors';

export interface QuotaWindow {
  seconds: number;
  limit: number;
}

/**
 * Five9's domain limits, enforced in the client before sending: a call that would exceed a window
 * fails fast with Five9QuotaError (class, window, when to retry) and nothing is sent. Windows are
 * moving (the last 60 s, 3,600 s, 86,400 s), which is never looser than Five9's fixed windows that
 * start at the top of the minute, hour and day.
 */
export class QuotaTracker {
  private readonly calls = new Map<string, number[]>();

  constructor(
    readonly classes: Record<string, QuotaWindow[]>,
    private readonly clock: Clock,
  ) {}

  /** Throws when a call of the class now would exceed a window; otherwise counts it. */
  take(cls: string): void {
    const windows = this.classes[cls];
    if (!windows) return;
    const now = this.clock.now();
    const times = this.prune(cls, now);
    for (const w of windows) {
      const from = now - w.seconds * 1000;
      const inWindow = times.filter((t) => t > from);
      if (inWindow.length >= w.limit) {
        // The call may go once enough of the calls in the window have aged out of it.
        const retryAt = inWindow[inWindow.length - w.limit] + w.seconds * 1000;
        throw new Five9QuotaError(cls, w.seconds, w.limit, retryAt);
      }
    }
    times.push(now);
  }

  /** Calls of the class counted in each window now, e.g. { 60: 1, 3600: 4, 86400: 9 }. */
  usage(cls: string): Record<number, number> {
    const now = this.clock.now();
    const times = this.prune(cls, now);
    return Object.fromEntries((this.classes[cls] ?? []).map((w) => [w.seconds, times.filter((t) => t > now - w.seconds * 1000).length]));
  }

  /**
   * Starts from what Five9 reports (getCallCountersState): calls this process did not make are
   * counted as made now, so the budget is never overestimated.
   */
  seed(states: Array<{ timeout: number; callCounterStates?: Array<{ operationType?: string; value: number } | null> }>): void {
    const now = this.clock.now();
    for (const s of states) {
      for (const c of s.callCounterStates ?? []) {
        if (!c?.operationType || !this.classes[c.operationType]) continue;
        const have = this.usage(c.operationType)[s.timeout] ?? 0;
        const times = this.prune(c.operationType, now);
        for (let i = have; i < c.value; i++) times.push(now);
        times.sort((a, b) => a - b);
      }
    }
  }

  private prune(cls: string, now: number): number[] {
    const longest = Math.max(0, ...(this.classes[cls] ?? []).map((w) => w.seconds)) * 1000;
    let times = this.calls.get(cls);
    if (!times) this.calls.set(cls, (times = []));
    let drop = 0;
    while (drop < times.length && times[drop] <= now - longest) drop++;
    if (drop) times.splice(0, drop);
    return times;
  }
}
