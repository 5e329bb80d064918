import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { type CycleTemplate, lintTemplate, readTemplate, scheduleInterval } from '../cycles';
import { Five9Error } from '../errors';
import type { FleetAccounts } from '../generated/accounts-types';
import { type Manifest, loadManifest } from '../manifest';
import { parseDuration } from '../util/duration';
import { packageRoot } from '../util/paths';

type AccountSettings = NonNullable<FleetAccounts['defaults']>;

/** A secret as the accounts file gives it: inline, or a reference resolved where it is used. */
export type SecretRef = string | { env: string } | { file: string };

/**
 * A secret reference as it may leave the process (to Redis, to status): an environment variable's
 * name or a file's path, never an inline secret, which is only marked as such.
 */
export type SharedSecretRef = { env: string } | { file: string } | { inline: true };

export interface FleetCycle {
  /** `account/index`: names the schedule in BullMQ, status, state and metrics. */
  scheduleId: string;
  index: number;
  templateRef: string;
  template: CycleTemplate;
  everyMs: number;
  /** Where in each interval this schedule's slots fall (ms after the interval's start): spreads accounts evenly. */
  offsetMs: number;
  fields: Record<string, unknown>;
}

export interface FleetAccount {
  id: string;
  endpoint?: string;
  dataCenter?: string;
  apiVersion?: string;
  username: string;
  /** A reference shared through Redis may be `{inline: true}`: the secret is only in the file. */
  password: SecretRef | SharedSecretRef;
  /** The budget key Five9's limits are counted under (see the schema's `domain`). */
  domain?: string;
  timeoutMs?: number;
  rest?: { consumerKey: string; consumerSecret: SecretRef | SharedSecretRef; domainId: string; endpoint?: string; dataCenter?: string };
  cycles: FleetCycle[];
}

export interface FleetConfig {
  /** Absolute path of the accounts file (secret files are relative to it). */
  path: string;
  accounts: FleetAccount[];
}

/** One problem in an accounts file: which account, which field (a JSON pointer inside it) and why. */
export interface AccountIssue {
  account: string;
  field: string;
  rule: string;
  message: string;
}

let validate: ReturnType<Ajv['compile']> | undefined;

function schemaValidator(): ReturnType<Ajv['compile']> {
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'accounts.schema.json'), 'utf8')));
  }
  return validate;
}

/** `account "acme"` when the entry has a usable id, else its position. */
function accountLabel(raw: unknown, index: number): string {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id ? `account "${id}"` : `accounts[${index}]`;
}

/**
 * ajv's errors as one issue per field. A secret that matches none of its three forms yields one
 * sentence, not ajv's six (one per failed branch).
 */
function schemaIssues(raw: unknown, errors: ErrorObject[]): AccountIssue[] {
  const issues: AccountIssue[] = [];
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  for (const e of errors) {
    const m = /^\/accounts\/(\d+)(.*)$/.exec(e.instancePath);
    const account = m ? accountLabel((raw as { accounts: unknown[] }).accounts[Number(m[1])], Number(m[1])) : e.instancePath.startsWith('/defaults') ? 'defaults' : 'file';
    let field = m ? m[2] || '/' : e.instancePath.replace(/^\/defaults/, '') || '/';
    if (oneOfPaths.has(e.instancePath) && e.keyword !== 'oneOf') continue;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'oneOf') message = 'must be the secret as a string, {"env": "VARIABLE"} or {"file": "PATH"}';
    if (e.keyword === 'required') field = `${field === '/' ? '' : field}/${(e.params as { missingProperty: string }).missingProperty}`;
    if (e.keyword === 'additionalProperties') {
      field = `${field === '/' ? '' : field}/${(e.params as { additionalProperty: string }).additionalProperty}`;
      message = 'is not a known setting';
    }
    if (e.keyword === 'pattern' && /\/every$/.test(field)) message = 'must be a duration with a unit, such as 30s, 15m or 1h';
    if (e.keyword === 'pattern' && /\/id$/.test(field)) message = "must be letters, digits, '.', '_' or '-' (at most 128)";
    if (e.keyword === 'required') message = 'is required';
    issues.push({ account, field, rule: e.keyword, message });
  }
  return issues;
}

/** A template field's definition as a JSON Schema, to check the values an account sets. */
function fieldSchema(template: CycleTemplate): object {
  const properties: Record<string, object> = {};
  for (const [k, f] of Object.entries(template.fields ?? {})) {
    const def = f as { type: string; minimum?: number; maximum?: number; enum?: unknown[] };
    properties[k] = { type: def.type, ...(def.minimum !== undefined ? { minimum: def.minimum } : {}), ...(def.maximum !== undefined ? { maximum: def.maximum } : {}), ...(def.enum ? { enum: def.enum } : {}) };
  }
  return { type: 'object', additionalProperties: false, properties };
}

/** A stable spread of schedules over the interval, so 10,000 accounts do not all run at :00. */
export function slotOffset(scheduleId: string, everyMs: number): number {
  const h = createHash('sha256').update(scheduleId).digest();
  return Number(h.readBigUInt64BE(0) % BigInt(Math.max(1, Math.floor(everyMs))));
}

/** A template reference: a bundled id, or an explicit path resolved against the accounts file. */
function templatePath(ref: string, base: string): string {
  const explicit = ref.startsWith('./') || ref.startsWith('../') || isAbsolute(ref) || ref.endsWith('.json');
  return explicit ? resolve(base, ref) : ref;
}

/**
 * Reads and checks an accounts file: its JSON Schema (`schemas/accounts.schema.json`), then what a
 * schema cannot say (unique ids, one target per account, known data centres and versions,
 * templates that exist and lint, field values their templates accept). Every problem names the
 * account and the field; nothing starts while one remains.
 */
export function loadFleetConfig(path: string, manifest: Manifest = loadManifest()): FleetConfig {
  const abs = resolve(path);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(abs, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (e as NodeJS.ErrnoException).code ? `cannot be read (${(e as NodeJS.ErrnoException).code})` : 'is not JSON';
    throw new Five9Error('FIVE9_CONFIG', `accounts file ${path} ${why}`);
  }
  return checkFleetConfig(raw, abs, manifest);
}

export function checkFleetConfig(raw: unknown, abs: string, manifest: Manifest = loadManifest()): FleetConfig {
  const v = schemaValidator();
  if (!v(raw)) throw accountsError(abs, schemaIssues(raw, v.errors ?? []));
  const file = raw as FleetAccounts;
  const base = dirname(abs);
  const issues: AccountIssue[] = [];
  if (file.defaults && 'id' in file.defaults) issues.push({ account: 'defaults', field: '/id', rule: 'not', message: 'defaults name no account: give ids in accounts' });
  const seen = new Map<string, number>();
  const templates = new Map<string, CycleTemplate | Error>();
  // One validator per template, not per cycle: 10,000 accounts share a handful of templates.
  const fieldValidators = new Map<CycleTemplate, ReturnType<Ajv['compile']>>();
  const dataCenters = Object.keys(manifest.raw.dataCenters);
  const accounts: FleetAccount[] = [];
  file.accounts.forEach((entry, i) => {
    const a: AccountSettings & { id: string } = { ...(file.defaults ?? {}), ...entry };
    const label = `account "${a.id}"`;
    const issue = (field: string, rule: string, message: string) => issues.push({ account: label, field, rule, message });
    if (seen.has(a.id)) issue('/id', 'unique', `is also the id of accounts[${seen.get(a.id)}]`);
    seen.set(a.id, i);
    if (a.enabled === false) return;
    if (a.endpoint && a.dataCenter) issue('/endpoint', 'oneOf', 'give an endpoint or a dataCenter, not both');
    if (!a.endpoint && !a.dataCenter) issue('/endpoint', 'required', 'is required (or a dataCenter)');
    if (a.dataCenter && !dataCenters.includes(a.dataCenter)) issue('/dataCenter', 'enum', `must be one of ${dataCenters.join(', ')}`);
    if (!a.username) issue('/username', 'required', 'is required');
    if (a.password === undefined) issue('/password', 'required', 'is required');
    let apiVersion: string | undefined;
    try {
      const inPath = a.endpoint ? manifest.versionInEndpoint(a.endpoint) : undefined;
      if (inPath && a.apiVersion && inPath !== a.apiVersion) issue('/apiVersion', 'const', `contradicts the endpoint's path, which is API version ${inPath}`);
      apiVersion = manifest.resolveVersion(inPath ?? a.apiVersion);
      if (a.endpoint || (a.dataCenter && dataCenters.includes(a.dataCenter))) manifest.endpointUrl({ endpoint: a.endpoint, dataCenter: a.dataCenter, apiVersion });
    } catch (e) {
      issue(a.apiVersion ? '/apiVersion' : '/endpoint', 'format', (e as Error).message);
    }
    if (!a.cycles?.length) issue('/cycles', 'required', 'is required: at least one cycle');
    const cycles: FleetCycle[] = [];
    (a.cycles ?? []).forEach((c, j) => {
      if (c.enabled === false) return;
      const ref = templatePath(c.template, base);
      let t = templates.get(ref);
      if (!t) {
        try {
          const tpl = readTemplate(ref);
          const problems = lintTemplate(tpl, manifest);
          t = problems.length ? new Error(`does not lint: ${problems.join('; ')}`) : tpl;
        } catch (e) {
          t = e as Error;
        }
        templates.set(ref, t);
      }
      if (t instanceof Error) {
        issue(`/cycles/${j}/template`, 'template', t.message.split('\n')[0]);
        return;
      }
      const everyMs = c.every === undefined ? scheduleInterval(t) : parseDuration(c.every);
      if (everyMs === undefined) {
        issue(`/cycles/${j}/every`, 'pattern', 'must be a duration with a unit, such as 30s, 15m or 1h');
        return;
      }
      let fv = fieldValidators.get(t);
      if (!fv) fieldValidators.set(t, (fv = new Ajv({ allErrors: true, strict: false }).compile(fieldSchema(t))));
      if (!fv(c.fields ?? {})) {
        for (const e of fv.errors ?? []) {
          const name = e.keyword === 'additionalProperties' ? `/${(e.params as { additionalProperty: string }).additionalProperty}` : e.instancePath;
          issue(`/cycles/${j}/fields${name}`, e.keyword, e.keyword === 'additionalProperties' ? `is not a field of template ${t.id} (${Object.keys(t.fields ?? {}).join(', ')})` : e.message ?? 'is invalid');
        }
        return;
      }
      const scheduleId = `${a.id}/${j}`;
      cycles.push({ scheduleId, index: j, templateRef: c.template, template: t, everyMs, offsetMs: slotOffset(scheduleId, everyMs), fields: c.fields ?? {} });
    });
    accounts.push({
      id: a.id,
      endpoint: a.endpoint,
      dataCenter: a.dataCenter,
      apiVersion,
      username: a.username ?? '',
      password: a.password as SecretRef,
      domain: a.domain,
      timeoutMs: a.timeoutMs,
      rest: a.rest as FleetAccount['rest'],
      cycles,
    });
  });
  if (issues.length) throw accountsError(abs, issues);
  return { path: abs, accounts };
}

function accountsError(path: string, issues: AccountIssue[]): Five9Error {
  const shown = issues.slice(0, 50).map((i) => `${i.account}: ${i.field} ${i.message} (${i.rule})`);
  const more = issues.length > shown.length ? `\n- … and ${issues.length - shown.length} more` : '';
  return new Five9Error('FIVE9_CONFIG', `${path}: ${issues.length} problem(s)\n- ${shown.join('\n- ')}${more}`, { details: { issues } });
}

/** What a secret reference may show outside the process. */
export function shareableRef(ref: SecretRef | SharedSecretRef): SharedSecretRef {
  return typeof ref === 'string' ? { inline: true } : ref;
}

/**
 * The secret a reference names, read in this process's environment: `{env}` from the variable,
 * `{file}` from the file (relative to the accounts file), a string as it is. The error names the
 * account, the field and the variable or file, never any part of the secret.
 */
export function resolveSecret(ref: SecretRef | SharedSecretRef, where: { account: string; field: string; base: string }, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof ref === 'string') return ref;
  if ('env' in ref) {
    const v = env[ref.env];
    if (!v) throw new Five9Error('FIVE9_CONFIG', `account "${where.account}": ${where.field} names the environment variable ${ref.env}, which is not set`);
    return v;
  }
  if ('file' in ref) {
    const p = resolve(where.base, ref.file);
    try {
      return readFileSync(p, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new Five9Error('FIVE9_CONFIG', `account "${where.account}": ${where.field} names the file ${p}, which cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  throw new Five9Error('FIVE9_CONFIG', `account "${where.account}": ${where.field} is given inline in the accounts file, which this process was not given (start it with --accounts FILE, or use {"env": NAME} or {"file": PATH})`);
}
