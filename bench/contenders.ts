/**
 * The three contenders, each able to set itself up (timed), make one call of a case, and reduce
 * what it got to the neutral shape the checks compare:
 * - adapter: Five9Client.run (input validation, envelope, undici, decode, ajv output validation);
 * - soap: node-soap with Five9's v4 WSDL, a keep-alive agent with one socket, Basic auth, nil as
 *   null (by default node-soap drops a nil cell, which shifts the rest of its row);
 * - floor: an undici POST of the adapter's request bytes, the answer read as text, nothing parsed.
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { join } from 'node:path';
import type { Normalized } from './fixtures';

export type ContenderName = 'adapter' | 'soap' | 'floor';
export const CONTENDERS: ContenderName[] = ['adapter', 'soap', 'floor'];

export interface CaseConfig {
  id: string;
  operation: string;
  input: Record<string, unknown>;
  kind: Normalized['kind'];
  url: string;
  username: string;
  password: string;
  /** The adapter's request body for this case, which the floor sends as it is. */
  requestBody: string;
}

/** What a result is reduced to: the neutral shape, or for the floor the text's length and hash. */
export type Reduced = Normalized | { kind: 'raw'; length: number; sha256: string };

export interface Contender {
  /** Builds the client, ready to call; returns the parts (ms) of that time. */
  setup(): Promise<Record<string, number>>;
  /**
   * Measured after the first call and reported apart (names start with "+"): the adapter's compile
   * of every action's validators, which a client otherwise does lazily at each action's first call.
   */
  extra?(): Promise<Record<string, number>>;
  /** One call; a fault is returned (not thrown) so every contender pays for its own error path. */
  call(): Promise<unknown>;
  reduce(result: unknown): Reduced;
  close(): Promise<void>;
}

export function digest(x: unknown): string {
  return createHash('sha256').update(JSON.stringify(x)).digest('hex');
}

function ms(from: number): number {
  return performance.now() - from;
}

interface Failed {
  error: unknown;
}
function failed(x: unknown): x is Failed {
  return !!x && typeof x === 'object' && 'error' in x;
}

function sortedFields(fields: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(fields).sort()) out[k] = String(fields[k]);
  return out;
}

// ----- adapter ----------------------------------------------------------------------------------

export function adapter(cfg: CaseConfig): Contender {
  let client: import('../src/runtime').Five9Client;
  return {
    async setup() {
      const { loadManifest } = await import('../src/manifest');
      const { Five9Client } = await import('../src/runtime');
      const t0 = performance.now();
      const manifest = loadManifest();
      const load = ms(t0);
      const t1 = performance.now();
      client = new Five9Client({ endpoint: cfg.url, username: cfg.username, password: cfg.password, quotas: false, manifest });
      return { manifestLoad: load, client: ms(t1) };
    },
    async extra() {
      // A fresh registry (the client's has compiled this case's action already) and every action's
      // input and output validators: what a client that ends up calling every action compiles.
      const { SchemaRegistry } = await import('../src/schemas');
      const { loadManifest } = await import('../src/manifest');
      const actions = loadManifest().actions;
      const t0 = performance.now();
      const registry = new SchemaRegistry();
      for (const a of actions) {
        registry.validator(a.input, 'input');
        registry.validator(a.output, 'output');
      }
      return { '+compileAll': ms(t0) };
    },
    async call() {
      try {
        return await client.run(cfg.operation, cfg.input);
      } catch (error) {
        return { error };
      }
    },
    reduce(result) {
      if (failed(result)) {
        const e = result.error as { fault?: string; fields?: Record<string, unknown> };
        if (!e.fault) throw result.error;
        return { kind: 'fault', name: e.fault, fields: sortedFields(e.fields ?? {}) };
      }
      const output = (result as { output: any }).output;
      return fromObject(cfg.kind, output, (x) => x as string | null);
    },
    close: () => client.close(),
  };
}

// ----- node-soap --------------------------------------------------------------------------------

export function wsdlPath(): string {
  // bench/ sources compile to dist/bench; Five9's WSDLs stay in spec/wsdl.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the soap and floor contenders must not load the adapter's modules at import
  const { packageRoot } = require('../src/util/paths') as typeof import('../src/util/paths');
  return join(packageRoot(), 'spec', 'wsdl', 'SupervisorWebService.v4.wsdl');
}

export function soap(cfg: CaseConfig): Contender {
  let client: any;
  let agent: HttpAgent;
  const path = wsdlPath();
  return {
    async setup() {
      const soapLib = await import('soap');
      agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
      const t0 = performance.now();
      // handleNilAsNull: without it node-soap drops nil cells, shifting the rest of the row.
      client = await soapLib.createClientAsync(path, { endpoint: cfg.url, handleNilAsNull: true });
      client.setSecurity(new soapLib.BasicAuthSecurity(cfg.username, cfg.password, { httpAgent: agent }));
      return { createClient: ms(t0) };
    },
    async call() {
      try {
        const [result] = await client[`${cfg.operation}Async`](cfg.input);
        return result;
      } catch (error) {
        return { error };
      }
    },
    reduce(result) {
      if (failed(result)) {
        const fault = (result.error as any)?.root?.Envelope?.Body?.Fault;
        if (!fault) throw result.error;
        const detail = fault.detail ?? {};
        const name = Object.keys(detail).find((k) => k !== 'attributes' && !k.startsWith('$'));
        if (!name) throw result.error;
        const fields: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(detail[name] ?? {})) if (k !== 'attributes' && !k.startsWith('$')) fields[k] = soapText(v);
        return { kind: 'fault', name, fields: sortedFields(fields) };
      }
      const ret = result && typeof result === 'object' ? (result as any).return : undefined;
      if (cfg.kind === 'empty') return fromObject('empty', ret ?? null, soapText);
      return fromObject(cfg.kind, ret, soapText);
    },
    async close() {
      agent?.destroy();
    },
  };
}

/** node-soap gives a nil element as null (or an object holding only attributes), text as a string. */
function soapText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('$value' in o) return String(o.$value);
    return null;
  }
  return String(v);
}

// ----- floor ------------------------------------------------------------------------------------

export function floor(cfg: CaseConfig): Contender {
  let client: import('undici').Client;
  const url = new URL(cfg.url);
  const headers = {
    'content-type': 'text/xml;charset=UTF-8',
    soapaction: '""',
    'accept-encoding': 'gzip, deflate',
    authorization: `Basic ${Buffer.from(`${cfg.username}:${cfg.password}`).toString('base64')}`,
  };
  return {
    async setup() {
      const { Client } = await import('undici');
      const t0 = performance.now();
      client = new Client(url.origin, { pipelining: 1, keepAliveTimeout: 30_000 });
      return { client: ms(t0) };
    },
    async call() {
      const res = await client.request({ method: 'POST', path: url.pathname, headers, body: cfg.requestBody });
      return res.body.text();
    },
    reduce(result) {
      const text = result as string;
      return { kind: 'raw', length: text.length, sha256: createHash('sha256').update(text).digest('hex') };
    },
    close: () => client.close(),
  };
}

export const MAKE: Record<ContenderName, (cfg: CaseConfig) => Contender> = { adapter, soap, floor };

// ----- the neutral shape ------------------------------------------------------------------------

function list<T>(x: T | T[] | undefined | null): T[] {
  if (x === undefined || x === null) return [];
  return Array.isArray(x) ? x : [x];
}

/**
 * Reduces a decoded object (the adapter's output, or node-soap's `return`) to the neutral shape.
 * `cell` turns a leaf into its string (or null for nil): identity for the adapter, whose output is
 * already typed; node-soap's leaves may be strings, numbers or attribute objects.
 */
function fromObject(kind: Normalized['kind'], o: any, cell: (v: unknown) => string | null): Normalized {
  const data = (row: any): (string | null)[] => list(row?.values?.data).map((v) => (v === null ? null : cell(v)));
  const str = (v: unknown) => String(cell(v) ?? '');
  switch (kind) {
    case 'empty':
      if (o !== null && o !== undefined && !(typeof o === 'object' && Object.keys(o).filter((k) => k !== 'attributes').length === 0)) {
        throw new Error(`expected an empty answer, got ${JSON.stringify(o).slice(0, 80)}`);
      }
      return { kind: 'empty' };
    case 'statistics':
      return {
        kind: 'statistics',
        columns: data(o.columns).map((v) => v ?? ''),
        rows: list(o.rows).map((r) => data(r)),
        timestamp: str(o.timestamp),
        type: str(o.type),
      };
    case 'update':
      return {
        kind: 'update',
        added: data(o.addedObjects).map((v) => v ?? ''),
        items: list(o.dataUpdate).map((it: any) => ({
          columnName: str(it.columnName),
          columnValue: it.columnValue === null || it.columnValue === undefined ? null : cell(it.columnValue),
          objectName: str(it.objectName),
        })),
        deleted: data(o.deletedObjects).map((v) => v ?? ''),
        lastTimestamp: str(o.lastTimestamp),
        previousTimestamp: str(o.previousTimestamp),
        type: str(o.type),
      };
    default:
      throw new Error(`cannot reduce a ${kind} answer`);
  }
}

/** The expected reduction of a case: its neutral result, or for the floor the answer text's hash. */
export function expectedReduction(name: ContenderName, expected: Normalized, answer: string): Reduced {
  if (name === 'floor') return { kind: 'raw', length: answer.length, sha256: createHash('sha256').update(answer).digest('hex') };
  if (expected.kind === 'fault') return { ...expected, fields: sortedFields(expected.fields) };
  return expected;
}
