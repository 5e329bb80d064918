import { describeWindow } from '../errors';
import type { CycleTemplate } from '../generated/template-types';
import type { Action, Manifest } from '../manifest';
import type { JsonSchema } from '../schemas';
import { fieldValues, initialState, resolveInput } from './mapping';
import { templateShapeProblems } from './template';

/**
 * Everything wrong with a template, as sentences: its shape, unknown actions and steps, exits that
 * are unknown or left unconnected, required inputs it never provides, a repeat interval that lets
 * the session it keeps expire, and schedules whose calls exceed a domain limit.
 */
export function lintTemplate(raw: unknown, manifest: Manifest): string[] {
  const shape = templateShapeProblems(raw);
  if (shape.length) return shape;
  const t = raw as CycleTemplate;
  const problems: string[] = [];
  if (t.connector !== manifest.raw.name) problems.push(`template is for connector "${t.connector}", the manifest is "${manifest.raw.name}"`);
  const ids = new Set<string>();
  for (const s of t.steps) {
    if (ids.has(s.id)) problems.push(`step id "${s.id}" is used twice`);
    ids.add(s.id);
  }
  if (!ids.has(t.start)) problems.push(`start step "${t.start}" does not exist`);

  const fields = fieldValues(t);
  for (const [name, f] of Object.entries(t.fields ?? {})) {
    const okType = f.type === 'integer' ? Number.isInteger(f.default) : typeof f.default === f.type;
    if (!okType) problems.push(`field "${name}": default ${JSON.stringify(f.default)} is not of type ${f.type}`);
    if (f.enum && !f.enum.includes(f.default)) problems.push(`field "${name}": default ${JSON.stringify(f.default)} is not one of its values`);
    if (typeof f.default === 'number' && ((f.minimum !== undefined && f.default < f.minimum) || (f.maximum !== undefined && f.default > f.maximum))) {
      problems.push(`field "${name}": default ${f.default} is outside ${f.minimum ?? '-∞'}..${f.maximum ?? '∞'}`);
    }
  }

  const actions = new Map<string, Action>();
  for (const s of t.steps) {
    const at = `step "${s.id}"`;
    const action = manifest.findAction(s.action);
    if (!action) {
      problems.push(`${at}: unknown action "${s.action}"`);
      continue;
    }
    actions.set(s.id, action);
    const exits = manifest.exits(action);
    for (const exit of Object.keys(s.exits)) {
      if (!exits.includes(exit)) problems.push(`${at}: "${action.displayName}" has no exit "${exit}" (its exits: ${exits.join(', ')})`);
    }
    for (const exit of exits) {
      if (!(exit in s.exits)) problems.push(`${at}: exit "${exit}" of "${action.displayName}" is not connected (give a step id, or null to end the run)`);
    }
    for (const [exit, target] of Object.entries(s.exits)) {
      if (target !== null && !ids.has(target)) problems.push(`${at}: exit "${exit}" leads to unknown step "${target}"`);
    }
    // Required inputs: resolve fields with their defaults; a step reference counts as provided.
    const unresolved: string[] = [];
    const input = resolveInput(
      s.input ?? {},
      fields,
      {},
      (what) => {
        if (!what.startsWith('step')) unresolved.push(what);
        return '\u0000step';
      },
      initialState(t),
    );
    for (const u of unresolved) problems.push(`${at}: ${u} is not declared in the template's ${u.startsWith('field') ? 'fields' : 'state'}`);
    for (const name of Object.keys(s.saveState ?? {})) {
      if (!(name in (t.state ?? {}))) problems.push(`${at}: saveState "${name}" is not declared in the template's state`);
    }
    for (const issue of manifest.registry.check(action.input as JsonSchema, input, 'input')) {
      if (issue.rule === 'type' && JSON.stringify(input).includes('\u0000step')) continue;
      problems.push(`${at}: input ${issue.message} (${issue.rule})`);
    }
  }

  // Reachability and loops (a run must end).
  const seen = new Set<string>();
  const visit = (id: string, path: string[]) => {
    if (path.includes(id)) {
      problems.push(`steps loop: ${[...path, id].join(' → ')}`);
      return;
    }
    if (seen.has(id) && !path.length) return;
    seen.add(id);
    const step = t.steps.find((s) => s.id === id);
    for (const next of Object.values(step?.exits ?? {})) if (next && ids.has(next)) visit(next, [...path, id]);
  };
  if (ids.has(t.start)) visit(t.start, []);
  for (const id of ids) if (!seen.has(id)) problems.push(`step "${id}" is never reached from the start step`);

  const intervalS = t.schedule.everyMinutes * 60;
  // The session the template starts must outlive the time between runs.
  const session = manifest.raw.session;
  for (const s of t.steps) {
    if (actions.get(s.id)?.id !== session.startAction) continue;
    const input = resolveInput(s.input ?? {}, fields, {}, () => undefined, initialState(t)) as { viewSettings?: { idleTimeOut?: number } };
    const idle = input.viewSettings?.idleTimeOut ?? session.idleTimeOut.default;
    if (intervalS >= idle) {
      problems.push(`step "${s.id}": the schedule repeats every ${t.schedule.everyMinutes} min, not shorter than the Idle Time Out it sets (${idle} s), so the session expires between runs`);
    }
  }
  // Calls per run × runs per window must stay inside each domain limit.
  for (const [cls, q] of Object.entries(manifest.raw.quotaClasses)) {
    const perRun = t.steps.filter((s) => actions.get(s.id)?.quotaClass === cls).length;
    if (!perRun) continue;
    for (const w of q.windows) {
      const runs = Math.ceil(w.seconds / intervalS);
      if (perRun * runs > w.limit) {
        problems.push(`${cls}: up to ${perRun} call(s) a run × ${runs} run(s) a ${describeWindow(w.seconds)} = ${perRun * runs}, over the domain limit of ${w.limit} a ${describeWindow(w.seconds)}`);
      }
    }
  }
  return problems;
}
