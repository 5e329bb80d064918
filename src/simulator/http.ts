import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The HTTP edge of the simulator, shared by its SOAP and REST sides: the request target, body size
 * limits and their answers. The order is the one a servlet container behind a front end uses: a
 * request line it cannot read (400) and a body over the limit (413) are refused before
 * credentials are looked at; the content type (415) after them.
 */

/** Largest request body accepted (bytes): Five9's requests are a few KB; 1,000 contacts are well under. */
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface RequestTarget {
  /** The path as sent (REST path parameters are matched on it and decoded one by one). */
  rawPath: string;
  /** The path, percent-decoded. */
  path: string;
  query: URLSearchParams;
}

/** The request's path and query, or undefined when the path's percent-escapes are malformed. */
export function requestTarget(raw: string | undefined): RequestTarget | undefined {
  const url = raw ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  return { rawPath, path, query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)) };
}

/** True when the declared length is over the limit (a chunked body is checked while it is read). */
export function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const len = Number(req.headers['content-length']);
  return Number.isFinite(len) && len > limit;
}

export class BodyTooLarge extends Error {}

/**
 * The body as text; BodyTooLarge once more than `limit` bytes arrived. Then the request is paused,
 * not destroyed, so the 413 can still be answered on its connection (see answerAndClose).
 */
export function readBody(req: IncomingMessage, limit: number, keep = true): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
      req.removeListener('close', onClose);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        done();
        req.pause();
        reject(new BodyTooLarge(`more than ${limit} bytes`));
      } else if (keep) chunks.push(c);
    };
    const onEnd = () => {
      done();
      resolve(keep ? Buffer.concat(chunks).toString('utf8') : '');
    };
    const onError = (e: Error) => {
      done();
      reject(e);
    };
    const onClose = () => {
      if (req.complete) return;
      done();
      reject(new Error('the client closed the connection before the body was complete'));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

/** Reads and drops a body; false when it is over the limit (then it is left paused, see readBody). */
export async function drain(req: IncomingMessage, limit: number): Promise<boolean> {
  try {
    await readBody(req, limit, false);
    return true;
  } catch (e) {
    if (e instanceof BodyTooLarge) return false;
    throw e;
  }
}

/** What is left of a refused body is read and dropped for at most this long and this much, so the client can read the answer. */
const LINGER_MS = 2_000;
const LINGER_BYTES = 16 * 1024 * 1024;

/**
 * Answers and closes the connection. The rest of the request body is read and dropped for a
 * little while (a lingering close): a client still sending then reads the answer instead of
 * meeting a reset. A body that goes on beyond LINGER_BYTES or LINGER_MS is cut off.
 */
export function answerAndClose(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, connection: 'close', 'content-length': Buffer.byteLength(body) });
  const req = res.req;
  if (!req || req.complete) {
    res.end(body);
    return;
  }
  // The whole answer goes out now; the response ends (and the connection closes) once the body
  // has been read and dropped, so the client never writes into a closed connection.
  res.write(body);
  let dropped = 0;
  const cut = () => req.socket.destroy();
  const timer = setTimeout(cut, LINGER_MS);
  timer.unref();
  req.on('data', (c: Buffer) => {
    dropped += c.length;
    if (dropped > LINGER_BYTES) cut();
  });
  req.once('end', () => {
    clearTimeout(timer);
    res.end();
  });
  req.once('close', () => clearTimeout(timer));
  req.resume();
}

export function sizeLimitText(limit: number): string {
  return `Request body larger than ${limit} bytes`;
}
