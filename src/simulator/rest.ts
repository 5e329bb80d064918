import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock';
import { DOMAIN_PLACEHOLDER, type Manifest, type RestAction, pathPlaceholders } from '../manifest';
import type { JsonSchema } from '../schemas';
import type { Domain } from './domain';
import { BodyTooLarge, DEFAULT_MAX_BODY_BYTES, type RequestTarget, answerAndClose, readBody } from './http';

/** An API Access Control credential the simulator accepts, with the scopes it was granted. */
export interface SimConsumer {
  key: string;
  secret: string;
  /** Granted scopes (default: every scope of the manifest's rest block). */
  scopes?: string[];
}

export interface RestSimOptions {
  /** The domain id REST paths must name (default "10001"). */
  domainId?: string;
  /** Lifetime of issued tokens in seconds (default 1800), on the simulator's clock. */
  tokenTtlSeconds?: number;
  /** Dialing lists that exist (default: Outbound Sales Leads, Renewals, Callbacks). */
  lists?: string[];
  /** Numbers on the domain's do-not-call list: contacts with them are refused (code DNC). */
  dnc?: string[];
  /** Whether the token answer says which scopes it carries (default true, as OAuth servers may). */
  scopeInToken?: boolean;
  /**
   * Whether a repeated Idempotency-Key gets the first answer again, marked Idempotent-Replayed
   * (default true). False plays a server that ignores the header: a repeated chunk is processed
   * again, and its contacts already in the list are refused as duplicates.
   */
  idempotency?: boolean;
  /** Largest request body in bytes (default 2 MiB): a larger one answers 413. */
  maxBodyBytes?: number;
}

/** One REST request of a configured consumer as the simulator saw it: never a secret, a token or a path. */
export interface RestRequestRecord {
  at: number;
  method: string;
  /** "token" for the token endpoint, else the action id. */
  action: string;
  consumerKey: string;
  status: number;
  /** Contacts carried by an add-contacts request. */
  contacts?: number;
  /** The Idempotency-Key header of an add-contacts request. */
  idempotencyKey?: string;
}

interface Route {
  action: RestAction;
  pattern: RegExp;
  names: string[];
}

interface IssuedToken {
  key: string;
  scopes: string[];
  expiresAt: number;
}

interface SimList {
  name: string;
  contacts: Array<Record<string, unknown>>;
  /** Every contact of every stored request, refused ones included, in arrival order (the newest RECEIVED_KEPT). */
  received: Array<Record<string, unknown>>;
  keys: Set<string>;
}

export interface RestSimHost {
  clock: Clock;
  manifest: Manifest;
  domain: Domain;
}

/** Bounds, so no flood grows the simulator without end. */
const REQUESTS_KEPT = 10_000;
const LIVE_TOKENS_PER_KEY = 100;
const REPLIES_KEPT = 10_000;
const RECEIVED_KEPT = 200_000;

type Send = (status: number, payload: unknown, headers?: Record<string, string>) => void;
type Fail = (status: number, code: string, message: string, headers?: Record<string, string>) => void;

/** One REST request, authenticated and in scope, as a handler sees it. */
interface RestCall {
  action: RestAction;
  params: Record<string, string>;
  req: IncomingMessage;
  res: ServerResponse;
  rec: RestRequestRecord;
  send: Send;
  fail: Fail;
}

type RestHandler = (sim: RestSimulator, call: RestCall) => void | Promise<void>;

/**
 * What each REST action does, by action id: the same style as the SOAP side's HANDLERS. The
 * generic parts (token, scope, rate limit, domain) are done before a handler runs.
 */
const REST_HANDLERS: Record<string, RestHandler> = {
  listCampaigns: (sim, { send }) => send(200, [...sim.host.domain.campaigns.values()].map((c) => ({ name: c.name, type: c.type, state: c.state }))),
  listDialingLists: (sim, { send }) => send(200, sim.listSizes()),
  addContactsToList: (sim, call) => sim.addContacts(call),
};

/**
 * The REST side of the embedded simulator, on the same loopback server: the OAuth2 token endpoint
 * (configured consumers, granted scopes, expiring tokens on the simulator's clock) and every REST
 * action of the manifest by its method and path template: campaigns from the seeded domain, dialing
 * lists, and the contacts endpoint, which stores what it receives, refuses more than the item limit,
 * answers 429 with Retry-After beyond the quota class per consumer key, 401 for a missing or
 * expired token and 403 for a missing scope, with Five9-style JSON error bodies. Only requests of a
 * configured consumer are logged, and every log and store of it is bounded.
 */
export class RestSimulator {
  readonly requests: RestRequestRecord[] = [];
  readonly domainId: string;
  /** Tokens issued so far. */
  tokensIssued = 0;
  private readonly consumers = new Map<string, SimConsumer>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly lists = new Map<string, SimList>();
  private readonly dnc: Set<string>;
  private readonly routes: Route[];
  private readonly tokenPath: string;
  private readonly windows = new Map<string, number[]>();
  /** Answers to add-contacts requests by Idempotency-Key, so a repeated chunk is not stored twice. */
  private readonly replies = new Map<string, { status: number; body: unknown }>();
  private readonly maxBodyBytes: number;
  private forced429: { times: number; retryAfterSeconds: number; after: number } = { times: 0, retryAfterSeconds: 0, after: 0 };
  private failure?: { status: number; afterStoring: boolean; after: number };
  private traceId = 0;

  constructor(
    readonly host: RestSimHost,
    consumers: SimConsumer[] = [],
    private readonly options: RestSimOptions = {},
  ) {
    const rest = host.manifest.raw.rest;
    this.tokenPath = rest?.auth.tokenPath ?? '/oauth2/v1/token';
    this.domainId = options.domainId ?? '10001';
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    for (const c of consumers) this.addConsumer(c);
    for (const l of options.lists ?? ['Outbound Sales Leads', 'Renewals', 'Callbacks']) this.addList(l);
    this.dnc = new Set(options.dnc ?? []);
    this.routes = host.manifest.restActions.map((action) => {
      const names = pathPlaceholders(action.http.path);
      const source = action.http.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[a-zA-Z][a-zA-Z0-9]*\}/g, '([^/]+)');
      return { action, names, pattern: new RegExp(`^${source}/?$`) };
    });
  }

  // ---- configuration and inspection, for tests and the CLI ----

  addConsumer(c: SimConsumer): void {
    this.consumers.set(c.key, { ...c, scopes: c.scopes ?? Object.keys(this.host.manifest.raw.rest?.scopes ?? {}) });
  }

  addList(name: string): void {
    if (!this.lists.has(name)) this.lists.set(name, { name, contacts: [], received: [], keys: new Set() });
  }

  /** The contacts a list took, in order, exactly as they arrived. */
  contacts(list: string): Array<Record<string, unknown>> {
    return this.lists.get(list)?.contacts ?? [];
  }

  /** Every contact of every request the list stored, refused ones included (to count exactly-once delivery). */
  received(list: string): Array<Record<string, unknown>> {
    return this.lists.get(list)?.received ?? [];
  }

  listSizes(): Array<{ name: string; size: number }> {
    return [...this.lists.values()].map((l) => ({ name: l.name, size: l.contacts.length }));
  }

  /** The next `times` REST requests (after `after` more have been let through) answer 429 with this Retry-After, whatever the rate. */
  force429(times: number, retryAfterSeconds: number, options: { after?: number } = {}): void {
    this.forced429 = { times, retryAfterSeconds, after: options.after ?? 0 };
  }

  /**
   * An add-contacts request fails: the one after `after` more have succeeded (default the next),
   * with `status` before storing anything, or with afterStoring after storing its contacts and
   * cutting the connection (the answer is lost, as when a process dies mid-request).
   */
  failContacts(status: number, options: { after?: number; afterStoring?: boolean } = {}): void {
    this.failure = { status, afterStoring: options.afterStoring ?? false, after: options.after ?? 0 };
  }

  /** Every issued token expires now (the server's view; the client's cache does not know). */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = Math.min(t.expiresAt, this.host.clock.now());
  }

  /** Live tokens held now (bounded per consumer key). */
  get liveTokens(): number {
    return this.tokens.size;
  }

  /** The REST requests of one consumer key to actions (token requests excluded). */
  actionRequests(key?: string): RestRequestRecord[] {
    return this.requests.filter((r) => r.action !== 'token' && (key === undefined || r.consumerKey === key));
  }

  // ---- serving ----

  /** Whether a path (as sent) is the REST side's: the token endpoint or a REST action's path. */
  handles(path: string): boolean {
    return path === this.tokenPath || this.routes.some((r) => r.pattern.test(path));
  }

  async handle(req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> {
    const traced = (status: number, code: string, message: string) => ({ code, message, status, traceId: `sim-${++this.traceId}` });
    const answer = (rec: RestRequestRecord | undefined): Send => (status, payload, headers = {}) => {
      if (rec) rec.status = status;
      if (res.destroyed) return;
      const text = payload === undefined ? '' : JSON.stringify(payload);
      res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
    };
    const failWith = (rec: RestRequestRecord | undefined): Fail => (status, code, message, headers = {}) => answer(rec)(status, traced(status, code, message), headers);

    if (target.rawPath === this.tokenPath) return this.token(req, res);
    const hit = this.routes.map((r) => ({ r, m: r.pattern.exec(target.rawPath) })).find((x) => x.m && x.r.action.http.method === req.method);
    if (!hit) {
      await this.drained(req, res);
      return failWith(undefined)(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`);
    }
    const { action } = hit.r;
    // The whole path decoded (the edge checked), so each parameter does.
    const params = Object.fromEntries(hit.r.names.map((n, i) => [n, decodeURIComponent(hit.m![i + 1])]));

    // Authentication, then scope, then the rate limit, then the request itself.
    const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const token = m ? this.tokens.get(m[1]) : undefined;
    if (!token) {
      await this.drained(req, res);
      return m
        ? failWith(undefined)(401, 'UNAUTHORIZED', 'Invalid bearer token', { 'www-authenticate': 'Bearer error="invalid_token"' })
        : failWith(undefined)(401, 'UNAUTHORIZED', 'Missing bearer token', { 'www-authenticate': 'Bearer' });
    }
    // From here the request is the consumer's own: logged with its key, never its path.
    const rec = this.log({ at: this.host.clock.now(), method: req.method ?? '?', action: action.id, consumerKey: token.key, status: 0 });
    const send = answer(rec);
    const fail = failWith(rec);
    if (this.host.clock.now() >= token.expiresAt) {
      await this.drained(req, res);
      return fail(401, 'UNAUTHORIZED', 'The access token expired', { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    if (!token.scopes.some((s) => s.toLowerCase() === action.scope.toLowerCase())) {
      await this.drained(req, res);
      return fail(403, 'FORBIDDEN', `Insufficient scope: ${action.scope} is required`, { 'www-authenticate': `Bearer error="insufficient_scope", scope="${action.scope}"` });
    }
    if (this.forced429.times > 0 && this.forced429.after-- <= 0) {
      this.forced429.times--;
      await this.drained(req, res);
      return fail(429, 'TOO_MANY_REQUESTS', 'Rate limit exceeded', { 'retry-after': String(this.forced429.retryAfterSeconds) });
    }
    const retryAfter = this.rate(token.key, action);
    if (retryAfter !== undefined) {
      await this.drained(req, res);
      return fail(429, 'TOO_MANY_REQUESTS', 'Rate limit exceeded', { 'retry-after': String(retryAfter) });
    }
    if (params[DOMAIN_PLACEHOLDER] !== undefined && params[DOMAIN_PLACEHOLDER] !== this.domainId) {
      await this.drained(req, res);
      return fail(404, 'DOMAIN_NOT_FOUND', `Domain ${params[DOMAIN_PLACEHOLDER]} not found`);
    }
    const handler = REST_HANDLERS[action.id];
    if (!handler) return fail(501, 'NOT_IMPLEMENTED', `${action.id} is not simulated`);
    return handler(this, { action, params, req, res, rec, send, fail });
  }

  /** Reads and drops the body; false (and the connection closed with 413) when it is over the limit. */
  private async drained(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    try {
      await readBody(req, this.maxBodyBytes);
      return true;
    } catch (e) {
      if (!(e instanceof BodyTooLarge)) throw e;
      answerAndClose(res, 413, { 'content-type': 'application/json;charset=utf-8' }, JSON.stringify({ code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large', status: 413 }));
      return false;
    }
  }

  private log(rec: RestRequestRecord): RestRequestRecord {
    this.requests.push(rec);
    if (this.requests.length > REQUESTS_KEPT * 1.5) this.requests.splice(0, this.requests.length - REQUESTS_KEPT);
    return rec;
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: string;
    try {
      body = await readBody(req, this.maxBodyBytes);
    } catch (e) {
      if (!(e instanceof BodyTooLarge)) throw e;
      return answerAndClose(res, 413, { 'content-type': 'application/json;charset=utf-8' }, JSON.stringify({ error: 'invalid_request', error_description: 'The request body is too large' }));
    }
    const m = /^Basic\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const decoded = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const i = decoded.indexOf(':');
    const key = i > 0 ? decoded.slice(0, i) : '';
    const consumer = this.consumers.get(key);
    // A request that names no configured consumer leaves nothing behind; one of a consumer is logged with its key.
    const rec = consumer ? this.log({ at: this.host.clock.now(), method: req.method ?? '?', action: 'token', consumerKey: key, status: 0 }) : undefined;
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      if (rec) rec.status = status;
      if (res.destroyed) return;
      const text = JSON.stringify(payload);
      res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
    };
    const oauth = (status: number, error: string, description: string) => send(status, { error, error_description: description }, status === 401 ? { 'www-authenticate': 'Basic realm="five9"' } : {});
    if (req.method !== 'POST') return oauth(405, 'invalid_request', 'Use POST');
    if (!consumer || consumer.secret !== decoded.slice(i + 1)) return oauth(401, 'invalid_client', 'Client authentication failed');
    if (!/^application\/x-www-form-urlencoded/i.test(String(req.headers['content-type'] ?? ''))) return oauth(400, 'invalid_request', 'The body must be application/x-www-form-urlencoded');
    if (new URLSearchParams(body).get('grant_type') !== 'client_credentials') return oauth(400, 'unsupported_grant_type', 'Only client_credentials is supported');
    const value = randomBytes(24).toString('base64url');
    const ttl = this.options.tokenTtlSeconds ?? 1800;
    this.keepTokensBounded(key);
    this.tokens.set(value, { key, scopes: consumer.scopes ?? [], expiresAt: this.host.clock.now() + ttl * 1000 });
    this.tokensIssued++;
    send(200, { access_token: value, token_type: 'Bearer', expires_in: ttl, ...(this.options.scopeInToken === false ? {} : { scope: (consumer.scopes ?? []).join(' ') }) });
  }

  /** Before a token is issued: expired tokens are forgotten, and a key keeps its newest LIVE_TOKENS_PER_KEY - 1. */
  private keepTokensBounded(key: string): void {
    const now = this.host.clock.now();
    let mine = 0;
    for (const [value, t] of this.tokens) {
      // An expired token is kept a little while, so a client still gets "expired" rather than "invalid".
      if (t.expiresAt + 3_600_000 < now) this.tokens.delete(value);
      else if (t.key === key) mine++;
    }
    for (const [value, t] of this.tokens) {
      if (mine < LIVE_TOKENS_PER_KEY) break;
      if (t.key === key) {
        this.tokens.delete(value);
        mine--;
      }
    }
  }

  /** Counts a request of the key in the action's quota class (a moving window); the seconds to wait when it is full. */
  private rate(key: string, action: RestAction): number | undefined {
    const q = action.quotaClass ? this.host.manifest.raw.quotaClasses[action.quotaClass] : undefined;
    if (!q) return undefined;
    const now = this.host.clock.now();
    const wkey = `${key}\n${action.quotaClass}`;
    const longest = Math.max(...q.windows.map((w) => w.seconds)) * 1000;
    const times = (this.windows.get(wkey) ?? []).filter((t) => t > now - longest);
    this.windows.set(wkey, times);
    for (const w of q.windows) {
      const inWindow = times.filter((t) => t > now - w.seconds * 1000);
      if (inWindow.length >= w.limit) return Math.max(1, Math.ceil((inWindow[inWindow.length - w.limit] + w.seconds * 1000 - now) / 1000));
    }
    times.push(now);
    return undefined;
  }

  /** addContactsToList: stores the contacts it accepts, answers which it refused and why. */
  async addContacts({ action, params, req, res, rec, send, fail }: RestCall): Promise<void> {
    let body: string;
    try {
      body = await readBody(req, this.maxBodyBytes);
    } catch (e) {
      if (!(e instanceof BodyTooLarge)) throw e;
      rec.status = 413;
      return answerAndClose(res, 413, { 'content-type': 'application/json;charset=utf-8' }, JSON.stringify({ code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large', status: 413 }));
    }
    const field = action.itemLimit?.field ?? 'contacts';
    const max = action.itemLimit?.max ?? 1000;
    let parsed: any;
    try {
      parsed = JSON.parse(body);
    } catch {
      return fail(400, 'INVALID_REQUEST', 'The body is not JSON');
    }
    const contacts = parsed?.[field];
    if (!Array.isArray(contacts)) return fail(400, 'INVALID_REQUEST', `The body must be {"${field}": [...]}`);
    rec.contacts = contacts.length;
    if (contacts.length > max) return fail(413, 'TOO_MANY_CONTACTS', `At most ${max} contacts per request, got ${contacts.length}`);
    const listField = Object.keys(params).find((p) => p !== DOMAIN_PLACEHOLDER) ?? 'listName';
    const list = this.lists.get(params[listField]);
    if (!list) return fail(404, 'LIST_NOT_FOUND', `List "${params[listField]}" not found`);
    const idem = req.headers['idempotency-key'];
    if (typeof idem === 'string') rec.idempotencyKey = idem;
    const replayKey = typeof idem === 'string' && this.options.idempotency !== false ? `${list.name}\n${idem}` : undefined;
    const replay = replayKey ? this.replies.get(replayKey) : undefined;
    if (replay) return send(replay.status, replay.body, { 'idempotent-replayed': 'true' });
    let failure: { status: number; afterStoring: boolean } | undefined;
    if (this.failure && this.failure.after-- <= 0) {
      failure = this.failure;
      this.failure = undefined;
    }
    if (failure && !failure.afterStoring) return fail(failure.status, 'INTERNAL_ERROR', 'Simulated failure');

    const itemSchema = this.host.manifest.registry.resolve(action.input as JsonSchema).properties[field].items;
    const rejected: Array<{ index: number; code: string; reason: string }> = [];
    contacts.forEach((c: any, index: number) => {
      list.received.push(c);
      const issues = this.host.manifest.registry.check(itemSchema, c, 'input');
      if (issues.length) return rejected.push({ index, code: 'INVALID_CONTACT', reason: issues.map((i) => i.message).join('; ') });
      if (this.dnc.has(c.number1)) return rejected.push({ index, code: 'DNC', reason: `${c.number1} is on the domain's do-not-call list` });
      if (list.keys.has(c.number1)) return rejected.push({ index, code: 'DUPLICATE_KEY', reason: `a contact with number1 ${c.number1} is already in the list` });
      list.keys.add(c.number1);
      list.contacts.push(c);
    });
    if (list.received.length > RECEIVED_KEPT * 1.5) list.received.splice(0, list.received.length - RECEIVED_KEPT);
    const result = { accepted: contacts.length - rejected.length, rejected };
    if (replayKey) {
      this.replies.set(replayKey, { status: 200, body: result });
      // The oldest answers are forgotten first (a Map keeps insertion order).
      if (this.replies.size > REPLIES_KEPT) this.replies.delete(this.replies.keys().next().value as string);
    }
    if (failure?.afterStoring) {
      // Stored, but the answer is lost: the connection drops before a byte of it.
      rec.status = -1;
      res.socket?.destroy();
      return;
    }
    send(200, result);
  }
}
