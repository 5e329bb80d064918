import type { Command } from 'commander';
import { watchFile, unwatchFile } from 'node:fs';
import { clockForScale } from '../clock';
import { Five9Error } from '../errors';
import { EmbeddedFleet, FleetKeys, FleetMetrics, FleetScheduler, FleetWorker, type FleetStatus, type SlotRecord, connectRedis, loadFleetConfig, readStatus, redisLabel, serveMetrics } from '../fleet';
import { formatDuration } from '../util/duration';
import { durationFlag, positiveNumber, stopOnSignals } from './cycle';
import { table } from './format';

export interface FleetCliContext {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  setJson: (on: boolean) => void;
}

interface CommonFlags {
  redis?: string;
  fleet: string;
  prefix: string;
  json?: boolean;
}

function redisUrl(flags: { redis?: string }, env: NodeJS.ProcessEnv, required: boolean): string | undefined {
  const url = flags.redis ?? env.FIVE9_REDIS_URL;
  if (!url && required) throw new Five9Error('FIVE9_CONFIG', 'give --redis URL (or set FIVE9_REDIS_URL)');
  return url;
}

function intFlag(flag: string, text: string | undefined): number | undefined {
  const n = positiveNumber(flag, text);
  if (n !== undefined && !Number.isInteger(n)) throw new Five9Error('FIVE9_CONFIG', `${flag} must be a whole number, not "${text}"`);
  return n;
}

function portFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Five9Error('FIVE9_CONFIG', `--metrics-port must be 0..65535, not "${text}"`);
  return n;
}

/** Counts runs for the periodic line and the final summary. */
class FleetTally {
  runs = 0;
  ok = 0;
  failed = 0;
  interrupted = 0;
  private late: number[] = [];
  readonly errors = new Map<string, number>();

  add(r: SlotRecord): void {
    this.runs++;
    if (r.outcome === 'ok') this.ok++;
    else if (r.outcome === 'error') this.failed++;
    else this.interrupted++;
    if (r.error) this.errors.set(r.error.code, (this.errors.get(r.error.code) ?? 0) + 1);
    this.late.push(r.lateMs);
  }

  /** The p99 lateness of the runs since the last call, and resets it. */
  takeP99(): number | undefined {
    if (!this.late.length) return undefined;
    const s = this.late.sort((a, b) => a - b);
    const p = s[Math.min(s.length - 1, Math.floor(s.length * 0.99))];
    this.late = [];
    return p;
  }

  line(): string {
    const errs = [...this.errors].map(([c, n]) => `${c} ×${n}`).join(', ');
    return `${this.runs} run(s): ${this.ok} ok, ${this.failed} failed${this.interrupted ? `, ${this.interrupted} stopped between steps` : ''}${errs ? ` (${errs})` : ''}`;
  }

  toJSON(): Record<string, unknown> {
    return { runs: this.runs, ok: this.ok, failed: this.failed, interrupted: this.interrupted, errors: Object.fromEntries(this.errors) };
  }
}

function recordLine(r: SlotRecord): string {
  const what = r.error ? `✗ ${r.error.code}: ${r.error.message}` : r.exits.join(' ');
  return `[${new Date(r.startedAt).toISOString().slice(11, 19)}] ${r.scheduleId} ${r.template} ${r.outcome}${r.lateMs >= 1000 ? ` (${formatDuration(r.lateMs)} late)` : ''} ${what}`;
}

/** Prints what a fleet process does: each failed run at once, the others as a line every 10 s. */
function reporter(ctx: FleetCliContext, json: boolean, every = 10_000) {
  const tally = new FleetTally();
  let since = 0;
  const timer = setInterval(() => {
    if (tally.runs === since) return;
    since = tally.runs;
    const p99 = tally.takeP99();
    if (json) ctx.out(JSON.stringify({ type: 'progress', time: Date.now(), ...tally.toJSON(), p99LateMs: p99 }));
    else ctx.out(`[${new Date().toISOString().slice(11, 19)}] ${tally.line()}${p99 !== undefined ? `; p99 lateness ${formatDuration(p99)}` : ''}`);
  }, every);
  timer.unref();
  return {
    tally,
    onRecord(r: SlotRecord) {
      tally.add(r);
      if (json) ctx.out(JSON.stringify({ type: 'slot', ...r }));
      else if (r.outcome !== 'ok') ctx.out(recordLine(r));
    },
    stop() {
      clearInterval(timer);
    },
  };
}

async function metricsServer(ctx: FleetCliContext, metrics: FleetMetrics, port: number | undefined, json: boolean) {
  if (port === undefined) return undefined;
  const m = await serveMetrics(metrics, port);
  if (json) ctx.out(JSON.stringify({ type: 'metrics', url: m.url }));
  else ctx.out(`metrics on ${m.url}`);
  return m.server;
}

function statusTable(s: FleetStatus, now = Date.now()): string {
  const ago = (t: number) => `${formatDuration(Math.max(0, now - t))} ago`;
  const rows = s.schedules.map((x) => [
    x.account,
    x.template,
    formatDuration(x.every),
    String(x.runs),
    x.lastRun ? `${new Date(x.lastRun.startedAt).toISOString().slice(0, 19).replace('T', ' ')} (${ago(x.lastRun.startedAt)})` : 'never',
    x.lastRun ? `${x.lastRun.outcome} ${x.lastRun.exits.map((e) => e.slice(e.lastIndexOf(':') + 1)).join('→')}` : '',
    x.nextRun ? (x.nextRun >= now ? `in ${formatDuration(x.nextRun - now)}` : `due ${formatDuration(now - x.nextRun)} ago`) : 'not scheduled',
    x.lastError ? `${x.lastError.code} ${ago(x.lastError.at)}: ${x.lastError.message.slice(0, 60)}` : '',
  ]);
  const head = `fleet ${s.fleet}: ${s.schedules.length} schedule(s)${s.meta ? `, time scale ${s.meta.timeScale}, configured ${ago(s.meta.updatedAt)}` : ' (not configured: run `five9 fleet run FILE --redis URL`)'}; runs started ${s.counters.started}, finished ${s.counters.finished}`;
  return `${head}\n${table([['account', 'template', 'every', 'runs', 'last run', 'exit taken', 'next run', 'last error'], ...rows])}`;
}

/** `five9 fleet run | worker | status`: many accounts' cycles, in one process or on BullMQ workers. */
export function registerFleet(program: Command, ctx: FleetCliContext): void {
  const fleet = program.command('fleet').description("many accounts' cycles: in this process, or scheduled on BullMQ over Redis and run by workers");
  const common = (cmd: Command) =>
    cmd
      .option('--fleet <name>', 'the fleet\'s name in Redis (its BullMQ queue)', 'fleet')
      .option('--prefix <prefix>', 'Redis key prefix', 'five9')
      .option('--json', 'print NDJSON events instead of lines');

  common(
    fleet
      .command('run')
      .argument('<accounts>', 'accounts file (JSON; schema: schemas/accounts.schema.json)')
      .description("run every account's cycles on their schedules: in this process, or with --redis as BullMQ job schedulers that `five9 fleet worker` processes run")
      .option('--redis <url>', 'schedule on BullMQ in this Redis instead of running here (FIVE9_REDIS_URL alone does not switch modes: it only shares Five9\'s limits)')
      .option('--time-scale <k>', "test aid: run schedules K times faster than the wall clock (give the simulator the same --time-scale)")
      .option('--concurrency <n>', 'embedded: runs at the same time (default 32)')
      .option('--metrics-port <port>', 'embedded: serve Prometheus metrics on 127.0.0.1:PORT/metrics (0 picks a free port)')
      .option('--sync-only', 'with --redis: write the schedules and exit (default: stay, re-syncing when the file changes and after Redis lost its data)')
      .option('--resync-every <duration>', 'with --redis: how often to check that the schedules are in Redis', '30s')
      .addHelpText(
        'after',
        `
Without --redis the accounts run in this process (no Redis needed). With --redis, this process keeps
one BullMQ job scheduler per account and cycle in Redis (one job per slot: a slot never runs twice)
and the slots run in \`five9 fleet worker --redis URL\` processes. Secrets stay references in Redis.
Ctrl-C or SIGTERM stops after the steps in flight and prints a summary; a second exits at once (130).`,
      ),
  ).action(async (file: string, o: CommonFlags & { timeScale?: string; concurrency?: string; metricsPort?: string; syncOnly?: boolean; resyncEvery: string }) => {
    ctx.setJson(!!o.json);
    const config = loadFleetConfig(file);
    const scale = positiveNumber('--time-scale', o.timeScale) ?? 1;
    const schedules = config.accounts.reduce((n, a) => n + a.cycles.length, 0);
    const url = o.redis;
    if (!url) {
      const metrics = new FleetMetrics();
      const rep = reporter(ctx, !!o.json);
      const embedded = new EmbeddedFleet(config, { clock: clockForScale(scale), scale, concurrency: intFlag('--concurrency', o.concurrency), env: ctx.env, metrics, onRecord: rep.onRecord });
      if (o.json) ctx.out(JSON.stringify({ type: 'fleet', mode: 'embedded', accounts: config.accounts.length, schedules, timeScale: scale }));
      else ctx.out(`fleet: ${config.accounts.length} account(s), ${schedules} schedule(s), in this process${scale !== 1 ? `, clock ${scale}× the wall clock` : ''}; Ctrl-C stops`);
      const server = await metricsServer(ctx, metrics, portFlag(o.metricsPort), !!o.json);
      const started = Date.now();
      let release = () => {};
      const stopped = new Promise<void>((resolve) => {
        release = stopOnSignals(() => {
          ctx.err('stopping after the steps in flight (Ctrl-C again to exit at once)');
          resolve();
        });
      });
      embedded.start();
      await stopped;
      await embedded.stop();
      release();
      rep.stop();
      server?.close();
      if (o.json) ctx.out(JSON.stringify({ type: 'summary', ...rep.tally.toJSON(), elapsedMs: Date.now() - started }));
      else ctx.out(`summary: ${rep.tally.line()} in ${formatDuration(Date.now() - started)}`);
      return;
    }
    const redis = connectRedis(url, 'five9-fleet-scheduler');
    redis.on('error', () => undefined);
    const keys = new FleetKeys(o.prefix, o.fleet);
    const scheduler = new FleetScheduler(redis, keys, scale);
    try {
      const say = (r: { upserted: number; removed: number; unchanged: boolean; schedules: number; version: string }, why: string) => {
        if (o.json) ctx.out(JSON.stringify({ type: 'sync', why, ...r }));
        else if (!r.unchanged) ctx.out(`[${new Date().toISOString().slice(11, 19)}] ${why}: ${r.schedules} schedule(s) in ${redisLabel(url)} (fleet ${o.fleet}), ${r.removed} removed`);
      };
      say(await scheduler.sync(config, { force: true }), `scheduled ${config.accounts.length} account(s)`);
      if (o.syncOnly) return;
      if (!o.json) ctx.out(`keeping the schedules in Redis (start workers with \`five9 fleet worker --redis ${redisLabel(url)}${o.fleet !== 'fleet' ? ` --fleet ${o.fleet}` : ''}\`); Ctrl-C stops scheduling (queued slots stay)`);
      const every = durationFlag('--resync-every', o.resyncEvery)!;
      let current = config;
      // The re-sync in progress, if any: a stop waits for it, so that it does not end on a closed
      // connection (and say so as an error) when Ctrl-C lands in the middle of it.
      let running: Promise<void> | undefined;
      const resync = (why: string, reload: boolean) => {
        running ??= (async () => {
          try {
            if (reload) current = loadFleetConfig(file);
            say(await scheduler.sync(current), why);
          } catch (e) {
            ctx.err(`five9: ${(e as Five9Error).code ?? 'ERROR'}: ${(e as Error).message}`);
          } finally {
            running = undefined;
          }
        })();
        return running;
      };
      const timer = setInterval(() => void resync('schedules restored', false), every);
      watchFile(config.path, { interval: 1000 }, () => void resync('accounts file changed', true));
      await new Promise<void>((resolve) => {
        const release = stopOnSignals(() => {
          release();
          resolve();
        });
      });
      clearInterval(timer);
      unwatchFile(config.path);
      await running;
    } finally {
      await scheduler.close();
      redis.disconnect();
    }
  });

  common(
    fleet
      .command('worker')
      .description("run the Redis fleet's slots as they fall due (start as many as you like, on any machine)")
      .option('--redis <url>', 'the Redis the fleet is scheduled in (default: FIVE9_REDIS_URL)')
      .option('--concurrency <n>', 'slots run at the same time in this worker', '16')
      .option('--metrics-port <port>', 'serve Prometheus metrics on 127.0.0.1:PORT/metrics (0 picks a free port)', '0')
      .option('--time-scale <k>', "test aid: the fleet's clock speed (default: what `fleet run` recorded)")
      .option('--accounts <file>', 'the accounts file, when secrets are given inline in it (references need only the environment)')
      .option('--stalled-after <duration>', "how soon a slot whose worker died is run by another (BullMQ's lock)", '30s'),
  ).action(async (o: CommonFlags & { concurrency: string; metricsPort: string; timeScale?: string; accounts?: string; stalledAfter: string }) => {
    ctx.setJson(!!o.json);
    const url = redisUrl(o, ctx.env, true)!;
    const metrics = new FleetMetrics();
    const rep = reporter(ctx, !!o.json);
    const worker = new FleetWorker({
      redisUrl: url,
      keys: new FleetKeys(o.prefix, o.fleet),
      concurrency: intFlag('--concurrency', o.concurrency),
      timeScale: positiveNumber('--time-scale', o.timeScale),
      accountsFile: o.accounts,
      env: ctx.env,
      metrics,
      stalledAfterMs: durationFlag('--stalled-after', o.stalledAfter),
      onRecord: rep.onRecord,
      onWarning: (m) => ctx.err(`five9 fleet worker: ${m}`),
    });
    const started = Date.now();
    await worker.start();
    if (o.json) ctx.out(JSON.stringify({ type: 'worker', id: worker.id, redis: redisLabel(url), fleet: o.fleet }));
    else ctx.out(`worker ${worker.id} on ${redisLabel(url)}, fleet ${o.fleet}, concurrency ${o.concurrency}; Ctrl-C stops after the steps in flight`);
    const server = await metricsServer(ctx, metrics, portFlag(o.metricsPort), !!o.json);
    await new Promise<void>((resolve) => {
      stopOnSignals(() => {
        ctx.err('stopping after the steps in flight (Ctrl-C again to exit at once)');
        resolve();
      });
    });
    await worker.stop();
    rep.stop();
    server?.close();
    if (o.json) ctx.out(JSON.stringify({ type: 'summary', ...rep.tally.toJSON(), elapsedMs: Date.now() - started }));
    else ctx.out(`summary: ${rep.tally.line()} in ${formatDuration(Date.now() - started)}`);
  });

  common(
    fleet
      .command('status')
      .description("each account's last run, the exit it took, its next run and its last error")
      .option('--redis <url>', 'the Redis the fleet is scheduled in (default: FIVE9_REDIS_URL)'),
  ).action(async (o: CommonFlags) => {
    ctx.setJson(!!o.json);
    const url = redisUrl(o, ctx.env, true)!;
    const redis = connectRedis(url, 'five9-fleet-status');
    try {
      const s = await readStatus(redis, new FleetKeys(o.prefix, o.fleet));
      ctx.out(o.json ? JSON.stringify(s) : statusTable(s));
    } finally {
      redis.disconnect();
    }
  });

  fleet
    .command('check')
    .argument('<accounts>', 'accounts file')
    .description('check an accounts file (schema, templates, fields, one target per account) without running anything')
    .action((file: string) => {
      const c = loadFleetConfig(file);
      ctx.out(`${file}: ok (${c.accounts.length} account(s), ${c.accounts.reduce((n, a) => n + a.cycles.length, 0)} schedule(s))`);
    });
}
