import { type Clock, systemClock } from '../clock';
import { type Coordinator, type CoordinatorHandle, openCoordinator } from '../coordination';
import { Five9Error, Five9InputError, Five9QuotaError } from '../errors';
import { DOMAIN_PLACEHOLDER, type Manifest, type RestAction, type RestTarget, loadManifest } from '../manifest';
import { QuotaTracker, type QuotaWindow } from '../quota';
import type { ActionResult, InputArg, RestActionName, RestActionOf } from '../runtime';
import type { JsonSchema } from '../schemas';
import { Redactor } from '../util/redact';
import { RestHttp, errorBody, retryAfterMs } from './http';
import { type AccessToken, TokenClient, hasScope } from './token';

export interface RestClientOptions extends RestTarget {
  /** The Five9 domain's id, the {domainId} of every REST path. */
  domainId: string;
  /** API Access Control credential: consumer key (REST API Username) and secret (REST API Password). */
  consumerKey: string;
  consumerSecret: string;
  /** The token endpoint: a path under the base URL or a full URL (default: the manifest's, /oauth2/v1/token). */
  tokenPath?: string;
  manifest?: Manifest;
  /** The clock that token lifetimes, pacing and Retry-After waits run on (default: the wall clock). */
  clock?: Clock;
  /**
   * Client-side rate limits: the manifest's REST quota classes by default (RestRequests: 40 a
   * minute), overridden per class, or false to send at once and rely on 429 and Retry-After.
   * Requests over a limit wait on the clock until it allows them; they are not refused.
   */
  quotas?: false | Record<string, QuotaWindow[]>;
  /**
   * Where the budget per consumer key is kept, shared with every client using the key: as for
   * Five9Client (Redis from `redis` or FIVE9_REDIS_URL, else the local store, else memory).
   */
  coordinator?: Coordinator | 'memory' | 'local';
  redis?: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** 429 answers waited out per request before FIVE9_RATE_LIMITED (default 5). */
  maxRetries?: number;
  /** The longest Retry-After honoured (default 10 minutes); a longer one is FIVE9_RATE_LIMITED at once. */
  maxRetryAfterMs?: number;
  /** Gets the secret and every token; pass the CLI's own so its output hides them too. */
  redactor?: Redactor;
  onEvent?: (e: RestEvent) => void;
}

/** What a REST client does besides answering, for progress output; never carries a secret or token. */
export type RestEvent =
  | { type: 'token'; at: number; expiresAt: number; scopes?: string[] }
  | { type: 'request'; action: string; method: string; path: string; status: number; at: number; attempt: number }
  | { type: 'wait'; reason: 'pace' | 'retry-after'; action: string; ms: number; at: number; until: number };

export interface RestRunOptions {
  /** Abandons the run: its waits (pacing, Retry-After) at once, and the request in flight unless letRequestFinish. */
  signal?: AbortSignal;
  /** With a signal: a request already sent is answered before the run stops (its outcome is then known). */
  letRequestFinish?: boolean;
  /** Extra request headers (an Idempotency-Key, say); never Authorization. */
  headers?: Record<string, string>;
  onEvent?: (e: RestEvent) => void;
  /**
   * Called, and awaited, just before each attempt's bytes leave (after pacing and any wait): from
   * here on the server may act on the request even if no answer comes back. The uploader records
   * the chunk as in flight here.
   */
  beforeSend?: () => void | Promise<void>;
  /** Called, and awaited, when an attempt's answer has been read, with its HTTP status (a 429 or 401 is followed by another attempt). */
  afterAnswer?: (status: number) => void | Promise<void>;
}

export interface RestResult<Output = unknown, Exit extends string = string> extends ActionResult<Output, Exit> {
  /** The HTTP status of the answer. */
  status: number;
  /** The answer's headers, names in lower case (Idempotent-Replayed, say). */
  headers: Record<string, string>;
  /** HTTP requests this run made (401 repeats and 429 retries included, token requests not). */
  requests: number;
}

/**
 * Runs the manifest's REST actions: validates the input (nothing is sent when it is wrong), gets a
 * bearer token with the client credentials (cached; fetched again once when a request answers
 * 401), checks the token's scopes against the action's before sending, paces requests to the
 * action's quota class on the clock, waits out 429 answers by Retry-After, and validates the answer.
 */
export class RestClient {
  readonly manifest: Manifest;
  readonly baseUrl: string;
  readonly domainId: string;
  readonly consumerKey: string;
  readonly clock: Clock;
  readonly redactor: Redactor;
  readonly quota?: QuotaTracker;
  readonly tokens: TokenClient;
  /** HTTP requests made to REST actions (token requests not counted). */
  requests = 0;
  private readonly http: RestHttp;
  private readonly tokenHttp: RestHttp;
  private readonly basePath: string;
  private readonly maxRetries: number;
  private readonly maxRetryAfterMs: number;
  private readonly onEvent?: (e: RestEvent) => void;
  private readonly coordination: CoordinatorHandle;

  constructor(options: RestClientOptions) {
    if (!options.consumerKey) throw new Five9Error('FIVE9_CONFIG', 'no consumer key: set FIVE9_CONSUMER_KEY or pass consumerKey');
    if (!options.consumerSecret) throw new Five9Error('FIVE9_CONFIG', `no consumer secret for consumer key "${options.consumerKey}": set FIVE9_CONSUMER_SECRET or pass consumerSecret`);
    if (!options.domainId) throw new Five9Error('FIVE9_CONFIG', 'no domain id: set FIVE9_DOMAIN_ID or pass domainId');
    this.manifest = options.manifest ?? loadManifest();
    const rest = this.manifest.raw.rest;
    if (!rest) throw new Five9Error('FIVE9_CONFIG', 'the connector manifest has no rest block');
    this.baseUrl = this.manifest.restBaseUrl(options);
    this.basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, '');
    this.domainId = options.domainId;
    this.consumerKey = options.consumerKey;
    this.clock = options.clock ?? systemClock;
    this.redactor = options.redactor ?? new Redactor();
    this.maxRetries = options.maxRetries ?? 5;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 600_000;
    this.onEvent = options.onEvent;
    const httpOptions = { timeoutMs: options.timeoutMs, maxResponseBytes: options.maxResponseBytes };
    this.http = new RestHttp(this.baseUrl, httpOptions);
    const tokenPath = options.tokenPath ?? rest.auth.tokenPath;
    let tokenRequestPath = `${this.basePath}${tokenPath}`;
    this.tokenHttp = this.http;
    if (/^https?:\/\//i.test(tokenPath)) {
      const u = new URL(tokenPath);
      tokenRequestPath = u.pathname + u.search;
      if (u.origin !== new URL(this.baseUrl).origin) this.tokenHttp = new RestHttp(tokenPath, httpOptions);
    } else if (!tokenPath.startsWith('/')) {
      throw new Five9Error('FIVE9_CONFIG', `token path "${tokenPath}" must start with / or be a full URL`);
    }
    this.tokens = new TokenClient({
      http: this.tokenHttp,
      path: tokenRequestPath,
      consumerKey: options.consumerKey,
      consumerSecret: options.consumerSecret,
      clock: this.clock,
      redactor: this.redactor,
      refreshMarginMs: rest.auth.refreshMarginSeconds * 1000,
      timeoutMs: options.timeoutMs,
    });
    this.coordination = openCoordinator({ coordinator: options.coordinator, redis: options.redis, clock: this.clock });
    if (options.quotas !== false) {
      // One budget per base URL and consumer key: Five9 counts a key's requests wherever they come from.
      const defaults = Object.fromEntries(Object.entries(this.manifest.raw.quotaClasses).filter(([, q]) => q.protocol === 'rest').map(([k, q]) => [k, q.windows]));
      const key = `rest|${new URL(this.baseUrl).origin}|key=${options.consumerKey}${this.coordination.scope}`;
      this.quota = new QuotaTracker({ ...defaults, ...(options.quotas ?? {}) }, this.clock, this.coordination.coordinator, key);
    }
  }

  /** Checks an input without sending anything; throws FIVE9_INVALID_INPUT naming each field and rule. */
  validate(actionName: string, input: unknown = {}): RestAction {
    const action = this.manifest.restAction(actionName);
    const issues = this.manifest.registry.check(action.input as JsonSchema, input, 'input');
    if (issues.length) {
      throw new Five9InputError('FIVE9_INVALID_INPUT', `invalid input for "${action.displayName}": ${issues.slice(0, 10).map((i) => `${i.message} (${i.rule})`).join('; ')}${issues.length > 10 ? `; and ${issues.length - 10} more` : ''}`, issues);
    }
    return action;
  }

  /** The method, path (with query) and JSON body an action's input becomes. */
  request(action: RestAction, input: Record<string, unknown>): { method: string; path: string; body?: string } {
    const used = new Set<string>();
    const path = action.http.path.replace(/\{([a-zA-Z][a-zA-Z0-9]*)\}/g, (_, name: string) => {
      if (name === DOMAIN_PLACEHOLDER) return encodeURIComponent(this.domainId);
      used.add(name);
      return encodeURIComponent(String(input[name]));
    });
    const rest = Object.entries(input).filter(([k, v]) => !used.has(k) && v !== undefined);
    const method = action.http.method;
    if (method === 'GET' || method === 'DELETE') {
      const q = new URLSearchParams();
      for (const [k, v] of rest) for (const x of Array.isArray(v) ? v : [v]) q.append(k, typeof x === 'object' ? JSON.stringify(x) : String(x));
      const qs = q.toString();
      return { method, path: `${this.basePath}${path}${qs ? `?${qs}` : ''}` };
    }
    return { method, path: `${this.basePath}${path}`, body: JSON.stringify(Object.fromEntries(rest)) };
  }

  /** Runs a REST action; with a name the manifest knows, its input and output are typed from the generated action map. */
  run<N extends RestActionName | (string & {})>(actionName: N, ...args: [...InputArg<RestActionOf<N>>, RestRunOptions?]): Promise<RestResult<RestActionOf<N>['output'], RestActionOf<N>['exit']>>;
  async run(actionName: string, input: Record<string, unknown> = {}, options: RestRunOptions = {}): Promise<RestResult> {
    try {
      return await this.send(this.validate(actionName, input), input, options);
    } catch (e) {
      throw this.scrub(e);
    }
  }

  private emit(e: RestEvent, options: RestRunOptions): void {
    this.onEvent?.(e);
    options.onEvent?.(e);
  }

  private async send(action: RestAction, input: Record<string, unknown>, options: RestRunOptions): Promise<RestResult> {
    const { signal } = options;
    const req = this.request(action, input);
    let refreshed = false;
    let limited = 0;
    let attempt = 0;
    for (;;) {
      if (signal?.aborted) throw interrupted();
      const token = await this.token(signal, options);
      if (token.scopes && !hasScope(token.scopes, action.scope)) {
        throw new Five9Error('FIVE9_REST_SCOPE', `consumer key "${this.consumerKey}" lacks scope ${action.scope}, which "${action.displayName}" needs (granted: ${token.scopes.join(', ') || 'none'}); nothing was sent`, {
          details: { scope: action.scope, granted: token.scopes, consumerKey: this.consumerKey },
        });
      }
      const settle = await this.pace(action, signal, options);
      attempt++;
      this.requests++;
      await options.beforeSend?.();
      const answer = await this.http
        .request({
          method: req.method,
          path: req.path,
          headers: { ...(options.headers ?? {}), ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}), authorization: `Bearer ${token.value}` },
          body: req.body,
          signal: options.letRequestFinish ? undefined : signal,
        })
        .finally(settle);
      this.emit({ type: 'request', action: action.id, method: req.method, path: req.path, status: answer.status, at: this.clock.now(), attempt }, options);
      await options.afterAnswer?.(answer.status);
      const e = answer.status >= 400 ? errorBody(answer.body) : {};
      const said = `${e.code ? ` ${e.code}` : ''}${e.message ? `: ${e.message}` : ''}`;
      if (answer.status === 401) {
        this.tokens.invalidate(token.value);
        if (!refreshed) {
          refreshed = true;
          continue;
        }
        throw new Five9Error('FIVE9_REST_AUTH', `Five9 refused the token of consumer key "${this.consumerKey}" for "${action.displayName}" even after fetching a new one (HTTP 401${said})`, {
          details: { status: 401, consumerKey: this.consumerKey, ...(e.code ? { reason: e.code } : {}) },
        });
      }
      if (answer.status === 429) {
        limited++;
        const ms = retryAfterMs(answer.headers['retry-after'], this.clock.now()) ?? Math.min(60_000, 1000 * 2 ** limited);
        if (limited > this.maxRetries || ms > this.maxRetryAfterMs) {
          throw new Five9Error('FIVE9_RATE_LIMITED', `Five9 answered 429 Too Many Requests to "${action.displayName}" ${limited} time(s)${ms > this.maxRetryAfterMs ? `, asking to wait ${Math.ceil(ms / 1000)} s` : ''}; the request was not accepted`, {
            details: { status: 429, retries: limited - 1, retryAfterMs: ms },
          });
        }
        const at = this.clock.now();
        this.emit({ type: 'wait', reason: 'retry-after', action: action.id, ms, at, until: at + ms }, options);
        await this.sleep(ms, signal);
        continue;
      }
      if (answer.status === 403) {
        throw new Five9Error('FIVE9_REST_SCOPE', `Five9 refused "${action.displayName}" for consumer key "${this.consumerKey}" (HTTP 403${said}); it needs scope ${action.scope}`, {
          details: { status: 403, scope: action.scope, consumerKey: this.consumerKey, ...(e.code ? { reason: e.code } : {}) },
        });
      }
      if (answer.status >= 300) {
        throw new Five9Error('FIVE9_HTTP', `Five9 answered HTTP ${answer.status} to "${action.displayName}"${said}`, {
          details: { status: answer.status, ...(e.code ? { reason: e.code } : {}), ...(e.message ? { reasonMessage: e.message } : {}) },
        });
      }
      let output: unknown = null;
      if (answer.body.trim()) {
        try {
          output = JSON.parse(answer.body);
        } catch {
          throw new Five9Error('FIVE9_BAD_RESPONSE', `the answer to "${action.displayName}" is not JSON (HTTP ${answer.status}, ${answer.headers['content-type'] ?? 'no content type'})`);
        }
      }
      const issues = this.manifest.registry.check(action.output as JsonSchema, output, 'output');
      if (issues.length) {
        throw new Five9InputError('FIVE9_INVALID_OUTPUT', `the answer to "${action.displayName}" does not match its schema: ${issues.slice(0, 10).map((i) => i.message).join('; ')}`, issues);
      }
      return { action: action.displayName, exit: 'success', output, status: answer.status, headers: answer.headers, requests: attempt };
    }
  }

  private async token(signal: AbortSignal | undefined, options: RestRunOptions): Promise<AccessToken> {
    const before = this.tokens.fetches;
    const t = await this.tokens.token(signal);
    if (this.tokens.fetches !== before) this.emit({ type: 'token', at: this.clock.now(), expiresAt: t.expiresAt, scopes: t.scopes }, options);
    return t;
  }

  /**
   * Waits on the clock until the action's quota class allows one more request, then counts it;
   * returns what to call when the answer comes (the request then counts from its answer).
   */
  private async pace(action: RestAction, signal: AbortSignal | undefined, options: RestRunOptions): Promise<() => Promise<void>> {
    if (!this.quota || !action.quotaClass) return async () => undefined;
    for (;;) {
      try {
        return await this.quota.take(action.quotaClass);
      } catch (e) {
        if (!(e instanceof Five9QuotaError)) throw e;
        const at = this.clock.now();
        const ms = Math.max(1, e.retryAt - at);
        this.emit({ type: 'wait', reason: 'pace', action: action.id, ms, at, until: at + ms }, options);
        await this.sleep(ms, signal);
      }
    }
  }

  /** Waits on the clock; an abort ends the wait at once, its timer cleared (Ctrl-C exits now, not after Retry-After). */
  private async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw interrupted();
    await this.clock.sleep(ms, signal);
    if (signal?.aborted) throw interrupted();
  }

  /** Errors leave with the secret and tokens removed from their text. */
  private scrub(e: unknown): unknown {
    if (e instanceof Error) {
      e.message = this.redactor.text(e.message);
      if (e.stack) e.stack = this.redactor.text(e.stack);
      if (e instanceof Five9Error) Object.assign(e.details, this.redactor.value(e.details));
    }
    return e;
  }

  async close(): Promise<void> {
    await this.http.close();
    if (this.tokenHttp !== this.http) await this.tokenHttp.close();
    await this.coordination.release();
  }
}

function interrupted(): Five9Error {
  return new Five9Error('FIVE9_INTERRUPTED', 'stopped before the request was sent', { details: { sent: false } });
}
