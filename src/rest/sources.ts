import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { Five9Error } from '../errors';
import { UnreadableRow } from './upload';

export type ContactsFormat = 'csv' | 'json' | 'ndjson';

/**
 * RFC 4180 records from text arriving in pieces: quoted fields may hold commas, quotes ("") and
 * line breaks; CRLF or LF ends a record; a leading byte-order mark is dropped. Values are never
 * trimmed or converted.
 */
export async function* parseCsv(pieces: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string[]> {
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let afterQuote = false;
  let first = true;
  let any = false;
  for await (let s of pieces as AsyncIterable<string>) {
    if (first && s.length) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      first = false;
    }
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (quoted) {
        if (c === '"') {
          quoted = false;
          afterQuote = true;
        } else field += c;
        continue;
      }
      if (c === '"') {
        if (afterQuote) field += '"'; // "" inside a quoted field
        quoted = true;
        afterQuote = false;
        any = true;
        continue;
      }
      afterQuote = false;
      if (c === ',') {
        record.push(field);
        field = '';
        any = true;
      } else if (c === '\n') {
        record.push(field.endsWith('\r') ? field.slice(0, -1) : field);
        yield record;
        record = [];
        field = '';
        any = false;
      } else {
        field += c;
        any = true;
      }
    }
  }
  if (any || field || record.length) {
    record.push(field.endsWith('\r') ? field.slice(0, -1) : field);
    yield record;
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
  const stream = () => createReadStream(path, { encoding: 'utf8' }) as AsyncIterable<string>;
  if (format === 'json') {
    let text = '';
    for await (const s of stream()) text += s;
    let data: unknown;
    try {
      data = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (e) {
      throw new Five9Error('FIVE9_INVALID_INPUT', `${path} is not JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(data)) throw new Five9Error('FIVE9_INVALID_INPUT', `${path} must hold a JSON array of contacts`);
    return { format, rows: (async function* () { yield* data as unknown[]; })() };
  }
  if (format === 'ndjson') {
    return {
      format,
      rows: (async function* () {
        let first = true;
        for await (let line of createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })) {
          if (first) line = line.replace(/^\uFEFF/, '');
          first = false;
          if (!line.trim()) continue;
          try {
            yield JSON.parse(line);
          } catch (e) {
            yield new UnreadableRow('json', `is not JSON: ${(e as Error).message}`);
          }
        }
      })(),
    };
  }
  const byNormal = new Map(options.fields.map((f) => [normal(f), f]));
  const records = parseCsv(stream())[Symbol.asyncIterator]();
  const first = await records.next();
  if (first.done) return { format, rows: (async function* () {})() };
  const header = first.value.map((h) => {
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
        const r = await records.next();
        if (r.done) return;
        const cells = r.value;
        if (cells.length === 1 && cells[0] === '') continue; // a blank line
        if (cells.length !== header.length) {
          yield new UnreadableRow('csv', `has ${cells.length} cell(s); the header has ${header.length}`);
          continue;
        }
        const contact: Record<string, string> = {};
        cells.forEach((v, i) => {
          if (v !== '') contact[header[i]] = v;
        });
        yield contact;
      }
    })(),
  };
}
