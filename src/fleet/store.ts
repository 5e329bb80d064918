import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CycleTemplate } from '../cycles';
import { type FleetAccount, type FleetConfig, type SharedSecretRef, shareableRef } from './config';
import type { SlotRecord, StateStore } from './slot';

/**
 * The fleet's own keys in Redis, beside BullMQ's queue of the same name (all under
 * `{prefix}:{fleet}:f:`, the `f:` keeping them apart from BullMQ's own `meta`, `events`, …):
 * - `accounts`  hash id → the account without secrets (references only: an env name, a file path)
 * - `templates` hash content hash → template JSON (10,000 accounts share a handful of templates)
 * - `meta`      hash: version (hash of the config), timeScale, accounts file, updatedAt
 * - `status`    hash scheduleId → the last SlotRecord; `errors` the last failed one; `runs` counts
 * - `state`     hash scheduleId → the cycle's saved state (a statistics cursor)
 * - `history`   stream of every slot run (trimmed to about `historyMax` entries)
 * - `counters`  hash: runs started and finished, fleet-wide (a run started and never finished is
 *   one a worker was killed in)
 * No value ever holds a secret: accounts carry references, records carry redacted errors.
 */
export class FleetKeys {
  constructor(
    readonly prefix: string,
    readonly fleet: string,
  ) {}
  private k(name: string): string {
    return `${this.prefix}:${this.fleet}:f:${name}`;
  }
  get accounts() {
    return this.k('accounts');
  }
  get templates() {
    return this.k('templates');
  }
  get meta() {
    return this.k('meta');
  }
  get status() {
    return this.k('status');
  }
  get errors() {
    return this.k('errors');
  }
  get runs() {
    return this.k('runs');
  }
  get state() {
    return this.k('state');
  }
  get history() {
    return this.k('history');
  }
  get counters() {
    return this.k('counters');
  }
  /** A slot being run: held by one worker, renewed while it runs (see SlotClaims). */
  claim(scheduleId: string, slot: number): string {
    return this.k(`claim:${scheduleId}:${slot}`);
  }
  /** A slot that was run: kept a while, so that a second delivery of it is recognised. */
  done(scheduleId: string, slot: number): string {
    return this.k(`done:${scheduleId}:${slot}`);
  }
}

/** An account as it is kept in Redis: every secret replaced by its reference. */
export interface StoredAccount extends Omit<FleetAccount, 'password' | 'rest' | 'cycles'> {
  password: SharedSecretRef;
  rest?: Omit<NonNullable<FleetAccount['rest']>, 'consumerSecret'> & { consumerSecret: SharedSecretRef };
  cycles: Array<{ scheduleId: string; index: number; templateRef: string; templateKey: string; everyMs: number; offsetMs: number; fields: Record<string, unknown> }>;
}

export function templateKey(t: CycleTemplate): string {
  return createHash('sha256').update(JSON.stringify(t)).digest('hex').slice(0, 16);
}

export function storedAccount(a: FleetAccount): StoredAccount {
  return {
    id: a.id,
    endpoint: a.endpoint,
    dataCenter: a.dataCenter,
    apiVersion: a.apiVersion,
    username: a.username,
    password: shareableRef(a.password),
    domain: a.domain,
    timeoutMs: a.timeoutMs,
    ...(a.rest ? { rest: { ...a.rest, consumerSecret: shareableRef(a.rest.consumerSecret) } } : {}),
    cycles: a.cycles.map((c) => ({ scheduleId: c.scheduleId, index: c.index, templateRef: c.templateRef, templateKey: templateKey(c.template), everyMs: c.everyMs, offsetMs: c.offsetMs, fields: c.fields })),
  };
}

/** A version of the configuration: changes when any account, cycle or template changes. */
export function configVersion(config: FleetConfig): string {
  const h = createHash('sha256');
  for (const a of config.accounts) h.update(JSON.stringify(storedAccount(a)));
  return h.digest('hex').slice(0, 16);
}

export interface FleetMeta {
  version: string;
  timeScale: number;
  accountsFile: string;
  updatedAt: number;
  schedules: number;
}

export async function readMeta(redis: Redis, keys: FleetKeys): Promise<FleetMeta | undefined> {
  const m = await redis.hgetall(keys.meta);
  if (!m.version) return undefined;
  return { version: m.version, timeScale: Number(m.timeScale ?? 1), accountsFile: m.accountsFile ?? '', updatedAt: Number(m.updatedAt ?? 0), schedules: Number(m.schedules ?? 0) };
}

/** Writes accounts, templates and meta (secrets as references only), removing accounts no longer in the file. */
export async function writeConfig(redis: Redis, keys: FleetKeys, config: FleetConfig, timeScale: number): Promise<FleetMeta> {
  const templates = new Map<string, string>();
  for (const a of config.accounts) for (const c of a.cycles) templates.set(templateKey(c.template), JSON.stringify(c.template));
  const existing = new Set(await redis.hkeys(keys.accounts));
  const wanted = new Set(config.accounts.map((a) => a.id));
  const p = redis.pipeline();
  for (const [k, t] of templates) p.hset(keys.templates, k, t);
  for (let i = 0; i < config.accounts.length; i += 500) {
    const chunk = config.accounts.slice(i, i + 500);
    p.hset(keys.accounts, Object.fromEntries(chunk.map((a) => [a.id, JSON.stringify(storedAccount(a))])));
  }
  const gone = [...existing].filter((id) => !wanted.has(id));
  if (gone.length) p.hdel(keys.accounts, ...gone);
  const meta: FleetMeta = { version: configVersion(config), timeScale, accountsFile: config.path, updatedAt: Date.now(), schedules: config.accounts.reduce((n, a) => n + a.cycles.length, 0) };
  p.hset(keys.meta, { ...meta });
  await p.exec();
  return meta;
}

export interface StoredConfig {
  accounts: Map<string, StoredAccount>;
  templates: Map<string, CycleTemplate>;
}

export async function readConfig(redis: Redis, keys: FleetKeys): Promise<StoredConfig> {
  const [accounts, templates] = await Promise.all([redis.hgetall(keys.accounts), redis.hgetall(keys.templates)]);
  return {
    accounts: new Map(Object.entries(accounts).map(([id, json]) => [id, JSON.parse(json) as StoredAccount])),
    templates: new Map(Object.entries(templates).map(([k, json]) => [k, JSON.parse(json) as CycleTemplate])),
  };
}

export class RedisStateStore implements StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: FleetKeys,
  ) {}
  async load(id: string): Promise<Record<string, unknown>> {
    const s = await this.redis.hget(this.keys.state, id);
    return s ? (JSON.parse(s) as Record<string, unknown>) : {};
  }
  async save(id: string, state: Record<string, unknown>): Promise<void> {
    if (Object.keys(state).length) await this.redis.hset(this.keys.state, id, JSON.stringify(state));
  }
}

/**
 * Records a finished slot, in one transaction: last run, last error, run count, history, the
 * finished counter, and the slot marked done (for `doneTtlMs`), its claim released.
 */
export async function recordSlot(redis: Redis, keys: FleetKeys, r: SlotRecord, historyMax: number, doneTtlMs: number): Promise<void> {
  const json = JSON.stringify(r);
  const m = redis.multi();
  m.set(keys.done(r.scheduleId, r.slot), r.worker ?? '1', 'PX', Math.max(1000, Math.round(doneTtlMs)));
  m.del(keys.claim(r.scheduleId, r.slot));
  m.hset(keys.status, r.scheduleId, json);
  m.hincrby(keys.runs, r.scheduleId, 1);
  if (r.error) m.hset(keys.errors, r.scheduleId, json);
  m.xadd(keys.history, 'MAXLEN', '~', String(historyMax), '*', 's', r.scheduleId, 'slot', String(r.slot), 'o', r.outcome, 'w', r.worker ?? '', 'late', String(r.lateMs), 'x', r.exits.join(' '), 'n', String(r.steps));
  m.hincrby(keys.counters, 'finished', 1);
  await m.exec();
}
