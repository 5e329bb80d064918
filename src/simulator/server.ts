import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type Clock, systemClock } from '../clock';
import { type Manifest, type SoapAction, loadManifest, versionHas } from '../manifest';
import { isKnownVersion } from '../manifest/versions';
import type { JsonSchema } from '../schemas';
import { SoapCodec } from '../soap';
import { generateWsdl } from '../wsdl';
import type { SimulatorContext } from './context';
import type { DomainSize } from './directory';
import type { Domain } from './domain';
import { HANDLERS } from './handlers';
import { type SimReport, type UserCounters, newCounters } from './report';
import { type RestSimOptions, RestSimulator, type SimConsumer } from './rest';
import type { QuotaCounters } from './state';
import { type QuotaWindow, SimFault, type SimSession, type SimUser } from './state';
import type { StatisticsEngine, StatisticsOptions } from './statistics';
import { Tenant } from './tenant';

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
  /**
   * More Five9 domains besides the first (whose users are `users`): each with its own users,
   * sessions, limits, seats, contact centre and counters. `numberedDomains(n, password)` makes a
   * fleet's test bed. User names are unique across the simulator (Five9's are global).
   */
  domains?: SimDomainOptions[];
  /** How many request records `requests` keeps (the newest; default 10,000). */
  requestLogLimit?: number;
}

/** One Five9 domain of the simulator beyond the first. */
export interface SimDomainOptions {
  users: SimUser[];
  /** Limits by quota class, over the simulator's (`quotas`) and the manifest's. */
  quotas?: Record<string, QuotaWindow[]>;
  supervisorSeats?: number;
  /** Seed of its contact centre (default: the simulator's seed + the domain's position). */
  seed?: number;
  size?: DomainSize;
}

/** `count` domains, each with one supervisor user `user1` … `userN` with this password. */
export function numberedDomains(count: number, password: string): SimDomainOptions[] {
  return Array.from({ length: count }, (_, i) => ({ users: [{ username: `user${i + 1}`, password }] }));
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

const SERVICE_PATH = /^\/wssupervisor(?:\/(v\d+(?:_\d+)?))?\/SupervisorWebService\/?$/;

const UNAUTHORIZED_HTML = `<html><head><title>JBoss Web/7.0.13.Final - Error report</title></head><body><h1>HTTP Status 401 - </h1><HR size="1" noshade="noshade"><p><b>type</b> Status report</p><p><b>message</b> <u></u></p><p><b>description</b> <u>This request requires HTTP authentication.</u></p><HR size="1" noshade="noshade"><h3>JBoss Web/7.0.13.Final</h3></body></html>`;

/** A user the simulator lets in: its password, account state, domain and counters. */
interface UserEntry {
  password: string;
  account: NonNullable<SimUser['account']>;
  tenant: Tenant;
  counters: UserCounters;
  /** Requests of the user being answered now (Five9 allows one). */
  inFlight: number;
  /** Another login closed the user's session: the next request answers SessionClosedFault. */
  closedElsewhere: boolean;
}

/**
 * An embedded Five9 Supervisor Web Service on 127.0.0.1: Five9's paths for every version, HTTP
 * Basic authentication, one session per user with its idle time-out on an injectable clock, the
 * limits of each Five9 domain, faults shaped as Five9 sends them, and ?wsdl generated from the
 * manifest. It holds one domain (the users of `users`) or many (`domains`).
 */
export class Five9Simulator {
  readonly manifest: Manifest;
  readonly clock: Clock;
  /** The newest requests (at most `requestLogLimit`), for tests. */
  readonly requests: SimRequestRecord[] = [];
  /** The REST side (token endpoint, campaigns, lists, contacts) on the same server. */
  readonly rest: RestSimulator;
  /** Requests that arrived while another of the same user was in flight (Five9 denies them). */
  overlaps = 0;
  /** Sessions that ended because their Idle Time Out passed. */
  expiries = 0;
  /** While true, every request answers ServiceUnavailableFault (Five9's maintenance windows). */
  serviceUnavailable = false;
  /** The first domain (the users of `users`), and every domain in order. */
  readonly tenants: Tenant[] = [];
  private readonly users = new Map<string, UserEntry>();
  private readonly codec: SoapCodec;
  private server?: Server;
  private readonly options: SimulatorOptions;
  private readonly requestLogLimit: number;
  /** While set, admitted requests wait for it (see holdRequests). */
  private hold?: Promise<void>;

  constructor(options: SimulatorOptions = {}) {
    this.options = options;
    this.manifest = options.manifest ?? loadManifest();
    this.clock = options.clock ?? systemClock;
    this.requestLogLimit = options.requestLogLimit ?? 10_000;
    const defaults = Object.fromEntries(Object.entries(this.manifest.raw.quotaClasses).filter(([, v]) => v.protocol !== 'rest').map(([k, v]) => [k, v.windows]));
    const quotas = { ...defaults, ...(options.quotas ?? {}) };
    const seed = options.seed ?? 1;
    const common = { clock: this.clock, longPollMaxMs: options.longPollMaxMs, statistics: options.statistics };
    const first: SimDomainOptions = { users: options.users ?? (options.domains?.length ? [] : [{ username: 'demo', password: 'demo-secret' }]), supervisorSeats: options.supervisorSeats, seed, size: options.size };
    for (const [i, d] of [first, ...(options.domains ?? [])].entries()) {
      // Domains without limits of their own share one table of windows (each keeps its own counts).
      const tenant = new Tenant({ ...common, id: String(i + 1), quotas: d.quotas ? { ...quotas, ...d.quotas } : quotas, supervisorSeats: d.supervisorSeats, seed: d.seed ?? seed + i, size: d.size ?? options.size });
      this.tenants.push(tenant);
      for (const u of d.users) {
        if (this.users.has(u.username)) throw new Error(`simulator: user "${u.username}" is in two domains (user names are unique across Five9)`);
        this.users.set(u.username, { password: u.password, account: u.account ?? 'active', tenant, counters: newCounters(), inFlight: 0, closedElsewhere: false });
      }
    }
    this.codec = new SoapCodec(this.manifest.registry, this.manifest.raw.protocol.namespace);
    this.rest = new RestSimulator(this, options.consumers ?? [{ key: 'demo-key', secret: 'demo-consumer-secret' }], options.rest);
  }

  async start(port = this.options.port ?? 0): Promise<{ url: string; port: number }> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        if (res.destroyed) return;
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
    for (const t of this.tenants) t.dispose();
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  // ---- the first domain, as tests and the CLI's single-domain use see it ----

  /** The sessions of the first domain. */
  get sessions(): Map<string, SimSession> {
    return this.tenants[0].sessions;
  }

  /** The limits of the first domain. */
  get quotas(): QuotaCounters {
    return this.tenants[0].quotas;
  }

  /** The contact centre of the first domain (built when first read). */
  get domain(): Domain {
    return this.tenants[0].contactCentre;
  }

  /** The live statistics of the first domain: `table(type)` is the truth clients converge to; control methods change the domain. */
  get statistics(): StatisticsEngine {
    return this.domain.statistics;
  }

  /** Seats for supervisors in the first domain, API sessions included; undefined: the domain's own (supervisors + 5). */
  get supervisorSeats(): number | undefined {
    return this.tenants[0].supervisorSeats;
  }

  set supervisorSeats(seats: number | undefined) {
    this.tenants[0].supervisorSeats = seats;
  }

  // ---- any user ----

  /**
   * Requests admitted from now on wait, in flight, until the returned function is called: a test
   * makes an overlap certain with it (a second request of the same user is denied at once).
   */
  holdRequests(): () => void {
    let release!: () => void;
    this.hold = new Promise<void>((r) => (release = r));
    return () => {
      this.hold = undefined;
      release();
    };
  }

  /** The domain a user belongs to. */
  tenantOf(user: string): Tenant | undefined {
    return this.users.get(user)?.tenant;
  }

  /** The user logs in elsewhere with the same credentials (the Supervisor desktop, another client): the API session closes. */
  loginElsewhere(user: string): void {
    const e = this.users.get(user);
    if (e?.tenant.sessions.delete(user)) e.closedElsewhere = true;
  }

  /** Changes what Five9's administrator set for an account (see SimUser.account). */
  setAccount(user: string, account: NonNullable<SimUser['account']>): void {
    const e = this.users.get(user);
    if (e) e.account = account;
  }

  /** True while a request of the user is being answered. */
  busy(user: string): boolean {
    return (this.users.get(user)?.inFlight ?? 0) > 0;
  }

  /** The session of a user as the server holds it now (after expiring it if its time has come). */
  sessionOf(user: string): SimSession | undefined {
    const e = this.users.get(user);
    if (!e) return undefined;
    this.expire(user, e);
    return e.tenant.sessions.get(user);
  }

  /**
   * Every user's counters (what `five9 simulator --report` writes). Sessions whose idle time-out
   * has passed are expired (and counted) first, even if no request came after.
   */
  report(): SimReport {
    const users: Record<string, UserCounters> = {};
    for (const [user, e] of this.users) {
      this.expire(user, e);
      users[user] = { ...e.counters, byOperation: { ...e.counters.byOperation } };
    }
    return { users };
  }

  private expire(user: string, e: UserEntry): void {
    const s = e.tenant.sessions.get(user);
    if (s && this.clock.now() - s.lastActivity > s.idleTimeOutMs) {
      e.tenant.sessions.delete(user);
      e.counters.expiries++;
      this.expiries++;
    }
  }

  private record(r: SimRequestRecord): void {
    this.requests.push(r);
    // Trimmed in steps, so a flood costs O(1) per request and the log stays within 1.5 × the limit.
    if (this.requests.length > this.requestLogLimit * 1.5) this.requests.splice(0, this.requests.length - this.requestLogLimit);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
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
    const entry = user === undefined ? undefined : this.users.get(user);
    if (!user || !entry) {
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
    entry.counters.requests++;
    const flying = ++entry.inFlight;
    // A client that goes away releases its one-request slot at once and ends its long poll.
    const aborted = new AbortController();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      entry.inFlight--;
    };
    const onClose = () => {
      if (!res.writableFinished) aborted.abort();
      release();
    };
    res.once('close', onClose);
    if (req.socket.destroyed) onClose();
    let operation = '?';
    let outcome = 'ok';
    let declared: string[] | undefined;
    try {
      if (flying > 1) {
        this.overlaps++;
        entry.counters.concurrentDenied++;
        throw new SimFault('ServerFault', { message: 'Concurrent requests with the same credentials are denied' });
      }
      if (this.hold) await this.hold;
      if (this.options.latencyMs) await abortableDelay(this.options.latencyMs, aborted.signal);
      let parsed;
      try {
        parsed = this.codec.decodeRequest(body);
      } catch (e) {
        return this.send(req, res, 500, this.clientFault(`Unmarshalling Error: ${(e as Error).message}`));
      }
      operation = parsed.operation;
      const action = this.manifest.soapActions.find((a) => a.operation === operation);
      if (action) entry.counters.byOperation[action.operation] = (entry.counters.byOperation[action.operation] ?? 0) + 1;
      declared = action?.faults;
      if (!action || !versionHas(version, action.versions.since)) {
        outcome = 'no such operation';
        return this.send(req, res, 500, this.clientFault(`Cannot find dispatch method for {${this.manifest.raw.protocol.namespace}}${operation}`));
      }
      const output = await this.dispatch(action, user, entry, version, this.codec.decodeInput(parsed.node, action.input as JsonSchema), aborted.signal);
      this.send(req, res, 200, this.codec.response(action.operation, action.result, output, action.output as JsonSchema));
    } catch (e) {
      if (!(e instanceof SimFault)) throw e;
      outcome = e.fault;
      if (e.fault === 'OperationsLimitExceededFault') entry.counters.quotaFaults++;
      if (declared && !declared.includes(e.fault)) {
        // JAX-WS sends an exception the operation does not declare as a bare fault, without detail.
        this.send(req, res, 500, this.codec.serverFault(e.message));
      } else this.send(req, res, 500, this.codec.fault(e.fault, { ...e.fields, message: e.fields.message ?? e.message }));
    } finally {
      res.removeListener('close', onClose);
      release();
      this.record({ user, operation, version, startedAt, endedAt: this.clock.now(), outcome });
    }
  }

  private async dispatch(action: SoapAction, user: string, entry: UserEntry, version: string, input: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    // The order Five9 checks in: service, account, session; then arguments, limits, the method.
    if (this.serviceUnavailable) throw new SimFault('ServiceUnavailableFault', { message: 'Web Services are not available.' });
    if (entry.account === 'disabled') throw new SimFault('InvalidAccountFault', { message: `Invalid account: user ${user} is disabled.` });
    if (entry.account === 'no-api-access') throw new SimFault('AccessDisallowedFault', { message: `User ${user} does not have access to the Five9 Web Services.` });
    const tenant = entry.tenant;
    const starting = action.id === this.manifest.raw.session.startAction;
    if (entry.closedElsewhere) {
      entry.closedElsewhere = false;
      if (!starting) throw new SimFault('SessionClosedFault', { message: 'The session was closed: another session started with the same credentials.' });
    }
    this.expire(user, entry);
    const session = tenant.sessions.get(user);
    if (action.requiresSession && !session) {
      throw new SimFault('SessionNotInitializedFault', { message: 'Session was not initialized. Call setSessionParameters first.' });
    }
    const issues = this.manifest.registry.check(action.input as JsonSchema, input, 'input');
    if (issues.length) {
      const missing = issues.find((i) => i.rule === 'required');
      throw new SimFault(missing ? 'MissedArgumentFault' : 'IncorrectArgumentFault', { message: issues.map((i) => i.message).join('; ') });
    }
    if (action.quotaClass) tenant.quotas.take(action.quotaClass);
    // Any request of the user keeps the session alive.
    if (session) session.lastActivity = this.clock.now();
    const handler = HANDLERS[action.operation];
    if (!handler) throw new SimFault('ServerFault', { message: `${action.operation} is not simulated` });
    if (starting && !session) {
      // An API session takes a supervisor seat (a real getUserLimits shows it).
      const seats = tenant.seats();
      if (seats.supervisorsLoggedin >= seats.supervisorLimit) {
        throw new SimFault('UserLimitReachedFault', { message: 'Maximum number of users reached for the domain.' });
      }
    }
    let centre: Domain | undefined;
    const ctx: SimulatorContext = {
      user,
      now: this.clock.now(),
      version,
      session,
      sessions: tenant.sessions,
      tenant,
      idleTimeOut: this.manifest.raw.session.idleTimeOut,
      // The contact centre moves on with the clock: every batch due is computed before a method reads it.
      get domain() {
        if (!centre) {
          centre = tenant.contactCentre;
          centre.statistics.advance();
        }
        return centre;
      },
      signal,
    };
    const output = await handler(ctx, input);
    if (starting && !session && tenant.sessions.has(user)) entry.counters.sessionsStarted++;
    return output;
  }

  private authenticate(header: string | undefined): string | undefined {
    const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
    if (!m) return undefined;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return undefined;
    const user = decoded.slice(0, i);
    return this.users.get(user)?.password === decoded.slice(i + 1) ? user : undefined;
  }

  private clientFault(message: string): string {
    return this.codec.clientFault(message);
  }

  private send(req: IncomingMessage, res: ServerResponse, status: number, xml: string): void {
    // The client went away (an abandoned long poll): nobody to answer.
    if (res.destroyed) return;
    const gzip = this.options.gzip !== false && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && xml.length > 1024;
    const body = gzip ? gzipSync(xml) : Buffer.from(xml);
    res.writeHead(status, { 'content-type': 'text/xml;charset=utf-8', 'content-length': body.length, ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    res.end(body);
  }
}

/** Real ms of delay that ends early when the client goes away. */
function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req);
}

