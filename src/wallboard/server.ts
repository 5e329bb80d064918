import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { Five9Error } from '../errors';
import { packageRoot } from '../util/paths';
import type { FeedHub } from './hub';

export interface WallboardServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** The built page (default dist/wallboard of the package). */
  assetsDir?: string;
  /** Heartbeat period in ms (default 5 s): lets the page tell a dead connection from a quiet floor. */
  beatMs?: number;
  /** A tab whose unsent output passes this many bytes is dropped (it reconnects and gets full tables). */
  maxBufferedBytes?: number;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

// Nothing outside this server is loaded or contacted by the page.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function defaultAssetsDir(): string {
  return join(packageRoot(), 'dist', 'wallboard');
}

/**
 * The wallboard's HTTP server on 127.0.0.1: the built page and its assets, and `/events`, a
 * Server-Sent Events stream per tab fed by the shared FeedHub. EventSource reconnects by itself
 * (after `retry`, 1 s) and every new connection starts with full tables, so a dropped network or a
 * restarted server resynchronises the page without a reload. Requests whose Host is not this
 * loopback address are refused (a DNS-rebinding page cannot read the board).
 */
export class WallboardServer {
  private server?: Server;
  private readonly streams = new Set<ServerResponse>();
  private readonly files = new Map<string, { body: Buffer; type: string }>();
  private beat?: NodeJS.Timeout;
  private port = 0;

  constructor(
    private readonly hub: FeedHub,
    private readonly options: WallboardServerOptions,
  ) {}

  async start(): Promise<{ url: string; port: number }> {
    this.load(this.options.assetsDir ?? defaultAssetsDir());
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(e.code === 'EADDRINUSE' ? new Five9Error('FIVE9_CONFIG', `port ${this.options.port} on 127.0.0.1 is in use: choose another with --port (0 picks a free one)`) : e),
      );
      server.listen(this.options.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    this.beat = setInterval(() => this.hub.broadcast({ t: 'beat', now: 0 }), this.options.beatMs ?? 5000).unref();
    return { url: `http://127.0.0.1:${this.port}`, port: this.port };
  }

  get connections(): number {
    return this.streams.size;
  }

  /** Ends every stream and stops listening. */
  async stop(): Promise<void> {
    clearInterval(this.beat);
    for (const res of this.streams) res.end();
    this.streams.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** The built page is read once: it is small, and a rebuild under a running board must not mix versions. */
  private load(dir: string): void {
    const index = join(dir, 'index.html');
    if (!existsSync(index)) throw new Five9Error('FIVE9_CONFIG', `the wallboard page is not built (${index} is missing): run npm run build`);
    this.files.set('/', { body: readFileSync(index), type: TYPES['.html'] });
    const assets = join(dir, 'assets');
    for (const f of existsSync(assets) ? readdirSync(assets) : []) {
      const type = TYPES[extname(f)];
      if (type) this.files.set(`/assets/${f}`, { body: readFileSync(join(assets, f)), type });
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${this.port}` && host !== `localhost:${this.port}`) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('wrong host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const url = new URL(req.url ?? '/', `http://${host}`);
    if (url.pathname === '/events') return this.events(url, req, res);
    const file = this.files.get(url.pathname === '/index.html' ? '/' : url.pathname);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': file.body.length,
      // Assets carry a content hash in their names; the page itself is always asked for again.
      'cache-control': url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  private events(url: URL, req: IncomingMessage, res: ServerResponse): void {
    const types = url.searchParams.get('types')?.split(',').map((t) => t.trim()).filter(Boolean);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...SECURITY_HEADERS,
    });
    res.write('retry: 1000\n\n');
    const max = this.options.maxBufferedBytes ?? 32 * 1024 * 1024;
    let leave: (() => void) | undefined;
    const drop = () => {
      this.streams.delete(res);
      leave?.();
      leave = undefined;
    };
    req.on('close', drop);
    res.on('error', drop);
    this.streams.add(res);
    try {
      leave = this.hub.subscribe(types, (data) => {
        if (res.writableLength > max) {
          // A tab that cannot keep up: drop it rather than hold its backlog; it reconnects to full tables.
          drop();
          res.destroy();
          return;
        }
        res.write(`data: ${data}\n\n`);
      });
    } catch {
      drop();
      res.end();
    }
  }
}
