import { LRUCache } from 'lru-cache';
import { dirname } from 'node:path';
import type { Clock } from '../clock';
import { type CoordinatorHandle, openCoordinator } from '../coordination';
import type { ActionExecutor } from '../cycles';
import { ConnectorExecutor } from '../cycles/executor';
import { Five9QuotaError } from '../errors';
import { RestClient, type RestClientOptions } from '../rest';
import { type ActionResult, type ClientOptions, Five9Client } from '../runtime';
import { Redactor } from '../util/redact';
import { type FleetAccount, resolveSecret } from './config';

export interface AccountClientsOptions {
  clock: Clock;
  /** Where `{file}` secrets are relative to (the accounts file's folder). */
  accountsPath: string;
  env?: NodeJS.ProcessEnv;
  /** Executors kept at most (default 256); the least recently used is closed beyond it. */
  max?: number;
  /** An executor not used for this long (real ms) is closed (default 60 s). */
  idleMs?: number;
  /** Extra client options every account's client gets (the coordinator shared by a worker, say). */
  clientOptions?: Partial<ClientOptions>;
  /** The same for REST clients (accounts with a `rest` credential, for templates with REST steps). */
  restOptions?: Partial<RestClientOptions>;
}

/**
 * One executor per account (its Five9Client, and its RestClient when the account has a REST
 * credential), made on first use and kept while runs come close together: an LRU with an idle
 * time, so a worker serving 10,000 accounts every 15 minutes holds a few hundred connections at
 * most, not 10,000. What must outlive a client (budgets seeded from Five9's counters, the domain's
 * limits, the state of a cycle) lives in the coordinator, the process or Redis, not in the client. Secrets are read here, in this
 * process's environment, when a client is made; each executor has its own redactor.
 */
export class AccountClients {
  private readonly cache: LRUCache<string, ConnectorExecutor>;
  private readonly closing = new Set<Promise<void>>();
  /** Executors a run is using, and whether the LRU let go of them meanwhile. */
  private readonly leases = new Map<ConnectorExecutor, { users: number; evicted: boolean }>();

  /**
   * One coordinator for every client this makes, held for as long as this lives: clients come and
   * go with the LRU, and what they share must not go with them. Each client opening its own would
   * close the local store (or the Redis connection) whenever the LRU emptied, and with it this
   * process's memory that a domain's budgets were already seeded from Five9's counters: a small
   * fleet, whose runs are further apart than the idle time, would read the counters again at every
   * run, one extra request a run.
   */
  private readonly coordination: CoordinatorHandle;

  constructor(private readonly options: AccountClientsOptions) {
    const { coordinator, redis } = options.clientOptions ?? {};
    this.coordination = openCoordinator({ coordinator, redis, clock: options.clock });
    this.cache = new LRUCache<string, ConnectorExecutor>({
      // A keep-alive account runs once every 15 minutes: holding its connection open between runs
      // would cost a socket and an HTTP parser per account (a worker's RSS grew past 380 MB at
      // 10,000 accounts with 2,000 kept), and buys nothing. Kept only while runs come close together.
      max: options.max ?? 256,
      ttl: options.idleMs ?? 60_000,
      ttlAutopurge: true,
      updateAgeOnGet: true,
      // Evicted (idle, or pushed out by others) while a run still uses it: closed when that run
      // ends, never under it (a run may wait a minute for a quota window, longer than the idle time).
      dispose: (executor) => {
        const lease = this.leases.get(executor);
        if (lease) lease.evicted = true;
        else this.closeLater(executor);
      },
    });
  }

  /**
   * The account's executor for one run: made on first use, kept while runs come close together,
   * and not closed before `release()`, whatever the LRU does meanwhile.
   */
  acquire(account: FleetAccount): { executor: ConnectorExecutor; release: () => void } {
    const key = `${account.id}\n${account.username}\n${account.endpoint ?? account.dataCenter}`;
    const executor = this.executor(key, account);
    let lease = this.leases.get(executor);
    if (!lease) this.leases.set(executor, (lease = { users: 0, evicted: false }));
    lease.users++;
    let released = false;
    return {
      executor,
      release: () => {
        if (released) return;
        released = true;
        if (--lease.users > 0) return;
        this.leases.delete(executor);
        if (lease.evicted) this.closeLater(executor);
        else this.cache.get(key); // the idle time counts from the end of the run
      },
    };
  }

  private closeLater(executor: ConnectorExecutor): void {
    const p = executor.close().catch(() => undefined);
    this.closing.add(p);
    void p.finally(() => this.closing.delete(p));
  }

  private executor(key: string, account: FleetAccount): ConnectorExecutor {
    let executor = this.cache.get(key);
    if (!executor) {
      const base = dirname(this.options.accountsPath);
      const redactor = new Redactor();
      const password = resolveSecret(account.password, { account: account.id, field: '/password', base }, this.options.env);
      const soap = new Five9Client({
        endpoint: account.endpoint,
        dataCenter: account.dataCenter,
        apiVersion: account.apiVersion,
        username: account.username,
        password,
        timeoutMs: account.timeoutMs,
        clock: this.options.clock,
        redactor,
        ...(account.domain ? { domain: account.domain } : {}),
        ...this.options.clientOptions,
        coordinator: this.coordination.coordinator,
      } as ClientOptions);
      const rest = account.rest;
      executor = new ConnectorExecutor({
        manifest: soap.manifest,
        redactor,
        soap,
        ...(rest
          ? {
              rest: () =>
                new RestClient({
                  endpoint: rest.endpoint,
                  dataCenter: rest.dataCenter,
                  domainId: rest.domainId,
                  consumerKey: rest.consumerKey,
                  consumerSecret: resolveSecret(rest.consumerSecret, { account: account.id, field: '/rest/consumerSecret', base }, this.options.env),
                  clock: this.options.clock,
                  redactor,
                  coordinator: this.coordination.coordinator,
                  ...this.options.restOptions,
                }),
            }
          : {}),
      });
      this.cache.set(key, executor);
    }
    return executor;
  }

  get size(): number {
    return this.cache.size;
  }

  async close(): Promise<void> {
    this.cache.clear();
    await Promise.all([...this.closing]);
    await this.coordination.release();
  }
}

export interface ExecutorHooks {
  /** A call was refused by a quota window and the run waits for it (real ms). */
  onQuotaWait?: (quotaClass: string, ms: number) => void;
}

/**
 * What a fleet's step runs through: the account's executor, with a quota refusal waited out when
 * the window opens soon enough (a keep-alive that must start a session waits for the
 * QueryStatistics minute rather than failing the slot). Request timing comes from the clients'
 * own observer (FleetMetrics.onRequest).
 */
export function fleetExecutor(client: ActionExecutor & { redactor: Redactor }, clock: Clock, hooks: ExecutorHooks = {}, maxQuotaWaitMs = 60_000, signal?: AbortSignal): ActionExecutor {
  return {
    redactor: client.redactor,
    async run(action: string, input: Record<string, unknown>): Promise<ActionResult> {
      for (let attempt = 0; ; attempt++) {
        try {
          return await client.run(action, input);
        } catch (e) {
          if (!(e instanceof Five9QuotaError) || attempt > 0 || signal?.aborted) throw e;
          const wait = e.retryAt - clock.now();
          if (wait > maxQuotaWaitMs) throw e;
          const r0 = performance.now();
          await clock.sleep(Math.max(1, wait), signal);
          hooks.onQuotaWait?.(e.quotaClass, performance.now() - r0);
        }
      }
    },
  };
}
