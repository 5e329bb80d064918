import { createHash } from 'node:crypto';
import type { Clock } from '../clock';
import { Five9Error, Five9RowsError, type RowIssue } from '../errors';
import { DOMAIN_PLACEHOLDER, type RestAction, pathPlaceholders } from '../manifest';
import type { JsonSchema } from '../schemas';
import { Checkpoint, type CheckpointEntry, type RowRange } from './checkpoint';
import type { RestClient, RestEvent } from './client';

/** A row a file reader could not turn into a contact (bad JSON, wrong number of CSV cells, bytes that are not UTF-8): reported with the invalid rows. */
export class UnreadableRow {
  constructor(
    readonly rule: string,
    readonly message: string,
    /** The field (a JSON pointer such as /firstName), or / for the whole row. */
    readonly field = '/',
  ) {}
}

export interface UploadOptions {
  client: RestClient;
  /** The dialing list; it must exist. */
  list: string;
  /** Contacts in order, from an array, a generator or a stream; row 1 is the first. */
  contacts: AsyncIterable<unknown> | Iterable<unknown>;
  /** A JSON file remembering acknowledged chunks; with it, an interrupted upload run again resumes. */
  checkpoint?: string;
  /** Time stamps of events and of the checkpoint (default: the client's clock, which paces). */
  clock?: Clock;
  onProgress?: (e: UploadEvent) => void;
  /** Send the valid rows when some are invalid (default: send nothing, throw FIVE9_INVALID_ROWS). */
  skipInvalid?: boolean;
  /** Contacts per request (default and maximum: the action's item limit, 1,000). */
  chunkSize?: number;
  /** Stops the upload (FIVE9_INTERRUPTED): a chunk in flight is answered and recorded first; waits end at once. */
  signal?: AbortSignal;
  /** The REST action that adds contacts (default addContactsToList). */
  action?: string;
}

export type UploadEvent =
  | { type: 'validated'; at: number; rows: number; valid: number; invalid: number; chunks: number; resumedChunks: number }
  | { type: 'note'; at: number; message: string }
  | { type: 'wait'; at: number; reason: 'pace' | 'retry-after'; ms: number; until: number }
  | { type: 'chunk'; at: number; chunk: number; chunks: number; done: number; contacts: number; accepted: number; rejected: number; sent: number; requests: number }
  | { type: 'done'; at: number; report: UploadReport };

export interface UploadReport {
  list: string;
  /** Rows read. */
  rows: number;
  /** Rows that passed validation (and were, or are being, sent). */
  valid: number;
  /** Invalid rows left out (with skipInvalid). */
  invalid: RowIssue[];
  chunks: number;
  /** Chunks an earlier run had delivered, not sent again. */
  resumedChunks: number;
  /** Contacts in acknowledged chunks, this run and earlier ones. */
  sent: number;
  /** Contacts the list took. */
  accepted: number;
  /** Contacts the server refused, by row, with its reason. */
  rejected: Array<{ row: number; reason: string }>;
  /**
   * Chunks whose fate could not be known, by row range: a chunk in flight when a run stopped or
   * failed (the server may or may not have stored it), or such a chunk sent again by a later run
   * and answered as new (if the server ignores Idempotency-Key and had stored the first attempt,
   * its contacts may be in the list twice). Never counted as rejected.
   */
  uncertain: Array<{ chunk: number; rows: RowRange; reason: string }>;
  /** REST requests of this run (repeats after 401 and 429 included, token requests not). */
  requests: number;
  /** Time this run spent waiting for the rate limit or Retry-After, on the clock (ms). */
  waitedMs: number;
  checkpoint?: string;
}

interface ValidRow {
  row: number;
  contact: Record<string, unknown>;
}

/** Stable JSON (object keys sorted), so the upload key does not depend on column order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The contacts action's parts: the array field and its item schema, and the path field that names the list. */
function contactsAction(client: RestClient, name: string): { action: RestAction; itemsField: string; listField: string; itemSchema: JsonSchema; listSchema: JsonSchema; max: number } {
  const action = client.manifest.restAction(name);
  const input = client.manifest.registry.resolve(action.input as JsonSchema);
  const listField = pathPlaceholders(action.http.path).find((p) => p !== DOMAIN_PLACEHOLDER);
  if (!action.itemLimit || !listField) throw new Five9Error('FIVE9_CONFIG', `"${action.displayName}" has no itemLimit or no list in its path: it cannot upload contacts`);
  const itemsField = action.itemLimit.field;
  return { action, itemsField, listField, itemSchema: input.properties[itemsField].items, listSchema: input.properties[listField], max: action.itemLimit.max };
}

/** Rejections that say the contact is already in the list: for a chunk sent again, the first attempt delivered it. */
const DUPLICATE = /duplicate/i;

/** Errors after which the server certainly did not store the chunk (it answered a refusal). */
function certainlyNotStored(e: unknown): boolean {
  if (!(e instanceof Five9Error)) return false;
  if (e.code === 'FIVE9_INTERRUPTED') return e.details.sent === false;
  if (e.code === 'FIVE9_HTTP') return typeof e.details.status === 'number' && e.details.status >= 400 && e.details.status < 500;
  return ['FIVE9_REST_AUTH', 'FIVE9_REST_SCOPE', 'FIVE9_RATE_LIMITED', 'FIVE9_INVALID_INPUT', 'FIVE9_CONFIG'].includes(e.code);
}

/**
 * Validates every contact, then sends the valid ones in chunks of at most the action's item limit,
 * paced to its quota class (waiting on the clock rather than failing), honouring Retry-After, and
 * recording each acknowledged chunk in the checkpoint so that a rerun after an interruption sends
 * no chunk twice and loses none. Nothing is sent when a row is invalid, unless skipInvalid.
 */
export async function uploadContacts(options: UploadOptions): Promise<UploadReport> {
  const { client, list, signal } = options;
  const clock = options.clock ?? client.clock;
  const emit = (e: UploadEvent) => options.onProgress?.(e);
  const { action, itemsField, listField, itemSchema, listSchema, max } = contactsAction(client, options.action ?? 'addContactsToList');
  const chunkSize = options.chunkSize ?? max;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > max) {
    throw new Five9Error('FIVE9_CONFIG', `chunk size must be 1 to ${max} (Five9 takes at most ${max} ${itemsField} a request), not ${chunkSize}`);
  }
  const registry = client.manifest.registry;
  const listIssues = registry.check(listSchema, list, 'input');
  if (listIssues.length) throw new Five9Error('FIVE9_CONFIG', `list name ${JSON.stringify(list)}: ${listIssues.map((i) => i.message.replace(/^input /, '')).join('; ')}`);

  // 1. Every row is read and validated before anything is sent.
  const target = `${client.baseUrl} domain ${client.domainId}`;
  const hash = createHash('sha256').update(canonical(['five9-upload/1', target, list, chunkSize])).update('\n');
  const valid: ValidRow[] = [];
  const invalid: RowIssue[] = [];
  let row = 0;
  for await (const item of options.contacts as AsyncIterable<unknown>) {
    row++;
    if (item instanceof UnreadableRow) {
      invalid.push({ row, field: item.field, rule: item.rule, message: item.message });
      continue;
    }
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      invalid.push({ row, field: '/', rule: 'type', message: 'must be an object of contact fields' });
      continue;
    }
    // A NUL character is never part of a contact: it is refused, not sent (from any file format).
    const nul = Object.entries(item).filter(([, v]) => typeof v === 'string' && v.includes('\u0000'));
    if (nul.length) {
      for (const [k] of nul) invalid.push({ row, field: `/${k}`, rule: 'nul', message: `/${k} holds a NUL character (\\0)` });
      continue;
    }
    const issues = registry.check(itemSchema, item, 'input');
    if (issues.length) {
      for (const i of issues) invalid.push({ row, field: i.field, rule: i.rule, message: i.message });
      continue;
    }
    valid.push({ row, contact: item as Record<string, unknown> });
    hash.update(canonical(item)).update('\n');
  }
  const invalidRows = new Set(invalid.map((i) => i.row)).size;
  if (invalid.length && !options.skipInvalid) {
    throw new Five9RowsError(`${invalidRows} of ${row} row(s) are invalid; nothing was sent (fix them, or skip them with --skip-invalid)`, invalid, { invalidRows, totalRows: row });
  }

  // 2. The checkpoint says which chunks an earlier run already delivered, and which were in flight.
  const chunks = Math.ceil(valid.length / chunkSize);
  const key = hash.digest('hex');
  const now = () => new Date(clock.now()).toISOString();
  const fresh = (): CheckpointEntry => ({ list, target, rows: valid.length, chunkSize, chunks, done: [], sent: 0, accepted: 0, rejected: [], requests: 0, startedAt: now(), updatedAt: now(), complete: false });
  const scrub = <T>(v: T): T => client.redactor.value(v);
  const cp = options.checkpoint ? await Checkpoint.open(options.checkpoint, key, fresh, scrub) : undefined;
  try {
    return await deliver({ client, list, signal, clock, emit, action, itemsField, listField, chunkSize, chunks, key, valid, invalid, rows: row, invalidRows, cp, fresh, now });
  } finally {
    await cp?.close();
  }
}

interface Delivery {
  client: RestClient;
  list: string;
  signal?: AbortSignal;
  clock: Clock;
  emit: (e: UploadEvent) => void;
  action: RestAction;
  itemsField: string;
  listField: string;
  chunkSize: number;
  chunks: number;
  /** The upload key; each chunk's Idempotency-Key derives from it. */
  key: string;
  valid: ValidRow[];
  invalid: RowIssue[];
  rows: number;
  invalidRows: number;
  cp?: Checkpoint;
  fresh: () => CheckpointEntry;
  now: () => string;
}

/**
 * Sends the chunks not yet acknowledged, in order. Each is recorded as in flight before its bytes
 * leave and as done when its answer is read; a chunk an earlier run left in flight is sent again
 * with the same Idempotency-Key, and its contacts the server says it already has count as delivered.
 */
async function deliver(d: Delivery): Promise<UploadReport> {
  const { client, list, signal, clock, emit, action, itemsField, listField, chunkSize, chunks, key, valid, invalid, invalidRows, cp, fresh, now } = d;
  const row = d.rows;
  const entry = cp?.entry ?? fresh();
  entry.inFlight ??= [];
  entry.uncertain ??= [];
  const inFlight = new Set(entry.inFlight);
  const done = new Set(entry.done);
  const resumedChunks = done.size;
  for (const other of cp?.others() ?? []) {
    emit({ type: 'note', at: clock.now(), message: `${cp!.path} also holds an unfinished upload of other rows to "${list}" (${other.entry.done.length} of ${other.entry.chunks} chunks delivered); this is a new upload` });
  }
  emit({ type: 'validated', at: clock.now(), rows: row, valid: valid.length, invalid: invalidRows, chunks, resumedChunks });

  let requests = 0;
  let waitedMs = 0;
  const onEvent = (e: RestEvent) => {
    if (e.type !== 'wait') return;
    waitedMs += e.ms;
    emit({ type: 'wait', at: e.at, reason: e.reason, ms: e.ms, until: e.until });
  };
  const rowsOf = (i: number): RowRange => {
    const slice = valid.slice(i * chunkSize, (i + 1) * chunkSize);
    return { from: slice[0]?.row ?? 0, to: slice[slice.length - 1]?.row ?? 0 };
  };
  const report = (): UploadReport => ({
    list,
    rows: row,
    valid: valid.length,
    invalid,
    chunks,
    resumedChunks,
    sent: entry.sent,
    accepted: entry.accepted,
    rejected: entry.rejected,
    uncertain: [...entry.uncertain!, ...[...inFlight].filter((c) => !done.has(c)).map((c) => ({ chunk: c + 1, rows: rowsOf(c), reason: 'in flight when this run stopped: the server may or may not have stored it; the next run sends it again with the same Idempotency-Key' }))],
    requests,
    waitedMs,
    ...(cp ? { checkpoint: cp.path } : {}),
  });
  const syncInFlight = () => {
    entry.inFlight = [...inFlight].sort((a, b) => a - b);
  };
  const uploadDetails = () => {
    const r = report();
    return { upload: { done: done.size, chunks, ...(r.uncertain.length ? { uncertain: r.uncertain } : {}), ...(cp ? { checkpoint: cp.path } : {}) } };
  };
  const stopped = (why: string) => {
    const r = report();
    const doubt = r.uncertain.length ? `; the fate of ${r.uncertain.map((u) => `rows ${u.rows.from}-${u.rows.to}`).join(', ')} is not known` : '';
    return new Five9Error('FIVE9_INTERRUPTED', `upload to "${list}" stopped (${why}) after ${done.size} of ${chunks} chunk(s)${doubt}${cp ? `; run it again with checkpoint ${cp.path} to resume` : ' (no checkpoint, so it cannot resume)'}`, {
      details: { done: done.size, chunks, sent: entry.sent, ...(r.uncertain.length ? { uncertain: r.uncertain } : {}), ...(cp ? { checkpoint: cp.path } : {}) },
    });
  };
  for (let i = 0; i < chunks; i++) {
    if (done.has(i)) continue;
    if (signal?.aborted) {
      await cp?.save();
      throw stopped('interrupted');
    }
    const slice = valid.slice(i * chunkSize, (i + 1) * chunkSize);
    // A chunk an earlier run left in flight: the server may already hold it.
    const resent = inFlight.has(i);
    let result;
    try {
      result = await client.run(action.id, { [listField]: list, [itemsField]: slice.map((v) => v.contact) }, {
        signal,
        letRequestFinish: true,
        onEvent,
        headers: { 'idempotency-key': `${key.slice(0, 32)}-${i}` },
        beforeSend: async () => {
          // Recorded before the bytes leave, so a run killed now knows this chunk's fate is open.
          if (inFlight.has(i)) return;
          inFlight.add(i);
          syncInFlight();
          await cp?.save();
        },
        afterAnswer: async (status) => {
          // A refusal (429 before a Retry-After wait, 401 before a new token) stored nothing: not in
          // flight while the client waits, unless an earlier run left it so.
          if (status >= 400 && status < 500 && !resent && inFlight.delete(i)) {
            syncInFlight();
            await cp?.save();
          }
        },
      });
    } catch (e) {
      // A refusal the server answered means it stored nothing: not in flight any more (unless an earlier run left it so).
      if (certainlyNotStored(e) && !resent) inFlight.delete(i);
      syncInFlight();
      await cp?.save().catch(() => undefined);
      if (e instanceof Five9Error && e.code === 'FIVE9_INTERRUPTED') throw stopped('interrupted');
      if (e instanceof Five9Error) Object.assign(e.details, uploadDetails());
      throw e;
    }
    requests += result.requests;
    const out = result.output as { accepted?: number; rejected?: Array<{ index: number; code?: string; reason: string }> } | null;
    const answered = (out?.rejected ?? []).map((r) => ({ row: slice[r.index]?.row ?? -1, code: r.code ?? '', reason: client.redactor.text(r.code ? `${r.code}: ${r.reason}` : r.reason) }));
    // Sent again after an earlier attempt's answer was lost: "already there" means that attempt delivered it.
    const duplicates = resent ? answered.filter((r) => DUPLICATE.test(r.code)) : [];
    const rejected = answered.filter((r) => !duplicates.includes(r)).map(({ row: n, reason }) => ({ row: n, reason }));
    const accepted = (out?.accepted ?? slice.length - answered.length) + duplicates.length;
    if (resent && !duplicates.length && result.headers['idempotent-replayed'] !== 'true') {
      entry.uncertain!.push({
        chunk: i + 1,
        rows: rowsOf(i),
        reason: 'an earlier run sent it and lost the answer; sent again with the same Idempotency-Key, the server answered it as new: if it ignores the key and had stored the first attempt, these contacts may be in the list twice',
      });
    }
    inFlight.delete(i);
    syncInFlight();
    entry.done.push(i);
    done.add(i);
    entry.sent += slice.length;
    entry.accepted += accepted;
    entry.rejected.push(...rejected);
    entry.requests += result.requests;
    entry.updatedAt = now();
    entry.complete = done.size === chunks;
    await cp?.save();
    emit({ type: 'chunk', at: clock.now(), chunk: i + 1, chunks, done: done.size, contacts: slice.length, accepted, rejected: rejected.length, sent: entry.sent, requests });
  }
  if (cp && !entry.complete) {
    entry.complete = true;
    entry.updatedAt = now();
    await cp.save();
  }
  const r = report();
  emit({ type: 'done', at: clock.now(), report: r });
  return r;
}
