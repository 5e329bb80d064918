import { Client, errors as undiciErrors } from 'undici';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';
import type { Coordinator, SlotInfo } from '../coordination';
import { Five9Error } from '../errors';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

export interface TransportOptions {
  url: string;
  username: string;
  password: string;
  /** Time-out of an ordinary request, in ms (default 30 s). Long polls pass their own. */
  timeoutMs?: number;
  /** Largest answer accepted, decompressed, in bytes (default 64 MiB: a 5,000-agent snapshot is ~6 MB). */
  maxResponseBytes?: number;
  /** Extra headers (never the Authorization header: it is built here). */
  headers?: Record<string, string>;
  /**
   * Where this credential's one request at a time is kept across processes (see
   * src/coordination); without one, only the Transports of this process take turns.
   */
  coordinator?: Coordinator;
}

export interface PostOptions {
  /** Runs while the slot is held, just before sending; throwing sends nothing (a quota refusal). */
  beforeSend?: () => void | Promise<void>;
  /** Told when the slot is held: how long the request waited for it, and whether anyone was ahead. */
  onSlot?: (info: SlotInfo) => void;
}

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/;

/** Five9 takes credentials only over TLS; plain HTTP is allowed to this machine (simulator, tests). */
export function assertSecureUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not quoted back: a URL that does not parse may still hold a password.
    throw new Five9Error('FIVE9_CONFIG', 'the endpoint is not a URL (expected https://host[:port][/path]; it is not shown, as it may hold a password)');
  }
  if (u.protocol === 'https:') return u;
  if (u.protocol === 'http:' && LOOPBACK.test(u.hostname)) return u;
  throw new Five9Error('FIVE9_CONFIG', `endpoint ${u.protocol}//${u.host} must use https (plain http is allowed only to 127.0.0.1, localhost or ::1)`, {
    details: { endpoint: `${u.protocol}//${u.host}` },
  });
}

/**
 * What the Transports of one credential share: one undici Client (one keep-alive connection) and
 * the queue in front of it. Five9 denies concurrent requests with the same credentials, so every
 * Transport of the same origin and user, in this process, waits for the one before it.
 */
interface Channel {
  key: string;
  client: Client;
  tail: Promise<unknown>;
  users: number;
  /** Requests of this process queued or in flight. */
  depth: number;
}

const channels = new Map<string, Channel>();

/** The sharing key: the origin and the user name (Five9's rule is per credential, whatever the version path). */
function channelKey(url: URL, username: string): string {
  return `${url.origin}\n${username}`;
}

/** The key of a credential's one-request slot in a shared coordinator. */
export function slotKey(url: URL, username: string): string {
  return `${url.origin}|${username}`;
}

function acquireChannel(url: URL, username: string): Channel {
  const key = channelKey(url, username);
  let ch = channels.get(key);
  if (!ch) {
    ch = { key, client: new Client(url.origin, { pipelining: 1, keepAliveTimeout: 30_000 }), tail: Promise.resolve(), users: 0, depth: 0 };
    channels.set(key, ch);
  }
  ch.users++;
  return ch;
}

async function releaseChannel(ch: Channel): Promise<void> {
  if (--ch.users > 0) return;
  if (channels.get(ch.key) === ch) channels.delete(ch.key);
  await ch.tail;
  await ch.client.close();
}

/** How many Transports share the channel of this endpoint and user (0 when none is open). */
export function sharedTransportCount(url: string, username: string): number {
  return channels.get(channelKey(new URL(url), username))?.users ?? 0;
}

/**
 * The deadline of one exchange. undici takes an EventEmitter as its abort signal, which costs a
 * small call noticeably less than an AbortSignal.timeout (see `npm run bench`).
 */
class Deadline {
  readonly emitter = new EventEmitter();
  aborted = false;
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.timer = setTimeout(() => {
      this.aborted = true;
      this.emitter.emit('abort');
    }, ms);
    this.timer.unref();
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** The whole body, abandoned as soon as it grows past `max` bytes. */
function readBody(body: Readable, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        body.destroy();
        reject(new Five9Error('FIVE9_RESPONSE_TOO_LARGE', `the answer exceeded ${max} bytes and was abandoned`, { details: { maxResponseBytes: max } }));
        return;
      }
      chunks.push(chunk);
    });
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    body.once('error', reject);
  });
}

/**
 * A SOAP POST sender for one endpoint and credential. Transports of the same origin and user share
 * one connection and one queue (reference-counted: the connection closes with the last of them),
 * so a second call, from this or another client, waits for the first instead of being sent
 * alongside it. Each Transport keeps its own credential, time-out and size limit.
 */
export class Transport {
  readonly url: URL;
  readonly username: string;
  private readonly authorization: string;
  private readonly channel: Channel;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly headers: Record<string, string>;
  private readonly coordinator?: Coordinator;
  private readonly slot: string;
  /** The last request of this Transport in the shared queue. */
  private last: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: TransportOptions) {
    this.url = assertSecureUrl(options.url);
    this.username = options.username;
    this.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
    this.headers = options.headers ?? {};
    this.coordinator = options.coordinator;
    this.slot = slotKey(this.url, this.username);
    this.channel = acquireChannel(this.url, this.username);
  }

  /**
   * POSTs a SOAP body; calls of every Transport of this origin and user are strictly sequential in
   * this process, and, with a coordinator, across every process sharing it.
   */
  post(body: string, timeoutMs = this.timeoutMs, options: PostOptions = {}): Promise<HttpAnswer> {
    const ch = this.channel;
    const asked = performance.now();
    const aheadHere = ch.depth++ > 0;
    const exchange = async () => {
      await options.beforeSend?.();
      return this.send(body, timeoutMs);
    };
    const run = (): Promise<HttpAnswer> => {
      if (!this.coordinator) {
        options.onSlot?.({ waitedMs: performance.now() - asked, queued: aheadHere });
        return exchange();
      }
      return this.coordinator.exclusive(this.slot, exchange, {
        onAcquired: (info) => options.onSlot?.({ waitedMs: performance.now() - asked, queued: aheadHere || info.queued }),
      });
    };
    const result = ch.tail.then(run, run);
    // The queue keeps the order, not the answer (a 5 MB snapshot would stay alive until the next call).
    const settled = () => {
      ch.depth--;
    };
    ch.tail = this.last = result.then(settled, settled);
    return result;
  }

  private async send(body: string, timeoutMs: number): Promise<HttpAnswer> {
    if (this.closed) throw new Five9Error('FIVE9_TRANSPORT', 'the connection was closed');
    const signal = new Deadline(timeoutMs);
    try {
      const res = await this.channel.client.request({
        method: 'POST',
        path: this.url.pathname + this.url.search,
        headers: {
          ...this.headers,
          'content-type': 'text/xml;charset=UTF-8',
          soapaction: '""',
          'accept-encoding': 'gzip, deflate',
          authorization: this.authorization,
        },
        body,
        signal: signal.emitter,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      let raw = await readBody(res.body, this.maxResponseBytes);
      const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
      if (encoding === 'gzip' || encoding === 'deflate') {
        const opts = { maxOutputLength: this.maxResponseBytes };
        try {
          raw = encoding === 'gzip' ? await gunzipAsync(raw, opts) : await inflateAsync(raw, opts);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
            throw new Five9Error('FIVE9_RESPONSE_TOO_LARGE', `the decompressed answer exceeded ${this.maxResponseBytes} bytes`, { details: { maxResponseBytes: this.maxResponseBytes } });
          }
          throw new Five9Error('FIVE9_BAD_RESPONSE', `the ${encoding} answer could not be decompressed: ${(e as Error).message}`);
        }
      }
      return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body: raw.toString('utf8') };
    } catch (e) {
      throw this.wrap(e, timeoutMs, signal);
    } finally {
      signal.clear();
    }
  }

  private wrap(e: unknown, timeoutMs: number, signal: { aborted: boolean }): Five9Error {
    if (e instanceof Five9Error) return e;
    const err = e as Error & { code?: string };
    if (signal.aborted || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || err.name === 'TimeoutError') {
      return new Five9Error('FIVE9_TIMEOUT', `no complete answer from ${this.url.host} within ${timeoutMs} ms`, { details: { timeoutMs } });
    }
    if (err instanceof undiciErrors.ResponseContentLengthMismatchError || err instanceof undiciErrors.SocketError && /closed/i.test(err.message)) {
      return new Five9Error('FIVE9_BAD_RESPONSE', `the answer from ${this.url.host} was cut off (${err.message})`);
    }
    return new Five9Error('FIVE9_TRANSPORT', `request to ${this.url.host} failed: ${err.code ?? ''} ${err.message}`.trim(), { details: { cause: err.code } });
  }

  /** Waits for this Transport's requests, then releases the shared connection (closed with its last user). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.last;
    await releaseChannel(this.channel);
  }
}
