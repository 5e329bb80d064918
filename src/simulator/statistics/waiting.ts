import { type Clock, systemClock } from '../../clock';
import { realMs } from '../time';

/**
 * Long polls waiting for a batch: each waits until a batch is published (notify), its time on the
 * clock passes, a real-time cap passes, its client goes away, or the engine stops.
 */
export class Waiting {
  private readonly listeners = new Set<() => void>();
  private disposed = false;
  /** Long polls being held now. */
  pending = 0;

  constructor(private readonly clock: Clock) {}

  get stopped(): boolean {
    return this.disposed;
  }

  notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Every waiter answers now and no new one waits: the engine is stopping. */
  dispose(): void {
    this.disposed = true;
    this.notify();
  }

  wait(simMs: number, realCap: number | undefined, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        for (const t of timers) clearTimeout(t);
        this.listeners.delete(finish);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      this.listeners.add(finish);
      const timer = (ms: number) => {
        const t = setTimeout(finish, Math.max(0, ms));
        t.unref?.();
        timers.push(t);
      };
      // The wall clock or a scaled one: a real timer we can cancel. Any other clock: its own sleep (a
      // VirtualClock resolves it when advanced; a fast-forward one moves time itself).
      if (this.clock === systemClock || 'real' in this.clock) timer(realMs(this.clock, simMs));
      else this.clock.sleep(Math.max(1, simMs)).then(finish, finish);
      if (realCap !== undefined) timer(realCap);
      signal?.addEventListener('abort', finish, { once: true });
      if (this.disposed || signal?.aborted) finish();
    });
  }
}
