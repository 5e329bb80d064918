/**
 * An action's n8n form, derived from its input schema (the only description of the action):
 * required top-level fields are parameters of their own, optional ones are offered under
 * "Additional Fields" so that nothing the builder did not add is sent. Objects of plain values are
 * collections; arrays and objects holding arrays are JSON parameters (an expression can feed them
 * from an earlier node), so no value is reshaped on its way to the runtime.
 */
import type { Action, Manifest } from '../../src/manifest';
import type { JsonSchema } from '../../src/schemas';

/** What the node needs at run time to turn an action's parameters back into its input. */
export interface InputPlan {
  /** Required top-level fields, each a parameter of the same name. */
  fields: string[];
  /** Whether optional fields exist (the `additionalFields` collection). */
  optional: boolean;
  /** Top-level fields whose parameter is JSON text (or an expression's value). */
  json: string[];
}

/** A plain n8n parameter description (n8n-workflow's INodeProperties, without importing n8n). */
export type NodeProperty = Record<string, unknown>;

/** "idleTimeOut" → "Idle Time Out", "chatId" → "Chat ID". */
export function label(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  return idCase(words.charAt(0).toUpperCase() + words.slice(1));
}

function idCase(text: string): string {
  return text.replace(/\bids\b/gi, 'IDs').replace(/\bid\b/gi, 'ID');
}

/**
 * A description in n8n's style (what its community-node linter checks): "ID" for "id", and no
 * final period after a single sentence.
 */
export function describe(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const t = idCase(text);
  return t.replace('e.g.', '').split('. ').length === 1 && t.endsWith('.') ? t.slice(0, -1) : t;
}

function isPlain(s: JsonSchema, manifest: Manifest): boolean {
  const r = manifest.registry.resolve(s);
  const types: unknown[] = Array.isArray(r.type) ? r.type : [r.type];
  return !types.includes('array') && !types.includes('object');
}

/** How a schema is offered: a plain value, a collection of plain values, or JSON. */
export function kind(schema: JsonSchema, manifest: Manifest): 'plain' | 'collection' | 'json' {
  const s = manifest.registry.resolve(schema);
  if (s.type === 'object' && s.properties && Object.values(s.properties as Record<string, JsonSchema>).every((p) => isPlain(p, manifest))) return 'collection';
  return isPlain(s, manifest) ? 'plain' : 'json';
}

function sentence(text: string | undefined): string | undefined {
  if (!text) return undefined;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** One field of an input schema as an n8n parameter (no displayOptions). */
export function property(name: string, schema: JsonSchema, manifest: Manifest, required: boolean): NodeProperty {
  const s = manifest.registry.resolve(schema);
  const notes = [sentence(schema.description ?? s.description)];
  const since = schema['x-since'] ?? s['x-since'];
  if (since) notes.push(`Needs API version ${since} or later.`);
  const base: NodeProperty = { displayName: label(name), name };
  const k = kind(schema, manifest);
  if (k === 'collection') {
    const req = new Set<string>(s.required ?? []);
    if (req.size) notes.push(`Required: ${[...req].map(label).join(', ')}.`);
    Object.assign(base, {
      type: 'collection',
      placeholder: 'Add Field',
      default: {},
      options: Object.entries(s.properties as Record<string, JsonSchema>)
        .map(([n, p]) => property(n, p, manifest, req.has(n)))
        .sort((a, b) => String(a.displayName).localeCompare(String(b.displayName))),
    });
  } else if (k === 'json') {
    Object.assign(base, { type: 'json', default: s.type === 'array' ? '[]' : '{}' });
  } else if (Array.isArray(s.enum)) {
    const described = (s['x-enumDescriptions'] ?? {}) as Record<string, string>;
    Object.assign(base, {
      type: 'options',
      options: s.enum
        .map((v: string) => ({ name: v, value: v, ...(described[v] ? { description: describe(described[v]) } : {}) }))
        .sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)),
      default: s.default ?? s.enum[0],
    });
  } else if (s.type === 'integer' || s.type === 'number') {
    const typeOptions: Record<string, number> = {};
    if (typeof s.minimum === 'number') typeOptions.minValue = s.minimum;
    if (typeof s.maximum === 'number') typeOptions.maxValue = s.maximum;
    if (s.type === 'integer') typeOptions.numberPrecision = 0;
    const fallback = typeof s.minimum === 'number' && s.minimum > 0 ? s.minimum : 0;
    Object.assign(base, { type: 'number', default: s.default ?? fallback, typeOptions });
  } else if (s.type === 'boolean') {
    Object.assign(base, { type: 'boolean', default: s.default ?? false });
  } else {
    Object.assign(base, { type: 'string', default: s.default ?? '' });
    if (s.format) notes.push(`Format: ${s.format}.`);
  }
  if (required) base.required = true;
  const description = describe(notes.filter(Boolean).join(' '));
  if (description) base.description = description;
  return base;
}

/** The parameters of one action, shown only for its resource and operation, and its input plan. */
export function actionForm(action: Action, manifest: Manifest): { properties: NodeProperty[]; plan: InputPlan } {
  const input = manifest.registry.resolve(action.input as JsonSchema);
  const props = (input.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set<string>(input.required ?? []);
  const show = { show: { resource: [action.category], operation: [action.id] } };
  const properties: NodeProperty[] = [];
  const plan: InputPlan = { fields: [], optional: false, json: [] };
  const optional: NodeProperty[] = [];
  for (const [name, schema] of Object.entries(props)) {
    if (kind(schema, manifest) === 'json') plan.json.push(name);
    if (required.has(name)) {
      plan.fields.push(name);
      properties.push({ ...property(name, schema, manifest, true), displayOptions: show });
    } else optional.push(property(name, schema, manifest, false));
  }
  if (optional.length) {
    plan.optional = true;
    properties.push({
      displayName: 'Additional Fields',
      name: 'additionalFields',
      type: 'collection',
      placeholder: 'Add Field',
      default: {},
      displayOptions: show,
      options: optional.sort((a, b) => String(a.displayName).localeCompare(String(b.displayName))),
    });
  }
  return { properties, plan };
}

/**
 * An action's input as node parameters (the inverse of the node's reading, for templates).
 * `value` turns each leaf (a template reference, say) into its parameter value.
 */
export function inputToParameters(action: Action, manifest: Manifest, input: Record<string, unknown>, value: (v: unknown) => unknown): Record<string, unknown> {
  const { plan } = actionForm(action, manifest);
  const params: Record<string, unknown> = {};
  const additional: Record<string, unknown> = {};
  const convert = (name: string, v: unknown): unknown => {
    if (plan.json.includes(name)) {
      const resolved = value(v);
      return typeof resolved === 'string' && resolved.startsWith('=') ? resolved : JSON.stringify(resolved, null, 2);
    }
    if (v && typeof v === 'object' && !Array.isArray(v) && !isReference(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, value(x)]));
    }
    return value(v);
  };
  for (const [name, v] of Object.entries(input)) {
    if (plan.fields.includes(name)) params[name] = convert(name, v);
    else additional[name] = convert(name, v);
  }
  if (Object.keys(additional).length) params.additionalFields = additional;
  return params;
}

/** A template reference ({"$field": …}, {"$state": …}, {"$step": …}) rather than a literal object. */
export function isReference(v: unknown): boolean {
  return !!v && typeof v === 'object' && ['$field', '$state', '$step'].some((k) => k in (v as object));
}
