import type { RunEvent } from '../cycles';
import { type Action, type Manifest, type RestAction, type SoapAction, isRestAction } from '../manifest';
import type { JsonSchema, SchemaRegistry } from '../schemas';

export function hhmm(time: number): string {
  return new Date(time).toISOString().slice(11, 16);
}

/** A short "key=value" rendering of a JSON value for one-line output. */
export function compact(v: unknown, max = 110): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (typeof v === 'object' && !Array.isArray(v)) {
    s = flatten(v as Record<string, unknown>).map(([k, x]) => `${k}=${typeof x === 'string' ? x : JSON.stringify(x)}`).join(' ');
  } else s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function flatten(o: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) ? flatten(v as Record<string, unknown>, '') : [[`${prefix}${k}`, v] as [string, unknown]],
  );
}

/** One line per run event, as `five9 cycle run` and `npm start` print them. */
export function formatEvent(e: RunEvent): string | undefined {
  switch (e.type) {
    case 'run-start':
      return `[${hhmm(e.time)}] run ${e.run}`;
    case 'step': {
      const what = e.fault ? `${e.fault.name}${e.fault.fields.message ? `: ${e.fault.fields.message}` : ''}` : e.output !== null ? compact(e.output) : compact(e.input) ? `sent ${compact(e.input)}` : 'done';
      return `        ${e.action.padEnd(24)} → ${e.exit.padEnd(7)} ${what}`;
    }
    case 'step-error':
      return `        ${e.action.padEnd(24)} ✗ ${e.error.code}: ${e.error.message}`;
    case 'run-end':
      return e.outcome === 'ok' ? undefined : `        run ${e.run} ended with an error`;
    case 'schedule-end':
      return `[${hhmm(e.time)}] schedule ended after ${e.runs} run(s) (${e.reason})`;
  }
}

/** Input or output fields of an action as rows: path, type, constraints, description. */
export function fieldRows(registry: SchemaRegistry, schema: JsonSchema, prefix = '', required = false, depth = 0): string[][] {
  const s = registry.resolve(schema);
  if (depth > 6) return [];
  if (s.type === 'object' || s.properties) {
    const rows: string[][] = [];
    if (prefix) rows.push([prefix, 'object', required ? 'required' : '', schema.description ?? s.description ?? '']);
    for (const [k, p] of Object.entries<JsonSchema>(s.properties ?? {})) {
      rows.push(...fieldRows(registry, p, prefix ? `${prefix}.${k}` : k, (s.required ?? []).includes(k), depth + 1));
    }
    return rows;
  }
  if (s.type === 'array') {
    const item = registry.resolve(s.items ?? {});
    if (item.type === 'object') return fieldRows(registry, s.items, `${prefix || 'items'}[]`, required, depth + 1);
    return [[`${prefix || 'items'}[]`, typeName(registry, s.items ?? {}), required ? 'required' : '', schema.description ?? s.description ?? '']];
  }
  if (s.anyOf) {
    const inner = s.anyOf.find((x: JsonSchema) => x.type !== 'null');
    return fieldRows(registry, inner, prefix, required, depth + 1).map((r, i) => (i === 0 ? [r[0], `${r[1]} or null`, r[2], r[3]] : r));
  }
  const rules = [required ? 'required' : ''];
  if (s.minimum !== undefined || s.maximum !== undefined) rules.push(`${s.minimum ?? ''}..${s.maximum ?? ''}`);
  const since = schema['x-since'] ?? s['x-since'];
  if (since) rules.push(`since ${since}`);
  return [[prefix || 'value', typeName(registry, schema), rules.filter(Boolean).join(', '), schema.description ?? s.description ?? '']];
}

function typeName(registry: SchemaRegistry, schema: JsonSchema): string {
  const s = registry.resolve(schema);
  if (s.enum) return s.enum.length > 6 ? `${schema.$ref?.replace('.json', '') ?? 'enum'} (${s.enum.slice(0, 6).join('|')}|…)` : s.enum.join('|');
  const t = Array.isArray(s.type) ? s.type.join(' or ') : s.type;
  return s['x-xsd'] && s.type === 'integer' ? `integer (${s['x-xsd']})` : String(t ?? 'any');
}

export function table(rows: string[][], indent = '  '): string {
  if (!rows.length) return `${indent}(none)`;
  const widths = rows[0].map((_, i) => Math.min(40, Math.max(...rows.map((r) => (r[i] ?? '').length))));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

function quotaLine(m: Manifest, a: Action): string {
  const q = a.quotaClass ? m.raw.quotaClasses[a.quotaClass] : undefined;
  return q ? `${a.quotaClass} (${q.windows.map((w) => `${w.limit}/${w.seconds === 60 ? 'min' : w.seconds === 3600 ? 'h' : w.seconds === 86400 ? 'day' : `${w.seconds}s`}`).join(', ')})` : 'none';
}

export function describeAction(m: Manifest, a: Action): string {
  return isRestAction(a) ? describeRestAction(m, a) : describeSoapAction(m, a as SoapAction);
}

function describeRestAction(m: Manifest, a: RestAction): string {
  return [
    `${a.displayName}  (${m.categoryName(a.category)})`,
    `  ${a.description}`,
    '',
    `REST request:   ${a.http.method} {base}${a.http.path} (id ${a.id})`,
    `Scope:          ${a.scope}`,
    ...(a.itemLimit ? [`Item limit:     ${a.itemLimit.max} ${a.itemLimit.field} per request`] : []),
    `Quota class:    ${quotaLine(m, a)}`,
    `Idempotent:     ${a.idempotent ? 'yes' : 'no'}`,
    '',
    'Inputs:',
    table(fieldRows(m.registry, a.input as JsonSchema)),
    '',
    'Output (JSON):',
    table(fieldRows(m.registry, a.output as JsonSchema)),
    '',
    'Errors:',
    table(a.errors.map((e) => [String(e.status), e.code, e.description])),
    '',
    'Examples:',
    ...a.examples.map((e) => `  ${e.name}: five9 run ${a.id} --input '${JSON.stringify(e.input)}'`),
  ].join('\n');
}

function describeSoapAction(m: Manifest, a: SoapAction): string {
  const quota = quotaLine(m, a);
  const exits = a.exits
    ? Object.entries(a.exits).map(([k, r]) => `  ${k}: ${'onSuccess' in r ? 'on success' : `on ${(r as { onFaults: string[] }).onFaults.join(' or ')}`}${r.description ? `. ${r.description}` : ''}`).join('\n')
    : '  success: on success (the method answers no yes/no)';
  const versions = m.raw.apiVersions.known.filter((v) => m.raw.apiVersions.known.indexOf(v) >= m.raw.apiVersions.known.indexOf(a.versions.since));
  return [
    `${a.displayName}  (${m.categoryName(a.category)})`,
    `  ${a.description}`,
    '',
    `Operation:      ${a.operation} (id ${a.id})`,
    `API versions:   ${versions.join(', ')} and every later version (v10 … ${m.raw.apiVersions.latest} today)`,
    `Quota class:    ${quota}`,
    `Needs session:  ${a.requiresSession ? 'yes' : 'no'}`,
    `Idempotent:     ${a.idempotent ? 'yes' : 'no'}`,
    '',
    'Inputs:',
    table(fieldRows(m.registry, a.input as JsonSchema)),
    '',
    `Output (${a.result === 'empty' ? 'empty answer' : a.result === 'list' ? 'a list' : 'one value'}):`,
    a.result === 'empty' ? '  (none)' : table(fieldRows(m.registry, a.output as JsonSchema)),
    '',
    'Exits:',
    exits,
    '',
    'Declared faults:',
    `  ${a.faults.length ? a.faults.join(', ') : '(none)'}`,
    '',
    'Examples:',
    ...a.examples.map((e) => `  ${e.name}: five9 run ${a.id} --input '${JSON.stringify(e.input)}'${e.exit ? `  → ${e.exit}` : ''}`),
  ].join('\n');
}
