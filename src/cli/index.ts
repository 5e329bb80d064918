import { Command, CommanderError, Option } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bundledTemplates, lintTemplate, readTemplate, renderTemplateDiagram, resolveTemplatePath, runOnce, runSchedule, type RunEvent } from '../cycles';
import { Five9Error } from '../errors';
import { isRestAction, lintManifest, loadManifest, manifestPath } from '../manifest';
import { schemaRegistry } from '../schemas';
import { Five9Simulator } from '../simulator';
import type { QuotaWindow } from '../simulator';
import { Redactor } from '../util/redact';
import { parseConsumer, registerContacts, runRestAction } from './contacts';
import { demo } from './demo';
import { registerStats } from './stats';
import { describeAction, formatEvent, table } from './format';
import { openTarget, type TargetFlags } from './target';

export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (then progress is a redrawn bar), and how to write to it without a line break. */
  isTTY?: boolean;
  write?: (s: string) => void;
}

const defaultIO: CliIO = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  env: process.env,
  isTTY: process.stderr.isTTY,
  write: (s) => process.stderr.write(s),
};

/** The data centres the manifest names: the SOAP hosts' and the REST bases'. */
function dataCentreChoices(): string[] {
  const m = loadManifest().raw as { dataCenters: Record<string, unknown>; rest?: { auth?: { fields?: Array<{ id: string; enum?: string[] }> } } };
  const rest = m.rest?.auth?.fields?.find((f) => f.id === 'dataCenter')?.enum ?? [];
  return [...new Set([...Object.keys(m.dataCenters), ...rest])];
}

export function targetOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--data-center <dc>', 'target the real service in this data centre (credentials from FIVE9_USERNAME / FIVE9_PASSWORD; for REST actions FIVE9_CONSUMER_KEY / FIVE9_CONSUMER_SECRET / FIVE9_DOMAIN_ID)').choices(dataCentreChoices()))
    .option('--endpoint <url>', 'target this endpoint instead (https, or http to 127.0.0.1); credentials from the environment')
    .option('--api-version <v>', 'API version: default, v3, v4 (the default) or later such as v14')
    .option('--timeout <ms>', 'request time-out in milliseconds');
}

/** Runs the `five9` command line; resolves to the process exit code. */
export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const redactor = new Redactor().add(io.env.FIVE9_PASSWORD).add(io.env.FIVE9_CONSUMER_SECRET);
  if (io.env.FIVE9_USERNAME && io.env.FIVE9_PASSWORD) redactor.addBasic(io.env.FIVE9_USERNAME, io.env.FIVE9_PASSWORD);
  const out = (s: string) => io.out(redactor.text(s));
  let json = false;
  const program = new Command('five9')
    .description('Five9 Statistics (Supervisor) Web Services as connector actions, cycle templates and an embedded simulator.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError('(add --help for usage)');

  program
    .command('actions')
    .description('list every action by category with its display name')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const m = loadManifest();
      if (o.json) {
        out(JSON.stringify(m.actions.map((a) => ({ id: a.id, displayName: a.displayName, category: m.categoryName(a.category), since: a.versions?.since, ...(isRestAction(a) ? { protocol: 'rest', http: a.http, scope: a.scope } : {}), quotaClass: a.quotaClass, exits: m.exits(a) }))));
        return;
      }
      for (const c of m.raw.categories) {
        const actions = m.actions.filter((a) => a.category === c.id);
        if (!actions.length) continue;
        out(`${c.name}`);
        out(table(actions.map((a) => [a.displayName, a.id, isRestAction(a) ? `REST ${a.http.method}, scope ${a.scope}` : `since ${a.versions?.since}`, a.exits ? `exits ${Object.keys(a.exits).join('/')}` : ''])));
        out('');
      }
      out(`${m.actions.length} actions. \`five9 describe ACTION\` shows one.`);
    });

  program
    .command('describe')
    .argument('<action>', 'display name, id or SOAP operation')
    .description("show an action's inputs, outputs, exits, declared faults, API versions and quota class")
    .option('--json', 'print the manifest entry as JSON')
    .action((name: string, o: { json?: boolean }) => {
      const m = loadManifest();
      const a = m.action(name);
      out(o.json ? JSON.stringify(a, null, 2) : describeAction(m, a));
    });

  targetOptions(
    program
      .command('run')
      .argument('<action>', 'display name, id or SOAP operation')
      .description('run one action and print the exit it took and its output (default target: an embedded simulator)')
      .option('--input <json>', 'the input as JSON', '{}')
      .option('--domain-id <id>', 'REST actions: the Five9 domain id (default: FIVE9_DOMAIN_ID)')
      .option('--json', 'print one JSON object'),
  ).action(async (name: string, o: TargetFlags & { input: string; json?: boolean; domainId?: string }) => {
    json = !!o.json;
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(o.input);
    } catch (e) {
      throw new Five9Error('FIVE9_INVALID_INPUT', `--input is not JSON: ${(e as Error).message}`);
    }
    if (isRestAction(loadManifest().action(name))) return runRestAction(name, input, o, restContext);
    const target = await openTarget(o, io.env);
    try {
      const r = await target.client.run(name, input);
      if (o.json) out(JSON.stringify(target.client.redactor.value(r)));
      else {
        out(`exit: ${r.exit}`);
        if (r.fault) out(`fault: ${r.fault.name}${r.fault.fields.message ? ` (${r.fault.fields.message})` : ''}`);
        out(`output: ${JSON.stringify(target.client.redactor.value(r.output), null, 2)}`);
        if (target.simulator) io.err(`(target: ${target.label})`);
      }
    } finally {
      await target.close();
    }
  });

  program
    .command('simulator')
    .description('serve the Five9 Supervisor Web Service on 127.0.0.1 until interrupted')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '0')
    .option('--user <name:password>', 'a user allowed in (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--quota <class=m/h/d>', 'domain limit per minute/hour/day, e.g. QueryStatistics=2/15/240 (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--consumer <key:secret[:scopes]>', 'a REST consumer key and secret, with its scopes comma-separated (default all) (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--log-requests', 'print one line per HTTP request as it arrives: request METHOD PATH (never credentials)')
    .action(async (o: { port: string; user: string[]; quota: string[]; consumer: string[]; logRequests?: boolean }) => {
      const users = (o.user.length ? o.user : ['demo:demo-secret']).map((u) => {
        const i = u.indexOf(':');
        if (i <= 0 || i === u.length - 1) throw new Five9Error('FIVE9_CONFIG', `--user must be NAME:PASSWORD, got "${u.slice(0, Math.max(0, i)) || u.replace(/:.*/, '')}:…"`);
        redactor.add(u.slice(i + 1));
        return { username: u.slice(0, i), password: u.slice(i + 1) };
      });
      const quotas: Record<string, QuotaWindow[]> = {};
      for (const q of o.quota) {
        const m = /^(\w+)=(\d+)\/(\d+)\/(\d+)$/.exec(q);
        if (!m) throw new Five9Error('FIVE9_CONFIG', `--quota must be CLASS=perMinute/perHour/perDay, got "${q}"`);
        quotas[m[1]] = [{ seconds: 60, limit: +m[2] }, { seconds: 3600, limit: +m[3] }, { seconds: 86400, limit: +m[4] }];
      }
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Five9Error('FIVE9_CONFIG', `--port must be 0..65535, got "${o.port}"`);
      const consumers = (o.consumer.length ? o.consumer : ['demo-key:demo-consumer-secret']).map((c) => parseConsumer(c, loadManifest()));
      for (const c of consumers) redactor.add(c.secret);
      const sim = new Five9Simulator({ users, quotas, consumers, onRequest: o.logRequests ? (r) => out(`request ${r.method} ${r.path}`) : undefined });
      const { url } = await sim.start(port);
      out(`listening on ${url}`);
      out(`  users: ${users.map((u) => u.username).join(', ')}; paths /wssupervisor[/vN]/SupervisorWebService; ?wsdl&user=NAME for the WSDL`);
      out(`  REST: domain id ${sim.rest.domainId}; consumers: ${consumers.map((c) => `${c.key} (${(c.scopes ?? Object.keys(loadManifest().raw.rest?.scopes ?? {})).join(', ')})`).join('; ')}`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await sim.stop();
    });

  program
    .command('lint')
    .argument('[templates...]', 'template files or bundled template ids (default: all bundled)')
    .description('check the manifest (meta-schema and functional checks) and cycle templates')
    .action((templates: string[]) => {
      const raw = JSON.parse(readFileSync(manifestPath(), 'utf8'));
      const problems = lintManifest(raw, schemaRegistry());
      out(problems.length ? `manifest: ${problems.length} problem(s)\n- ${problems.join('\n- ')}` : `manifest: ok (${raw.actions.length} actions)`);
      let failed = problems.length > 0;
      if (!failed) {
        const m = loadManifest();
        for (const t of templates.length ? templates : bundledTemplates()) {
          const path = resolveTemplatePath(t);
          const tp = lintTemplate(JSON.parse(readFileSync(path, 'utf8')), m);
          out(tp.length ? `${t}: ${tp.length} problem(s)\n- ${tp.join('\n- ')}` : `${t}: ok`);
          failed ||= tp.length > 0;
        }
      }
      if (failed) throw new Five9Error('FIVE9_MANIFEST_INVALID', 'lint found problems', { details: { silent: true } });
    });

  const cycle = program.command('cycle').description('run cycle templates');
  targetOptions(
    cycle
      .command('run')
      .argument('<template>', 'a template file or bundled id, e.g. maintain-session')
      .description('run a template once or on its schedule (default target: an embedded simulator)')
      .option('--once', 'run once and stop')
      .option('--runs <n>', 'stop after N runs')
      .option('--field <name=value>', 'set a template field (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
      .option('--json', 'print run events as NDJSON'),
  ).action(async (ref: string, o: TargetFlags & { once?: boolean; runs?: string; field: string[]; json?: boolean }) => {
    json = !!o.json;
    const m = loadManifest();
    const template = readTemplate(ref);
    const problems = lintTemplate(template, m);
    if (problems.length) throw new Five9Error('FIVE9_TEMPLATE_INVALID', `${ref}:\n- ${problems.join('\n- ')}`, { details: { problems } });
    const fields: Record<string, unknown> = {};
    for (const f of o.field) {
      const i = f.indexOf('=');
      const key = f.slice(0, i);
      const def = template.fields?.[key];
      if (i <= 0 || !def) throw new Five9Error('FIVE9_CONFIG', `--field must be NAME=VALUE with a field of the template (${Object.keys(template.fields ?? {}).join(', ')})`);
      fields[key] = def.type === 'integer' ? Number(f.slice(i + 1)) : def.type === 'boolean' ? f.slice(i + 1) === 'true' : f.slice(i + 1);
    }
    const target = await openTarget(o, io.env);
    const onEvent = (e: RunEvent) => {
      if (o.json) out(JSON.stringify(e));
      else {
        const line = formatEvent(e);
        if (line) out(line);
      }
    };
    if (!o.json) out(`${template.name}: every ${template.schedule.everyMinutes} min against ${target.label}${o.once ? ' (once)' : ''}`);
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    try {
      const clock = target.simulator?.clock ?? { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.()) };
      const opts = { executor: target.client, clock, fields, onEvent, redact: <T>(v: T) => target.client.redactor.value(v) };
      const results = o.once ? [await runOnce(template, opts)] : await runSchedule(template, { ...opts, runs: o.runs ? Number(o.runs) : undefined, signal: ac.signal });
      if (results.some((r) => r.outcome === 'error')) throw new Five9Error('FIVE9_TEMPLATE_INVALID', 'a run ended with a step error', { details: { silent: true } });
    } finally {
      process.removeListener('SIGINT', stop);
      await target.close();
    }
  });

  cycle
    .command('diagram')
    .argument('<template>', 'a template file or bundled id, e.g. maintain-session')
    .description('draw a template as a self-contained SVG flow chart (steps, exits, end, schedule)')
    .option('--out <file>', 'write the SVG to this file instead of printing it')
    .action((ref: string, o: { out?: string }) => {
      const svg = renderTemplateDiagram(readTemplate(ref), { manifest: loadManifest() });
      if (o.out) {
        mkdirSync(dirname(o.out), { recursive: true });
        writeFileSync(o.out, svg);
        out(`wrote ${o.out}`);
      } else out(svg.trimEnd());
    });

  program
    .command('demo')
    .description('what `npm start` runs: the Maintain session cycle against the embedded simulator on a fast-forwarded clock')
    .option('--ms-per-minute <ms>', 'real milliseconds per simulated minute', '30')
    .action(async (o: { msPerMinute: string }) => {
      const summary = await demo({ realMsPerSimMinute: Number(o.msPerMinute), out });
      if (summary.problems.length) throw new Five9Error('FIVE9_TEMPLATE_INVALID', `the demo did not go as expected: ${summary.problems.join('; ')}`);
    });

  const restContext = { io, out, redactor, setJson: (j: boolean) => (json = j) };
  registerContacts(program, restContext);
  registerStats(program, { out, env: io.env, isTTY: !!io.isTTY, write: io.write ?? ((x) => io.out(x)), setJson: (on) => (json = on), targetOptions });

  try {
    await program.parseAsync(argv, { from: 'node' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    const err = e instanceof Five9Error ? e : new Five9Error('FIVE9_TRANSPORT', (e as Error).message ?? String(e));
    if (json) io.out(redactor.text(JSON.stringify({ error: err.toJSON() })));
    else if (!err.details.silent) io.err(redactor.text(`five9: ${err.code}: ${err.message}`));
    return err.exitCode;
  }
}
