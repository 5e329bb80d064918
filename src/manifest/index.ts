import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Five9Error, Five9InputError } from '../errors';
import { LINTED_STAMP } from '../generated/manifest-lint';
import type { Action, ConnectorManifest } from '../generated/manifest-types';
import { HOOKS_BY_NAME as HOOKS } from '../hooks';
import { type JsonSchema, type SchemaRegistry, schemaRegistry, toIssues } from '../schemas';
import { packageRoot } from '../util/paths';
import { enumValueIn, isKnownVersion, versionHas, versionRank, versionSegment } from './versions';

export type { Action, ConnectorManifest } from '../generated/manifest-types';
export { versionHas, versionRank, isKnownVersion, enumValueIn, enumValuesIn, latestVersion, versionOfServicePath } from './versions';

export const SUCCESS_EXIT = 'success';

/** A SOAP action (the default protocol): a Supervisor Web Service operation. */
export type SoapAction = Action & {
  protocol?: 'soap';
  operation: string;
  versions: { since: string };
  requiresSession: boolean;
  faults: string[];
  result: 'empty' | 'single' | 'list';
};

/** A REST action: a JSON request under the REST base URL with a bearer token of the action's scope. */
export type RestAction = Action & {
  protocol: 'rest';
  http: NonNullable<Action['http']>;
  scope: string;
  errors: NonNullable<Action['errors']>;
};

export function isRestAction(a: Action): a is RestAction {
  return a.protocol === 'rest';
}

export function isSoapAction(a: Action): a is SoapAction {
  return a.protocol !== 'rest';
}

/** An endpoint that does not parse is not quoted back: it may hold credentials (user:password@). */
export const NOT_A_URL = 'the endpoint is not a URL (expected https://host[:port][/path]; it is not shown, as it may hold a password)';

/** An endpoint as a URL, or FIVE9_CONFIG. */
export function endpointAsUrl(endpoint: string): URL {
  try {
    return new URL(endpoint);
  } catch {
    throw new Five9Error('FIVE9_CONFIG', NOT_A_URL);
  }
}

/** The placeholder of a REST path filled from the connection, not from the input. */
export const DOMAIN_PLACEHOLDER = 'domainId';

/** The {placeholders} of a REST path template, in order. */
export function pathPlaceholders(path: string): string[] {
  return [...path.matchAll(/\{([a-zA-Z][a-zA-Z0-9]*)\}/g)].map((m) => m[1]);
}

export interface RestTarget {
  /** A REST data centre id of the manifest (us, ca, eu, uk, in) or an explicit base URL. */
  dataCenter?: string;
  endpoint?: string;
}

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
      for (const key of [a.id, a.operation, a.displayName]) if (key) this.byName.set(key.toLowerCase(), a);
    }
    this.soap = raw.actions.filter(isSoapAction);
    this.rest = raw.actions.filter(isRestAction);
  }

  private readonly soap: SoapAction[];
  private readonly rest: RestAction[];

  /** Every action, SOAP and REST. */
  get actions(): Action[] {
    return this.raw.actions;
  }

  /** The SOAP actions: what the WSDL, the SOAP client and the simulator's SOAP side serve. */
  get soapActions(): SoapAction[] {
    return this.soap;
  }

  /** The REST actions (protocol rest). */
  get restActions(): RestAction[] {
    return this.rest;
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

  /** A SOAP action by any of its names; a REST action is refused, naming what runs it. */
  soapAction(name: string): SoapAction {
    const a = this.action(name);
    if (isRestAction(a)) {
      throw new Five9Error('FIVE9_UNKNOWN_ACTION', `"${a.displayName}" is a REST action (${a.http.method} ${a.http.path}), not a SOAP one: run it with RestClient or \`five9 run\``, { details: { action: name } });
    }
    return a as SoapAction;
  }

  /** A REST action by any of its names; a SOAP action is refused. */
  restAction(name: string): RestAction {
    const a = this.action(name);
    if (!isRestAction(a)) {
      throw new Five9Error('FIVE9_UNKNOWN_ACTION', `"${a.displayName}" is a SOAP action, not a REST one: run it with Five9Client`, { details: { action: name } });
    }
    return a;
  }

  /** The REST base URL: a data centre's (https://api.prod.us.five9.net) or an explicit endpoint's origin and path. */
  restBaseUrl(target: RestTarget): string {
    if (target.endpoint) {
      let u: URL;
      try {
        u = new URL(target.endpoint);
      } catch {
        throw new Five9Error('FIVE9_CONFIG', NOT_A_URL);
      }
      return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
    }
    const rest = this.raw.rest;
    if (!rest) throw new Five9Error('FIVE9_CONFIG', 'the connector manifest has no rest block');
    const dc = target.dataCenter ?? 'us';
    const entry = rest.dataCenters[dc];
    if (!entry) {
      throw new Five9Error('FIVE9_CONFIG', `unknown REST data centre "${dc}": use ${Object.keys(rest.dataCenters).join(', ')}`, { details: { dataCenter: dc } });
    }
    return entry.base;
  }

  categoryName(id: string): string {
    return this.raw.categories.find((c) => c.id === id)?.name ?? id;
  }

  /** The exits a step of this action can leave by: the declared ones, or just "success". */
  exits(action: Action): string[] {
    return action.exits ? Object.keys(action.exits) : [SUCCESS_EXIT];
  }

  /** The exit a successful answer takes (an empty answer may have an exit of its own). */
  successExit(action: Action, output: unknown = undefined): string {
    if (!action.exits) return SUCCESS_EXIT;
    const kind = output === null || output === undefined ? 'empty' : 'present';
    const exits = Object.entries(action.exits).filter(([, r]) => 'onSuccess' in r && r.onSuccess);
    return (exits.find(([, r]) => r.output === kind) ?? exits.find(([, r]) => !r.output))?.[0] ?? SUCCESS_EXIT;
  }

  /** The exit a fault takes when the manifest maps it to one (List Session Parameters → false). */
  faultExit(action: Action, fault: string): string | undefined {
    if (!action.exits) return undefined;
    return Object.entries(action.exits).find(([, r]) => 'onFaults' in r && r.onFaults?.includes(fault))?.[0];
  }

  resolveVersion(version = this.raw.apiVersions.default): string {
    if (!isKnownVersion(this.raw, version)) {
      throw new Five9Error('FIVE9_CONFIG', `unknown API version "${version}": use default, v3, v4 or a later version such as v9_5 or ${this.raw.apiVersions.latest}`, { details: { apiVersion: version } });
    }
    return version;
  }

  /** Fails before sending when the action, or a field of the input, is missing from the version. */
  checkVersion(action: SoapAction, version: string, input: unknown): void {
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
    const m = new RegExp(`${escape(before)}(?:/(v\\d+(?:_\\d+)?))?${escape(after)}/?$`).exec(endpointAsUrl(endpoint).pathname);
    return m ? (m[1] ?? 'default') : undefined;
  }

  /** The SOAP endpoint: https://{host}/wssupervisor[/{version}]/SupervisorWebService, or under an explicit endpoint. */
  endpointUrl(target: Target): string {
    const version = this.resolveVersion(target.apiVersion);
    const path = this.raw.apiVersions.pathTemplate.replace('{versionSegment}', versionSegment(version));
    if (target.endpoint) {
      const u = endpointAsUrl(target.endpoint);
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
  if (!schema) return out;
  const s = registry.resolve(schema);
  if (typeof value === 'string' && s['x-enumVersions'] && !enumValueIn(s, value, version)) {
    const v = s['x-enumVersions'][value];
    const where = v.until ? `it exists from ${v.since ?? 'default'} until ${v.until}` : `it exists from ${v.since} on`;
    out.push({ field: path || '/', rule: 'x-enumVersions', message: `${path || 'input'} value ${value} is not in API version ${version}; ${where}` });
    return out;
  }
  if (value === null || typeof value !== 'object') return out;
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
    metaValidate = ajv.compile(JSON.parse(readFileSync(metaSchemaPath(), 'utf8')));
  }
  return metaValidate;
}

function metaSchemaPath(): string {
  return join(packageRoot(), 'schemas', 'manifest.schema.json');
}

/**
 * What a clean lint is stamped with: a hash of the manifest's text, every schema, the meta-schema
 * and the hook names. `npm run gen` lints the bundled manifest and writes its stamp to
 * src/generated/manifest-lint.ts; loadManifest skips the lint (hundreds of ms, mostly compiling the
 * validators of every example) while the bundled manifest still has that stamp, and lints it as
 * before as soon as anything the stamp covers changes. `five9 lint` always lints.
 */
export function lintStamp(manifestText: string, registry: SchemaRegistry = schemaRegistry(), hooks = HOOKS): string {
  return createHash('sha256')
    .update(`${manifestText}\0${registry.fingerprint}\0${readFileSync(metaSchemaPath(), 'utf8')}\0${Object.keys(hooks).sort().join(',')}`)
    .digest('hex');
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
  // Exact values: every integer says which XSD integer it is, so its range is known (src/schemas/xsd.ts).
  const integers = (schema: unknown, where: string) => {
    walk(schema, (node) => {
      const t = node.type;
      if ((t === 'integer' || (Array.isArray(t) && t.includes('integer'))) && node['x-xsd'] !== 'int' && node['x-xsd'] !== 'long') {
        problems.push(`${where}: an integer needs "x-xsd": "int" or "long" (its exact range)`);
      }
    });
  };
  for (const [name, schema] of registry.schemas) {
    refs(schema, `schemas ${name}`);
    integers(schema, `schemas ${name}`);
  }
  const categories = new Set(m.categories.map((c) => c.id));
  const declaredHooks = m.hooks ?? {};
  for (const name of Object.keys(declaredHooks)) if (!(name in hooks)) problems.push(`hook "${name}" is named by the manifest but src/hooks has none`);
  for (const name of Object.keys(hooks)) if (!(name in declaredHooks)) problems.push(`hook "${name}" exists in src/hooks but the manifest does not name it`);
  for (const v of m.apiVersions.known) if (Number.isNaN(versionRank(v))) problems.push(`apiVersions.known: "${v}" is not a version`);

  if (m.rest) problems.push(...lintRestBlock(m.rest));

  for (const a of m.actions) {
    const at = `action ${a.id}`;
    unique('id', a.id, at);
    unique('display name', a.displayName, at);
    // A REST action is found by its id as a SOAP action is by its operation: the two must not meet.
    unique('operation', a.operation ?? a.id, at);
    if (!categories.has(a.category)) problems.push(`${at}: category "${a.category}" is not declared`);
    if (a.quotaClass !== null && !(a.quotaClass in m.quotaClasses)) problems.push(`${at}: quota class "${a.quotaClass}" is not declared`);
    else if (a.quotaClass !== null && (m.quotaClasses[a.quotaClass].protocol ?? 'soap') !== (a.protocol ?? 'soap')) {
      problems.push(`${at}: quota class "${a.quotaClass}" limits ${m.quotaClasses[a.quotaClass].protocol ?? 'soap'} requests, not ${a.protocol ?? 'soap'} ones`);
    }
    if (isRestAction(a)) problems.push(...lintRestAction(m, a, at));
    if (a.versions && !isKnownVersion(m, a.versions.since)) problems.push(`${at}: versions.since "${a.versions.since}" is not a known version`);
    refs(a.input, `${at} input`);
    refs(a.output, `${at} output`);
    integers(a.input, `${at} input`);
    integers(a.output, `${at} output`);
    for (const f of a.faults ?? []) if (!registry.has(`${f}.json`)) problems.push(`${at}: fault ${f} has no schema in schemas/faults`);
    for (const [name, hook] of Object.entries(a.hooks ?? {})) {
      if (!(hook in declaredHooks)) problems.push(`${at}: hooks.${name} names "${hook}", which the manifest's hooks block does not declare`);
    }
    if (a.input.type !== 'object') problems.push(`${at}: input must be an object schema (the request element's children)`);
    const out = a.output as JsonSchema;
    if (a.result === 'empty' && out.type !== 'null') problems.push(`${at}: result "empty" needs output {"type":"null"}`);
    if (a.result === 'list' && out.type !== 'array') problems.push(`${at}: result "list" needs an array output`);
    if (a.longPoll && !(a.input as JsonSchema).properties?.[a.longPoll.timeoutField]) problems.push(`${at}: longPoll.timeoutField "${a.longPoll.timeoutField}" is not an input field`);
    if (a.exits) {
      const success = Object.values(a.exits).filter((r) => 'onSuccess' in r).map((r) => r.output ?? 'any');
      const split = success.length === 2 && success.includes('empty') && success.includes('present');
      if (!(success.length === 1 && success[0] === 'any') && !split) {
        problems.push(`${at}: a successful answer must take exactly one exit: one onSuccess exit, or one for output "empty" and one for "present" (found ${success.join(', ') || 'none'})`);
      }
      for (const [exit, rule] of Object.entries(a.exits)) {
        for (const f of ('onFaults' in rule ? rule.onFaults ?? [] : [])) {
          if (!(a.faults ?? []).includes(f)) problems.push(`${at}: exit "${exit}" maps ${f}, which the action does not declare`);
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
  if (m.quotaCountersAction !== undefined) {
    const counters = m.actions.find((a) => a.id === m.quotaCountersAction);
    if (!counters || !isSoapAction(counters)) problems.push(`quotaCountersAction "${m.quotaCountersAction}" is not a SOAP action id`);
    else if (counters.quotaClass || counters.requiresSession) problems.push(`quotaCountersAction ${counters.id} must need no session and have no quota class (it is read before the first call of a class)`);
  }
  const s = m.session;
  for (const key of ['checkAction', 'startAction', 'closeAction'] as const) {
    if (!m.actions.some((a) => a.id === s[key] && isSoapAction(a))) problems.push(`session.${key} "${s[key]}" is not an action id`);
  }
  for (const f of s.noSessionFaults) if (!registry.has(`${f}.json`)) problems.push(`session.noSessionFaults: ${f} has no schema`);
  const check = m.actions.find((a) => a.id === s.checkAction);
  if (check && !check.exits) problems.push(`session.checkAction ${check.id} must declare true/false exits`);
  return problems;
}

/** The connector-level REST block: the consumer secret is marked secret, the token path is a path. */
function lintRestBlock(rest: NonNullable<ConnectorManifest['rest']>): string[] {
  const problems: string[] = [];
  const fields = new Map(rest.auth.fields.map((f) => [f.id, f]));
  for (const id of ['consumerKey', 'consumerSecret', DOMAIN_PLACEHOLDER]) if (!fields.has(id)) problems.push(`rest.auth.fields: no "${id}" field`);
  for (const f of rest.auth.fields) {
    if (/secret|password/i.test(f.id) && !f.secret) problems.push(`rest.auth.fields: "${f.id}" must be marked secret`);
  }
  const dc = fields.get('dataCenter');
  if (dc?.enum && dc.enum.join() !== Object.keys(rest.dataCenters).join()) problems.push(`rest.auth.fields: dataCenter's choices (${dc.enum.join(', ')}) are not rest.dataCenters (${Object.keys(rest.dataCenters).join(', ')})`);
  return problems;
}

/** A REST action: a declared scope, path placeholders that are input fields, an item limit the input schema enforces. */
function lintRestAction(m: ConnectorManifest, a: RestAction, at: string): string[] {
  const problems: string[] = [];
  if (!m.rest) return [`${at}: a REST action needs the manifest's rest block`];
  if (!(a.scope in m.rest.scopes)) problems.push(`${at}: scope "${a.scope}" is not one of rest.scopes (${Object.keys(m.rest.scopes).join(', ')})`);
  const input = a.input as JsonSchema;
  const props = (input.properties ?? {}) as Record<string, JsonSchema>;
  for (const p of pathPlaceholders(a.http.path)) {
    if (p === DOMAIN_PLACEHOLDER) continue;
    if (!props[p]) problems.push(`${at}: http.path placeholder {${p}} is not an input field`);
    else if (!(input.required ?? []).includes(p)) problems.push(`${at}: http.path placeholder {${p}} must be a required input field`);
  }
  if (a.itemLimit) {
    const field = props[a.itemLimit.field];
    if (!field || field.type !== 'array') problems.push(`${at}: itemLimit.field "${a.itemLimit.field}" is not an array input field`);
    else if (field.maxItems === undefined || field.maxItems > a.itemLimit.max) problems.push(`${at}: input field "${a.itemLimit.field}" must declare maxItems of at most ${a.itemLimit.max} (itemLimit.max)`);
  }
  const seen = new Set<number>();
  for (const e of a.errors) {
    if (seen.has(e.status)) problems.push(`${at}: errors declares HTTP ${e.status} twice`);
    seen.add(e.status);
  }
  if (a.quotaClass && !seen.has(429)) problems.push(`${at}: a rate-limited REST action must declare its 429 answer in errors`);
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
  const text = readFileSync(path ?? manifestPath(), 'utf8');
  const raw = JSON.parse(text);
  const registry = schemaRegistry();
  // The bundled manifest exactly as `npm run gen` linted it needs no second lint.
  const problems = !path && LINTED_STAMP && lintStamp(text, registry) === LINTED_STAMP ? [] : lintManifest(raw, registry);
  if (problems.length) {
    throw new Five9Error('FIVE9_MANIFEST_INVALID', `connector manifest is invalid:\n- ${problems.join('\n- ')}`, { details: { problems } });
  }
  const m = new Manifest(raw, registry);
  if (!path) shared = m;
  return m;
}
