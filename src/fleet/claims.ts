import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { realSleep } from '../clock';
import type { FleetKeys } from './store';

// Renews a claim only while it is still ours: a claim that expired and was taken by another
// worker is never extended or deleted by the one that lost it.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export type ClaimResult = { kind: 'claimed'; release(): Promise<void> } | { kind: 'done' };

/**
 * Exactly once per slot, on top of BullMQ's at-least-once. BullMQ gives a job to another worker
 * when its lock is not renewed in time: after a kill -9 (what we want), but also when a live
 * worker's event loop was blocked past the lock (a false stall, seen under CPU load). Before a
 * slot runs, its worker claims it in Redis (a lease renewed while the run lasts) and, when done,
 * marks it done. A second delivery of the slot waits while the claim is alive: if the first
 * worker finishes, the slot is done and the second does nothing; if the first died, its lease
 * runs out and the second runs the slot.
 */
export class SlotClaims {
  constructor(
    private readonly redis: Redis,
    private readonly keys: FleetKeys,
    /** Lease of a claim (ms): how long a dead worker's slot stays blocked. */
    private readonly leaseMs = 2000,
  ) {}

  async claim(scheduleId: string, slot: number, signal?: AbortSignal): Promise<ClaimResult> {
    const claimKey = this.keys.claim(scheduleId, slot);
    const doneKey = this.keys.done(scheduleId, slot);
    const token = randomBytes(8).toString('hex');
    const deadline = Date.now() + this.leaseMs * 5;
    for (;;) {
      if (await this.redis.exists(doneKey)) return { kind: 'done' };
      if ((await this.redis.set(claimKey, token, 'PX', this.leaseMs, 'NX')) === 'OK') break;
      if (Date.now() > deadline || signal?.aborted) throw new Error(`slot ${scheduleId} at ${slot} is still claimed by another worker`);
      await realSleep(Math.min(200, this.leaseMs / 4), signal);
    }
    const timer = setInterval(() => void this.redis.eval(RENEW, 1, claimKey, token, String(this.leaseMs)).catch(() => undefined), Math.max(100, Math.floor(this.leaseMs / 3)));
    return {
      kind: 'claimed',
      release: async () => {
        clearInterval(timer);
        await this.redis.eval(RELEASE, 1, claimKey, token).catch(() => undefined);
      },
    };
  }
}
