import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { bundledTemplates, lintTemplate, readTemplateJson } from '../cycles';
import { Five9Error, internalError } from '../errors';
import { isRestAction, lintManifest, loadManifest, manifestPath } from '../manifest';
import { schemaRegistry } from '../schemas';
import { packageRoot } from '../util/paths';
import { Redactor } from '../util/redact';
import { registerContacts } from './contacts';
import { registerCycle } from './cycle';
import { registerFleet } from './fleet';
import { type StdinReader, readJsonInput, readProcessStdin } from './input';
import { demo } from './demo';
import { registerSimulator } from './simulator';
import { registerStats } from './stats';
import { registerWallboard } from './wallboard';
import { describeAction, table } from './format';
import { openTarget, type TargetFlags } from './target';

export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (then progress is a redrawn bar), and how to write to it without a line break. */
  isTTY?: boolean;
  write?: (s: string) => void;
  /** Reads all of standard input (`--input -`). */
  stdin?: StdinReader;
  /** Subscribes to the end of standard output (its reader went away); returns the unsubscribe. */
  onOutputClosed?: (listener: () => void) => () => void;
}

// Standard output whose reader went away (`five9 stats watch --json | head -1`): writing to it
// fails with EPIPE, which would end the process with a stack trace and leave its session open.
// It is noted once, writes stop, and commands that run on are told so they can end cleanly.
let stdoutClosed = false;
const stdoutClosedListeners = new Set<() => void>();
let stdoutWatched = false;
function watchStdout(): void {
  if (stdoutWatched) return;
  stdoutWatched = true;
  process.stdout.on('error', () => {
    if (stdoutClosed) return;
    stdoutClosed = true;
    for (const l of stdoutClosedListeners) l();
  });
}

const defaultIO: CliIO = {
  out: (s) => {
    watchStdout();
    if (!stdoutClosed) process.stdout.write(`${s}\n`);
  },
  onOutputClosed: (listener) => {
    watchStdout();
    if (stdoutClosed) queueMicrotask(listener);
    stdoutClosedListeners.add(listener);
    return () => stdoutClosedListeners.delete(listener);
  },
  err: (s) => process.stderr.write(`${s}\n`),
  env: process.env,
  isTTY: process.stderr.isTTY,
  write: (s) => process.stderr.write(s),
  stdin: readProcessStdin,
};

function packageVersion(): string {
  try {
    return String(JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')).version);
  } catch {
    return 'unknown';
  }
}

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
    .option('--api-version <v>', `API version: default, v3, v4 (the default) or later such as ${loadManifest().raw.apiVersions.latest}`)
    .option('--timeout <ms>', 'request time-out in milliseconds')
    .option('--redis <url>', "share Five9's limits and one request at a time with every process using this Redis, on any machine (default: FIVE9_REDIS_URL, else a store on this machine)");
}

/** Runs the `five9` command line; resolves to the process exit code. */
export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  // One redactor for everything this command prints: every client of the command adds its secrets
  // (passwords, consumer secrets, tokens, secret input fields) to it, and every sink goes through it.
  const redactor = new Redactor().add(io.env.FIVE9_PASSWORD).add(io.env.FIVE9_CONSUMER_SECRET);
  if (io.env.FIVE9_USERNAME && io.env.FIVE9_PASSWORD) redactor.addBasic(io.env.FIVE9_USERNAME, io.env.FIVE9_PASSWORD);
  if (io.env.FIVE9_CONSUMER_KEY && io.env.FIVE9_CONSUMER_SECRET) redactor.addBasic(io.env.FIVE9_CONSUMER_KEY, io.env.FIVE9_CONSUMER_SECRET);
  const out = redactor.sink(io.out);
  const err = redactor.sink(io.err);
  const write = redactor.sink(io.write ?? io.out);
  const rio: CliIO = { ...io, out, err, write };
  let json = false;
  const program = new Command('five9')
    .description('Five9 Statistics (Supervisor) Web Services as connector actions, cycle templates and an embedded simulator.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s.trimEnd()), writeErr: (s) => err(s.trimEnd()) })
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
      .option('--input <json|@file|->', 'the input: JSON, @FILE to read it from a file, or - to read it from standard input', '{}')
      .option('--domain-id <id>', 'REST actions: the Five9 domain id (default: FIVE9_DOMAIN_ID)')
      .option('--json', 'print one JSON object (with the target that answered)'),
  ).action(async (name: string, o: TargetFlags & { input: string; json?: boolean }) => {
    json = !!o.json;
    const input = await readJsonInput(o.input, io.stdin);
    const m = loadManifest();
    const action = m.action(name);
    const session = m.raw.session;
    // The embedded simulator has no session; a real target never gets one it did not ask for.
    const openSession = !isRestAction(action) && action.id !== session.startAction && action.id !== session.closeAction;
    const target = await openTarget(o, io.env, { redactor, openSession, note: err });
    try {
      const r = await target.executor.run(action.id, input);
      const result = { action: r.action, exit: r.exit, output: r.output, ...(r.fault ? { fault: r.fault } : {}) };
      if (o.json) out(JSON.stringify(redactor.value({ ...result, target: target.info() })));
      else {
        out(`exit: ${r.exit}`);
        if (r.fault) out(`fault: ${r.fault.name}${r.fault.fields.message ? ` (${r.fault.fields.message})` : ''}`);
        out(`output: ${JSON.stringify(redactor.value(r.output), null, 2)}`);
        err(`(target: ${target.label})`);
      }
    } finally {
      await target.close();
    }
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
          const tp = lintTemplate(readTemplateJson(t).raw, m);
          out(tp.length ? `${t}: ${tp.length} problem(s)\n- ${tp.join('\n- ')}` : `${t}: ok`);
          failed ||= tp.length > 0;
        }
      }
      if (failed) throw new Five9Error('FIVE9_MANIFEST_INVALID', 'lint found problems', { details: { silent: true } });
    });

  registerCycle(program, { out, err, env: io.env, setJson: (on) => (json = on), targetOptions, redactor });
  registerFleet(program, { out, err, env: io.env, setJson: (on) => (json = on) });

  program
    .command('demo')
    .description('what `npm start` runs: the Maintain session cycle against the embedded simulator on a fast-forwarded clock')
    .option('--ms-per-minute <ms>', 'real milliseconds per simulated minute', '30')
    .action(async (o: { msPerMinute: string }) => {
      const summary = await demo({ realMsPerSimMinute: Number(o.msPerMinute), out });
      if (summary.problems.length) throw new Five9Error('FIVE9_TEMPLATE_INVALID', `the demo did not go as expected: ${summary.problems.join('; ')}`);
    });

  const restContext = { io: rio, out, redactor, setJson: (j: boolean) => (json = j) };
  registerContacts(program, restContext);
  registerSimulator(program, { out, redactor });
  registerStats(program, { out, err, env: io.env, isTTY: !!io.isTTY, write, setJson: (on) => (json = on), targetOptions, redactor, onOutputClosed: io.onOutputClosed });
  registerWallboard(program, { out, err, env: io.env, targetOptions });

  try {
    await program.parseAsync(argv, { from: 'node' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    // Anything that is not a Five9Error is a bug in the connector, said as one (not a transport error).
    const failure = internalError(e);
    if (json) out(JSON.stringify({ error: redactor.value(failure.toJSON()) }));
    else if (!failure.details.silent) err(`five9: ${failure.code}: ${failure.message}`);
    if (failure.code === 'FIVE9_INTERNAL' && io.env.FIVE9_DEBUG && e instanceof Error && e.stack) err(e.stack);
    return failure.exitCode;
  }
}
