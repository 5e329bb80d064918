import type { CycleTemplate } from '../generated/template-types';

/** {"$field": name}: a value the user sets when installing the template. */
export interface FieldRef {
  $field: string;
}
/** {"$step": id, "pointer": "/a/b"}: part of an earlier step's output in the same run. */
export interface StepRef {
  $step: string;
  pointer?: string;
}

/** {"$state": name}: a value the cycle kept from an earlier run. */
export interface StateRef {
  $state: string;
}

export function isStateRef(v: unknown): v is StateRef {
  return !!v && typeof v === 'object' && typeof (v as StateRef).$state === 'string' && Object.keys(v).length === 1;
}

export function isFieldRef(v: unknown): v is FieldRef {
  return !!v && typeof v === 'object' && typeof (v as FieldRef).$field === 'string' && Object.keys(v).length === 1;
}
export function isStepRef(v: unknown): v is StepRef {
  return !!v && typeof v === 'object' && typeof (v as StepRef).$step === 'string';
}

/** The template's field values: its defaults overridden by what the user set. */
export function fieldValues(template: CycleTemplate, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(template.fields ?? {})) out[k] = f.default;
  return { ...out, ...overrides };
}

/** Replaces field and step references in a step's input; values keep their JSON types. */
export function resolveInput(
  input: unknown,
  fields: Record<string, unknown>,
  outputs: Record<string, unknown>,
  onMissing: (what: string) => unknown = (what) => {
    throw new Error(`${what} has no value`);
  },
  state: Record<string, unknown> = {},
): unknown {
  if (isStateRef(input)) return input.$state in state ? state[input.$state] : onMissing(`state "${input.$state}"`);
  if (isFieldRef(input)) return input.$field in fields ? fields[input.$field] : onMissing(`field "${input.$field}"`);
  if (isStepRef(input)) {
    if (!(input.$step in outputs)) return onMissing(`step "${input.$step}"`);
    return pointer(outputs[input.$step], input.pointer ?? '');
  }
  if (Array.isArray(input)) return input.map((v) => resolveInput(v, fields, outputs, onMissing, state));
  if (input && typeof input === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) {
      const r = resolveInput(v, fields, outputs, onMissing, state);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  return input;
}

export function pointer(value: unknown, ptr: string): unknown {
  if (!ptr) return value;
  let cur: any = value;
  for (const part of ptr.split('/').slice(1)) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

/** The template's state with its defaults, under what earlier runs kept. */
export function initialState(template: CycleTemplate, kept: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(template.state ?? {})) out[k] = s.default;
  return Object.assign(out, kept);
}
