import { type Clock, VirtualClock, systemClock } from '../clock';
import { type Coordinator, type CoordinatorHandle, type SlotInfo, openCoordinator } from '../coordination';
import { type ErrorCode, Five9Error, Five9Fault, Five9InputError, Five9QuotaError } from '../errors';
import { HOOKS_BY_NAME, type ParseOutputContext } from '../hooks';
import { type Manifest, type SoapAction, type Target, loadManifest } from '../manifest';
import type { JsonSchema } from '../schemas';
import { type CallCounterStates, QuotaTracker, type QuotaWindow } from '../quota';
import { SoapCodec } from '../soap';
import { Transport, assertSecureUrl } from '../transport';
import { Redactor } from '../util/redact';
import type { InputArg, SoapActionName, SoapActionOf } from './types';

export type { InputArg, RestActionName, RestActionOf, RestActions, SoapActionName, SoapActionOf, SoapActions, UntypedAction } from './types';

export interface ClientOptions extends Target {
  username: string;
  password: string;
  manifest?: Manifest;
  /** Ordinary request time-out in ms (default 30 s). */
  timeoutMs?: number;
  /** Added to a long poll's own wait to give its HTTP time-out (default 15 s). */
  longPollMarginMs?: number;
  maxResponseBytes?: number;
  /**
   * Client-side domain limits: the manifest's quota classes by default, overridden per class for a
   * domain whose limits Five9 raised, or false to send everything and let Five9 answer.
   */
  quotas?: false | Record<string, QuotaWindow[]>;
  /** The clock the quota windows are measured on (default: the wall clock). */
  clock?: Clock;
  /**
   * Learns the password (and any secret field of an input, such as a station password) and masks
   * them in errors; pass the application's own so that its output hides them too.
   */
  redactor?: Redactor;
  /**
   * Where the rules shared with other clients of this user are kept: one request at a time and the
   * quota budgets. Default: Redis when `redis` or FIVE9_REDIS_URL is set; else a store in the
   * user's state directory for the wall clock and a ScaledClock; else (a VirtualClock) this
   * process only. A Coordinator passed here is the caller's to close.
   */
  coordinator?: Coordinator | 'memory' | 'local';
  /** A Redis URL shared by every process and machine using this user (or FIVE9_REDIS_URL). */
  redis?: string;
  /**
   * Five9 counts its limits per domain, which a user name alone does not say: the budget is the
   * user's (origin + user name) unless several users of one domain name the same `domain` here.
   */
  domain?: string;
  /**
   * Whether the first call of a quota class in this process first reads the domain's counters
   * (getCallCountersState), so calls made elsewhere count. Default: yes, except on a VirtualClock,
   * whose simulated world lives in this process only.
   */
  seedQuotas?: boolean;
  /** Told after every request, for metrics (never carries a secret). */
  onRequest?: (r: RequestRecord) => void;
  /** Told what the client does besides answering (seeding its budget from Five9's counters). */
  onEvent?: (e: ClientEvent) => void;
}

/** One request as a metrics exporter sees it. */
export interface RequestRecord {
  /** The action's display name and its SOAP operation. */
  action: string;
  operation: string;
  quotaClass?: string;
  /** success: answered (any exit, a fault mapped to an exit included); fault: an unmapped SOAP fault; quota: refused by the budget, not sent; error: anything else. */
  outcome: 'success' | 'fault' | 'quota' | 'error';
  exit?: string;
  fault?: string;
  code?: ErrorCode;
  /** Whether the request went out. */
  sent: boolean;
  /** Real ms from the call to its end, waits included. */
  durationMs: number;
  /** Real ms spent waiting for the credential's one-request slot; `waitedForSlot` when another request, in any process, was ahead. */
  slotWaitMs: number;
  waitedForSlot: boolean;
}

// Whether a schema holds a field marked x-secret anywhere (worked out once per schema object), so
// that answers without secrets (a 5,000-row snapshot) are not walked.
const secretBearing = new WeakMap<object, boolean>();
function holdsSecret(registry: Manifest['registry'], schema: JsonSchema, seen = new Set<object>()): boolean {
  const known = secretBearing.get(schema);
  if (known !== undefined) return known;
  if (seen.has(schema)) return false;
  seen.add(schema);
  const s = registry.resolve(schema);
  const parts: JsonSchema[] = [...Object.values<JsonSchema>(s.properties ?? {}), ...(s.items ? [s.items] : []), ...(s.anyOf ?? [])];
  const found = !!schema['x-secret'] || !!s['x-secret'] || parts.some((p) => holdsSecret(registry, p, seen));
  secretBearing.set(schema, found);
  return found;
}

/** The values of fields marked x-secret in a schema (a station password), wherever they are in the value. */
function secretValues(registry: Manifest['registry'], schema: JsonSchema, value: unknown, depth = 0): string[] {
  if (value === null || typeof value !== 'object' || depth > 20 || !holdsSecret(registry, schema)) return [];
  const s = registry.resolve(schema);
  if (s.anyOf) return s.anyOf.flatMap((x: JsonSchema) => secretValues(registry, x, value, depth + 1));
  if (Array.isArray(value)) return s.items ? value.flatMap((v) => secretValues(registry, s.items, v, depth + 1)) : [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const prop = s.properties?.[k];
    if (!prop) continue;
    if ((prop['x-secret'] || registry.resolve(prop)['x-secret']) && typeof v === 'string') out.push(v);
    else out.push(...secretValues(registry, prop, v, depth + 1));
  }
  return out;
}

export type ClientEvent =
  /** The budgets now count the calls Five9 reported (getCallCountersState), per class and window. */
  | { type: 'quota-seeded'; counts: Record<string, Record<number, number>> }
  /** The counters could not be read: the budgets count only what the processes sharing the coordinator sent. Tried again at the next call of the class. */
  | { type: 'quota-unseeded'; code: string; message: string };

// Budgets seeded in this process, per coordinator and budget: Five9's counters are read at the
// first call of a class, not by every client (a fleet has one client per account and run).
const seeded = new WeakMap<Coordinator, Map<string, Promise<void>>>();

/** What a step receives: the exit taken and the validated output (or, for a fault exit, the fault). */
export interface ActionResult<Output = unknown, Exit extends string = string> {
  action: string;
  exit: Exit;
  output: Output;
  fault?: { name: string; fields: Record<string, unknown> };
}

/**
 * Runs connector actions as SOAP 1.1 calls. Everything about a method comes from the manifest:
 * the input is validated (nothing is sent when it is wrong), the version is checked, the envelope is
 * built from the schema, and the answer is decoded, validated and mapped to an exit.
 */
export class Five9Client {
  readonly manifest: Manifest;
  readonly endpoint: string;
  readonly apiVersion: string;
  readonly username: string;
  readonly redactor: Redactor;
  private readonly codec: SoapCodec;
  private readonly transport: Transport;
  private readonly longPollMarginMs: number;
  /** Undefined when client-side quotas are switched off. */
  readonly quota?: QuotaTracker;
  readonly coordinator: Coordinator;
  /** The budget's key in the coordinator (without the class): origin and user, or origin and domain. */
  readonly budgetKey: string;
  private readonly coordination: CoordinatorHandle;
  private readonly seedQuotas: boolean;
  private readonly onRequest?: (r: RequestRecord) => void;
  private readonly onEvent?: (e: ClientEvent) => void;

  constructor(options: ClientOptions) {
    if (!options.username) throw new Five9Error('FIVE9_CONFIG', 'no username: set FIVE9_USERNAME or pass username');
    if (!options.password) throw new Five9Error('FIVE9_CONFIG', `no password for user "${options.username}": set FIVE9_PASSWORD or pass password`);
    this.manifest = options.manifest ?? loadManifest();
    // An endpoint whose path names a version decides the version, so gating matches the server.
    const inPath = options.endpoint ? this.manifest.versionInEndpoint(options.endpoint) : undefined;
    if (inPath && options.apiVersion && options.apiVersion !== inPath) {
      throw new Five9Error('FIVE9_CONFIG', `--api-version ${options.apiVersion} contradicts the endpoint's path, which is API version ${inPath}`, { details: { apiVersion: options.apiVersion, endpointVersion: inPath } });
    }
    this.apiVersion = this.manifest.resolveVersion(inPath ?? options.apiVersion);
    this.endpoint = this.manifest.endpointUrl({ ...options, apiVersion: this.apiVersion });
    this.username = options.username;
    this.redactor = (options.redactor ?? new Redactor()).addBasic(options.username, options.password);
    this.codec = new SoapCodec(this.manifest.registry, this.manifest.raw.protocol.namespace);
    this.longPollMarginMs = options.longPollMarginMs ?? 15_000;
    const clock = options.clock ?? systemClock;
    // Refused before a shared store is opened (a Redis connection would keep the process alive).
    assertSecureUrl(this.endpoint);
    this.coordination = openCoordinator({ coordinator: options.coordinator, redis: options.redis, clock });
    this.coordinator = this.coordination.coordinator;
    this.budgetKey = `quota|${new URL(this.endpoint).origin}|${options.domain ? `domain=${options.domain}` : `user=${options.username}`}${this.coordination.scope}`;
    if (options.quotas !== false) {
      const defaults = Object.fromEntries(Object.entries(this.manifest.raw.quotaClasses).filter(([, v]) => v.protocol !== 'rest').map(([k, v]) => [k, v.windows]));
      this.quota = new QuotaTracker({ ...defaults, ...(options.quotas ?? {}) }, clock, this.coordinator, this.budgetKey, new Set(Object.keys(options.quotas ?? {})));
    }
    this.seedQuotas = options.seedQuotas ?? !(clock instanceof VirtualClock);
    this.onRequest = options.onRequest;
    this.onEvent = options.onEvent;
    this.transport = new Transport({
      url: this.endpoint,
      username: options.username,
      password: options.password,
      timeoutMs: options.timeoutMs,
      maxResponseBytes: options.maxResponseBytes,
      coordinator: this.coordinator,
    });
  }

  /** Checks an input without sending anything; throws FIVE9_INVALID_INPUT or FIVE9_UNSUPPORTED_VERSION. */
  validate(actionName: string, input: unknown = {}): SoapAction {
    const action = this.manifest.soapAction(actionName);
    const issues = this.manifest.registry.check(action.input as JsonSchema, input, 'input');
    if (issues.length) {
      throw new Five9InputError('FIVE9_INVALID_INPUT', `invalid input for "${action.displayName}": ${issues.map((i) => `${i.message} (${i.rule})`).join('; ')}`, issues);
    }
    this.manifest.checkVersion(action, this.apiVersion, input);
    for (const secret of secretValues(this.manifest.registry, action.input as JsonSchema, input)) this.redactor.add(secret);
    return action;
  }

  /** The exact request body an action would send (used by tests, docs and the benchmark). */
  envelope(actionName: string, input: Record<string, unknown> = {}): string {
    const action = this.validate(actionName, input);
    return this.codec.request(action.operation, input, action.input as JsonSchema);
  }

  /**
   * Runs an action. With a name the manifest knows (`'getStatistics'`, `'Get Statistics'`), the
   * input and the result are typed from the generated action map; any other string is checked at
   * run time.
   */
  run<N extends SoapActionName | (string & {})>(actionName: N, ...input: InputArg<SoapActionOf<N>>): Promise<ActionResult<SoapActionOf<N>['output'], SoapActionOf<N>['exit']>>;
  async run(actionName: string, input: Record<string, unknown> = {}): Promise<ActionResult> {
    const action = this.validate(actionName, input);
    const body = this.codec.request(action.operation, input, action.input as JsonSchema);
    const quotaClass = action.quotaClass && this.quota?.classes[action.quotaClass] ? action.quotaClass : undefined;
    let timeoutMs: number | undefined;
    if (action.longPoll) {
      // The server holds a long poll for up to its timeout field; the HTTP wait must be longer.
      timeoutMs = Number(input[action.longPoll.timeoutField]) + this.longPollMarginMs;
    }
    const started = performance.now();
    let slot: SlotInfo | undefined;
    let sent = false;
    const record = (r: Pick<RequestRecord, 'outcome' | 'exit' | 'fault' | 'code'>) => {
      if (!this.onRequest) return;
      try {
        this.onRequest({ action: action.displayName, operation: action.operation, quotaClass, ...r, sent, durationMs: performance.now() - started, slotWaitMs: slot?.waitedMs ?? 0, waitedForSlot: slot?.queued ?? false });
      } catch {
        // An observer's mistake is not the request's.
      }
    };
    let settle: (() => Promise<void>) | undefined;
    try {
      if (quotaClass) await this.seeded(quotaClass);
      const answer = await this.transport.post(body, timeoutMs, {
        // Counted while the slot is held, when the request really goes: a wait behind a long poll
        // does not move a call into an earlier minute than Five9 will count it in.
        beforeSend: async () => {
          if (quotaClass) settle = await this.quota!.take(quotaClass);
          sent = true;
        },
        onSlot: (info) => (slot = info),
      }).finally(() => settle?.());
      const result = this.interpret(action, answer.status, answer.contentType, answer.body);
      // A secret in the answer (loginStation's station password) is masked wherever it is shown.
      for (const secret of secretValues(this.manifest.registry, action.output as JsonSchema, result.output)) this.redactor.add(secret);
      record({ outcome: 'success', exit: result.exit });
      return result;
    } catch (e) {
      if (e instanceof Five9Fault) {
        const exit = this.manifest.faultExit(action, e.fault);
        record({ outcome: exit ? 'success' : 'fault', exit, fault: e.fault, code: e.code });
        if (exit) return { action: action.displayName, exit, output: null, fault: { name: e.fault, fields: e.fields } };
      } else record({ outcome: e instanceof Five9QuotaError ? 'quota' : 'error', code: e instanceof Five9Error ? e.code : undefined });
      throw this.scrub(e);
    }
  }

  /** Waits until this process has read Five9's counters into the budget of the class (once). */
  private seeded(quotaClass: string): Promise<void> {
    if (!this.seedQuotas || !this.quota || !this.manifest.raw.quotaCountersAction) return Promise.resolve();
    let budgets = seeded.get(this.coordinator);
    if (!budgets) seeded.set(this.coordinator, (budgets = new Map()));
    const key = (cls: string) => `${this.budgetKey}|${cls}`;
    const pending = budgets.get(key(quotaClass));
    if (pending) return pending;
    // One getCallCountersState answers for every class not yet seeded.
    const classes = Object.keys(this.quota.classes).filter((c) => !budgets.has(key(c)));
    const seeding = this.seedFromCounters(classes).catch((e: unknown) => {
      for (const c of classes) if (budgets.get(key(c)) === seeding) budgets.delete(key(c));
      const err = e instanceof Five9Error ? e : new Five9Error('FIVE9_TRANSPORT', String((e as Error)?.message ?? e));
      this.emit({ type: 'quota-unseeded', code: err.code, message: this.redactor.text(err.message) });
    });
    for (const c of classes) budgets.set(key(c), seeding);
    return seeding;
  }

  private async seedFromCounters(classes: string[]): Promise<void> {
    const counters = this.manifest.raw.quotaCountersAction;
    if (!counters) return;
    const r = await this.run(counters);
    await this.quota!.seed(r.output as CallCounterStates, classes);
    const counts: Record<string, Record<number, number>> = {};
    for (const c of classes) counts[c] = await this.quota!.usage(c);
    this.emit({ type: 'quota-seeded', counts });
  }

  private emit(e: ClientEvent): void {
    try {
      this.onEvent?.(e);
    } catch {
      // An observer's mistake is not the request's.
    }
  }

  private interpret(action: SoapAction, status: number, contentType: string, body: string): ActionResult {
    if (status === 401 || status === 403) {
      throw new Five9Error('FIVE9_AUTH', `Five9 refused the credentials of user "${this.username}" (HTTP ${status}) at ${new URL(this.endpoint).host}`, {
        details: { status, username: this.username },
      });
    }
    const looksSoap = /xml/i.test(contentType) || /^\s*</.test(body);
    // A Fault element, not the word: HTML error pages often name a SOAPFaultException.
    if (status >= 400 && !(looksSoap && /<(?:[\w.-]+:)?Fault[\s/>]/.test(body))) {
      throw new Five9Error('FIVE9_HTTP', `Five9 answered HTTP ${status} without a SOAP fault`, { details: { status } });
    }
    const decode = () => this.codec.decodeResponse(body, action.operation, action.result, action.output as JsonSchema);
    // A parseOutput hook (getStatistics' row parser) replaces the generic decoder and equals it;
    // an HTTP error (a fault) goes straight to the generic decoder.
    const hook = status < 400 ? action.hooks?.parseOutput : undefined;
    const output = hook ? HOOKS_BY_NAME[hook](body, { operation: action.operation, decode } satisfies ParseOutputContext) : decode();
    const issues = this.manifest.registry.check(action.output as JsonSchema, output, 'output');
    if (issues.length) {
      throw new Five9InputError('FIVE9_INVALID_OUTPUT', `the answer to "${action.displayName}" does not match its schema: ${issues.map((i) => i.message).join('; ')}`, issues);
    }
    return { action: action.displayName, exit: this.manifest.successExit(action, output), output };
  }

  /** Errors leave with secrets removed from their text and their details (a fault's fields echo what was sent). */
  private scrub(e: unknown): unknown {
    if (e instanceof Error) {
      const message = this.redactor.text(e.message);
      // The stack repeats the message (its frames hold no secret): read it, which formats it at a
      // cost a fault answer would pay on every call, only when the message held a secret.
      if (message !== e.message) {
        e.message = message;
        if (e.stack) e.stack = this.redactor.text(e.stack);
      }
      if (e instanceof Five9Error) {
        Object.assign(e.details, this.redactor.value(e.details));
        if (e instanceof Five9Fault) (e as { fields: Record<string, unknown> }).fields = e.details.fields as Record<string, unknown>;
      }
    }
    return e;
  }

  async close(): Promise<void> {
    await this.transport.close();
    await this.coordination.release();
  }
}
