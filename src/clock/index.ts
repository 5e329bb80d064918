/**
 * Time as the simulator and the cycle runner see it. SystemClock is the wall clock; VirtualClock is
 * simulated time that moves only when advanced, so tests and the demo can pass hours in
 * milliseconds and sessions expire exactly when their Idle Time Out says.
 */
export interface Clock {
  now(): number;
  /**
   * Resolves after `ms` of this clock's time, or as soon as `signal` aborts (early: the caller
   * checks the signal). An aborted sleep leaves no timer behind, so Ctrl-C during a ten-minute
   * Retry-After wait ends the process at once instead of when the timer would have fired.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A wall-time sleep of `ms` real milliseconds whose timer is cleared when `signal` aborts. */
export function timerSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return new Promise((resolve) => setTimeout(resolve, ms));
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => timerSleep(ms, signal),
};

interface Sleeper {
  at: number;
  resolve: () => void;
}

export class VirtualClock implements Clock {
  private time: number;
  private sleepers: Sleeper[] = [];

  /**
   * @param start simulated epoch ms to start at
   * @param realMsPerSimMinute when set (0 included), sleep() advances the clock itself after waiting
   *   this many real ms per simulated minute, so a fast-forwarded run can still be watched (the demo
   *   uses 30 ms: 2 h in about 4 s); when unset, only advance() moves time
   */
  constructor(start = Date.UTC(2026, 0, 5, 8, 0, 0), private readonly realMsPerSimMinute?: number) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    const scale = this.realMsPerSimMinute;
    if (scale !== undefined) {
      // Fast-forward: one sleeper at a time (the cycle runner) drives time.
      const until = this.time + ms;
      await timerSleep(Math.round((ms / 60_000) * scale), signal);
      if (!signal?.aborted && until > this.time) this.advance(until - this.time);
      return;
    }
    await new Promise<void>((resolve) => {
      const sleeper: Sleeper = { at: this.time + ms, resolve };
      this.sleepers.push(sleeper);
      this.sleepers.sort((a, b) => a.at - b.at);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((x) => x !== sleeper);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Moves simulated time forward, waking every sleeper whose time has come, in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    while (this.sleepers.length && this.sleepers[0].at <= target) {
      const s = this.sleepers.shift()!;
      this.time = Math.max(this.time, s.at);
      s.resolve();
    }
    this.time = target;
  }

  /** Advances to the next sleeper's wake-up time (for driving a scheduler step by step). */
  runNext(): boolean {
    const s = this.sleepers[0];
    if (!s) return false;
    this.advance(s.at - this.time);
    return true;
  }

  get pending(): number {
    return this.sleepers.length;
  }
}

/**
 * Wall time running `scale` times faster: a test aid, so that a 15-minute schedule, an idle
 * time-out or a quota window can be exercised in seconds (`--time-scale K` on the simulator and on
 * the cycle, fleet and worker commands).
 *
 * Every process given the same scale agrees on now(): time runs from a fixed origin, not from the
 * process's start. That matters because scaled times are shared: quota windows kept in the local
 * store or in Redis are compared by processes started at different moments. The price is dates far
 * in the future (a year of real time at scale 900 is ~900 years of scaled time); nothing depends on
 * the calendar.
 */
export class ScaledClock implements Clock {
  static readonly ORIGIN = Date.UTC(2026, 0, 1);

  constructor(
    readonly scale: number,
    private readonly origin = ScaledClock.ORIGIN,
  ) {
    if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`time scale must be a positive number, not ${scale}`);
  }

  now(): number {
    return Math.floor(this.origin + (Date.now() - this.origin) * this.scale);
  }

  /** Real ms for `ms` of this clock's time. */
  real(ms: number): number {
    return ms / this.scale;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    // A referenced timer: a scheduled cycle must hold its process open while it waits.
    return timerSleep(Math.max(0, ms / this.scale), signal);
  }
}

/** The wall clock, or a ScaledClock for a `--time-scale` other than 1. */
export function clockForScale(scale: number | undefined): Clock {
  return scale === undefined || scale === 1 ? systemClock : new ScaledClock(scale);
}
