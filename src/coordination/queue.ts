/**
 * The in-process side of one request at a time: a first-come, first-served queue per key. Every
 * coordinator puts it in front of its store, so a process asks the store for a key's slot once at a
 * time, and its own callers are served in the order they asked.
 */

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

export interface Turn {
  /** Another caller of this process was ahead. */
  queued: boolean;
  release(): void;
}

export class KeyedQueue {
  /** Per key: the waiters behind the current holder (the key is present while someone holds it). */
  private readonly lines = new Map<string, Waiter[]>();

  acquire(key: string, signal?: AbortSignal): Promise<Turn> {
    signal?.throwIfAborted();
    const line = this.lines.get(key);
    if (!line) {
      this.lines.set(key, []);
      return Promise.resolve(this.turn(key, false));
    }
    return new Promise<Turn>((resolve, reject) => {
      const onAbort = () => {
        const i = line.indexOf(waiter);
        if (i >= 0) line.splice(i, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.turn(key, true));
        },
        reject,
      };
      line.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Callers of this process holding or waiting for the key. */
  depth(key: string): number {
    const line = this.lines.get(key);
    return line ? line.length + 1 : 0;
  }

  private turn(key: string, queued: boolean): Turn {
    let done = false;
    return {
      queued,
      release: () => {
        if (done) return;
        done = true;
        const line = this.lines.get(key)!;
        const next = line.shift();
        if (next) next.resolve();
        else this.lines.delete(key);
      },
    };
  }
}

/** Sleeps `ms`, or rejects with the signal's reason as soon as it aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return new Promise((resolve) => setTimeout(resolve, ms));
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
