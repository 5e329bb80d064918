import type { Clock } from '../clock';
import { Five9Error } from '../errors';
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
  | { type: 'run-end'; run: number; time: number; outcome: 'ok' | 'error'; steps: number; output: unknown; state: Record<string, unknown> }
  | { type: 'schedule-end'; time: number; runs: number; reason: 'runs' | 'until' | 'aborted' | 'error' };

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
}

export interface RunResult {
  run: number;
  outcome: 'ok' | 'error';
  events: RunEvent[];
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
  let outcome: 'ok' | 'error' = 'ok';
  while (stepId !== null) {
    const step = template.steps.find((s) => s.id === stepId);
    if (!step || ++count > MAX_STEPS_PER_RUN) {
      throw new Five9Error('FIVE9_TEMPLATE_INVALID', step ? `run ${run} exceeded ${MAX_STEPS_PER_RUN} steps` : `step "${stepId}" does not exist`);
    }
    const input = resolveInput(step.input ?? {}, fields, outputs, undefined, state) as Record<string, unknown>;
    let result: ActionResult;
    try {
      result = await options.executor.run(step.action, input);
    } catch (e) {
      const error = e instanceof Five9Error ? e.toJSON() : { code: 'ERROR', message: (e as Error).message };
      emit({ type: 'step-error', run, time: options.clock.now(), step: step.id, action: step.action, error });
      outcome = 'error';
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
      emit({ type: 'step-error', run, time: options.clock.now(), step: step.id, action: step.action, error: { code: 'FIVE9_TEMPLATE_INVALID', message: `exit "${result.exit}" is not connected` } });
      outcome = 'error';
      break;
    }
    emit({ type: 'step', run, time: options.clock.now(), step: step.id, action: result.action, input, exit: result.exit, output: result.output, fault: result.fault, next });
    stepId = next;
  }
  // The run's output is what its last step answered: what the platform hands to the next step.
  emit({ type: 'run-end', run, time: options.clock.now(), outcome, steps: count, output: lastOutput, state: { ...state } });
  return { run, outcome, events };
}

export interface ScheduleOptions extends RunOptions {
  /** Stop after this many runs. */
  runs?: number;
  /** Or stop once the clock passes this time (epoch ms). */
  until?: number;
  signal?: AbortSignal;
}

/**
 * Runs a template on its schedule: a run now, then one every `everyMinutes` of the clock's time,
 * as Cyclr's Run > Repeat does. With the template's onStepError "stop-schedule", an error ends it.
 */
export async function runSchedule(template: CycleTemplate, options: ScheduleOptions): Promise<RunResult[]> {
  const results: RunResult[] = [];
  options = { ...options, state: options.state ?? {} };
  const interval = template.schedule.everyMinutes * 60_000;
  let reason: 'runs' | 'until' | 'aborted' | 'error' = 'runs';
  for (let run = 1; ; run++) {
    if (options.signal?.aborted) {
      reason = 'aborted';
      break;
    }
    const r = await runOnce(template, options, run);
    results.push(r);
    if (r.outcome === 'error' && template.onStepError === 'stop-schedule') {
      reason = 'error';
      break;
    }
    if (options.runs !== undefined && run >= options.runs) break;
    if (options.until !== undefined && options.clock.now() + interval > options.until) {
      reason = 'until';
      break;
    }
    await sleepUnlessAborted(options.clock, interval, options.signal);
  }
  const end: RunEvent = { type: 'schedule-end', time: options.clock.now(), runs: results.length, reason };
  options.onEvent?.(end);
  return results;
}

async function sleepUnlessAborted(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  // The clock ends the wait, and clears its timer, when the signal aborts.
  await clock.sleep(ms, signal);
}
