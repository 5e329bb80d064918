import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SlotRecord } from './slot';
import { type FleetKeys, type FleetMeta, readConfig, readMeta } from './store';

/** One schedule (an account's cycle) as `five9 fleet status` shows it. */
export interface ScheduleStatus {
  scheduleId: string;
  account: string;
  template: string;
  every: number;
  runs: number;
  lastRun?: { slot: number; startedAt: number; endedAt: number; outcome: string; exits: string[]; lateMs: number; worker?: string };
  lastError?: { at: number; code: string; message: string; fault?: string };
  /** Real epoch ms of the next slot, from BullMQ's job scheduler; undefined when none is scheduled. */
  nextRun?: number;
}

export interface FleetStatus {
  fleet: string;
  meta?: FleetMeta;
  counters: { started: number; finished: number };
  schedules: ScheduleStatus[];
}

export async function readStatus(redis: Redis, keys: FleetKeys): Promise<FleetStatus> {
  const [meta, config, status, errors, runs, counters] = await Promise.all([
    readMeta(redis, keys),
    readConfig(redis, keys),
    redis.hgetall(keys.status),
    redis.hgetall(keys.errors),
    redis.hgetall(keys.runs),
    redis.hgetall(keys.counters),
  ]);
  const queue = new Queue(keys.fleet, { connection: redis, prefix: keys.prefix });
  const next = new Map<string, number>();
  try {
    for (let start = 0; ; start += 1000) {
      const page = await queue.getJobSchedulers(start, start + 999, true);
      for (const s of page) if (s.next) next.set(s.key, Number(s.next));
      if (page.length < 1000) break;
    }
  } finally {
    await queue.close();
  }
  const schedules: ScheduleStatus[] = [];
  for (const a of config.accounts.values()) {
    for (const c of a.cycles) {
      const last = status[c.scheduleId] ? (JSON.parse(status[c.scheduleId]) as SlotRecord) : undefined;
      const err = errors[c.scheduleId] ? (JSON.parse(errors[c.scheduleId]) as SlotRecord) : undefined;
      schedules.push({
        scheduleId: c.scheduleId,
        account: a.id,
        template: config.templates.get(c.templateKey)?.id ?? '?',
        every: c.everyMs,
        runs: Number(runs[c.scheduleId] ?? 0),
        ...(last ? { lastRun: { slot: last.slot, startedAt: last.startedAt, endedAt: last.endedAt, outcome: last.outcome, exits: last.exits, lateMs: last.lateMs, worker: last.worker } } : {}),
        ...(err?.error ? { lastError: { at: err.endedAt, ...err.error } } : {}),
        ...(next.has(c.scheduleId) ? { nextRun: next.get(c.scheduleId) } : {}),
      });
    }
  }
  schedules.sort((x, y) => x.scheduleId.localeCompare(y.scheduleId, 'en', { numeric: true }));
  return { fleet: keys.fleet, meta, counters: { started: Number(counters.started ?? 0), finished: Number(counters.finished ?? 0) }, schedules };
}
