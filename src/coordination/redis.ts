import { randomBytes } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import { Five9Error } from '../errors';
import { longestMs } from './memory';
import { type SlotState, type SlotStore, type TicketOptions, TicketedSlots } from './tickets';
import type { Coordinator, ExclusiveOptions, TakeResult, Window } from './types';

// The current time on the Redis server: leases are compared on one clock, whatever the machines'.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Drops dead tickets (their lease ran out) from the head of the line; returns the first live one.
// KEYS: slot, line (ticket number by token), alive (lease end by token), counter.
const PURGE = `local function head(self)
  while true do
    local h = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
    if not h or h == self then return h end
    local until_ = redis.call('ZSCORE', KEYS[3], h)
    if until_ and tonumber(until_) > now then return h end
    redis.call('ZREM', KEYS[2], h)
    redis.call('ZREM', KEYS[3], h)
  end
end
local function keep(lease)
  for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], lease * 3) end
end`;

/** Takes the slot (SET NX PX) when nobody waits, else a ticket. Returns {held, pttl of the slot}. */
const ENTER = `${NOW}
${PURGE}
local lease = tonumber(ARGV[2])
if not head(nil) and redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', lease) then return {1, 0} end
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[1])
redis.call('ZADD', KEYS[3], now + lease, ARGV[1])
keep(lease)
return {0, redis.call('PTTL', KEYS[1])}`;

/** Renews the ticket; the first live ticket takes a free slot. {-1} when the ticket was dropped. */
const POLL = `${NOW}
${PURGE}
local lease = tonumber(ARGV[2])
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return {-1, 0} end
redis.call('ZADD', KEYS[3], now + lease, ARGV[1])
keep(lease)
if head(ARGV[1]) ~= ARGV[1] then return {0, 0} end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', lease) then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return {1, 0}
end
return {0, redis.call('PTTL', KEYS[1])}`;

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Compare-and-delete; tells the waiters (if any) that the slot is free. KEYS: slot, line. */
const RELEASE = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if redis.call('ZCARD', KEYS[2]) > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return 1`;

/** KEYS: line, alive. */
const ABANDON = `redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('ZCARD', KEYS[1]) > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return 1`;

// The sliding log of a budget: a sorted set of call times (scores, on the caller's clock).
// ARGV: now, member, ttl ms, then per window: seconds, limit (or count for SEED).
const LOG = `local now = tonumber(ARGV[1])
local longest = 0
for i = 4, #ARGV, 2 do longest = math.max(longest, tonumber(ARGV[i]) * 1000) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
local function count(ms) return redis.call('ZCOUNT', KEYS[1], now - ms + 1, '+inf') end`;

/** Every window checked, then counted, in one step: {1}, or {0, retryAt, seconds, limit}. */
const TAKE = `${LOG}
for i = 4, #ARGV, 2 do
  local ms = tonumber(ARGV[i]) * 1000
  local limit = tonumber(ARGV[i + 1])
  local n = count(ms)
  if n >= limit then
    local at = redis.call('ZRANGEBYSCORE', KEYS[1], now - ms + 1, '+inf', 'WITHSCORES', 'LIMIT', n - limit, 1)
    return {0, tonumber(at[2]) + ms, tonumber(ARGV[i]), limit}
  end
end
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('PEXPIRE', KEYS[1], math.max(longest, tonumber(ARGV[3])))
return {1}`;

const SEED = `${LOG}
local extra = 0
for i = 4, #ARGV, 2 do extra = math.max(extra, tonumber(ARGV[i + 1]) - count(tonumber(ARGV[i]) * 1000)) end
for j = 1, extra do redis.call('ZADD', KEYS[1], now, ARGV[2] .. ':' .. j) end
redis.call('PEXPIRE', KEYS[1], math.max(longest, tonumber(ARGV[3])))
return extra`;

const USAGE = `${LOG}
local out = {}
for i = 4, #ARGV, 2 do out[#out + 1] = count(tonumber(ARGV[i]) * 1000) end
return out`;

type Script = (...args: Array<string | number>) => Promise<unknown>;
interface Scripts {
  five9Enter: Script;
  five9Poll: Script;
  five9Renew: Script;
  five9Release: Script;
  five9Abandon: Script;
  five9Take: Script;
  five9Seed: Script;
  five9Usage: Script;
}

export interface RedisCoordinatorOptions extends TicketOptions {
  /** redis://[:password@]host:port[/db] or rediss://… */
  url?: string;
  /** An ioredis connection to use instead of opening one (not closed by close()). */
  client?: Redis;
  /** Prefix of every key and of the channel (default "five9:"). */
  prefix?: string;
  /** More ioredis options for the connection opened from `url`. */
  redisOptions?: RedisOptions;
}

/** A URL with its user and password (if any) replaced by "…". */
function hideUserInfo(s: string): string {
  return s.replace(/\/\/[^@/\s]*@/g, '//…@');
}

/** host:port of a Redis URL, never its password. */
export function redisLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 6379}`;
  } catch {
    return 'an unreadable URL';
  }
}

/**
 * Across machines: Redis. The one-request slot is a lease (SET NX PX with a random token, renewed
 * while the request runs, freed by a compare-and-delete script); waiters hold tickets in a sorted
 * set, served in order, and are woken by a message on one channel when a slot is freed. A budget
 * is a sorted set of call times checked and counted by one Lua script, every window at once.
 */
export class RedisCoordinator implements Coordinator, SlotStore {
  readonly kind = 'redis' as const;
  readonly label: string;
  private readonly redis: Redis & Scripts;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly channel: string;
  private readonly slots: TicketedSlots;
  private readonly id = randomBytes(6).toString('base64url');
  private seq = 0;
  private sub?: Promise<Redis>;
  private readonly wakers = new Map<string, Set<() => void>>();
  /** Keys freed while this process had no waiter listening: the next wait returns at once. */
  private readonly missed = new Set<string>();
  private lastError?: Error;

  constructor(options: RedisCoordinatorOptions) {
    if (!options.client && !options.url) throw new Five9Error('FIVE9_CONFIG', 'a Redis coordinator needs a URL (--redis or FIVE9_REDIS_URL)');
    if (options.url && !/^rediss?:\/\//i.test(options.url)) {
      throw new Five9Error('FIVE9_CONFIG', `--redis must be a redis:// or rediss:// URL, not "${hideUserInfo(options.url)}"`);
    }
    this.label = options.url ? redisLabel(options.url) : 'a Redis connection';
    this.owned = !options.client;
    // Fail a command after one reconnection attempt rather than hold a request for ever.
    // ioredis is loaded only when a Redis is used: importing the client stays light.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const redis = options.client ?? new (require('ioredis') as typeof import('ioredis')).Redis(options.url!, { maxRetriesPerRequest: 1, connectTimeout: 5000, enableAutoPipelining: true, ...options.redisOptions });
    redis.on('error', (e: Error) => (this.lastError = e));
    const scripts: Record<keyof Scripts, [string, number]> = {
      five9Enter: [ENTER, 4],
      five9Poll: [POLL, 4],
      five9Renew: [RENEW, 1],
      five9Release: [RELEASE, 2],
      five9Abandon: [ABANDON, 2],
      five9Take: [TAKE, 1],
      five9Seed: [SEED, 1],
      five9Usage: [USAGE, 1],
    };
    for (const [name, [lua, numberOfKeys]] of Object.entries(scripts)) redis.defineCommand(name, { lua, numberOfKeys });
    this.redis = redis as Redis & Scripts;
    this.prefix = options.prefix ?? 'five9:';
    this.channel = `${this.prefix}freed`;
    this.slots = new TicketedSlots(this, { maxPollMs: 100, ...options });
  }

  private slotKeys(key: string): string[] {
    const p = this.prefix;
    return [`${p}slot:${key}`, `${p}line:${key}`, `${p}alive:${key}`, `${p}tickets:${key}`];
  }

  /** Runs a script; a Redis that cannot be reached is FIVE9_COORDINATION, naming host and port only. */
  private async call<T>(run: () => Promise<unknown>): Promise<T> {
    try {
      return (await run()) as T;
    } catch (e) {
      const cause = (e as Error).message || this.lastError?.message || String(e);
      throw new Five9Error('FIVE9_COORDINATION', `Redis at ${this.label} could not be used: ${hideUserInfo(cause)}`, { details: { store: 'redis', redis: this.label } });
    }
  }

  exclusive<T>(key: string, fn: () => Promise<T>, options?: ExclusiveOptions): Promise<T> {
    return this.slots.exclusive(key, fn, options);
  }

  private state([held, pttl]: [number, number]): SlotState {
    if (held === 1) return { held: true };
    if (held === -1) return { held: false, lost: true };
    return pttl > 0 ? { held: false, retryMs: pttl } : { held: false };
  }

  async enter(key: string, token: string, leaseMs: number): Promise<SlotState> {
    return this.state(await this.call(() => this.redis.five9Enter(...this.slotKeys(key), token, leaseMs)));
  }

  async poll(key: string, token: string, leaseMs: number): Promise<SlotState> {
    return this.state(await this.call(() => this.redis.five9Poll(...this.slotKeys(key), token, leaseMs)));
  }

  async renew(key: string, token: string, leaseMs: number): Promise<boolean> {
    return (await this.call<number>(() => this.redis.five9Renew(this.slotKeys(key)[0], token, leaseMs))) === 1;
  }

  async release(key: string, token: string): Promise<void> {
    const [slot, line] = this.slotKeys(key);
    await this.call(() => this.redis.five9Release(slot, line, token, this.channel, key));
  }

  async abandon(key: string, token: string): Promise<void> {
    const [, line, alive] = this.slotKeys(key);
    await this.call(() => this.redis.five9Abandon(line, alive, token, this.channel, key));
  }

  /** Waits for a "freed" message about `key` (one subscriber connection per coordinator), or `ms`. */
  async wait(key: string, ms: number, signal?: AbortSignal): Promise<void> {
    await this.subscriber();
    if (this.missed.delete(key)) return;
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      let set = this.wakers.get(key);
      if (!set) this.wakers.set(key, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        set!.delete(done);
        if (!set!.size) this.wakers.delete(key);
      };
      const wake = () => {
        done();
        resolve();
      };
      const onAbort = () => {
        done();
        reject(signal!.reason);
      };
      const timer = setTimeout(wake, Math.max(1, ms));
      set.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private subscriber(): Promise<Redis> {
    this.sub ??= (async () => {
      const sub = this.redis.duplicate();
      sub.on('error', (e: Error) => (this.lastError = e));
      sub.on('message', (_channel: string, key: string) => {
        const set = this.wakers.get(key);
        if (set) for (const wake of [...set]) wake();
        else if (this.missed.size < 10_000) this.missed.add(key);
      });
      await this.call(() => sub.subscribe(this.channel));
      return sub;
    })();
    return this.sub;
  }

  private member(): string {
    return `${this.id}:${++this.seq}`;
  }

  private args(windows: Window[], values: (w: Window) => number): number[] {
    return windows.flatMap((w) => [w.seconds, values(w)]);
  }

  async take(key: string, windows: Window[], now: number): Promise<TakeResult> {
    const id = this.member();
    const r = await this.call<number[]>(() => this.redis.five9Take(`${this.prefix}budget:${key}`, now, id, longestMs(windows), ...this.args(windows, (w) => w.limit)));
    return r[0] === 1 ? { ok: true, id } : { ok: false, retryAt: r[1], windowSeconds: r[2], limit: r[3] };
  }

  async settle(key: string, id: string, at: number): Promise<void> {
    // XX: only a call still counted (not yet aged out); GT: never earlier.
    await this.call(() => this.redis.zadd(`${this.prefix}budget:${key}`, 'XX', 'GT', at, id));
  }

  async seed(key: string, windows: Window[], counts: Record<number, number>, now: number): Promise<void> {
    await this.call(() => this.redis.five9Seed(`${this.prefix}budget:${key}`, now, this.member(), longestMs(windows), ...this.args(windows, (w) => counts[w.seconds] ?? 0)));
  }

  async usage(key: string, windows: Window[], now: number): Promise<Record<number, number>> {
    const r = await this.call<number[]>(() => this.redis.five9Usage(`${this.prefix}budget:${key}`, now, '', 0, ...this.args(windows, () => 0)));
    return Object.fromEntries(windows.map((w, i) => [w.seconds, r[i]]));
  }

  async close(): Promise<void> {
    const sub = this.sub;
    this.sub = undefined;
    if (sub) (await sub.catch(() => undefined))?.disconnect();
    if (this.owned) {
      await this.redis.quit().catch(() => this.redis.disconnect());
    }
  }
}
