import type { Clock } from '../clock';
import { Five9Error } from '../errors';
import type { Redactor } from '../util/redact';
import { type RestHttp, errorBody } from './http';

export interface AccessToken {
  /** The bearer token; added to the redactor as soon as it arrives, never shown. */
  value: string;
  /** When it expires, on the client's clock (epoch ms). */
  expiresAt: number;
  /** The scopes the token response granted; undefined when it did not say (then the server decides). */
  scopes?: string[];
}

export interface TokenClientOptions {
  http: RestHttp;
  /** Path (and query) of the token endpoint on the http's origin. */
  path: string;
  consumerKey: string;
  consumerSecret: string;
  clock: Clock;
  redactor: Redactor;
  /** A cached token is replaced this long before it expires (default 60 s). */
  refreshMarginMs?: number;
  timeoutMs?: number;
}

/**
 * OAuth2 client credentials for Five9's API Access Control: POST the token endpoint with HTTP Basic
 * consumerKey:consumerSecret and grant_type=client_credentials. The token is cached until
 * refreshMarginMs before it expires; concurrent callers share one fetch.
 */
export class TokenClient {
  /** How many tokens were fetched (tests and the upload report read it). */
  fetches = 0;
  private current?: AccessToken;
  private pending?: Promise<AccessToken>;
  private readonly basic: string;

  constructor(private readonly options: TokenClientOptions) {
    this.basic = Buffer.from(`${options.consumerKey}:${options.consumerSecret}`).toString('base64');
    options.redactor.add(options.consumerSecret).add(this.basic).addBasic(options.consumerKey, options.consumerSecret);
  }

  /** A token valid for at least the refresh margin: the cached one, or a new one. */
  async token(signal?: AbortSignal): Promise<AccessToken> {
    const c = this.current;
    if (c && this.options.clock.now() < c.expiresAt - (this.options.refreshMarginMs ?? 60_000)) return c;
    this.pending ??= this.fetch(signal).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets a token the server refused, so the next token() fetches a new one. */
  invalidate(value?: string): void {
    if (!value || this.current?.value === value) this.current = undefined;
  }

  private async fetch(signal?: AbortSignal): Promise<AccessToken> {
    const { http, path, consumerKey, clock, redactor } = this.options;
    const requestedAt = clock.now();
    this.fetches++;
    const answer = await http.request({
      method: 'POST',
      path,
      headers: { authorization: `Basic ${this.basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
      timeoutMs: this.options.timeoutMs,
      signal,
    });
    const host = new URL(http.origin).host;
    if (answer.status === 400 || answer.status === 401 || answer.status === 403) {
      const e = errorBody(answer.body);
      throw new Five9Error('FIVE9_REST_AUTH', redactor.text(`Five9 refused consumer key "${consumerKey}" at ${host} (HTTP ${answer.status}${e.code ? ` ${e.code}` : ''}${e.message ? `: ${e.message}` : ''})`), {
        details: { status: answer.status, consumerKey, ...(e.code ? { reason: redactor.text(e.code) } : {}) },
      });
    }
    if (answer.status >= 300) {
      throw new Five9Error('FIVE9_HTTP', `the token endpoint at ${host} answered HTTP ${answer.status}`, { details: { status: answer.status } });
    }
    let j: any;
    try {
      j = JSON.parse(answer.body);
    } catch {
      throw new Five9Error('FIVE9_BAD_RESPONSE', `the token endpoint at ${host} did not answer JSON`);
    }
    if (!j || typeof j.access_token !== 'string' || !j.access_token) {
      throw new Five9Error('FIVE9_BAD_RESPONSE', `the token endpoint at ${host} answered no access_token`);
    }
    if (j.token_type !== undefined && String(j.token_type).toLowerCase() !== 'bearer') {
      throw new Five9Error('FIVE9_BAD_RESPONSE', `the token endpoint at ${host} answered a ${String(j.token_type).slice(0, 20)} token, not a bearer token`);
    }
    redactor.add(j.access_token);
    const expiresIn = Number(j.expires_in);
    const token: AccessToken = {
      value: j.access_token,
      // Measured from when the request left, so a slow answer never makes the token look younger.
      expiresAt: requestedAt + (Number.isFinite(expiresIn) && expiresIn >= 0 ? expiresIn * 1000 : 3600_000),
      scopes: typeof j.scope === 'string' ? j.scope.split(/\s+/).filter(Boolean) : Array.isArray(j.scope) ? j.scope.map(String) : undefined,
    };
    this.current = token;
    return token;
  }
}

/** Whether a granted scope list has the scope (Five9 spells Campaigns:read with a capital; compared without regard to case). */
export function hasScope(granted: string[], scope: string): boolean {
  const s = scope.toLowerCase();
  return granted.some((g) => g.toLowerCase() === s);
}
