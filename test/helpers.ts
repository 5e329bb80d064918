/**
 * Shared test helpers: the real simulator, raw HTTP/TCP servers on 127.0.0.1 for transport edge
 * cases, and a logical clock. Not a test file (jest only runs *.test.ts).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../src/clock';
import { Five9Simulator, type SimulatorOptions } from '../src/simulator';

export const USER = 'demo';
export const PASSWORD = 'demo-secret';
export const NS = 'http://service.supervisor.ws.five9.com/';
export const ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

export async function startSimulator(options: SimulatorOptions = {}): Promise<{ sim: Five9Simulator; url: string }> {
  const sim = new Five9Simulator(options);
  const { url } = await sim.start(0);
  return { sim, url };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface RawHttpServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records each request (with its body) and lets `reply` answer it. */
export async function rawHttpServer(reply: (req: RecordedRequest, res: ServerResponse) => unknown): Promise<RawHttpServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(rec);
      Promise.resolve(reply(rec, res)).catch((e) => {
        if (!res.headersSent) res.writeHead(599);
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawTcpServer {
  url: string;
  /** Raw bytes received on every connection, in arrival order. */
  received: string[];
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 that hands each socket to `onSocket` (to answer, cut off, or never answer). */
export async function rawTcpServer(onSocket: (socket: Socket, received: string[]) => void): Promise<RawTcpServer> {
  const sockets = new Set<Socket>();
  const received: string[] = [];
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket, received);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads one HTTP request (headers and Content-Length body) from a raw socket, then calls `done`. */
export function onRequest(socket: Socket, received: string[], done: (raw: string) => void): void {
  let buf = '';
  socket.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const len = Number(/content-length:\s*(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
    if (buf.length - end - 4 < len) return;
    const raw = buf.slice(0, end + 4 + len);
    buf = buf.slice(end + 4 + len);
    received.push(raw);
    done(raw);
  });
}

/** A SOAP answer as Five9 sends it (env:/ns2: prefixes). */
export function soapAnswer(operation: string, inner: string): string {
  return `<env:Envelope xmlns:env="${ENV}"><env:Header/><env:Body><ns2:${operation}Response xmlns:ns2="${NS}">${inner}</ns2:${operation}Response></env:Body></env:Envelope>`;
}

/**
 * A logical clock: every reading is one tick later than the one before. The simulator stamps each
 * request's start and end with it, so the stamps give the order of events without measuring time.
 */
export function tickClock(start = Date.UTC(2026, 0, 5, 8, 0, 0)): Clock {
  let t = start;
  return {
    now: () => ++t,
    sleep: async () => undefined,
  };
}

/** Whitespace between elements removed (the guide's pretty-printed XML against the wire's). */
export function squeeze(xml: string): string {
  return xml.replace(/>\s+</g, '><').trim();
}

/** Awaits a promise expected to reject and returns the error (fails the test if it resolves). */
export async function rejectionOf(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Calls a function expected to throw and returns the error. */
export function thrownBy(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw, it returned');
}
