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

/** The body as text; BodyTooLarge once more than `limit` bytes arrived (the rest is not read). */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new BodyTooLarge(`more than ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads and drops a body (up to the limit) so the connection can serve the next request. */
export async function drain(req: IncomingMessage, limit: number): Promise<boolean> {
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) return false;
  }
  return true;
}

/** Answers and closes the connection: what is left of the request body is not read. */
export function answerAndClose(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, connection: 'close', 'content-length': Buffer.byteLength(body) });
  res.end(body, () => res.socket?.destroySoon?.());
}

export function sizeLimitText(limit: number): string {
  return `Request body larger than ${limit} bytes`;
}
