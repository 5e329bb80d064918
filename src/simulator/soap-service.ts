import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Clock } from '../clock';
import { type Manifest, type SoapAction, versionHas } from '../manifest';
import type { JsonSchema } from '../schemas';
import { SoapCodec } from '../soap';
import { type WsdlModel, renderWsdl, wsdlModel } from '../wsdl';
import type { SimulatorContext } from './context';
import type { Domain } from './domain';
import { answerProblems } from './answer-check';
import { faultAnswer } from './faults';
import { HANDLERS } from './handlers';
import { BodyTooLarge, answerAndClose, drain, readBody, sizeLimitText } from './http';
import type { Scenario, SimRequestRecord } from './options';
import { UnmarshalError, parseRequest, readInput } from './soap-request';
import { SimFault } from './state';
import type { UserEntry, UserRegistry } from './users';

/** What the SOAP side needs of the simulator. */
export interface SoapHost {
  readonly manifest: Manifest;
  readonly clock: Clock;
  readonly users: UserRegistry;
  readonly serviceUnavailable: boolean;
  readonly scenarios: ReadonlySet<Scenario>;
  readonly maxBodyBytes: number;
  readonly latencyMs?: number;
  readonly gzip: boolean;
  /** Admitted requests wait for it while set (see Five9Simulator.holdRequests). */
  readonly hold?: Promise<void>;
  record(r: SimRequestRecord): void;
  overlapped(): void;
  undeclared(operation: string, fault: string): void;
  /** When set, every answer is checked against the version's WSDL and problems are reported here. */
  answerProblem?(problem: string): void;
}

const UNAUTHORIZED_HTML = `<html><head><title>JBoss Web/7.0.13.Final - Error report</title></head><body><h1>HTTP Status 401 - </h1><HR size="1" noshade="noshade"><p><b>type</b> Status report</p><p><b>message</b> <u></u></p><p><b>description</b> <u>This request requires HTTP authentication.</u></p><HR size="1" noshade="noshade"><h3>JBoss Web/7.0.13.Final</h3></body></html>`;

/** Versions whose WSDL model is kept (later versions are many strings with one contract). */
const MODEL_CACHE = 16;

/**
 * The Supervisor Web Service for one request on a service path: the WSDL (GET ?wsdl), HTTP Basic
 * authentication, the content type, then the SOAP request read by the version's WSDL, the
 * checks Five9 makes around every method (service, account, one request at a time, session,
 * arguments, limits, seats) and the method's handler. Faults are the ones the operation declares
 * (see faults.ts for the few answered bare).
 */
export class SoapService {
  private readonly codec: SoapCodec;
  private readonly models = new Map<string, WsdlModel>();

  constructor(private readonly host: SoapHost) {
    this.codec = new SoapCodec(host.manifest.registry, host.manifest.raw.protocol.namespace);
  }

  /** The version's WSDL as a model (what is served and what requests are read by). */
  model(version: string): WsdlModel {
    let m = this.models.get(version);
    if (!m) {
      if (this.models.size >= MODEL_CACHE) this.models.clear();
      this.models.set(version, (m = wsdlModel(this.host.manifest, version)));
    }
    return m;
  }

  async handle(req: IncomingMessage, res: ServerResponse, version: string, query: URLSearchParams, location: string): Promise<void> {
    const limit = this.host.maxBodyBytes;
    if (req.method === 'GET' && query.has('wsdl')) {
      res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' }).end(renderWsdl(this.model(version), location));
      return;
    }
    const entry = this.host.users.authenticate(req.headers.authorization);
    if (!entry) {
      const drained = await drain(req, limit);
      const headers = { 'content-type': 'text/html;charset=utf-8', 'www-authenticate': 'Basic realm="ApplicationRealm"' };
      if (!drained) return answerAndClose(res, 401, headers, UNAUTHORIZED_HTML);
      res.writeHead(401, headers).end(UNAUTHORIZED_HTML);
      return;
    }
    if (req.method !== 'POST') {
      await drain(req, limit);
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    // JAX-WS serves SOAP 1.1 (text/xml) on this endpoint and refuses any other content type.
    const type = String(req.headers['content-type'] ?? '');
    if (!/^text\/xml\s*(;|$)/i.test(type)) {
      const drained = await drain(req, limit);
      const text = `Unsupported Content-Type: ${type.slice(0, 100) || '(none)'} Supported ones are: [text/xml]`;
      if (!drained) return answerAndClose(res, 415, { 'content-type': 'text/plain;charset=utf-8' }, text);
      res.writeHead(415, { 'content-type': 'text/plain;charset=utf-8' }).end(text);
      return;
    }
    let body: string;
    try {
      body = await readBody(req, limit);
    } catch (e) {
      if (e instanceof BodyTooLarge) return answerAndClose(res, 413, { 'content-type': 'text/plain;charset=utf-8' }, sizeLimitText(limit));
      throw e;
    }
    await this.call(req, res, entry, version, body);
  }

  private async call(req: IncomingMessage, res: ServerResponse, entry: UserEntry, version: string, body: string): Promise<void> {
    const { clock, manifest } = this.host;
    const startedAt = clock.now();
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
    let declared: string[] = [];
    try {
      let parsed;
      try {
        parsed = parseRequest(body);
      } catch (e) {
        if (!(e instanceof UnmarshalError)) throw e;
        outcome = 'Unmarshalling Error';
        return this.send(req, res, 500, this.codec.clientFault(`Unmarshalling Error: ${e.message}`));
      }
      operation = parsed.operation;
      const action = manifest.soapActions.find((a) => a.operation === operation);
      if (action) entry.counters.byOperation[action.operation] = (entry.counters.byOperation[action.operation] ?? 0) + 1;
      else operation = '?';
      if (!action || !versionHas(version, action.versions.since)) {
        outcome = 'no such operation';
        return this.send(req, res, 500, this.codec.clientFault(`Cannot find dispatch method for {${manifest.raw.protocol.namespace}}${parsed.operation.slice(0, 100)}`));
      }
      declared = action.faults;
      if (flying > 1) {
        this.host.overlapped();
        entry.counters.concurrentDenied++;
        throw new SimFault('ServerFault', { message: 'Concurrent requests with the same credentials are denied' });
      }
      if (this.host.hold) await this.host.hold;
      if (this.host.latencyMs) await abortableDelay(this.host.latencyMs, aborted.signal);
      const read = (() => {
        try {
          return readInput(this.model(version), action.operation, parsed.node, { missing: declared.includes('MissedArgumentFault'), incorrect: declared.includes('IncorrectArgumentFault') });
        } catch (e) {
          if (e instanceof UnmarshalError) return e;
          throw e;
        }
      })();
      if (read instanceof UnmarshalError) {
        outcome = 'Unmarshalling Error';
        return this.send(req, res, 500, this.codec.clientFault(`Unmarshalling Error: ${read.message}`));
      }
      const output = await this.dispatch(action, entry, version, read, aborted.signal);
      if (this.host.answerProblem) for (const p of answerProblems(this.model(version), action.operation, action.result, output)) this.host.answerProblem(`${version} ${p}`);
      this.send(req, res, 200, this.codec.response(action.operation, action.result, output, action.output as JsonSchema));
    } catch (e) {
      if (!(e instanceof SimFault)) throw e;
      outcome = e.fault;
      if (e.fault === 'OperationsLimitExceededFault') entry.counters.quotaFaults++;
      const answer = faultAnswer(e, declared);
      if (answer.kind === 'declared') this.send(req, res, 500, this.codec.fault(e.fault, { ...e.fields, message: e.fields.message ?? e.message }));
      else {
        if (answer.undeclared) this.host.undeclared(operation, e.fault);
        this.send(req, res, 500, this.codec.serverFault(e.message));
      }
    } finally {
      res.removeListener('close', onClose);
      release();
      this.host.record({ user: entry.name, operation, version, startedAt, endedAt: clock.now(), outcome });
    }
  }

  private async dispatch(action: SoapAction, entry: UserEntry, version: string, read: ReturnType<typeof readInput>, signal: AbortSignal): Promise<unknown> {
    const { clock, manifest } = this.host;
    const user = entry.name;
    // The order Five9 checks in: service, account, session; then arguments, limits, the method.
    if (this.host.serviceUnavailable) throw new SimFault('ServiceUnavailableFault', { message: 'Web Services are not available.' });
    if (entry.account === 'disabled') throw new SimFault('InvalidAccountFault', { message: `Invalid account: user ${user} is disabled.` });
    if (entry.account === 'no-api-access') throw new SimFault('AccessDisallowedFault', { message: `User ${user} does not have access to the Five9 Web Services.` });
    const tenant = entry.tenant;
    const starting = action.id === manifest.raw.session.startAction;
    if (entry.closedElsewhere) {
      entry.closedElsewhere = false;
      // closeSession declares no fault: it just finds no session to close.
      if (!starting && action.faults.includes('SessionClosedFault')) throw new SimFault('SessionClosedFault', { message: 'The session was closed: another session started with the same credentials.' });
    }
    this.host.users.expire(entry, clock.now());
    const session = tenant.sessions.get(user);
    if (action.requiresSession && !session) {
      throw new SimFault('SessionNotInitializedFault', { message: 'Session was not initialized. Call setSessionParameters first.' });
    }
    if (read.missing.length) throw new SimFault('MissedArgumentFault', { message: `Required ${read.missing.length > 1 ? 'elements are' : 'element is'} missing: ${read.missing.join(', ')}` });
    if (read.incorrect.length) throw new SimFault('IncorrectArgumentFault', { message: read.incorrect.join('; ') });
    if (action.quotaClass) tenant.quotas.take(action.quotaClass);
    // Any request of the user keeps the session alive.
    if (session) session.lastActivity = clock.now();
    const handler = HANDLERS[action.operation];
    if (!handler) throw new Error(`${action.operation} has no handler`);
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
      now: clock.now(),
      version,
      session,
      sessions: tenant.sessions,
      tenant,
      manifest,
      scenarios: this.host.scenarios,
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
    const output = await handler(ctx, read.input);
    if (starting && !session && tenant.sessions.has(user)) entry.counters.sessionsStarted++;
    return output;
  }

  private send(req: IncomingMessage, res: ServerResponse, status: number, xml: string): void {
    // The client went away (an abandoned long poll): nobody to answer.
    if (res.destroyed) return;
    const gzip = this.host.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && xml.length > 1024;
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
