import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { Five9Error, Five9RowsError } from '../errors';
import { jsonErrorPlace } from '../util/json';
import { CellProblem, CsvQuoteError, csvRecords } from './csv';
import { UnreadableRow } from './upload';

export type ContactsFormat = 'csv' | 'json' | 'ndjson';

/**
 * RFC 4180 records (csv-parse) of text or bytes arriving in pieces, as strings: quoted fields may
 * hold commas, doubled quotes and line breaks; CRLF or LF ends a record; a leading byte-order mark
 * is dropped; values are never trimmed or converted. Malformed quoting throws CsvQuoteError naming
 * the line and column; a cell that is not UTF-8 throws too (readContactsFile names its row instead).
 */
export async function* parseCsv(pieces: AsyncIterable<string | Buffer> | Iterable<string | Buffer>): AsyncGenerator<string[]> {
  for await (const r of csvRecords(pieces)) {
    yield r.cells.map((c) => {
      if (c instanceof CellProblem) throw new Five9Error('FIVE9_INVALID_INPUT', `line ${r.line}: a cell ${c.message}`);
      return c;
    });
  }
}

/** The format a file's name says (.csv, .json, .ndjson / .jsonl), else what its first character suggests. */
function formatOf(path: string, head: string): ContactsFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  const c = head.replace(/^\uFEFF/, '').trimStart()[0];
  return c === '[' ? 'json' : c === '{' ? 'ndjson' : 'csv';
}

async function readHead(path: string): Promise<string> {
  for await (const chunk of createReadStream(path, { encoding: 'utf8', start: 0, end: 255 })) return chunk as string;
  return '';
}

function normal(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export interface ContactsFile {
  format: ContactsFormat;
  /** The contacts in file order; a row that cannot be read is an UnreadableRow. */
  rows: AsyncIterable<unknown>;
}

/**
 * Contacts from a file: CSV with a header row (columns are contact fields, matched without regard
 * to case, spaces or underscores, so first_name is firstName; empty cells are left out), a JSON
 * array, or NDJSON (one object a line). CSV and NDJSON are streamed.
 */
export async function readContactsFile(path: string, options: { format?: ContactsFormat; fields: string[] }): Promise<ContactsFile> {
  let head: string;
  try {
    head = await readHead(path);
  } catch (e) {
    throw new Five9Error('FIVE9_CONFIG', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const format = options.format ?? formatOf(path, head);
  const bytes = () => createReadStream(path) as AsyncIterable<Buffer>;
  if (format === 'json') {
    const chunks: Buffer[] = [];
    for await (const c of bytes()) chunks.push(c);
    const buf = Buffer.concat(chunks);
    if (!isUtf8(buf)) throw new Five9Error('FIVE9_INVALID_INPUT', `${path} holds bytes that are not UTF-8 (save it as UTF-8); nothing was sent`);
    let data: unknown;
    const text = buf.toString('utf8').replace(/^\uFEFF/, '');
    try {
      data = JSON.parse(text);
    } catch (e) {
      const place = jsonErrorPlace(text, e);
      throw new Five9Error('FIVE9_INVALID_INPUT', `${path} is not JSON${place ? ` (at ${place})` : ''}`);
    }
    if (!Array.isArray(data)) throw new Five9Error('FIVE9_INVALID_INPUT', `${path} must hold a JSON array of contacts`);
    return { format, rows: (async function* () { yield* data as unknown[]; })() };
  }
  if (format === 'ndjson') {
    return { format, rows: ndjsonRows(bytes()) };
  }
  const byNormal = new Map(options.fields.map((f) => [normal(f), f]));
  const records = csvRecords(bytes())[Symbol.asyncIterator]();
  const refuse = (e: CsvQuoteError, header: string[]): never => {
    const name = header[e.fieldIndex];
    throw new Five9RowsError(`${path}: ${e.message}${name ? ` (field ${name})` : ''}; nothing was sent`, [{ row: e.recordIndex, field: name ? `/${name}` : '/', rule: 'csv', message: e.message }], { line: e.line, column: e.column });
  };
  let first: IteratorResult<{ cells: Array<string | CellProblem>; line: number }>;
  try {
    first = await records.next();
  } catch (e) {
    if (e instanceof CsvQuoteError) throw new Five9Error('FIVE9_INVALID_INPUT', `${path}: the header row: ${e.message}`);
    throw e;
  }
  if (first.done) return { format, rows: (async function* () {})() };
  const header = first.value.cells.map((h) => {
    if (h instanceof CellProblem) throw new Five9Error('FIVE9_INVALID_INPUT', `${path}: a column name on line 1 ${h.message}`);
    const f = byNormal.get(normal(h));
    if (!f) throw new Five9Error('FIVE9_INVALID_INPUT', `${path}: column "${h}" is not a contact field (${options.fields.join(', ')})`);
    return f;
  });
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) throw new Five9Error('FIVE9_INVALID_INPUT', `${path}: two columns are the contact field ${dup}`);
  return {
    format,
    rows: (async function* () {
      for (;;) {
        let r: IteratorResult<{ cells: Array<string | CellProblem>; line: number }>;
        try {
          r = await records.next();
        } catch (e) {
          // Malformed quoting: the rest of the file cannot be read reliably, so nothing is sent at all.
          if (e instanceof CsvQuoteError) refuse(e, header);
          throw e;
        }
        if (r.done) return;
        const { cells, line } = r.value;
        if (cells.length === 1 && cells[0] === '') continue; // a blank line
        if (cells.length !== header.length) {
          yield new UnreadableRow('csv', `line ${line} has ${cells.length} cell(s); the header has ${header.length}`);
          continue;
        }
        const bad = cells.findIndex((c) => c instanceof CellProblem);
        if (bad >= 0) {
          yield new UnreadableRow('utf-8', `/${header[bad]} (line ${line}) ${(cells[bad] as CellProblem).message}`, `/${header[bad]}`);
          continue;
        }
        const contact: Record<string, string> = {};
        (cells as string[]).forEach((v, i) => {
          if (v !== '') contact[header[i]] = v;
        });
        yield contact;
      }
    })(),
  };
}

/** NDJSON rows from bytes: one JSON object a line; a line that is not UTF-8 or not JSON is an unreadable row of its own. */
async function* ndjsonRows(source: AsyncIterable<Buffer>): AsyncGenerator<unknown> {
  let rest = Buffer.alloc(0);
  let first = true;
  const row = function* (line: Buffer): Generator<unknown> {
    if (first && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) line = line.subarray(3);
    first = false;
    if (line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
    if (!isUtf8(line)) {
      yield new UnreadableRow('utf-8', 'holds bytes that are not UTF-8 (save the file as UTF-8)');
      return;
    }
    const text = line.toString('utf8');
    if (!text.trim()) return;
    try {
      yield JSON.parse(text);
    } catch (e) {
      const place = jsonErrorPlace(text, e);
      yield new UnreadableRow('json', `is not JSON${place ? ` (at ${place.replace('line 1, ', '')})` : ''}`);
    }
  };
  for await (const chunk of source) {
    let buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a)) {
      yield* row(buf.subarray(0, nl));
      buf = buf.subarray(nl + 1);
    }
    rest = Buffer.from(buf);
  }
  if (rest.length) yield* row(rest);
}
