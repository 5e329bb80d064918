import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import pLimit from 'p-limit';
import { Five9Error } from '../errors';
import type { FleetConfig } from './config';
import { type FleetKeys, type FleetMeta, readMeta, writeConfig } from './store';

/** The name BullMQ's jobs of a slot carry; the data names the schedule only (no secret, no config). */
export const SLOT_JOB = 'slot';

export interface SyncResult {
  version: string;
  schedules: number;
  upserted: number;
  removed: number;
  /** True when nothing had to change (the schedulers and the configuration were in place). */
  unchanged: boolean;
}

/**
 * The Redis fleet's scheduling side (`five9 fleet run accounts.json --redis URL`): one BullMQ job
 * scheduler per account and cycle, `every` its interval and `offset` its place in the interval, so
 * BullMQ makes one job per slot whose id names the slot (`repeat:{scheduleId}:{slot}`): a slot
 * cannot be queued twice, and a worker killed in the middle of one hands it to another through
 * BullMQ's stalled-job recovery. Syncing is idempotent: run it again after a change, or after Redis
 * lost everything, and the schedule is back.
 */
export class FleetScheduler {
  readonly queue: Queue;

  constructor(
    private readonly redis: Redis,
    private readonly keys: FleetKeys,
    private readonly timeScale = 1,
  ) {
    this.queue = new Queue(keys.fleet, { connection: redis, prefix: keys.prefix });
  }

  /** Real ms of a duration of the fleet's clock. */
  private real(ms: number): number {
    return Math.max(1, Math.round(ms / this.timeScale));
  }

  async sync(config: FleetConfig, options: { force?: boolean } = {}): Promise<SyncResult> {
    for (const a of config.accounts) {
      for (const c of a.cycles) {
        if (c.everyMs / this.timeScale < 50) throw new Five9Error('FIVE9_CONFIG', `account "${a.id}": cycle ${c.index} would run every ${(c.everyMs / this.timeScale).toFixed(1)} real ms at --time-scale ${this.timeScale}; BullMQ slots need at least 50 ms`);
      }
    }
    const before = await readMeta(this.redis, this.keys);
    const meta: FleetMeta = await writeConfig(this.redis, this.keys, config, this.timeScale);
    const wanted = new Map(config.accounts.flatMap((a) => a.cycles.map((c) => [c.scheduleId, c] as const)));
    const count = await this.queue.getJobSchedulersCount();
    if (!options.force && before?.version === meta.version && before.timeScale === this.timeScale && count === wanted.size) {
      return { version: meta.version, schedules: wanted.size, upserted: 0, removed: 0, unchanged: true };
    }
    const existing = new Set<string>();
    for (let start = 0; ; start += 1000) {
      const page = await this.queue.getJobSchedulers(start, start + 999, true);
      for (const s of page) existing.add(s.key);
      if (page.length < 1000) break;
    }
    const limit = pLimit(32);
    await Promise.all(
      [...wanted.values()].map((c) =>
        limit(() =>
          this.queue.upsertJobScheduler(
            c.scheduleId,
            { every: this.real(c.everyMs), offset: this.real(c.offsetMs) % this.real(c.everyMs) },
            // A finished job is removed (the run is kept in the fleet's history); a failed one only
            // when the run itself crashed, kept a while to be looked at.
            { name: SLOT_JOB, data: { scheduleId: c.scheduleId }, opts: { removeOnComplete: true, removeOnFail: { count: 1000 }, attempts: 1 } },
          ),
        ),
      ),
    );
    const gone = [...existing].filter((id) => !wanted.has(id));
    await Promise.all(gone.map((id) => limit(() => this.queue.removeJobScheduler(id))));
    return { version: meta.version, schedules: wanted.size, upserted: wanted.size, removed: gone.length, unchanged: false };
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
