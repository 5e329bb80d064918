import type { Clock } from '../clock';
import { type Coordinator, MemoryCoordinator } from '../coordination';
import { Five9QuotaError } from '../errors';

export interface QuotaWindow {
  seconds: number;
  limit: number;
}

/** getCallCountersState's answer: per period (`timeout`, in seconds), the calls of each class. */
export type CallCounterStates = Array<{ timeout: number; callCounterStates?: Array<{ operationType?: string; value: number; limit?: number } | null> | null } | null>;

/**
 * The limits domains reported (getCallCountersState), per budget, for every client of this process:
 * read once by whichever client seeds the budget first.
 */
const DOMAIN_LIMITS = new Map<string, Record<number, number>>();

/**
 * Five9's domain limits, enforced in the client before sending: a call that would exceed a window
 * fails fast with Five9QuotaError (class, window, when to retry) and nothing is sent. Windows are
 * moving (the last 60 s, 3,600 s, 86,400 s), which is never looser than Five9's fixed windows that
 * start at the top of the minute, hour and day.
 *
 * The calls are counted in a Coordinator, under `key` + class: every client, process or machine
 * sharing that coordinator and key draws on one budget.
 */
export class QuotaTracker {
  readonly classes: Record<string, QuotaWindow[]>;

  /** The windows of a class now: the manifest's (or the caller's), with the domain's own limits once read. */
  windows(cls: string): QuotaWindow[] {
    const own = DOMAIN_LIMITS.get(this.budget(cls));
    const base = this.classes[cls] ?? [];
    return own && !this.pinned.has(cls) ? base.map((w) => ({ seconds: w.seconds, limit: own[w.seconds] ?? w.limit })) : base;
  }

  /**
   * @param pinned classes whose windows the caller set: kept as given, never replaced by the limits
   *   the domain reports (see seed)
   */
  constructor(
    classes: Record<string, QuotaWindow[]>,
    private readonly clock: Clock,
    private readonly coordinator: Coordinator = new MemoryCoordinator(),
    private readonly key = '',
    private readonly pinned: ReadonlySet<string> = new Set(),
  ) {
    this.classes = Object.fromEntries(Object.entries(classes).map(([k, v]) => [k, v.map((w) => ({ ...w }))]));
  }

  private budget(cls: string): string {
    return this.key ? `${this.key}|${cls}` : cls;
  }

  /**
   * Throws Five9QuotaError when a call of the class now would exceed a window; otherwise counts it
   * and returns what to call when its answer comes (the call then counts from that moment: the
   * server counted it on arrival, which was no later).
   */
  async take(cls: string): Promise<() => Promise<void>> {
    if (!this.classes[cls]) return async () => undefined;
    const windows = this.windows(cls);
    const budget = this.budget(cls);
    const r = await this.coordinator.take(budget, windows, this.clock.now());
    if (!r.ok) throw new Five9QuotaError(cls, r.windowSeconds, r.limit, r.retryAt);
    return () => this.coordinator.settle(budget, r.id, this.clock.now()).catch(() => undefined);
  }

  /** Calls of the class counted in each window now, e.g. { 60: 1, 3600: 4, 86400: 9 }. */
  usage(cls: string): Promise<Record<number, number>> {
    return this.coordinator.usage(this.budget(cls), this.windows(cls), this.clock.now());
  }

  /**
   * Starts from what Five9 reports (getCallCountersState): calls not counted here are counted as
   * made now, so the budget is never overestimated. The domain's own limits replace the manifest's
   * for each window it reports (Five9 raises them for some domains; a domain may have tighter ones),
   * except in classes the caller pinned. Only `only` classes when given.
   */
  async seed(states: CallCounterStates, only?: string[]): Promise<void> {
    const counts = new Map<string, Record<number, number>>();
    for (const s of states ?? []) {
      for (const c of s?.callCounterStates ?? []) {
        if (!s || !c?.operationType || !this.classes[c.operationType] || (only && !only.includes(c.operationType))) continue;
        let byWindow = counts.get(c.operationType);
        if (!byWindow) counts.set(c.operationType, (byWindow = {}));
        byWindow[s.timeout] = Number(c.value) || 0;
        const limit = Number(c.limit);
        if (!this.pinned.has(c.operationType) && Number.isSafeInteger(limit) && limit > 0) {
          const budget = this.budget(c.operationType);
          DOMAIN_LIMITS.set(budget, { ...DOMAIN_LIMITS.get(budget), [s.timeout]: limit });
        }
      }
    }
    const now = this.clock.now();
    await Promise.all([...counts].map(([cls, byWindow]) => this.coordinator.seed(this.budget(cls), this.windows(cls), byWindow, now)));
  }
}
