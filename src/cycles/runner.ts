import type { Clock } from '../clock';
import { Five9Error, internalError } from '../errors';
import type { CycleTemplate } from '../generated/template-types';
import type { ActionResult } from '../runtime';
import { fieldValues, initialState, pointer, resolveInput } from './mapping';

/** Anything that runs an action: a ConnectorExecutor (SOAP and REST), a client, or a test double. */
export interface ActionExecutor {
  run(action: string, input: Record<string, unknown>): Promise<ActionResult>;
  /** When present, it masks the events (unless RunOptions.redact is given). */
  redactor?: { value<T>(v: T): T };
}

/** What the runner reports; the CLI prints these and tests assert on them. Secrets never appear. */
export type RunEvent =
  | { type: 'run-start'; run: number; time: number }
  | { type: 'step'; run: number; time: number; step: string; action: string; input: unknown; exit: string; output: unknown; fault?: { name: string; fields: Record<string, unknown> }; next: string | null }
  | { type: 'step-error'; run: number; time: number; step: string; action: string; error: Record<string, unknown> }
  | { type: 'run-end'; run: number; time: number; outcome: RunOutcome; steps: number; output: unknown; state: Record<string, unknown> }
  /** Between runs: when the next one is due (its schedule slot), and slots missed because a run overran. */
  | { type: 'next-run'; run: number; time: number; at: number; skipped: number }
  | { type: 'schedule-end'; time: number; runs: number; reason: 'runs' | 'until' | 'aborted' | 'error' };

/** How a run ended: every step done, a step failed, or a stop was asked for between two steps. */
export type RunOutcome = 'ok' | 'error' | 'interrupted';

export interface RunOptions {
  executor: ActionExecutor;
  clock: Clock;
  fields?: Record<string, unknown>;
  onEvent?: (e: RunEvent) => void;
  /**
   * The cycle's state kept between runs (the template's `state`, e.g. a statistics cursor). The
   * runner reads and updates this object; runSchedule passes one object through all its runs.
   */
  state?: Record<string, unknown>;
  /** Masks secrets in what events carry (the client's redactor). */
  redact?: <T>(v: T) => T;
  /**
   * Asks the run to stop: the step in flight finishes (its request is answered, so its outcome is
   * known), no further step starts, and the run ends as 'interrupted'.
   */
  signal?: AbortSignal;
}

export interface RunResult {
  run: number;
  outcome: RunOutcome;
  events: RunEvent[];
  /** The error of the step that failed, when outcome is 'error' (as the executor threw it). */
  error?: unknown;
}

const MAX_STEPS_PER_RUN = 100;

/** Runs a template once: from the start step, following the exit each step leaves by. */
export async function runOnce(template: CycleTemplate, options: RunOptions, run = 1): Promise<RunResult> {
  const events: RunEvent[] = [];
  const r = options.executor.redactor;
  const redact = options.redact ?? (r ? <T>(v: T) => r.value(v) : <T>(v: T) => v);
  const emit = (e: RunEvent) => {
    const safe = redact(e);
    events.push(safe);
    options.onEvent?.(safe);
  };
  const fields = fieldValues(template, options.fields);
  const state = options.state ?? {};
  Object.assign(state, initialState(template, state));
  let lastOutput: unknown = null;
  const outputs: Record<string, unknown> = {};
  emit({ type: 'run-start', run, time: options.clock.now() });
  let stepId: string | null = template.start;
  let count = 0;
  let outcome: RunOutcome = 'ok';
  let failure: unknown;
  while (stepId !== null) {
    if (options.signal?.aborted) {
      outcome = 'interrupted';
      break;
    }
    const step = template.steps.find((s) => s.id === stepId);
    if (!step || ++count > MAX_STEPS_PER_RUN) {
      throw new Five9Error('FIVE9_TEMPLATE_INVALID', step ? `run ${run} exceeded ${MAX_STEPS_PER_RUN} steps` : `step "${stepId}" does not exist`);
    }
    const input = resolveInput(step.input ?? {}, fields, outputs, undefined, state) as Record<string, unknown>;
    let result: ActionResult;
    try {
      result = await options.executor.run(step.action, input);
    } catch (e) {
      // An error that is not a Five9Error is a bug of the connector: reported as FIVE9_INTERNAL.
      const error = internalError(e).toJSON();
      emit({ type: 'step-error', run, time: options.clock.now(), step: step.id, action: step.action, error });
      outcome = 'error';
      failure = e;
      break;
    }
    outputs[step.id] = result.output;
    lastOutput = result.output;
    if (result.output !== null && result.output !== undefined) {
      for (const [name, ptr] of Object.entries(step.saveState ?? {})) {
        const v = pointer(result.output, ptr);
        if (v !== undefined) state[name] = v;
      }
    }
    const next = step.exits[result.exit];
    if (next === undefined) {
      const e = new Five9Error('FIVE9_TEMPLATE_INVALID', `exit "${result.exit}" is not connected`);
      emit({ type: 'step-error', run, time: options.clock.now(), step: step.id, action: step.action, error: e.toJSON() });
      outcome = 'error';
      failure = e;
      break;
    }
    emit({ type: 'step', run, time: options.clock.now(), step: step.id, action: result.action, input, exit: result.exit, output: result.output, fault: result.fault, next });
    stepId = next;
  }
  // The run's output is what its last step answered: what the platform hands to the next step.
  emit({ type: 'run-end', run, time: options.clock.now(), outcome, steps: count, output: lastOutput, state: { ...state } });
  return { run, outcome, events, ...(outcome === 'error' ? { error: failure } : {}) };
}

export interface ScheduleOptions extends RunOptions {
  /** Stop after this many runs. */
  runs?: number;
  /** Or stop once the clock passes this time (epoch ms). */
  until?: number;
  /** The time between two runs in ms of the clock, instead of the template's `everyMinutes`. */
  everyMs?: number;
  /**
   * Stops the schedule: a wait between runs ends at once, and a run in progress stops after the
   * step in flight (see RunOptions.signal).
   */
  signal?: AbortSignal;
}

/** The time between two runs: the override, or the template's schedule. */
export function scheduleInterval(template: CycleTemplate, everyMs?: number): number {
  return everyMs ?? template.schedule.everyMinutes * 60_000;
}

/**
 * Runs a template on its schedule, as Cyclr's Run > Repeat does: a run now, then one at every
 * slot `start + k × interval` of the clock's time. Slots are fixed, so a slow run does not push
 * every later run back; a run that overruns whole slots skips them (told in `next-run`) rather than
 * running them late in a burst. A failed run is reported and the schedule goes on, unless the
 * template's onStepError is "stop-schedule".
 */
export async function runSchedule(template: CycleTemplate, options: ScheduleOptions): Promise<RunResult[]> {
  const results: RunResult[] = [];
  options = { ...options, state: options.state ?? {} };
  const interval = scheduleInterval(template, options.everyMs);
  if (!(interval > 0)) throw new Five9Error('FIVE9_CONFIG', `the time between runs must be positive, not ${interval} ms`);
  const start = options.clock.now();
  let reason: 'runs' | 'until' | 'aborted' | 'error' = 'runs';
  let slot = 0;
  for (let run = 1; ; run++) {
    if (options.signal?.aborted) {
      reason = 'aborted';
      break;
    }
    const r = await runOnce(template, options, run);
    results.push(r);
    if (r.outcome === 'interrupted' || options.signal?.aborted) {
      reason = 'aborted';
      break;
    }
    if (r.outcome === 'error' && template.onStepError === 'stop-schedule') {
      reason = 'error';
      break;
    }
    if (options.runs !== undefined && run >= options.runs) break;
    const now = options.clock.now();
    const next = Math.max(slot + 1, Math.floor((now - start) / interval) + 1);
    const skipped = next - slot - 1;
    slot = next;
    const at = start + slot * interval;
    if (options.until !== undefined && at > options.until) {
      reason = 'until';
      break;
    }
    const e: RunEvent = { type: 'next-run', run: run + 1, time: now, at, skipped };
    options.onEvent?.(e);
    await sleepUnlessAborted(options.clock, at - now, options.signal);
  }
  const end: RunEvent = { type: 'schedule-end', time: options.clock.now(), runs: results.length, reason };
  options.onEvent?.(end);
  return results;
}

/** Sleeps on the clock, or until the signal fires, whichever is first (the clock clears its timer). */
async function sleepUnlessAborted(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (ms > 0 && !signal?.aborted) await clock.sleep(ms, signal);
}
