import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { clockForScale } from '../clock';
import { type CycleTemplate, type RunEvent, type RunResult, lintTemplate, readTemplate, renderTemplateDiagram, runOnce, runSchedule, scheduleInterval } from '../cycles';
import { Five9Error, internalError } from '../errors';
import { loadManifest } from '../manifest';
import { formatDuration, parseDuration } from '../util/duration';
import type { Redactor } from '../util/redact';
import { formatEvent } from './format';
import { openTarget, type TargetFlags } from './target';

export interface CycleCliContext {
  out: (s: string) => void;
  /** stderr: notices that are not the command's output (stopping, the summary's errors). */
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  setJson: (on: boolean) => void;
  targetOptions: (cmd: Command) => Command;
  /** The command's redactor: every client adds its secrets, every event passes through it. */
  redactor: Redactor;
}

type CycleRunFlags = TargetFlags & { once?: boolean; runs?: string; every?: string; timeScale?: string; field: string[]; json?: boolean };

/** Template fields from `--field NAME=VALUE`, typed by the template's own field definitions. */
function templateFields(template: CycleTemplate, flags: string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const f of flags) {
    const i = f.indexOf('=');
    const key = f.slice(0, i);
    const def = template.fields?.[key];
    if (i <= 0 || !def) throw new Five9Error('FIVE9_CONFIG', `--field must be NAME=VALUE with a field of the template (${Object.keys(template.fields ?? {}).join(', ')})`);
    const raw = f.slice(i + 1);
    if (def.type === 'integer') {
      if (!/^-?\d+$/.test(raw)) throw new Five9Error('FIVE9_CONFIG', `--field ${key} must be an integer, not "${raw}"`);
      fields[key] = Number(raw);
    } else fields[key] = def.type === 'boolean' ? raw === 'true' : raw;
  }
  return fields;
}

export function positiveNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new Five9Error('FIVE9_CONFIG', `${flag} must be a positive number, not "${text}"`);
  return n;
}

export function durationFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) throw new Five9Error('FIVE9_CONFIG', `${flag} must be a duration with a unit, such as 30s, 15m or 1h, not "${text}"`);
  return ms;
}

/** What a schedule did, for the summary printed when it stops. */
export class RunTally {
  runs = 0;
  ok = 0;
  failed = 0;
  interrupted = 0;
  readonly exits = new Map<string, Map<string, number>>();
  readonly errors = new Map<string, number>();
  lastError?: Record<string, unknown>;

  add(e: RunEvent): void {
    if (e.type === 'step') {
      const byExit = this.exits.get(e.action) ?? new Map<string, number>();
      this.exits.set(e.action, byExit.set(e.exit, (byExit.get(e.exit) ?? 0) + 1));
    } else if (e.type === 'step-error') {
      const code = String(e.error.code);
      this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
      this.lastError = e.error;
    } else if (e.type === 'run-end') {
      this.runs++;
      if (e.outcome === 'ok') this.ok++;
      else if (e.outcome === 'error') this.failed++;
      else this.interrupted++;
    }
  }

  toJSON(): Record<string, unknown> {
    return {
      runs: this.runs,
      ok: this.ok,
      failed: this.failed,
      interrupted: this.interrupted,
      exits: Object.fromEntries([...this.exits].map(([a, m]) => [a, Object.fromEntries(m)])),
      errors: Object.fromEntries(this.errors),
    };
  }

  lines(elapsedMs: number): string[] {
    const exits = [...this.exits].map(([a, m]) => `${a}: ${[...m].map(([x, n]) => `${x} ×${n}`).join(', ')}`).join('; ');
    const errors = [...this.errors].map(([c, n]) => `${c} ×${n}`).join(', ');
    return [
      `summary: ${this.runs} run(s) in ${formatDuration(elapsedMs)}: ${this.ok} ok, ${this.failed} failed${this.interrupted ? `, ${this.interrupted} stopped between steps` : ''}`,
      `  exits taken: ${exits || 'none'}`,
      `  errors: ${errors || 'none'}`,
    ];
  }
}

/**
 * Ctrl-C and SIGTERM as a long-running service should take them: the first asks the schedule to
 * stop (the step in flight finishes, nothing new starts); a second exits at once with 130.
 */
export function stopOnSignals(onFirst: () => void): () => void {
  let count = 0;
  const handler = () => {
    if (++count > 1) process.exit(130);
    onFirst();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
}

/** `five9 cycle run` and `five9 cycle diagram`. */
export function registerCycle(program: Command, ctx: CycleCliContext): void {
  const cycle = program.command('cycle').description('run cycle templates');

  ctx.targetOptions(
    cycle
      .command('run')
      .argument('<template>', 'a bundled template id (e.g. maintain-session) or a template file')
      .description('run a template on its schedule until stopped (Ctrl-C or SIGTERM), or once (default target: an embedded simulator)')
      .option('--once', 'run once and stop')
      .option('--runs <n>', 'stop after N runs')
      .option('--every <duration>', "time between runs instead of the template's schedule, e.g. 30s, 15m, 1h")
      .option('--time-scale <k>', 'test aid: run the schedule K times faster than the wall clock (give the simulator the same --time-scale)')
      .option('--field <name=value>', 'set a template field (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
      .option('--json', 'print run events as NDJSON (run-start, step, step-error, run-end, next-run, schedule-end, summary)')
      .addHelpText(
        'after',
        `
A failed run (network down, HTTP error, an unexpected fault, a refused password) is reported with its
error code and the schedule goes on. The first Ctrl-C or SIGTERM lets the step in flight finish,
prints a summary and exits 0; a second exits at once with 130. The cycle never closes the session it
keeps alive. With --once or --runs, the exit code is that of the last failed run (0 when none failed).`,
      ),
  ).action(async (ref: string, o: CycleRunFlags) => {
    ctx.setJson(!!o.json);
    const m = loadManifest();
    const template = readTemplate(ref);
    const problems = lintTemplate(template, m);
    if (problems.length) throw new Five9Error('FIVE9_TEMPLATE_INVALID', `${ref}:\n- ${problems.join('\n- ')}`, { details: { problems } });
    const fields = templateFields(template, o.field);
    const everyMs = durationFlag('--every', o.every);
    const runs = o.runs === undefined ? undefined : positiveNumber('--runs', o.runs);
    if (runs !== undefined && !Number.isInteger(runs)) throw new Five9Error('FIVE9_CONFIG', `--runs must be a whole number, not "${o.runs}"`);
    const clock = clockForScale(positiveNumber('--time-scale', o.timeScale));
    const target = await openTarget(o, ctx.env, { clock, redactor: ctx.redactor });
    const tally = new RunTally();
    const started = Date.now();
    const onEvent = (e: RunEvent) => {
      tally.add(e);
      if (o.json) ctx.out(JSON.stringify(e));
      else {
        const line = formatEvent(e);
        if (line) ctx.out(line);
      }
    };
    const interval = scheduleInterval(template, everyMs);
    if (!o.json) ctx.out(`${template.name}: ${o.once ? 'once' : `every ${formatDuration(interval)}${o.timeScale ? ` of a clock ${o.timeScale}× the wall clock` : ''}`} against ${target.label}`);
    const ac = new AbortController();
    const release = stopOnSignals(() => {
      if (!ac.signal.aborted) ctx.err('stopping after the step in flight (Ctrl-C again to exit at once)');
      ac.abort();
    });
    let results: RunResult[];
    try {
      const opts = { executor: target.executor, clock, fields, onEvent, signal: ac.signal, redact: <T>(v: T) => ctx.redactor.value(v) };
      results = o.once ? [await runOnce(template, opts)] : await runSchedule(template, { ...opts, runs, everyMs });
    } finally {
      release();
      await target.close();
    }
    if (o.json) ctx.out(JSON.stringify({ type: 'summary', ...tally.toJSON(), elapsedMs: Date.now() - started }));
    else for (const l of tally.lines(Date.now() - started)) ctx.out(l);
    // Stopped by a signal: the service did what it was asked (exit 0). Otherwise a run that failed
    // decides the exit code, with its own error's code (a refused password is 3, not 6).
    if (ac.signal.aborted) return;
    const failed = [...results].reverse().find((r) => r.outcome === 'error');
    if (failed) {
      const e = internalError(failed.error);
      throw new Five9Error(e.code, e.message, { details: { silent: true } });
    }
  });

  cycle
    .command('diagram')
    .argument('<template>', 'a bundled template id (e.g. maintain-session) or a template file')
    .description('draw a template as a self-contained SVG flow chart (steps, exits, end, schedule)')
    .option('--out <file>', 'write the SVG to this file instead of printing it')
    .action((ref: string, o: { out?: string }) => {
      const svg = renderTemplateDiagram(readTemplate(ref), { manifest: loadManifest() });
      if (o.out) {
        mkdirSync(dirname(o.out), { recursive: true });
        writeFileSync(o.out, svg);
        ctx.out(`wrote ${o.out}`);
      } else ctx.out(svg.trimEnd());
    });
}
