import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import { ConnectorExecutor, fieldValues, readTemplate, resolveInput } from '../cycles';
import { Five9Error } from '../errors';
import { type Manifest, loadManifest } from '../manifest';
import { RestClient } from '../rest';
import { type ClientEvent, Five9Client } from '../runtime';
import { Five9Simulator } from '../simulator';
import { Redactor } from '../util/redact';
import { restClientFromEnv } from './contacts';

export interface TargetFlags {
  dataCenter?: string;
  endpoint?: string;
  apiVersion?: string;
  timeout?: string;
  /** REST actions: the domain id (default FIVE9_DOMAIN_ID). */
  domainId?: string;
  /** REST actions: the token endpoint (default the manifest's). */
  tokenPath?: string;
  /** Share Five9's rules through this Redis (default FIVE9_REDIS_URL, else the local store). */
  redis?: string;
}

export interface OpenTargetOptions {
  clock?: Clock;
  /** The command's redactor: every client of the target adds its secrets to it. */
  redactor?: Redactor;
  /**
   * The embedded simulator starts with no session, so a statistics call could never succeed: open
   * one with the Maintain session defaults first. Ignored for a real target, which never gets a
   * session it did not ask for.
   */
  openSession?: boolean;
  /** Where to say so (stderr). */
  note?: (line: string) => void;
}

/** Which target answered, for `--json` output. */
export interface TargetInfo {
  kind: 'embedded-simulator' | 'endpoint' | 'data-center';
  url: string;
  /** Whether this command opened the session it used (and closes it at the end). */
  sessionOpenedByCommand: boolean;
}

export interface OpenTarget {
  /** The SOAP client; FIVE9_CONFIG when the environment has no SOAP credential. */
  readonly client: Five9Client;
  /** Runs SOAP and REST actions, each with its credential (what `five9 run` and `cycle run` use). */
  readonly executor: ConnectorExecutor;
  label: string;
  simulator?: Five9Simulator;
  /** True when this command opened the session (the embedded target's); close() then closes it. */
  readonly sessionOpenedByCommand: boolean;
  info(): TargetInfo;
  close(): Promise<void>;
}

/** Credentials inside a URL would be printed wherever the URL is: they are refused, and masked. */
function refuseUrlCredentials(endpoint: string | undefined, redactor: Redactor): void {
  if (!endpoint) return;
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    return; // the client says it is not a URL
  }
  if (!u.username && !u.password) return;
  for (const part of [u.username, u.password]) {
    redactor.add(part);
    try {
      redactor.add(decodeURIComponent(part));
    } catch {
      // a malformed escape: the raw form is masked already
    }
  }
  throw new Five9Error('FIVE9_CONFIG', '--endpoint must not carry credentials (user:password@host): give them in FIVE9_USERNAME / FIVE9_PASSWORD (or FIVE9_CONSUMER_KEY / FIVE9_CONSUMER_SECRET)');
}

/** The REST base URL for a SOAP endpoint: its origin when it has the SOAP path (a simulator or proxy serving both), else the endpoint as given. */
function restEndpoint(manifest: Manifest, endpoint: string): string {
  try {
    return manifest.versionInEndpoint(endpoint) !== undefined ? new URL(endpoint).origin : endpoint;
  } catch {
    return endpoint;
  }
}

/** The start action's input in the Maintain session template with its defaults: one source for "the defaults". */
function maintainSessionDefaults(manifest: Manifest): { action: string; input: Record<string, unknown> } {
  const template = readTemplate('maintain-session');
  const start = manifest.raw.session.startAction;
  const step = template.steps.find((s) => manifest.findAction(s.action)?.id === start);
  const input = step ? (resolveInput(step.input ?? {}, fieldValues(template), {}, () => undefined) as Record<string, unknown>) : {};
  return { action: start, input };
}

/**
 * Where a command sends its requests: the real service (a data centre or an endpoint, with
 * FIVE9_USERNAME / FIVE9_PASSWORD for SOAP and FIVE9_CONSUMER_KEY / FIVE9_CONSUMER_SECRET /
 * FIVE9_DOMAIN_ID for REST from the environment), or by default an embedded simulator started for
 * this command, with a random SOAP password and REST consumer, so nothing needs an account or a
 * network. A credential that is missing fails only when an action of its protocol runs.
 */
export async function openTarget(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env, options: OpenTargetOptions = {}): Promise<OpenTarget> {
  const redactor = options.redactor ?? new Redactor();
  const { clock } = options;
  // A command goes on when the domain's counters cannot be read, counting only what it sees: said once.
  const onEvent = (e: ClientEvent) => {
    if (e.type === 'quota-unseeded') (options.note ?? ((l: string) => process.stderr.write(`${l}\n`)))(`five9: note: the domain's call counters could not be read (${e.code}: ${e.message}); calls made elsewhere are not counted against the quota`);
  };
  const manifest = loadManifest();
  const timeoutMs = flags.timeout ? Number(flags.timeout) : undefined;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new Five9Error('FIVE9_CONFIG', `--timeout must be a positive number of milliseconds, not "${flags.timeout}"`);
  redactor.add(env.FIVE9_PASSWORD).add(env.FIVE9_CONSUMER_SECRET);
  refuseUrlCredentials(flags.endpoint, redactor);

  if (flags.endpoint || flags.dataCenter) {
    const username = env.FIVE9_USERNAME ?? '';
    const password = env.FIVE9_PASSWORD ?? '';
    let soap: Five9Client | undefined;
    const soapClient = (): Five9Client => {
      if (!username || !password) throw new Five9Error('FIVE9_CONFIG', 'set FIVE9_USERNAME and FIVE9_PASSWORD in the environment to use --endpoint or --data-center');
      return (soap ??= new Five9Client({ endpoint: flags.endpoint, dataCenter: flags.dataCenter, apiVersion: flags.apiVersion, username, password, timeoutMs, redactor, clock, redis: flags.redis ?? env.FIVE9_REDIS_URL, onEvent }));
    };
    if (username && password) {
      try {
        soapClient(); // made now for its label; a bad endpoint or version fails when a SOAP action runs
      } catch {
        // a REST-only data centre (uk), say: only REST actions can run
      }
    }
    const restFlags = { ...flags, endpoint: flags.endpoint ? restEndpoint(manifest, flags.endpoint) : undefined, timeout: flags.timeout };
    const executor = new ConnectorExecutor({ manifest, redactor, soap: soapClient, rest: () => restClientFromEnv(restFlags, env, redactor, clock) });
    const url = soap?.endpoint ?? flags.endpoint ?? flags.dataCenter ?? '';
    return {
      get client() {
        return executor.soap;
      },
      executor,
      label: url,
      sessionOpenedByCommand: false,
      info: () => ({ kind: flags.endpoint ? 'endpoint' : 'data-center', url, sessionOpenedByCommand: false }),
      close: () => executor.close(),
    };
  }

  const password = randomBytes(12).toString('base64url');
  const consumer = { key: `cli-${randomBytes(4).toString('hex')}`, secret: randomBytes(18).toString('base64url') };
  redactor.add(password).add(consumer.secret);
  const simulator = new Five9Simulator({ users: [{ username: 'demo', password }], consumers: [consumer], clock });
  const { url } = await simulator.start();
  // The embedded simulator lives and dies with this process: nothing to share with others.
  const client = new Five9Client({ endpoint: url, apiVersion: flags.apiVersion, username: 'demo', password, timeoutMs, redactor, clock, coordinator: 'memory', seedQuotas: false });
  const executor = new ConnectorExecutor({
    manifest,
    redactor,
    soap: client,
    rest: () => new RestClient({ endpoint: url, domainId: simulator.rest.domainId, consumerKey: consumer.key, consumerSecret: consumer.secret, tokenPath: flags.tokenPath, timeoutMs, redactor, clock, coordinator: 'memory' }),
  });
  let sessionOpened = false;
  const target: OpenTarget = {
    client,
    executor,
    simulator,
    label: `embedded simulator at ${client.endpoint} (no account needed)`,
    get sessionOpenedByCommand() {
      return sessionOpened;
    },
    info: () => ({ kind: 'embedded-simulator', url: client.endpoint, sessionOpenedByCommand: sessionOpened }),
    async close() {
      // Only the session this command opened is closed: never one it found.
      if (sessionOpened) await client.run(manifest.raw.session.closeAction).catch(() => undefined);
      await executor.close();
      await simulator.stop();
    },
  };
  if (options.openSession) {
    const { action, input } = maintainSessionDefaults(manifest);
    try {
      await client.run(action, input);
    } catch (e) {
      await target.close();
      throw e;
    }
    sessionOpened = true;
    const settings = Object.entries((input.viewSettings ?? input) as Record<string, unknown>).map(([k, v]) => `${k} ${v}`).join(', ');
    options.note?.(`five9: the embedded simulator starts with no session: opened one with the Maintain session defaults (${settings}); it is closed when this command ends. A real target (--endpoint, --data-center) never gets a session it did not ask for.`);
  }
  return target;
}
