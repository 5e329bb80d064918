import type { Clock } from '../clock';
import { type RunEvent, type RunOutcome, runOnce } from '../cycles';
import type { ConnectorExecutor } from '../cycles/executor';
import { Five9Error, Five9Fault, internalError } from '../errors';
import type { AccountClients, ExecutorHooks } from './clients';
import { fleetExecutor } from './clients';
import type { FleetAccount, FleetCycle } from './config';

/** What one schedule slot did: kept as the account's last run, in the history and in metrics. */
export interface SlotRecord {
  scheduleId: string;
  account: string;
  cycle: number;
  template: string;
  /** The slot's time on the fleet's clock (epoch ms; scaled under --time-scale). */
  slot: number;
  /** Wall-clock ms when the run started and ended. */
  startedAt: number;
  endedAt: number;
  /** Real ms between the slot's time and the run's start. */
  lateMs: number;
  outcome: RunOutcome;
  /** The exit each step left by, in order ("check-session:true"). */
  exits: string[];
  /** Requests the run's steps made (a step is one request; a quota wait repeats it). */
  steps: number;
  error?: { code: string; message: string; fault?: string };
  /** Which process ran it (host:pid), for an operator following a slot. */
  worker?: string;
}

/** Where a cycle keeps its state (`saveState`, e.g. a statistics cursor) between runs. */
export interface StateStore {
  load(scheduleId: string): Promise<Record<string, unknown>>;
  save(scheduleId: string, state: Record<string, unknown>): Promise<void>;
}

export class MemoryStateStore implements StateStore {
  private readonly states = new Map<string, Record<string, unknown>>();
  async load(id: string): Promise<Record<string, unknown>> {
    return { ...(this.states.get(id) ?? {}) };
  }
  async save(id: string, state: Record<string, unknown>): Promise<void> {
    if (Object.keys(state).length) this.states.set(id, { ...state });
  }
}

export interface SlotContext {
  clients: AccountClients;
  clock: Clock;
  state: StateStore;
  hooks?: ExecutorHooks;
  /** A stop asked for: the step in flight finishes, no further step starts. */
  signal?: AbortSignal;
  /** Real ms the run starts after its slot (the scheduler knows when the slot was due). */
  lateMs: number;
  worker?: string;
  maxQuotaWaitMs?: number;
  onEvent?: (e: RunEvent) => void;
}

/** Runs one slot of an account's cycle: the template once, with the cycle's state kept. */
export async function runSlot(account: FleetAccount, cycle: FleetCycle, slot: number, ctx: SlotContext): Promise<SlotRecord> {
  const startedAt = Date.now();
  const base = { scheduleId: cycle.scheduleId, account: account.id, cycle: cycle.index, template: cycle.template.id, slot, startedAt, lateMs: Math.max(0, Math.round(ctx.lateMs)), ...(ctx.worker ? { worker: ctx.worker } : {}) };
  let lease;
  try {
    lease = ctx.clients.acquire(account);
  } catch (e) {
    // A missing secret or a wrong setting: the slot fails with the reason, the schedule goes on.
    const err = e instanceof Five9Error ? e : internalError(e);
    return { ...base, endedAt: Date.now(), outcome: 'error', exits: [], steps: 0, error: { code: err.code, message: err.message } };
  }
  try {
    return await runWith(lease.executor, cycle, base, ctx);
  } finally {
    lease.release();
  }
}

async function runWith(executor: ConnectorExecutor, cycle: FleetCycle, base: Omit<SlotRecord, 'endedAt' | 'outcome' | 'exits' | 'steps' | 'error'>, ctx: SlotContext): Promise<SlotRecord> {
  const state = await ctx.state.load(cycle.scheduleId);
  const exits: string[] = [];
  let steps = 0;
  const r = await runOnce(cycle.template, {
    executor: fleetExecutor(executor, ctx.clock, ctx.hooks, ctx.maxQuotaWaitMs, ctx.signal),
    clock: ctx.clock,
    fields: cycle.fields,
    state,
    signal: ctx.signal,
    redact: <T>(v: T) => executor.redactor.value(v),
    onEvent: (e) => {
      if (e.type === 'step') {
        steps++;
        exits.push(`${e.step}:${e.exit}`);
      } else if (e.type === 'step-error') steps++;
      ctx.onEvent?.(e);
    },
  });
  await ctx.state.save(cycle.scheduleId, state);
  const rec: SlotRecord = { ...base, endedAt: Date.now(), outcome: r.outcome, exits, steps };
  if (r.outcome === 'error') {
    // A Five9Error keeps its code; anything else is a bug in the connector, said as one.
    const e = internalError(r.error);
    rec.error = { code: e.code, message: executor.redactor.text(e.message), ...(e instanceof Five9Fault ? { fault: e.fault } : {}) };
  }
  return rec;
}
