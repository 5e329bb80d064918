import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type Clock, systemClock } from '../clock';
import { type Manifest, type SoapAction, loadManifest, versionHas } from '../manifest';
import { isKnownVersion } from '../manifest/versions';
import type { JsonSchema } from '../schemas';
import { SoapCodec } from '../soap';
import { generateWsdl } from '../wsdl';
import { Domain, type DomainSize } from './domain';
import type { StatisticsEngine, StatisticsOptions } from './statistics';
import { HANDLERS } from './handlers';
import { type RestSimOptions, RestSimulator, type SimConsumer } from './rest';
import { QuotaCounters, type QuotaWindow, SimFault, type SimSession, type SimUser } from './state';

export interface SimulatorOptions {
  port?: number;
  /** Users allowed in (HTTP Basic); any other credential gets Five9's HTTP 401 HTML page. */
  users?: SimUser[];
  clock?: Clock;
  /** Domain limits by quota class; defaults to the manifest's (2/15/240 and 30/1200/24000). */
  quotas?: Record<string, QuotaWindow[]>;
  /** Extra time each request is held (real ms), to make overlaps observable in tests. */
  latencyMs?: number;
  /** Answer gzip-compressed when the client accepts it (default true, as Five9 may). */
  gzip?: boolean;
  manifest?: Manifest;
  /** Seed of the simulated contact centre (default 1): the same seed gives the same domain. */
  seed?: number;
  /** How many generated objects the domain holds besides its fixed ones. */
  size?: DomainSize;
  /** Caps the real wait of every long poll (ms), so tests need not wait the requested time-out. */
  longPollMaxMs?: number;
  /** The statistics engine's pace and batching (batches every 1–6 s by default). */
  statistics?: StatisticsOptions;
  /** Supervisor seats of the domain (getUserLimits' supervisorLimit); a session beyond them gets UserLimitReachedFault. */
  supervisorSeats?: number;
  /** REST side: API Access Control consumers (key, secret, granted scopes) the token endpoint accepts. */
  consumers?: SimConsumer[];
  /** REST side: domain id, token lifetime, dialing lists, do-not-call numbers. */
  rest?: RestSimOptions;
  /** Told of every HTTP request as it arrives, before authentication (`five9 simulator --log-requests`). */
  onRequest?: (request: { method: string; path: string }) => void;
}

/** One request as the simulator saw it, for tests: never includes credentials beyond the user name. */
export interface SimRequestRecord {
  user: string;
  operation: string;
  version: string;
  startedAt: number;
  endedAt: number;
  outcome: string;
}

export interface SimulatorContext {
  user: string;
  now: number;
  version: string;
  session?: SimSession;
  sessions: Map<string, SimSession>;
  quotas: QuotaCounters;
  idleTimeOut: { min: number; max: number; default: number };
  /** The seeded contact centre the actions read and change. */
  domain: Domain;
  supervisorSeats?: number;
}

const SERVICE_PATH = /^\/wssupervisor(?:\/(v\d+(?:_\d+)?))?\/SupervisorWebService\/?$/;

const UNAUTHORIZED_HTML = `<html><head><title>JBoss Web/7.0.13.Final - Error report</title></head><body><h1>HTTP Status 401 - </h1><HR size="1" noshade="noshade"><p><b>type</b> Status report</p><p><b>message</b> <u></u></p><p><b>description</b> <u>This request requires HTTP authentication.</u></p><HR size="1" noshade="noshade"><h3>JBoss Web/7.0.13.Final</h3></body></html>`;

/**
 * An embedded Five9 Supervisor Web Service on 127.0.0.1: Five9's paths for every version, HTTP
 * Basic authentication, one session per user with its idle time-out on an injectable clock, the
 * domain limits, faults shaped as Five9 sends them, and ?wsdl generated from the manifest.
 */
export class Five9Simulator {
  readonly manifest: Manifest;
  readonly clock: Clock;
  readonly sessions = new Map<string, SimSession>();
  readonly quotas: QuotaCounters;
  readonly requests: SimRequestRecord[] = [];
  readonly domain: Domain;
  /** The REST side (token endpoint, campaigns, lists, contacts) on the same server. */
  readonly rest: RestSimulator;
  /** Requests that arrived while another of the same user was in flight (Five9 denies them). */
  overlaps = 0;
  /** Sessions that ended because their Idle Time Out passed. */
  expiries = 0;
  /** While true, every request answers ServiceUnavailableFault (Five9's maintenance windows). */
  serviceUnavailable = false;
  /** Seats for supervisors, API sessions included; undefined: the domain's own (supervisors + 5). */
  supervisorSeats?: number;
  private readonly users = new Map<string, string>();
  private readonly accounts = new Map<string, SimUser['account']>();
  /** Users whose session another login closed; their next request answers SessionClosedFault. */
  private readonly closedElsewhere = new Set<string>();
  private readonly inFlight = new Map<string, number>();
  private readonly codec: SoapCodec;
  private server?: Server;
  private readonly options: SimulatorOptions;

  constructor(options: SimulatorOptions = {}) {
    this.options = options;
    this.manifest = options.manifest ?? loadManifest();
    this.clock = options.clock ?? systemClock;
    for (const u of options.users ?? [{ username: 'demo', password: 'demo-secret' }]) {
      this.users.set(u.username, u.password);
      this.accounts.set(u.username, u.account ?? 'active');
    }
    this.supervisorSeats = options.supervisorSeats;
    const defaults = Object.fromEntries(Object.entries(this.manifest.raw.quotaClasses).filter(([, v]) => v.protocol !== 'rest').map(([k, v]) => [k, v.windows]));
    this.quotas = new QuotaCounters({ ...defaults, ...(options.quotas ?? {}) }, this.clock);
    this.codec = new SoapCodec(this.manifest.registry, this.manifest.raw.protocol.namespace);
    this.domain = new Domain({ seed: options.seed, size: options.size, clock: this.clock, longPollMaxMs: options.longPollMaxMs, statistics: options.statistics });
    this.rest = new RestSimulator(this, options.consumers ?? [{ key: 'demo-key', secret: 'demo-consumer-secret' }], options.rest);
  }

  async start(port = this.options.port ?? 0): Promise<{ url: string; port: number }> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`simulator error: ${(e as Error).message}`);
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    const actual = (this.server.address() as AddressInfo).port;
    return { url: `http://127.0.0.1:${actual}`, port: actual };
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | null;
    if (!addr) throw new Error('simulator is not started');
    return `http://127.0.0.1:${addr.port}`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    // Pending long polls answer now and the simulated agents stop, so nothing keeps the server open.
    this.domain.dispose();
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** The user logs in elsewhere with the same credentials (the Supervisor desktop, another client): the API session closes. */
  loginElsewhere(user: string): void {
    if (this.sessions.delete(user)) this.closedElsewhere.add(user);
  }

  /** Changes what Five9's administrator set for an account (see SimUser.account). */
  setAccount(user: string, account: NonNullable<SimUser['account']>): void {
    this.accounts.set(user, account);
  }

  /** True while a request of the user is being answered. */
  busy(user: string): boolean {
    return (this.inFlight.get(user) ?? 0) > 0;
  }

  /** The live statistics: `table(type)` is the truth clients converge to; control methods change the domain. */
  get statistics(): StatisticsEngine {
    return this.domain.statistics;
  }

  /** The session of a user as the server holds it now (after expiring it if its time has come). */
  sessionOf(user: string): SimSession | undefined {
    this.expire(user);
    return this.sessions.get(user);
  }

  private expire(user: string): void {
    const s = this.sessions.get(user);
    if (s && this.clock.now() - s.lastActivity > s.idleTimeOutMs) {
      this.sessions.delete(user);
      this.expiries++;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    this.options.onRequest?.({ method: req.method ?? '?', path: url.pathname });
    if (this.rest.handles(url.pathname)) return this.rest.handle(req, res, url);
    const m = SERVICE_PATH.exec(url.pathname);
    const version = m?.[1] ?? 'default';
    if (!m || !isKnownVersion(this.manifest.raw, version)) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body><h1>HTTP Status 404</h1></body></html>');
      return;
    }
    if (req.method === 'GET' && url.searchParams.has('wsdl')) {
      const wsdl = generateWsdl(this.manifest, { version, location: `${this.url}${url.pathname}` });
      res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' }).end(wsdl);
      return;
    }
    const user = this.authenticate(req.headers.authorization);
    if (!user) {
      await drain(req);
      res.writeHead(401, { 'content-type': 'text/html;charset=utf-8', 'www-authenticate': 'Basic realm="ApplicationRealm"' }).end(UNAUTHORIZED_HTML);
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    const body = await readBody(req);
    const startedAt = this.clock.now();
    const flying = (this.inFlight.get(user) ?? 0) + 1;
    this.inFlight.set(user, flying);
    let operation = '?';
    let outcome = 'ok';
    let declared: string[] | undefined;
    try {
      if (flying > 1) {
        this.overlaps++;
        throw new SimFault('ServerFault', { message: 'Concurrent requests with the same credentials are denied' });
      }
      if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
      let parsed;
      try {
        parsed = this.codec.decodeRequest(body);
      } catch (e) {
        return this.send(req, res, 500, this.clientFault(`Unmarshalling Error: ${(e as Error).message}`));
      }
      operation = parsed.operation;
      const action = this.manifest.soapActions.find((a) => a.operation === operation);
      declared = action?.faults;
      if (!action || !versionHas(version, action.versions.since)) {
        outcome = 'no such operation';
        return this.send(req, res, 500, this.clientFault(`Cannot find dispatch method for {${this.manifest.raw.protocol.namespace}}${operation}`));
      }
      const output = await this.dispatch(action, user, version, this.codec.decodeInput(parsed.node, action.input as JsonSchema));
      this.send(req, res, 200, this.codec.response(action.operation, action.result, output, action.output as JsonSchema));
    } catch (e) {
      if (!(e instanceof SimFault)) throw e;
      outcome = e.fault;
      if (declared && !declared.includes(e.fault)) {
        // JAX-WS sends an exception the operation does not declare as a bare fault, without detail.
        this.send(req, res, 500, this.codec.serverFault(e.message));
      } else this.send(req, res, 500, this.codec.fault(e.fault, { ...e.fields, message: e.fields.message ?? e.message }));
    } finally {
      this.inFlight.set(user, (this.inFlight.get(user) ?? 1) - 1);
      this.requests.push({ user, operation, version, startedAt, endedAt: this.clock.now(), outcome });
    }
  }

  private async dispatch(action: SoapAction, user: string, version: string, input: Record<string, unknown>): Promise<unknown> {
    // The order Five9 checks in: service, account, session; then arguments, limits, the method.
    if (this.serviceUnavailable) throw new SimFault('ServiceUnavailableFault', { message: 'Web Services are not available.' });
    const account = this.accounts.get(user);
    if (account === 'disabled') throw new SimFault('InvalidAccountFault', { message: `Invalid account: user ${user} is disabled.` });
    if (account === 'no-api-access') throw new SimFault('AccessDisallowedFault', { message: `User ${user} does not have access to the Five9 Web Services.` });
    const starting = action.id === this.manifest.raw.session.startAction;
    if (this.closedElsewhere.has(user)) {
      this.closedElsewhere.delete(user);
      if (!starting) throw new SimFault('SessionClosedFault', { message: 'The session was closed: another session started with the same credentials.' });
    }
    this.expire(user);
    const session = this.sessions.get(user);
    if (action.requiresSession && !session) {
      throw new SimFault('SessionNotInitializedFault', { message: 'Session was not initialized. Call setSessionParameters first.' });
    }
    const issues = this.manifest.registry.check(action.input as JsonSchema, input, 'input');
    if (issues.length) {
      const missing = issues.find((i) => i.rule === 'required');
      throw new SimFault(missing ? 'MissedArgumentFault' : 'IncorrectArgumentFault', { message: issues.map((i) => i.message).join('; ') });
    }
    if (action.quotaClass) this.quotas.take(action.quotaClass);
    // Any request of the user keeps the session alive.
    if (session) session.lastActivity = this.clock.now();
    const handler = HANDLERS[action.operation];
    if (!handler) throw new SimFault('ServerFault', { message: `${action.operation} is not simulated` });
    const ctx: SimulatorContext = {
      user,
      now: this.clock.now(),
      version,
      session,
      sessions: this.sessions,
      quotas: this.quotas,
      idleTimeOut: this.manifest.raw.session.idleTimeOut,
      domain: this.domain,
      supervisorSeats: this.supervisorSeats,
    };
    if (starting && !session) {
      // An API session takes a supervisor seat (a real getUserLimits shows it).
      const limits = HANDLERS.getUserLimits(ctx, {}) as { supervisorLimit: number; supervisorsLoggedin: number };
      if (limits.supervisorsLoggedin >= limits.supervisorLimit) {
        throw new SimFault('UserLimitReachedFault', { message: 'Maximum number of users reached for the domain.' });
      }
    }
    // The contact centre moves on with the clock: every batch due is computed before the method runs.
    this.domain.statistics.advance();
    return handler(ctx, input);
  }

  private authenticate(header: string | undefined): string | undefined {
    const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
    if (!m) return undefined;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return undefined;
    const user = decoded.slice(0, i);
    return this.users.get(user) === decoded.slice(i + 1) ? user : undefined;
  }

  private clientFault(message: string): string {
    return this.codec.clientFault(message);
  }

  private send(req: IncomingMessage, res: ServerResponse, status: number, xml: string): void {
    const gzip = this.options.gzip !== false && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && xml.length > 1024;
    const body = gzip ? gzipSync(xml) : Buffer.from(xml);
    res.writeHead(status, { 'content-type': 'text/xml;charset=utf-8', 'content-length': body.length, ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    res.end(body);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req);
}

