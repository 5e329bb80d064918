import type { Clock } from '../clock';

export interface SimUser {
  username: string;
  password: string;
  /**
   * The account as Five9's administrator left it: disabled accounts answer InvalidAccountFault,
   * accounts without the Web Services permission answer AccessDisallowedFault (default active).
   */
  account?: 'active' | 'disabled' | 'no-api-access';
}

export interface SimSession {
  viewSettings: Record<string, unknown>;
  idleTimeOutMs: number;
  lastActivity: number;
  startedAt: number;
}

export interface QuotaWindow {
  seconds: number;
  limit: number;
}

/** A fault the simulator answers with; the server turns it into Five9's SOAP fault. */
export class SimFault extends Error {
  constructor(
    readonly fault: string,
    readonly fields: Record<string, unknown> = {},
  ) {
    super(String(fields.message ?? fault));
  }
}

/**
 * The domain's limits, counted as Five9 does: windows start at the top of the minute, hour and day
 * (of the simulator's clock), per domain. A refused call is not counted.
 */
export class QuotaCounters {
  private readonly counts = new Map<string, { start: number; value: number }>();

  constructor(
    readonly classes: Record<string, QuotaWindow[]>,
    private readonly clock: Clock,
  ) {}

  private entry(cls: string, w: QuotaWindow) {
    const ms = w.seconds * 1000;
    const start = Math.floor(this.clock.now() / ms) * ms;
    const key = `${cls}/${w.seconds}`;
    let e = this.counts.get(key);
    if (!e || e.start !== start) this.counts.set(key, (e = { start, value: 0 }));
    return e;
  }

  /** Counts one call of the class, or throws OperationsLimitExceededFault when a window is full. */
  take(cls: string): void {
    const windows = this.classes[cls];
    if (!windows) return;
    for (const w of windows) {
      if (this.entry(cls, w).value >= w.limit) {
        throw new SimFault('OperationsLimitExceededFault', {
          limit: w.limit,
          message: `Operations limit exceeded: ${w.limit} ${cls} requests per ${w.seconds} s`,
          operationType: cls,
        });
      }
    }
    for (const w of windows) this.entry(cls, w).value++;
  }

  /** getCallCountersState's answer: one limitTimeoutState per period, every class in each. */
  state(): Array<{ callCounterStates: Array<{ limit: number; operationType: string; value: number }>; timeout: number }> {
    const periods = [...new Set(Object.values(this.classes).flat().map((w) => w.seconds))].sort((a, b) => a - b);
    return periods.map((seconds) => ({
      callCounterStates: Object.entries(this.classes).flatMap(([cls, windows]) =>
        windows.filter((w) => w.seconds === seconds).map((w) => ({ limit: w.limit, operationType: cls, value: this.entry(cls, w).value })),
      ),
      timeout: seconds,
    }));
  }
}
