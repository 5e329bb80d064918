import type { Command } from 'commander';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Clock, ScaledClock } from '../clock';
import { Five9Error } from '../errors';
import { type Manifest, loadManifest } from '../manifest';
import { Five9Simulator, numberedDomains, type QuotaWindow, SCENARIOS, type Scenario, type SimConsumer, type SimUser } from '../simulator';
import type { Redactor } from '../util/redact';

export interface SimulatorCliContext {
  out: (s: string) => void;
  /** Every secret the command reads is added here, so no output can show it. */
  redactor: Redactor;
}

const repeat = (v: string, acc: string[]) => [...acc, v];

/**
 * A value that should be NAME:SECRET but is not. Only the part before the first ':' may be shown:
 * without a ':' there is no telling where a name would end and a secret begin
 * (`--user alice=TypoSecret`), so nothing of the value is shown.
 */
function notShown(v: string): string {
  const i = v.indexOf(':');
  return i > 0 ? `"${v.slice(0, i)}:…"` : 'a value without ":" (not shown: it may hold a secret)';
}

export function parseUser(v: string): SimUser {
  const i = v.indexOf(':');
  if (i <= 0 || i === v.length - 1) throw new Five9Error('FIVE9_CONFIG', `--user must be NAME:PASSWORD, got ${notShown(v)}`);
  return { username: v.slice(0, i), password: v.slice(i + 1) };
}

export function parseDomains(v: string): { count: number; password: string } {
  const i = v.indexOf(':');
  const count = Number(v.slice(0, Math.max(0, i)));
  if (i <= 0 || i === v.length - 1 || !/^\d+$/.test(v.slice(0, i)) || count < 1 || count > 100_000) {
    throw new Five9Error('FIVE9_CONFIG', `--domains must be COUNT:PASSWORD with COUNT from 1 to 100000, got ${notShown(v)}`);
  }
  return { count, password: v.slice(i + 1) };
}

/** KEY:SECRET or KEY:SECRET:scope,scope; scopes must be the manifest's. */
export function parseConsumer(v: string, manifest: Manifest): SimConsumer {
  const i = v.indexOf(':');
  const j = i < 0 ? -1 : v.indexOf(':', i + 1);
  const key = v.slice(0, Math.max(0, i));
  const secret = i < 0 ? '' : v.slice(i + 1, j < 0 ? undefined : j);
  if (!key || !secret) throw new Five9Error('FIVE9_CONFIG', `--consumer must be KEY:SECRET or KEY:SECRET:scope,scope, got ${notShown(v)}`);
  if (j < 0) return { key, secret };
  const known = Object.keys(manifest.raw.rest?.scopes ?? {});
  const scopes = v.slice(j + 1).split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = scopes.filter((s) => !known.some((k) => k.toLowerCase() === s.toLowerCase()));
  if (unknown.length) throw new Five9Error('FIVE9_CONFIG', `--consumer ${key}: unknown scope ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return { key, secret, scopes };
}

function parseQuota(q: string): [string, QuotaWindow[]] {
  const m = /^(\w+)=(\d+)\/(\d+)\/(\d+)$/.exec(q);
  if (!m) throw new Five9Error('FIVE9_CONFIG', `--quota must be CLASS=perMinute/perHour/perDay, got "${q}"`);
  return [m[1], [{ seconds: 60, limit: +m[2] }, { seconds: 3600, limit: +m[3] }, { seconds: 86400, limit: +m[4] }]];
}

function parseTimeScale(v: string): Clock {
  const k = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || !(k > 0)) throw new Five9Error('FIVE9_CONFIG', `--time-scale must be a positive number, got "${v}"`);
  return new ScaledClock(k);
}

/** Writes the file whole (a temporary file renamed over it), readable by its owner only. */
function writePrivate(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

interface SimulatorFlags {
  port: string;
  user: string[];
  quota: string[];
  consumer: string[];
  domains?: string;
  timeScale?: string;
  report?: string;
  latency?: string;
  logRequests?: boolean;
  scenario: string[];
}

export function registerSimulator(program: Command, ctx: SimulatorCliContext): void {
  program
    .command('simulator')
    .description('serve the Five9 Supervisor Web Service on 127.0.0.1 until interrupted')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '0')
    .option('--user <name:password>', 'a user allowed in (repeatable); these users share one domain', repeat, [] as string[])
    .option('--domains <count:password>', 'add COUNT domains, each with one supervisor user1 … userCOUNT with this password and its own limits and sessions (a fleet test bed)')
    .option('--quota <class=m/h/d>', 'limit per domain per minute/hour/day, e.g. QueryStatistics=2/15/240 (repeatable)', repeat, [] as string[])
    .option('--consumer <key:secret[:scopes]>', 'a REST consumer key and secret, with its scopes comma-separated (default all) (repeatable)', repeat, [] as string[])
    .option('--time-scale <k>', 'test aid: run the clock K times faster (idle time-outs, limits, statistics); give the same K to cycle and fleet commands')
    .option('--log-requests', 'test aid: print one line per HTTP request as it arrives, "request METHOD PATH" (the path cut at 200 characters; never a header or credential)')
    .option('--latency <ms>', 'test aid: hold every SOAP request this many real milliseconds (makes requests in flight observable)')
    .option('--scenario <name>', `opt in to behaviour beyond the version's WSDL (repeatable): ${SCENARIOS.join(', ')} (enum values newer servers send, to test a client's tolerance)`, repeat, [] as string[])
    .option('--report <file>', 'on SIGINT/SIGTERM write per-user counts (requests, sessions started, expiries, concurrent denials, quota faults, by operation) as JSON, mode 0600')
    .action(async (o: SimulatorFlags) => {
      const manifest = loadManifest();
      const domains = o.domains === undefined ? undefined : parseDomains(o.domains);
      ctx.redactor.add(domains?.password);
      const users = (o.user.length || domains ? o.user : ['demo:demo-secret']).map((u) => {
        const parsed = parseUser(u);
        ctx.redactor.add(parsed.password);
        return parsed;
      });
      const consumers = (o.consumer.length ? o.consumer : ['demo-key:demo-consumer-secret']).map((c) => parseConsumer(c, manifest));
      for (const c of consumers) ctx.redactor.add(c.secret);
      const quotas = Object.fromEntries(o.quota.map(parseQuota));
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Five9Error('FIVE9_CONFIG', `--port must be 0..65535, got "${o.port}"`);
      const clock = o.timeScale === undefined ? undefined : parseTimeScale(o.timeScale);
      const latencyMs = o.latency === undefined ? undefined : Number(o.latency);
      if (latencyMs !== undefined && !(Number.isInteger(latencyMs) && latencyMs >= 0 && latencyMs <= 600_000)) throw new Five9Error('FIVE9_CONFIG', `--latency must be 0..600000 ms, got "${o.latency}"`);
      const unknown = o.scenario.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
      if (unknown.length) throw new Five9Error('FIVE9_CONFIG', `--scenario must be one of ${SCENARIOS.join(', ')}, got "${unknown[0]}"`);
      const scenarios = o.scenario as Scenario[];
      const onRequest = o.logRequests ? (r: { method: string; path: string }) => ctx.out(`request ${r.method} ${r.path}`) : undefined;
      const sim = new Five9Simulator({ users, quotas, consumers, clock, latencyMs, scenarios, onRequest, domains: domains ? numberedDomains(domains.count, domains.password) : undefined });
      const { url } = await sim.start(port);
      ctx.out(`listening on ${url}`);
      if (users.length) ctx.out(`  users: ${users.map((u) => u.username).join(', ')}${domains ? ' (one domain)' : ''}`);
      if (domains) ctx.out(`  domains: ${domains.count}${users.length ? ' more' : ''}, one supervisor each: user1${domains.count > 1 ? ` … user${domains.count}` : ''}`);
      ctx.out('  paths /wssupervisor[/vN]/SupervisorWebService; ?wsdl&user=NAME for the WSDL');
      if (scenarios.length) ctx.out(`  scenarios: ${scenarios.join(', ')}`);
      if (clock) ctx.out(`  time scale: ${o.timeScale}× (a test aid: idle time-outs, limits and statistics run ${o.timeScale} times faster)`);
      ctx.out(`  REST: domain id ${sim.rest.domainId}; consumers: ${consumers.map((c) => `${c.key} (${(c.scopes ?? Object.keys(manifest.raw.rest?.scopes ?? {})).join(', ')})`).join('; ')}`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.removeListener('SIGINT', stop);
          process.removeListener('SIGTERM', stop);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await sim.stop();
      if (o.report) {
        writePrivate(o.report, `${JSON.stringify(sim.report())}\n`);
        ctx.out(`report written to ${o.report}`);
      }
    });
}
