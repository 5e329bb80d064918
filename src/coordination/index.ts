/**
 * Where the processes that use one Five9 user meet: one request at a time and one budget per
 * quota class, in this process (memory), on this machine (SQLite in the state directory) or across
 * machines (Redis). `openCoordinator` picks one without configuration and shares it in the process.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { type Clock, ScaledClock, systemClock } from '../clock';
import { LocalCoordinator } from './local';
import { MemoryCoordinator } from './memory';
import { RedisCoordinator } from './redis';
import { stateDir } from './state-dir';
import type { Coordinator } from './types';

export type { Coordinator, ExclusiveOptions, SlotInfo, TakeResult, Window } from './types';
export { MemoryCoordinator } from './memory';
export { LocalCoordinator, LOCAL_STORE_FILE } from './local';
export { RedisCoordinator, redisLabel, type RedisCoordinatorOptions } from './redis';
export { stateDir } from './state-dir';

export interface CoordinationOptions {
  /**
   * A coordinator to use (the caller keeps and closes it: a fleet shares one among its clients),
   * or 'memory' / 'local' to force a kind. Default: Redis when `redis` or FIVE9_REDIS_URL is set,
   * else the local store for the wall clock and a ScaledClock, else memory.
   */
  coordinator?: Coordinator | 'memory' | 'local';
  /** A Redis URL: every process given the same one shares the rules, on any machine. */
  redis?: string;
  /** The clock budgets are counted on (default: the wall clock). */
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
}

export interface CoordinatorHandle {
  readonly coordinator: Coordinator;
  /**
   * Appended to budget keys: budgets counted on a ScaledClock are never mixed with the wall
   * clock's (or another scale's), even in one store.
   */
  readonly scope: string;
  /** Gives the shared coordinator back; the last user closes it. */
  release(): Promise<void>;
}

/** Time every process can agree on: the wall clock, or a ScaledClock (fixed origin). */
function shareable(clock: Clock): boolean {
  return clock === systemClock || clock instanceof ScaledClock;
}

const memories = new WeakMap<Clock, MemoryCoordinator>();
function memoryFor(clock: Clock): MemoryCoordinator {
  let m = memories.get(clock);
  if (!m) memories.set(clock, (m = new MemoryCoordinator()));
  return m;
}

const shared = new Map<string, { coordinator: Coordinator; users: number }>();

let warned = false;
/** One warning a process, on stderr: a library has no better place to say that it fell back. */
function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(`five9: warning: ${message}\n`);
}

function loadSqlite(): typeof BetterSqlite3 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('better-sqlite3') as typeof BetterSqlite3;
}

function openShared(id: string, open: () => Coordinator): CoordinatorHandle & { coordinator: Coordinator } {
  let entry = shared.get(id);
  if (!entry) shared.set(id, (entry = { coordinator: open(), users: 0 }));
  entry.users++;
  const e = entry;
  let released = false;
  return {
    coordinator: e.coordinator,
    scope: '',
    async release() {
      if (released) return;
      released = true;
      if (--e.users > 0) return;
      if (shared.get(id) === e) shared.delete(id);
      await e.coordinator.close();
    },
  };
}

/** The coordinator a client should use (see CoordinationOptions), shared by the clients of this process. */
export function openCoordinator(options: CoordinationOptions = {}): CoordinatorHandle {
  const clock = options.clock ?? systemClock;
  const env = options.env ?? process.env;
  const scope = clock instanceof ScaledClock ? `@x${clock.scale}` : '';
  const given = options.coordinator;
  if (given && typeof given === 'object') return { coordinator: given, scope, release: async () => undefined };
  const memory = { coordinator: memoryFor(clock), scope, release: async () => undefined };
  if (given === 'memory') return memory;
  const redis = options.redis || (given === undefined && shareable(clock) ? env.FIVE9_REDIS_URL : undefined);
  if (redis && given !== 'local') return { ...openShared(`redis ${redis}`, () => new RedisCoordinator({ url: redis })), scope };
  if (given !== 'local' && !shareable(clock)) return memory;
  const dir = stateDir(env);
  try {
    return { ...openShared(`local ${dir}`, () => new LocalCoordinator(dir, loadSqlite())), scope };
  } catch (e) {
    warnOnce(`the local store in ${dir} cannot be used (${(e as Error).message.split('\n')[0]}); Five9's limits and one request at a time are kept in this process only`);
    return memory;
  }
}
