import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Five9Error, Five9InputError } from '../errors';
import type { Action, ConnectorManifest } from '../generated/manifest-types';
import { HOOKS } from '../hooks';
import { type JsonSchema, type SchemaRegistry, schemaRegistry, toIssues } from '../schemas';
import { packageRoot } from '../util/paths';
import { isKnownVersion, versionHas, versionRank, versionSegment } from './versions';

export type { Action, ConnectorManifest } from '../generated/manifest-types';
export { versionHas, versionRank, isKnownVersion } from './versions';

export const SUCCESS_EXIT = 'success';

export interface Target {
  /** A data centre id of the manifest (us, eu, …) or an explicit endpoint URL. */
  dataCenter?: string;
  endpoint?: string;
  apiVersion?: string;
}

/**
 * The loaded, checked connector manifest: the one source the runtime, CLI, docs, WSDL and
 * simulator read. Lookups accept an action's id, operation or display name.
 */
export class Manifest {
  readonly raw: ConnectorManifest;
  readonly registry: SchemaRegistry;
  private readonly byName = new Map<string, Action>();

  constructor(raw: ConnectorManifest, registry: SchemaRegistry) {
    this.raw = raw;
    this.registry = registry;
    for (const a of raw.actions) {
      for (const key of [a.id, a.operation, a.displayName]) this.byName.set(key.toLowerCase(), a);
    }
  }

  get actions(): Action[] {
    return this.raw.actions;
  }

  findAction(name: string): Action | undefined {
    return this.byName.get(name.trim().toLowerCase());
  }

  action(name: string): Action {
    const a = this.findAction(name);
    if (!a) {
      throw new Five9Error('FIVE9_UNKNOWN_ACTION', `unknown action "${name}"; \`five9 actions\` lists them`, { details: { action: name } });
    }
    return a;
  }

  categoryName(id: string): string {
    return this.raw.categories.find((c) => c.id === id)?.name ?? id;
  }

  /** The exits a step of this action can leave by: the declared ones, or just "success". */
  exits(action: Action): string[] {
    return action.exits ? Object.keys(action.exits) : [SUCCESS_EXIT];
  }

  /** The exit a successful answer takes. */
  successExit(action: Action): string {
    if (!action.exits) return SUCCESS_EXIT;
    return Object.entries(action.exits).find(([, r]) => 'onSuccess' in r && r.onSuccess)?.[0] ?? SUCCESS_EXIT;
  }

  /** The exit a fault takes when the manifest maps it to one (List Session Parameters → false). */
  faultExit(action: Action, fault: string): string | undefined {
    if (!action.exits) return undefined;
    return Object.entries(action.exits).find(([, r]) => 'onFaults' in r && r.onFaults?.includes(fault))?.[0];
  }

  resolveVersion(version = this.raw.apiVersions.default): string {
    if (!isKnownVersion(this.raw, version)) {
      throw new Five9Error('FIVE9_CONFIG', `unknown API version "${version}": use default, v3, v4 or a later version such as v9_5 or v14`, { details: { apiVersion: version } });
    }
    return version;
  }

  /** Fails before sending when the action, or a field of the input, is missing from the version. */
  checkVersion(action: Action, version: string, input: unknown): void {
    if (!versionHas(version, action.versions.since)) {
      throw new Five9InputError('FIVE9_UNSUPPORTED_VERSION', `"${action.displayName}" is not in API version ${version}; it exists from ${action.versions.since} on`, [
        { field: '/', rule: 'x-since', message: `${action.operation} needs API version ${action.versions.since} or later` },
      ]);
    }
    const issues = sinceIssues(this.registry, action.input as JsonSchema, input, version, '');
    if (issues.length) {
      throw new Five9InputError('FIVE9_UNSUPPORTED_VERSION', `"${action.displayName}": ${issues.map((i) => i.message).join('; ')}`, issues);
    }
  }

  /**
   * The API version an endpoint URL names in its path (…/wssupervisor/v3/SupervisorWebService →
   * "v3", …/wssupervisor/SupervisorWebService → "default"), or undefined for a bare base URL.
   */
  versionInEndpoint(endpoint: string): string | undefined {
    const [before, after] = this.raw.apiVersions.pathTemplate.split('{versionSegment}');
    const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = new RegExp(`${escape(before)}(?:/(v\\d+(?:_\\d+)?))?${escape(after)}/?$`).exec(new URL(endpoint).pathname);
    return m ? (m[1] ?? 'default') : undefined;
  }

  /** The SOAP endpoint: https://{host}/wssupervisor[/{version}]/SupervisorWebService, or under an explicit endpoint. */
  endpointUrl(target: Target): string {
    const version = this.resolveVersion(target.apiVersion);
    const path = this.raw.apiVersions.pathTemplate.replace('{versionSegment}', versionSegment(version));
    if (target.endpoint) {
      const u = new URL(target.endpoint);
      if (u.pathname === '/' || u.pathname === '') u.pathname = path;
      return u.toString();
    }
    const dc = target.dataCenter ?? 'us';
    const entry = this.raw.dataCenters[dc];
    if (!entry) {
      throw new Five9Error('FIVE9_CONFIG', `unknown data centre "${dc}": use ${Object.keys(this.raw.dataCenters).join(', ')}`, { details: { dataCenter: dc } });
    }
    return `https://${entry.host}${path}`;
  }

  wsdlUrl(target: Target, username: string): string {
    const query = this.raw.apiVersions.wsdlQuery.replace('{username}', encodeURIComponent(username));
    return `${this.endpointUrl(target)}?${query}`;
  }
}

/** Walks an input against its schema and reports fields marked x-since that the version lacks. */
function sinceIssues(registry: SchemaRegistry, schema: JsonSchema, value: unknown, version: string, path: string) {
  const out: { field: string; rule: string; message: string }[] = [];
  if (value === null || typeof value !== 'object' || !schema) return out;
  const s = registry.resolve(schema);
  if (Array.isArray(value)) {
    if (s.items) value.forEach((v, i) => out.push(...sinceIssues(registry, s.items, v, version, `${path}/${i}`)));
    return out;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const prop = s.properties?.[k];
    if (!prop) continue;
    const since = prop['x-since'] ?? registry.resolve(prop)['x-since'];
    if (since && !versionHas(version, since)) {
      out.push({ field: `${path}/${k}`, rule: 'x-since', message: `${path}/${k} is not in API version ${version}; it exists from ${since} on` });
    } else {
      out.push(...sinceIssues(registry, prop, v, version, `${path}/${k}`));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Loading and linting

let metaValidate: ReturnType<Ajv['compile']> | undefined;
function metaSchemaValidator() {
  if (!metaValidate) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    addFormats(ajv);
    metaValidate = ajv.compile(JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'manifest.schema.json'), 'utf8')));
  }
  return metaValidate;
}

/** Every problem of a manifest: meta-schema errors first, then the functional checks. */
export function lintManifest(raw: unknown, registry: SchemaRegistry = schemaRegistry(), hooks = HOOKS): string[] {
  const validate = metaSchemaValidator();
  if (!validate(raw)) return toIssues(validate.errors ?? []).map((i) => `manifest${i.message.startsWith('input') ? i.message.slice(5) : ` ${i.message}`} (${i.rule})`);
  const m = raw as ConnectorManifest;
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const unique = (kind: string, value: string, owner: string) => {
    const key = `${kind}:${value.toLowerCase()}`;
    if (seen.has(key)) problems.push(`${kind} "${value}" is used by both ${seen.get(key)} and ${owner}`);
    seen.set(key, owner);
  };
  const refs = (schema: unknown, where: string) => {
    walk(schema, (node) => {
      if (typeof node.$ref === 'string' && !registry.has(node.$ref)) problems.push(`${where}: schema reference "${node.$ref}" does not resolve`);
    });
  };
  for (const [name, schema] of registry.schemas) refs(schema, `schemas ${name}`);
  const categories = new Set(m.categories.map((c) => c.id));
  const declaredHooks = m.hooks ?? {};
  for (const name of Object.keys(declaredHooks)) if (!(name in hooks)) problems.push(`hook "${name}" is named by the manifest but src/hooks has none`);
  for (const name of Object.keys(hooks)) if (!(name in declaredHooks)) problems.push(`hook "${name}" exists in src/hooks but the manifest does not name it`);
  for (const v of m.apiVersions.known) if (Number.isNaN(versionRank(v))) problems.push(`apiVersions.known: "${v}" is not a version`);

  for (const a of m.actions) {
    const at = `action ${a.id}`;
    unique('id', a.id, at);
    unique('display name', a.displayName, at);
    unique('operation', a.operation, at);
    if (!categories.has(a.category)) problems.push(`${at}: category "${a.category}" is not declared`);
    if (a.quotaClass !== null && !(a.quotaClass in m.quotaClasses)) problems.push(`${at}: quota class "${a.quotaClass}" is not declared`);
    if (!isKnownVersion(m, a.versions.since)) problems.push(`${at}: versions.since "${a.versions.since}" is not a known version`);
    refs(a.input, `${at} input`);
    refs(a.output, `${at} output`);
    for (const f of a.faults) if (!registry.has(`${f}.json`)) problems.push(`${at}: fault ${f} has no schema in schemas/faults`);
    for (const [name, hook] of Object.entries(a.hooks ?? {})) {
      if (!(hook in declaredHooks)) problems.push(`${at}: hooks.${name} names "${hook}", which the manifest's hooks block does not declare`);
    }
    if (a.input.type !== 'object') problems.push(`${at}: input must be an object schema (the request element's children)`);
    const out = a.output as JsonSchema;
    if (a.result === 'empty' && out.type !== 'null') problems.push(`${at}: result "empty" needs output {"type":"null"}`);
    if (a.result === 'list' && out.type !== 'array') problems.push(`${at}: result "list" needs an array output`);
    if (a.longPoll && !(a.input as JsonSchema).properties?.[a.longPoll.timeoutField]) problems.push(`${at}: longPoll.timeoutField "${a.longPoll.timeoutField}" is not an input field`);
    if (a.exits) {
      const onSuccess = Object.values(a.exits).filter((r) => 'onSuccess' in r).length;
      if (onSuccess !== 1) problems.push(`${at}: exactly one exit must have onSuccess, found ${onSuccess}`);
      for (const [exit, rule] of Object.entries(a.exits)) {
        for (const f of ('onFaults' in rule ? rule.onFaults ?? [] : [])) {
          if (!a.faults.includes(f)) problems.push(`${at}: exit "${exit}" maps ${f}, which the action does not declare`);
        }
      }
    }
    const exitNames = a.exits ? Object.keys(a.exits) : [SUCCESS_EXIT];
    if (problems.some((p) => p.includes('does not resolve'))) continue;
    for (const ex of a.examples) {
      for (const i of registry.check(a.input as JsonSchema, ex.input, 'input')) problems.push(`${at}: example "${ex.name}" input: ${i.message} (${i.rule})`);
      if (ex.exit !== undefined && !exitNames.includes(ex.exit)) problems.push(`${at}: example "${ex.name}" takes exit "${ex.exit}", which the action does not have`);
      const faultExit = ex.exit !== undefined && a.exits?.[ex.exit] && 'onFaults' in a.exits[ex.exit];
      if ('output' in ex && !faultExit) {
        for (const i of registry.check(out, ex.output, 'output')) problems.push(`${at}: example "${ex.name}" output: ${i.message} (${i.rule})`);
      }
    }
    for (const anti of a.antiExamples ?? []) {
      const issues = registry.check(a.input as JsonSchema, anti.input, 'input');
      if (!issues.some((i) => i.field === anti.field && i.rule === anti.rule)) {
        problems.push(`${at}: anti-example "${anti.name}" should be refused at ${anti.field} by ${anti.rule}, got ${issues.length ? issues.map((i) => `${i.field} ${i.rule}`).join(', ') : 'no error'}`);
      }
    }
  }
  const s = m.session;
  for (const key of ['checkAction', 'startAction', 'closeAction'] as const) {
    if (!m.actions.some((a) => a.id === s[key])) problems.push(`session.${key} "${s[key]}" is not an action id`);
  }
  for (const f of s.noSessionFaults) if (!registry.has(`${f}.json`)) problems.push(`session.noSessionFaults: ${f} has no schema`);
  const check = m.actions.find((a) => a.id === s.checkAction);
  if (check && !check.exits) problems.push(`session.checkAction ${check.id} must declare true/false exits`);
  return problems;
}

function walk(node: unknown, visit: (n: Record<string, any>) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === 'object') {
    visit(node as Record<string, any>);
    for (const v of Object.values(node)) walk(v, visit);
  }
}

export function manifestPath(): string {
  return join(packageRoot(), 'connector', 'manifest.json');
}

let shared: Manifest | undefined;

/** Loads and checks a manifest; throws FIVE9_MANIFEST_INVALID listing every problem. */
export function loadManifest(path?: string): Manifest {
  if (!path && shared) return shared;
  const raw = JSON.parse(readFileSync(path ?? manifestPath(), 'utf8'));
  const registry = schemaRegistry();
  const problems = lintManifest(raw, registry);
  if (problems.length) {
    throw new Five9Error('FIVE9_MANIFEST_INVALID', `connector manifest is invalid:\n- ${problems.join('\n- ')}`, { details: { problems } });
  }
  const m = new Manifest(raw, registry);
  if (!path) shared = m;
  return m;
}
