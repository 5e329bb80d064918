import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from '../clock';
import { type Manifest, loadManifest, versionOfServicePath } from '../manifest';
import type { Domain } from './domain';
import { DEFAULT_MAX_BODY_BYTES, answerAndClose, declaredTooLarge, requestTarget, sizeLimitText } from './http';
import type { Scenario, SimDomainOptions, SimRequestRecord, SimulatorOptions } from './options';
import type { SimReport, UserCounters } from './report';
import { RestSimulator } from './rest';
import { SoapService } from './soap-service';
import type { QuotaCounters, SimSession, SimUser } from './state';
import type { StatisticsEngine } from './statistics';
import { Tenant } from './tenant';
import { UserRegistry } from './users';

/** Undeclared faults kept for inspection (a simulator bug each; the tests keep the list empty). */
const UNDECLARED_KEPT = 100;

/**
 * An embedded Five9 Supervisor Web Service on 127.0.0.1: Five9's paths for every version (the
 * manifest's pathTemplate), HTTP Basic authentication, one session per user with its idle time-out
 * on an injectable clock, the limits of each Five9 domain, requests read and answers and faults
 * shaped by Five9's WSDL of the version, the ?wsdl of each version, and the REST side on the same
 * port. It holds one domain (the users of `users`) or many (`domains`).
 *
 * As a server it stays up under any load: request bodies over `maxBodyBytes` answer 413, XML
 * nesting is bounded, every log it keeps is bounded, nothing is kept for a request that does not
 * authenticate, and a client that goes away releases its user at once.
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
  /** While true, every request answers ServiceUnavailableFault (Five9's maintenance windows). */
  serviceUnavailable = false;
  /** Faults answered that the operation does not declare and faults.ts does not allow (simulator bugs), newest last. */
  readonly undeclaredFaults: string[] = [];
  /** With `checkAnswers`: answers the version's WSDL does not allow (simulator bugs), newest last. */
  readonly answerProblems: string[] = [];
  /** The first domain (the users of `users`), and every domain in order. */
  readonly tenants: Tenant[] = [];
  readonly scenarios: ReadonlySet<Scenario>;
  private readonly users = new UserRegistry();
  private readonly soap: SoapService;
  private server?: Server;
  private readonly options: SimulatorOptions;
  private readonly requestLogLimit: number;
  private readonly maxBodyBytes: number;
  /** While set, admitted requests wait for it (see holdRequests). */
  private hold?: Promise<void>;

  constructor(options: SimulatorOptions = {}) {
    this.options = options;
    this.manifest = options.manifest ?? loadManifest();
    this.clock = options.clock ?? systemClock;
    this.requestLogLimit = options.requestLogLimit ?? 10_000;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.scenarios = new Set(options.scenarios ?? []);
    const defaults = Object.fromEntries(Object.entries(this.manifest.raw.quotaClasses).filter(([, v]) => v.protocol !== 'rest').map(([k, v]) => [k, v.windows]));
    const quotas = { ...defaults, ...(options.quotas ?? {}) };
    const seed = options.seed ?? 1;
    const common = { clock: this.clock, longPollMaxMs: options.longPollMaxMs, statistics: options.statistics };
    const first: SimDomainOptions = { users: options.users ?? (options.domains?.length ? [] : [{ username: 'demo', password: 'demo-secret' }]), supervisorSeats: options.supervisorSeats, seed, size: options.size };
    for (const [i, d] of [first, ...(options.domains ?? [])].entries()) {
      // Domains without limits of their own share one table of windows (each keeps its own counts).
      const tenant = new Tenant({ ...common, id: String(i + 1), quotas: d.quotas ? { ...quotas, ...d.quotas } : quotas, supervisorSeats: d.supervisorSeats, seed: d.seed ?? seed + i, size: d.size ?? options.size });
      this.tenants.push(tenant);
      for (const u of d.users) this.users.add(u, tenant);
    }
    // The service reads the simulator's live switches (maintenance, held requests) through getters.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const sim = this;
    this.soap = new SoapService({
      manifest: this.manifest,
      clock: this.clock,
      users: this.users,
      scenarios: this.scenarios,
      maxBodyBytes: this.maxBodyBytes,
      latencyMs: options.latencyMs,
      gzip: options.gzip !== false,
      get serviceUnavailable() {
        return sim.serviceUnavailable;
      },
      get hold() {
        return sim.hold;
      },
      record: (r) => this.record(r),
      overlapped: () => this.overlaps++,
      undeclared: (operation, fault) => {
        this.undeclaredFaults.push(`${operation}: ${fault}`);
        if (this.undeclaredFaults.length > UNDECLARED_KEPT) this.undeclaredFaults.shift();
      },
      ...(options.checkAnswers
        ? {
            answerProblem: (problem: string) => {
              this.answerProblems.push(problem);
              if (this.answerProblems.length > UNDECLARED_KEPT) this.answerProblems.shift();
            },
          }
        : {}),
    });
    this.rest = new RestSimulator(this, options.consumers ?? [{ key: 'demo-key', secret: 'demo-consumer-secret' }], { ...options.rest, maxBodyBytes: this.maxBodyBytes });
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
    // A request's headers and body must arrive within these (a long poll's answer may take longer).
    this.server.headersTimeout = 30_000;
    this.server.requestTimeout = 60_000;
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

  /** Sessions that ended because their Idle Time Out passed. */
  get expiries(): number {
    return this.users.expiries;
  }

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
    this.users.expire(e, this.clock.now());
    return e.tenant.sessions.get(user);
  }

  /**
   * Every user's counters (what `five9 simulator --report` writes). Sessions whose idle time-out
   * has passed are expired (and counted) first, even if no request came after.
   */
  report(): SimReport {
    const users: Record<string, UserCounters> = {};
    const now = this.clock.now();
    for (const e of this.users.all()) {
      this.users.expire(e, now);
      users[e.name] = { ...e.counters, byOperation: { ...e.counters.byOperation } };
    }
    return { users };
  }

  private record(r: SimRequestRecord): void {
    this.requests.push(r);
    // Trimmed in steps, so a flood costs O(1) per request and the log stays within 1.5 × the limit.
    if (this.requests.length > this.requestLogLimit * 1.5) this.requests.splice(0, this.requests.length - this.requestLogLimit);
  }

  /**
   * The edge, in the order a servlet container behind a front end answers: a request target it
   * cannot read (400) and a body over the limit (413) before anything else; then the REST side or
   * the service path of a version (the manifest's pathTemplate), else 404.
   */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = requestTarget(req.url);
    this.options.onRequest?.({ method: (req.method ?? '?').slice(0, 16), path: (target?.path ?? req.url ?? '').slice(0, 200) });
    if (!target) return answerAndClose(res, 400, { 'content-type': 'text/plain;charset=utf-8' }, 'Bad Request: malformed percent-encoding in the request path');
    if (declaredTooLarge(req, this.maxBodyBytes)) return answerAndClose(res, 413, { 'content-type': 'text/plain;charset=utf-8' }, sizeLimitText(this.maxBodyBytes));
    if (this.rest.handles(target.rawPath)) return this.rest.handle(req, res, target);
    const version = versionOfServicePath(this.manifest.raw, target.path);
    if (!version) return answerAndClose(res, 404, { 'content-type': 'text/html' }, '<html><body><h1>HTTP Status 404</h1></body></html>');
    return this.soap.handle(req, res, version, target.query, `${this.url}${target.path}`);
  }
}
