import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { type Clock, clockForScale } from '../clock';
import { RedisCoordinator } from '../coordination';
import { Five9Error } from '../errors';
import { SlotClaims } from './claims';
import { AccountClients, type AccountClientsOptions } from './clients';
import { type FleetAccount, type FleetConfig, type FleetCycle, loadFleetConfig } from './config';
import type { FleetMetrics } from './metrics';
import { connectRedis } from './redis';
import { type SlotRecord, runSlot } from './slot';
import { type FleetKeys, RedisStateStore, type StoredConfig, readConfig, readMeta, recordSlot } from './store';

export interface FleetWorkerOptions {
  redisUrl: string;
  keys: FleetKeys;
  /** Slots run at the same time in this worker (default 16). */
  concurrency?: number;
  /** The fleet's --time-scale; default: what `fleet run` recorded in Redis. */
  timeScale?: number;
  /** The accounts file, when this worker has it: needed for secrets given inline in it. */
  accountsFile?: string;
  env?: NodeJS.ProcessEnv;
  metrics?: FleetMetrics;
  /** How soon a slot whose worker died is run by another (BullMQ's lock duration and stalled-check interval; default 30 s). */
  stalledAfterMs?: number;
  /** History entries kept (approximately; default 100,000). */
  historyMax?: number;
  clientOptions?: AccountClientsOptions['clientOptions'];
  onRecord?: (r: SlotRecord) => void;
  /** A problem the worker goes on after (a Redis connection error, an unknown schedule). */
  onWarning?: (message: string) => void;
}

/**
 * A process that runs the Redis fleet's slots (`five9 fleet worker --redis URL`): a BullMQ Worker
 * on the fleet's queue. Each job names a schedule and its slot; the worker reads that account's
 * settings from Redis (secrets as references, resolved here in its own environment), runs the
 * template once with the cycle's state from Redis, and records the run. Start as many as you like.
 */
export class FleetWorker {
  readonly id = `${hostname()}:${process.pid}`;
  private readonly redis: Redis;
  private worker?: Worker;
  private config?: StoredConfig;
  private fileConfig?: FleetConfig;
  private version?: string;
  private versionCheckedAt = 0;
  private clients?: AccountClients;
  private clock?: Clock;
  private scale = 1;
  private readonly ac = new AbortController();
  private readonly claims: SlotClaims;
  /** Five9's rules for every account this worker serves, shared with every other worker through the fleet's Redis. */
  private readonly coordinator: RedisCoordinator;
  private loading?: Promise<void>;

  constructor(private readonly options: FleetWorkerOptions) {
    this.redis = connectRedis(options.redisUrl, 'five9-fleet-worker');
    this.claims = new SlotClaims(this.redis, options.keys);
    this.coordinator = new RedisCoordinator({ url: options.redisUrl });
    // One stop signal shared by every slot in progress (up to --concurrency listeners).
    setMaxListeners(0, this.ac.signal);
    this.redis.on('error', (e: Error) => options.onWarning?.(`redis: ${e.message}`));
    if (options.accountsFile) this.fileConfig = loadFleetConfig(options.accountsFile);
  }

  async start(): Promise<void> {
    const stalled = this.options.stalledAfterMs ?? 30_000;
    this.worker = new Worker(this.options.keys.fleet, (job) => this.process(job), {
      connection: this.redis,
      prefix: this.options.keys.prefix,
      // Jobs carry who runs them (BullMQ's processedBy): an operator can tell which worker holds a slot.
      name: this.id,
      concurrency: this.options.concurrency ?? 16,
      lockDuration: stalled,
      stalledInterval: stalled,
      // A slot whose worker died is run once more by another; a second death fails it (reported).
      maxStalledCount: 1,
    });
    this.worker.on('error', (e) => this.options.onWarning?.(`worker: ${e.message}`));
    await this.worker.waitUntilReady();
  }

  /** Stops taking slots; runs in progress finish their step in flight; resolves when all ended. */
  async stop(): Promise<void> {
    this.ac.abort();
    await this.worker?.close();
    await this.clients?.close();
    await this.coordinator.close();
    this.redis.disconnect();
  }

  /**
   * Reads the fleet's configuration, once for all the slots that ask at the same time: at start
   * (or after a change) every slot of --concurrency asks at once, and each reading its own copy of
   * 10,000 accounts took a worker's memory from 80 to 200 MB in a second.
   */
  private load(): Promise<void> {
    this.loading ??= this.read().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async read(): Promise<void> {
    const meta = await readMeta(this.redis, this.options.keys);
    if (!meta) throw new Five9Error('FIVE9_CONFIG', `no fleet "${this.options.keys.fleet}" in Redis yet: run \`five9 fleet run accounts.json --redis URL\``);
    const scale = this.options.timeScale ?? meta.timeScale;
    if (!this.clock || scale !== this.scale) {
      this.scale = scale;
      this.clock = clockForScale(scale);
      await this.clients?.close();
      this.clients = new AccountClients({ clock: this.clock, accountsPath: this.options.accountsFile ?? meta.accountsFile, env: this.options.env, clientOptions: { coordinator: this.coordinator, ...(this.options.metrics ? { onRequest: this.options.metrics.onRequest } : {}), ...this.options.clientOptions }, restOptions: { coordinator: this.coordinator } });
    }
    this.config = await readConfig(this.redis, this.options.keys);
    this.version = meta.version;
  }

  /** The account and cycle a schedule id names, from the file this worker was given or from Redis. */
  private async lookup(scheduleId: string): Promise<{ account: FleetAccount; cycle: FleetCycle }> {
    const find = () => {
      const accountId = scheduleId.slice(0, scheduleId.lastIndexOf('/'));
      const index = Number(scheduleId.slice(scheduleId.lastIndexOf('/') + 1));
      const fromFile = this.fileConfig?.accounts.find((a) => a.id === accountId);
      if (fromFile) {
        const cycle = fromFile.cycles.find((c) => c.index === index);
        return cycle ? { account: fromFile, cycle } : undefined;
      }
      const stored = this.config?.accounts.get(accountId);
      const c = stored?.cycles.find((x) => x.index === index);
      const template = c && this.config?.templates.get(c.templateKey);
      if (!stored || !c || !template) return undefined;
      const account = { ...stored, cycles: [] } as unknown as FleetAccount;
      return { account, cycle: { scheduleId: c.scheduleId, index: c.index, templateRef: c.templateRef, template, everyMs: c.everyMs, offsetMs: c.offsetMs, fields: c.fields } };
    };
    if (!this.config) await this.load();
    let found = find();
    if (!found) {
      // A schedule this worker does not know yet: the fleet's configuration changed since it loaded.
      await this.load();
      found = find();
    }
    if (!found) throw new Five9Error('FIVE9_CONFIG', `schedule ${scheduleId} is not in the fleet's configuration (an account removed while its slot was queued?)`);
    return found;
  }

  private async process(job: Job): Promise<{ outcome: string }> {
    const scheduleId = String((job.data as { scheduleId?: string }).scheduleId ?? '');
    // A scheduler's job id names its slot: repeat:{scheduleId}:{slot in epoch ms}.
    const slot = Number(String(job.id).slice(String(job.id).lastIndexOf(':') + 1));
    const claim = await this.claims.claim(scheduleId, slot, this.ac.signal);
    // Delivered again after another worker ran it (a false stall): nothing to do.
    if (claim.kind === 'done') {
      this.options.metrics?.duplicates.inc();
      return { outcome: 'duplicate' };
    }
    try {
      return await this.runClaimed(scheduleId, slot);
    } finally {
      await claim.release();
    }
  }

  private async runClaimed(scheduleId: string, slot: number): Promise<{ outcome: string }> {
    const lateMs = Number.isFinite(slot) ? Date.now() - slot : 0;
    const keys = this.options.keys;
    // The configuration changes rarely: its version is looked at every 2 s, not for every slot (an
    // unknown schedule reloads it at once, in lookup).
    if (Date.now() - this.versionCheckedAt > 2000) {
      this.versionCheckedAt = Date.now();
      const meta = await this.redis.hget(keys.meta, 'version');
      if (meta && meta !== this.version) await this.load();
    }
    const { account, cycle } = await this.lookup(scheduleId);
    await this.redis.hincrby(keys.counters, 'started', 1);
    const metrics = this.options.metrics;
    metrics?.active.inc();
    try {
      const rec = await runSlot(account, cycle, slot, {
        clients: this.clients!,
        clock: this.clock!,
        state: new RedisStateStore(this.redis, keys),
        hooks: metrics?.hooks(),
        signal: this.ac.signal,
        lateMs,
        worker: this.id,
      });
      // Done markers outlive any redelivery: BullMQ hands a stalled job over within a few lock periods.
      await recordSlot(this.redis, keys, rec, this.options.historyMax ?? 100_000, Math.max(10 * 60_000, 2 * (cycle.everyMs / this.scale)));
      metrics?.record(rec);
      this.options.onRecord?.(rec);
      return { outcome: rec.outcome };
    } finally {
      metrics?.active.dec();
    }
  }
}
