import pLimit from 'p-limit';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { Clock } from '../clock';
import { AccountClients, type AccountClientsOptions } from './clients';
import type { FleetAccount, FleetConfig, FleetCycle } from './config';
import type { FleetMetrics } from './metrics';
import { MemoryStateStore, type SlotRecord, type StateStore, runSlot } from './slot';

export interface EmbeddedFleetOptions {
  clock: Clock;
  /** Real ms per ms of the clock's time is 1 / scale (the clock's own `--time-scale`). */
  scale?: number;
  /** Runs at the same time, across accounts (default 32). One account's cycles never overlap a slot of their own. */
  concurrency?: number;
  clientOptions?: AccountClientsOptions['clientOptions'];
  env?: NodeJS.ProcessEnv;
  metrics?: FleetMetrics;
  state?: StateStore;
  onRecord?: (r: SlotRecord) => void;
}

/** The first slot strictly after `now` of a schedule whose slots are `k × every + offset`. */
export function nextSlot(now: number, every: number, offset: number): number {
  const k = Math.floor((now - offset) / every) + 1;
  return k * every + offset;
}

/**
 * Every account's cycles in this process, on its clock: each schedule waits for its next slot
 * (slots `k × every + offset`, the offset spreading accounts over the interval), then runs when a
 * run slot is free (p-limit). A slot missed because the process was busy or asleep is skipped, not
 * run late in a burst, the same rule BullMQ's job schedulers follow in the Redis fleet. No Redis:
 * the one-request and quota rules across processes come from the clients' coordinator.
 */
export class EmbeddedFleet {
  private readonly ac = new AbortController();
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly clients: AccountClients;
  private readonly state: StateStore;
  private readonly loops: Promise<void>[] = [];
  private readonly worker = `${hostname()}:${process.pid}`;
  readonly scale: number;

  constructor(
    readonly config: FleetConfig,
    private readonly options: EmbeddedFleetOptions,
  ) {
    // One stop signal for every schedule's wait: thousands of listeners are expected, not a leak.
    setMaxListeners(0, this.ac.signal);
    this.scale = options.scale ?? 1;
    this.limit = pLimit(options.concurrency ?? 32);
    this.clients = new AccountClients({ clock: options.clock, accountsPath: config.path, env: options.env, clientOptions: { ...(options.metrics ? { onRequest: options.metrics.onRequest } : {}), ...options.clientOptions } });
    this.state = options.state ?? new MemoryStateStore();
  }

  get schedules(): number {
    return this.config.accounts.reduce((n, a) => n + a.cycles.length, 0);
  }

  start(): void {
    this.options.metrics?.accounts.set(this.config.accounts.length);
    for (const account of this.config.accounts) for (const cycle of account.cycles) this.loops.push(this.loop(account, cycle));
  }

  /** Stops: waits end at once, runs in progress finish the step in flight. Resolves when all ended. */
  async stop(): Promise<void> {
    this.ac.abort();
    await Promise.all(this.loops);
    await this.clients.close();
  }

  /** Resolves when every schedule has ended (after stop()). */
  done(): Promise<void> {
    return Promise.all(this.loops).then(() => undefined);
  }

  private async loop(account: FleetAccount, cycle: FleetCycle): Promise<void> {
    const { clock, metrics } = this.options;
    const signal = this.ac.signal;
    let slot = nextSlot(clock.now(), cycle.everyMs, cycle.offsetMs);
    while (!signal.aborted) {
      const wait = slot - clock.now();
      if (wait > 0) await clock.sleep(wait, signal);
      if (signal.aborted) break;
      const due = slot;
      await this.limit(async () => {
        if (signal.aborted) return;
        const now = clock.now();
        // As BullMQ's job schedulers do: the next slot is fixed when a run starts; if even that
        // one has passed (the run started more than an interval late), it moves to the next
        // future slot, so a late run is followed by one on time, never by a burst.
        slot = due + cycle.everyMs > now ? due + cycle.everyMs : nextSlot(now, cycle.everyMs, cycle.offsetMs);
        metrics?.active.inc();
        try {
          const rec = await runSlot(account, cycle, due, { clients: this.clients, clock, state: this.state, hooks: metrics?.hooks(), signal, lateMs: Math.max(0, now - due) / this.scale, worker: this.worker });
          metrics?.record(rec);
          this.options.onRecord?.(rec);
        } finally {
          metrics?.active.dec();
        }
      });
    }
  }
}
