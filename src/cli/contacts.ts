import { type Command, Option } from 'commander';
import { createHash, randomBytes } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { type Clock, systemClock } from '../clock';
import { Five9Error, Five9RowsError } from '../errors';
import { type Manifest, loadManifest } from '../manifest';
import { type ContactsFormat, RestClient, type UploadEvent, type UploadReport, readContactsFile, uploadContacts } from '../rest';
import type { JsonSchema } from '../schemas';
import { Five9Simulator } from '../simulator';
import type { Redactor } from '../util/redact';

/** What the contacts commands need from `main`: its io, its redacting output and its redactor. */
export interface RestCliContext {
  io: {
    out: (s: string) => void;
    err: (s: string) => void;
    env: NodeJS.ProcessEnv;
    /** Whether stderr is a terminal (progress bar) and how to write to it without a line break. */
    isTTY?: boolean;
    write?: (s: string) => void;
  };
  /** Writes a line to stdout through the redactor. */
  out: (s: string) => void;
  redactor: Redactor;
  /** Tells `main` to report errors as JSON on stdout. */
  setJson: (json: boolean) => void;
}

export interface RestTargetFlags {
  dataCenter?: string;
  endpoint?: string;
  domainId?: string;
  tokenPath?: string;
  timeout?: string;
  redis?: string;
}

export interface OpenRestTarget {
  client: RestClient;
  label: string;
  simulator?: Five9Simulator;
  close(): Promise<void>;
}

/**
 * Where REST requests go: a data centre or an endpoint with FIVE9_CONSUMER_KEY,
 * FIVE9_CONSUMER_SECRET and a domain id from the environment (or --domain-id), or by default an
 * embedded simulator started for this command with a random consumer secret.
 */
export async function openRestTarget(flags: RestTargetFlags, env: NodeJS.ProcessEnv, redactor: Redactor, options: { lists?: string[]; clock?: Clock } = {}): Promise<OpenRestTarget> {
  const timeoutMs = parseTimeout(flags.timeout);
  redactor.add(env.FIVE9_CONSUMER_SECRET);
  if (flags.endpoint || flags.dataCenter) {
    const client = restClientFromEnv(flags, env, redactor, options.clock);
    return { client, label: `${client.baseUrl} (domain ${client.domainId})`, close: () => client.close() };
  }
  const key = `cli-${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(18).toString('base64url');
  redactor.add(secret);
  const simulator = new Five9Simulator({ users: [{ username: 'demo', password: randomBytes(12).toString('base64url') }], consumers: [{ key, secret }], clock: options.clock });
  for (const l of options.lists ?? []) simulator.rest.addList(l);
  const { url } = await simulator.start();
  const client = new RestClient({ endpoint: url, domainId: simulator.rest.domainId, consumerKey: key, consumerSecret: secret, tokenPath: flags.tokenPath, timeoutMs, redactor, clock: options.clock, coordinator: 'memory' });
  return {
    client,
    simulator,
    label: `embedded simulator at ${url} (no account needed)`,
    async close() {
      await client.close();
      await simulator.stop();
    },
  };
}

function parseTimeout(timeout: string | undefined): number | undefined {
  const timeoutMs = timeout ? Number(timeout) : undefined;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new Five9Error('FIVE9_CONFIG', `--timeout must be a positive number of milliseconds, not "${timeout}"`);
  return timeoutMs;
}

/** A RestClient for a data centre or an endpoint, with the credential and domain id from the environment (or --domain-id). */
export function restClientFromEnv(flags: RestTargetFlags, env: NodeJS.ProcessEnv, redactor: Redactor, clock?: Clock): RestClient {
  const consumerKey = env.FIVE9_CONSUMER_KEY ?? '';
  const consumerSecret = env.FIVE9_CONSUMER_SECRET ?? '';
  const domainId = flags.domainId ?? env.FIVE9_DOMAIN_ID ?? '';
  redactor.add(consumerSecret);
  if (!consumerKey || !consumerSecret) {
    throw new Five9Error('FIVE9_CONFIG', 'set FIVE9_CONSUMER_KEY and FIVE9_CONSUMER_SECRET in the environment to use --endpoint or --data-center');
  }
  if (!domainId) throw new Five9Error('FIVE9_CONFIG', 'set FIVE9_DOMAIN_ID in the environment, or pass --domain-id, to use --endpoint or --data-center');
  return new RestClient({ endpoint: flags.endpoint, dataCenter: flags.dataCenter, domainId, consumerKey, consumerSecret, tokenPath: flags.tokenPath, timeoutMs: parseTimeout(flags.timeout), redactor, clock, redis: flags.redis ?? env.FIVE9_REDIS_URL });
}

/** `--consumer KEY:SECRET[:scope,scope]` of `five9 simulator`. */
function restTargetOptions(cmd: Command, manifest: Manifest): Command {
  return cmd
    .addOption(new Option('--data-center <dc>', 'target Five9 in this REST data centre (credentials from FIVE9_CONSUMER_KEY / FIVE9_CONSUMER_SECRET)').choices(Object.keys(manifest.raw.rest?.dataCenters ?? {})))
    .option('--endpoint <url>', 'target this base URL instead (https, or http to 127.0.0.1); credentials from the environment')
    .option('--domain-id <id>', 'the Five9 domain id (default: FIVE9_DOMAIN_ID)')
    .option('--token-path <path>', `the OAuth2 token endpoint, a path or a full URL (default ${manifest.raw.rest?.auth.tokenPath})`)
    .option('--timeout <ms>', 'request time-out in milliseconds')
    .option('--redis <url>', 'share the 40 requests a minute of the consumer key with every process using this Redis, on any machine (default: FIVE9_REDIS_URL, else a store on this machine)');
}

/** The default checkpoint of a file and list: .five9/checkpoints/<file>-<hash of its absolute path and the list>.json. */
export function defaultCheckpoint(file: string, list: string, cwd = process.cwd()): string {
  const h = createHash('sha256').update(`${resolve(cwd, file)}\n${list}`).digest('hex').slice(0, 12);
  return join(cwd, '.five9', 'checkpoints', `${basename(file).replace(/[^A-Za-z0-9._-]/g, '_')}-${h}.json`);
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** Progress of an upload: a redrawn bar with ETA on a terminal, one plain line per event otherwise. */
class Progress {
  private total = 0;
  private chunks = 0;
  private firstAt?: number;
  private doneAtStart = 0;
  private done = 0;
  private sent = 0;
  private waitingUntil?: number;
  private drawn = false;

  constructor(
    private readonly tty: boolean,
    private readonly line: (s: string) => void,
    private readonly write: (s: string) => void,
    private readonly clock: Clock,
  ) {}

  event(e: UploadEvent): void {
    switch (e.type) {
      case 'validated':
        this.total = e.valid;
        this.chunks = e.chunks;
        this.done = this.doneAtStart = e.resumedChunks;
        this.firstAt = this.clock.now();
        this.print(`validated ${e.rows} row(s): ${e.valid} valid, ${e.invalid} invalid${e.invalid ? ' (skipped)' : ''}; ${e.chunks} chunk(s)${e.resumedChunks ? `, ${e.resumedChunks} already delivered (resuming from the checkpoint)` : ''}`);
        break;
      case 'note':
        this.print(`note: ${e.message}`);
        break;
      case 'wait':
        this.waitingUntil = e.until;
        if (this.tty) this.draw();
        else this.line(`waiting ${Math.ceil(e.ms / 1000)} s (${e.reason === 'pace' ? 'staying within the rate limit' : 'Retry-After of a 429 answer'})`);
        break;
      case 'chunk':
        this.waitingUntil = undefined;
        this.done = e.done;
        this.sent = e.sent;
        if (this.tty) this.draw();
        else this.line(`chunk ${e.chunk}/${e.chunks}: ${e.contacts} sent, ${e.accepted} accepted, ${e.rejected} rejected (${e.sent}/${this.total} contacts)`);
        break;
      case 'done':
        if (this.tty && this.drawn) this.write('\n');
        this.drawn = false;
        break;
    }
  }

  private print(s: string): void {
    if (this.tty && this.drawn) this.write('\n');
    this.drawn = false;
    this.line(s);
  }

  private eta(): string {
    const now = this.clock.now();
    const ran = this.done - this.doneAtStart;
    const left = this.chunks - this.done;
    if (!left) return '0:00';
    if (!ran || this.firstAt === undefined) return '…';
    return duration(((now - this.firstAt) / ran) * left);
  }

  private draw(): void {
    const width = 28;
    const share = this.chunks ? this.done / this.chunks : 1;
    const full = Math.round(share * width);
    const bar = `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
    const wait = this.waitingUntil !== undefined ? ` · waiting ${duration(this.waitingUntil - this.clock.now())}` : '';
    this.write(`\r${bar} ${String(Math.round(share * 100)).padStart(3)}% ${this.sent}/${this.total} contacts · chunk ${this.done}/${this.chunks} · ETA ${this.eta()}${wait}\x1b[K`);
    this.drawn = true;
  }
}

function printReport(r: UploadReport, out: (s: string) => void): void {
  out('Report');
  out(`  list:       ${r.list}`);
  out(`  rows:       ${r.rows} (${r.valid} valid, ${new Set(r.invalid.map((i) => i.row)).size} invalid and skipped)`);
  out(`  chunks:     ${r.chunks}${r.resumedChunks ? ` (${r.resumedChunks} delivered by an earlier run, not sent again)` : ''}`);
  out(`  sent:       ${r.sent}`);
  out(`  accepted:   ${r.accepted}`);
  out(`  rejected:   ${r.rejected.length}`);
  for (const x of r.rejected.slice(0, 20)) out(`    row ${x.row}: ${x.reason}`);
  if (r.rejected.length > 20) out(`    … and ${r.rejected.length - 20} more (--json lists them all)`);
  if (r.uncertain.length) out(`  uncertain:  ${r.uncertain.map((u) => `rows ${u.rows.from}-${u.rows.to}`).join(', ')} (not known whether the list has them; never counted as rejected)`);
  for (const u of r.uncertain) out(`    rows ${u.rows.from}-${u.rows.to} (chunk ${u.chunk}): ${u.reason}`);
  out(`  requests:   ${r.requests}${r.waitedMs ? ` (waited ${duration(r.waitedMs)} for the rate limit)` : ''}`);
  if (r.checkpoint) out(`  checkpoint: ${r.checkpoint}`);
}

/** Registers `five9 contacts upload`. */
export function registerContacts(program: Command, ctx: RestCliContext): void {
  const manifest = loadManifest();
  const contacts = program.command('contacts').description("load contacts into Five9 dialing lists over the REST API (API Access Control credentials)");
  restTargetOptions(
    contacts
      .command('upload')
      .argument('<file>', 'contacts: CSV with a header row, a JSON array, or NDJSON (one object a line)')
      .requiredOption('--list <name>', 'the dialing list to add them to')
      .description('validate every row, then send the valid ones in chunks of at most 1,000, at most 40 requests a minute, resumable (default target: an embedded simulator)')
      .addOption(new Option('--format <format>', 'the file format (default: from the extension, else from the first character)').choices(['csv', 'json', 'ndjson']))
      .option('--skip-invalid', 'send the valid rows when some are invalid (default: send nothing)')
      .option('--checkpoint <file>', 'where acknowledged chunks are recorded, to resume an interrupted upload (default for a real target: .five9/checkpoints/<file>-<hash>.json)')
      .option('--json', 'print the report as one JSON object'),
    manifest,
  ).action(async (file: string, o: RestTargetFlags & { list: string; format?: ContactsFormat; skipInvalid?: boolean; checkpoint?: string; json?: boolean }) => {
    ctx.setJson(!!o.json);
    const err = (s: string) => ctx.io.err(ctx.redactor.text(s));
    const action = manifest.restAction('addContactsToList');
    const input = manifest.registry.resolve(action.input as JsonSchema);
    const itemSchema = manifest.registry.resolve(input.properties[action.itemLimit!.field].items);
    const source = await readContactsFile(file, { format: o.format, fields: Object.keys(itemSchema.properties ?? {}) });
    const remote = !!(o.endpoint || o.dataCenter);
    const target = await openRestTarget(o, ctx.io.env, ctx.redactor, { lists: [o.list] });
    // The embedded simulator forgets everything when the command ends: a checkpoint only when asked for.
    const checkpoint = o.checkpoint ?? (remote ? defaultCheckpoint(file, o.list) : undefined);
    const clock = target.client.clock ?? systemClock;
    const progress = new Progress(!!ctx.io.isTTY && !o.json, (s) => err(s), (s) => (ctx.io.write ?? ((x: string) => ctx.io.err(x)))(ctx.redactor.text(s)), clock);
    if (!o.json) err(`uploading ${file} (${source.format}) to list "${o.list}" at ${target.label}`);
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    try {
      const report = await uploadContacts({
        client: target.client,
        list: o.list,
        contacts: source.rows,
        checkpoint,
        skipInvalid: o.skipInvalid,
        signal: ac.signal,
        onProgress: o.json ? undefined : (e) => progress.event(e),
      });
      if (o.json) ctx.out(JSON.stringify(ctx.redactor.value(report)));
      else printReport(report, ctx.out);
    } catch (e) {
      if (!o.json) {
        if (e instanceof Five9RowsError) {
          for (const i of e.rows.slice(0, 50)) err(`row ${i.row}: ${i.field === '/' ? '' : `${i.field.slice(1)} `}${i.message.startsWith(`${i.field} `) ? i.message.slice(i.field.length + 1) : i.message} (${i.rule})`);
          if (e.rows.length > 50) err(`… and ${e.rows.length - 50} more problem(s) (--json lists them all)`);
        } else if (e instanceof Five9Error && e.details.upload && e.code !== 'FIVE9_INTERRUPTED') {
          const u = e.details.upload as { done: number; chunks: number; checkpoint?: string; uncertain?: Array<{ rows: { from: number; to: number } }> };
          const doubt = u.uncertain?.length ? `; whether ${u.uncertain.map((x) => `rows ${x.rows.from}-${x.rows.to}`).join(', ')} reached the list is not known (never counted as rejected)` : '';
          err(`${u.done} of ${u.chunks} chunk(s) were delivered${doubt}${u.checkpoint ? `; run the same command again to resume (checkpoint ${u.checkpoint})` : ''}`);
        }
      }
      throw e;
    } finally {
      process.removeListener('SIGINT', stop);
      await target.close();
    }
  });
}
