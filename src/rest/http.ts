import { Client, errors as undiciErrors } from 'undici';
import { Five9Error } from '../errors';
import { assertSecureUrl } from '../transport';

export interface RestRequest {
  method: string;
  /** Path (and query) under the base URL's origin, starting with /. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RestAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * JSON over HTTPS (plain HTTP only to this machine, as for SOAP): one keep-alive undici connection
 * per origin, a time-out and a size limit per answer. Knows nothing of tokens: the caller sets the
 * Authorization header, and no header or body is ever put into an error.
 */
export class RestHttp {
  readonly origin: string;
  private readonly client: Client;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private closed = false;

  constructor(url: string, options: { timeoutMs?: number; maxResponseBytes?: number } = {}) {
    const u = assertSecureUrl(url);
    this.origin = u.origin;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
    this.client = new Client(u.origin, { keepAliveTimeout: 30_000 });
  }

  async request(r: RestRequest): Promise<RestAnswer> {
    if (this.closed) throw new Five9Error('FIVE9_TRANSPORT', 'the connection was closed');
    const timeoutMs = r.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = r.signal ? AbortSignal.any([timeout, r.signal]) : timeout;
    try {
      const res = await this.client.request({
        method: r.method as 'GET',
        path: r.path,
        headers: { accept: 'application/json', ...(r.headers ?? {}) },
        body: r.body,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += chunk.length;
        if (size > this.maxResponseBytes) {
          res.body.destroy();
          throw new Five9Error('FIVE9_RESPONSE_TOO_LARGE', `the answer exceeded ${this.maxResponseBytes} bytes and was abandoned`, { details: { maxResponseBytes: this.maxResponseBytes } });
        }
        chunks.push(chunk);
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
      return { status: res.statusCode, headers, body: Buffer.concat(chunks, size).toString('utf8') };
    } catch (e) {
      if (e instanceof Five9Error) throw e;
      const err = e as Error & { code?: string };
      const host = new URL(this.origin).host;
      if (r.signal?.aborted) throw new Five9Error('FIVE9_INTERRUPTED', `the request to ${host} was abandoned: the upload was stopped`);
      if (timeout.aborted || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
        throw new Five9Error('FIVE9_TIMEOUT', `no complete answer from ${host} within ${timeoutMs} ms`, { details: { timeoutMs } });
      }
      if (err instanceof undiciErrors.ResponseContentLengthMismatchError || (err instanceof undiciErrors.SocketError && /closed/i.test(err.message))) {
        throw new Five9Error('FIVE9_BAD_RESPONSE', `the answer from ${host} was cut off (${err.message})`);
      }
      throw new Five9Error('FIVE9_TRANSPORT', `request to ${host} failed: ${err.code ?? ''} ${err.message}`.trim(), { details: { cause: err.code } });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }
}

/** Five9's JSON error body, read leniently: {code, message}, {error: {code, message}} or OAuth's {error, error_description}. */
export function errorBody(body: string): { code?: string; message?: string } {
  let j: any;
  try {
    j = JSON.parse(body);
  } catch {
    return {};
  }
  if (!j || typeof j !== 'object') return {};
  const inner = j.error && typeof j.error === 'object' ? j.error : j;
  const code = typeof inner.code === 'string' ? inner.code : typeof j.error === 'string' ? j.error : undefined;
  const message = [inner.message, j.error_description, j.message].find((m) => typeof m === 'string');
  return { code, message };
}

/** Retry-After in ms: delta-seconds or an HTTP date (against `now`); undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
