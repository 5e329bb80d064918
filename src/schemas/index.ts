import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InputIssue } from '../errors';
import { packageRoot } from '../util/paths';
import { FORMATS, addFormats as addOwnFormats } from './formats';

export type JsonSchema = Record<string, any>;

/** Annotation keywords the schemas carry for the SOAP mapping, versions and docs (x-xsd validates: see formats.ts). */
export const ANNOTATIONS = ['x-since', 'x-wsdlType', 'x-wsdlOptional', 'x-extensible', 'x-enumDescriptions', 'x-enumVersions', 'x-keyColumns', 'x-secret', 'x-antiExamples'];

export type SchemaMode = 'input' | 'output';

/**
 * All data-type, enum and fault schemas of schemas/types and schemas/faults, by $id, plus two ajv
 * instances: one strict for inputs, one for outputs in which enums that Five9 grows over time
 * (x-extensible) accept any string, so a new permission or message type never breaks parsing.
 * Validators are compiled once and cached.
 */
export class SchemaRegistry {
  readonly schemas = new Map<string, JsonSchema>();
  /** A hash of every schema file's name and text (the manifest's lint stamp includes it). */
  readonly fingerprint: string;
  /** Made on first use: building one costs tens of ms, which a client that never validates in a mode need not pay. */
  private readonly ajv: Partial<Record<SchemaMode, Ajv>> = {};
  private readonly cache = new WeakMap<object, Partial<Record<SchemaMode, ValidateFunction>>>();

  constructor(dir = join(packageRoot(), 'schemas')) {
    const hash = createHash('sha256');
    for (const sub of ['types', 'faults']) {
      for (const file of readdirSync(join(dir, sub)).filter((f) => f.endsWith('.json')).sort()) {
        const text = readFileSync(join(dir, sub, file), 'utf8');
        hash.update(`${sub}/${file}\0${text}\0`);
        const schema = JSON.parse(text) as JsonSchema;
        if (schema.$id !== file) throw new Error(`schemas/${sub}/${file}: $id must be "${file}", found "${schema.$id}"`);
        this.schemas.set(file, schema);
      }
    }
    this.fingerprint = hash.digest('hex');
  }

  private makeAjv(mode: SchemaMode): Ajv {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
    addFormats(ajv);
    addOwnFormats(ajv);
    for (const k of ANNOTATIONS) ajv.addKeyword({ keyword: k, schemaType: ['string', 'boolean', 'object', 'array'] });
    for (const schema of this.schemas.values()) {
      ajv.addSchema(mode === 'output' && schema['x-extensible'] ? widenEnum(schema) : schema);
    }
    return ajv;
  }

  has(ref: string): boolean {
    return this.schemas.has(ref);
  }

  /** Follows $ref (flat ids such as "viewSettings.json") to the schema that describes the value. */
  resolve(schema: JsonSchema): JsonSchema {
    let s = schema;
    for (let i = 0; s && s.$ref; i++) {
      const target = this.schemas.get(s.$ref);
      if (!target) throw new Error(`unresolved schema reference "${s.$ref}"`);
      if (i > 20) throw new Error(`reference loop at "${s.$ref}"`);
      s = target;
    }
    return s;
  }

  validator(schema: JsonSchema, mode: SchemaMode): ValidateFunction {
    let entry = this.cache.get(schema);
    if (!entry) this.cache.set(schema, (entry = {}));
    return (entry[mode] ??= (this.ajv[mode] ??= this.makeAjv(mode)).compile(schema));
  }

  /** Validates and returns the issues, each naming the field (a JSON pointer) and the rule. */
  check(schema: JsonSchema, value: unknown, mode: SchemaMode): InputIssue[] {
    const validate = this.validator(schema, mode);
    if (validate(value)) return [];
    return toIssues(validate.errors ?? []);
  }
}

function widenEnum(schema: JsonSchema): JsonSchema {
  const { enum: _known, ...rest } = schema;
  return { ...rest, type: 'string' };
}

export function toIssues(errors: ErrorObject[]): InputIssue[] {
  const seen = new Set<string>();
  const issues: InputIssue[] = [];
  for (const e of errors) {
    let field = e.instancePath || '';
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') field = `${field}/${(e.params as { missingProperty: string }).missingProperty}`;
    if (e.keyword === 'additionalProperties') {
      field = `${field}/${(e.params as { additionalProperty: string }).additionalProperty}`;
      message = 'is not a field of this input';
    }
    if (e.keyword === 'required') message = 'is required';
    if (e.keyword === 'dependencies') {
      // guardTimeStart given without timeZone: name the missing field, as required does.
      const p = e.params as { property: string; missingProperty: string };
      field = `${field}/${p.missingProperty}`;
      message = `is required with ${p.property}`;
    }
    if (e.keyword === 'x-ascending') field = `${field}/${(e.params as { field: string }).field}`;
    if (e.keyword === 'format' && FORMATS[(e.params as { format: string }).format]) message = FORMATS[(e.params as { format: string }).format].says;
    if (e.keyword === 'enum') message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    if (e.keyword === 'anyOf' && issues.some((i) => i.field.startsWith(field || '/'))) continue;
    const key = `${field}|${e.keyword}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ field: field || '/', rule: e.keyword, message: `${field || 'input'} ${message}` });
  }
  return issues;
}

let shared: SchemaRegistry | undefined;
/** The package's registry, loaded once per process. */
export function schemaRegistry(): SchemaRegistry {
  return (shared ??= new SchemaRegistry());
}
