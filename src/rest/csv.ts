import { isUtf8 } from 'node:buffer';
import type { Writable } from 'node:stream';
import { parse } from 'csv-parse';

/**
 * CSV records streamed through csv-parse (RFC 4180: quoted fields may hold commas, doubled quotes
 * and line breaks; CRLF or LF ends a record; values are never trimmed). Cells stay bytes until
 * checked, so that a field that is not UTF-8 is named instead of being decoded to U+FFFD.
 *
 * Malformed quoting stops the reading at once (nothing is guessed): a quote never closed, a quote
 * inside an unquoted field (`ab"cd"ef`), text after a closing quote. The error names the line and
 * column of the quote at fault. A record may not pass MAX_RECORD_BYTES, so a quote left open in a
 * 100 MB file fails after a megabyte, naming that quote, instead of swallowing the file.
 */

/** The longest record accepted: contacts are a few hundred bytes, a megabyte is an open quote. */
export const MAX_RECORD_BYTES = 1024 * 1024;

export interface CsvRecord {
  /** The record's cells, as UTF-8 text, or a CellProblem for a cell that is not UTF-8. */
  cells: Array<string | CellProblem>;
  /** The line the record starts on (1 = the file's first line). */
  line: number;
}

/** A cell whose bytes are not UTF-8. */
export class CellProblem {
  constructor(readonly message: string) {}
}

/** Malformed quoting: the line and column (in characters, from 1) of the quote at fault, and which field. */
export class CsvQuoteError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    /** The field's position in its record (0 = first). */
    readonly fieldIndex: number,
    /** The record's position in the file (0 = the header). */
    readonly recordIndex: number,
  ) {
    super(message);
    this.name = 'CsvQuoteError';
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/**
 * The bytes read from the start of the line the current record starts on: enough to say, when a
 * record is malformed, where its quote went wrong. Chunks wholly before that line are dropped.
 */
class Window {
  private chunks: Array<{ buf: Buffer; firstLine: number; breaks: number }> = [];
  private nextLine = 1;

  add(buf: Buffer): void {
    const breaks = count(buf, LF);
    this.chunks.push({ buf, firstLine: this.nextLine, breaks });
    this.nextLine += breaks;
  }

  /** Forgets the chunks that end before line `line` starts. */
  drop(line: number): void {
    while (this.chunks.length > 1 && this.chunks[0].firstLine + this.chunks[0].breaks < line) this.chunks.shift();
  }

  /** The kept bytes from the start of line `line` on (at most `max`). */
  fromLine(line: number, max: number): Buffer {
    const i = this.chunks.findIndex((c) => c.firstLine + c.breaks >= line);
    if (i < 0) return Buffer.alloc(0);
    const c = this.chunks[i];
    let at = 0;
    for (let k = c.firstLine; k < line; k++) at = c.buf.indexOf(LF, at) + 1;
    const parts = [c.buf.subarray(at), ...this.chunks.slice(i + 1).map((x) => x.buf)];
    let size = 0;
    let n = 0;
    while (n < parts.length && size < max) size += parts[n++].length;
    return Buffer.concat(parts.slice(0, n)).subarray(0, max);
  }
}

/** Line and column (characters, from 1) of byte `offset` of bytes that start on line `line`. */
function place(bytes: Buffer, line: number, offset: number): { line: number; column: number } {
  const before = bytes.subarray(0, offset);
  const lastBreak = before.lastIndexOf(LF);
  return { line: line + count(before, LF), column: [...before.subarray(lastBreak + 1).toString('utf8')].length + 1 };
}

function count(buf: Buffer, byte: number): number {
  let n = 0;
  for (let i = buf.indexOf(byte); i >= 0; i = buf.indexOf(byte, i + 1)) n++;
  return n;
}

/**
 * Where the quoting of CSV bytes goes wrong, read as RFC 4180 reads it, record after record: the
 * offset of the quote at fault, its field and record (0 = the first record of `bytes`), and what
 * is wrong; undefined when nothing is found.
 */
export function quoteProblem(bytes: Buffer): { at: number; field: number; record: number; kind: 'unclosed' | 'opening' | 'closing' } | undefined {
  let i = 0;
  let field = 0;
  let record = 0;
  while (i < bytes.length) {
    if (bytes[i] === QUOTE) {
      const open = i;
      i++;
      for (;;) {
        const q = bytes.indexOf(QUOTE, i);
        if (q < 0) return { at: open, field, record, kind: 'unclosed' };
        if (bytes[q + 1] === QUOTE) {
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      const c = bytes[i];
      if (i < bytes.length && c !== COMMA && c !== LF && !(c === CR && bytes[i + 1] === LF)) return { at: i - 1, field, record, kind: 'closing' };
    } else {
      while (i < bytes.length && bytes[i] !== COMMA && bytes[i] !== LF) {
        if (bytes[i] === QUOTE) return { at: i, field, record, kind: 'opening' };
        i++;
      }
    }
    if (bytes[i] === CR) i++;
    if (bytes[i] === COMMA) field++;
    else {
      field = 0;
      record++;
    }
    i++;
  }
  return undefined;
}

const SAYS = {
  unclosed: 'this quote opens a field that is never closed (a quoted field ends with a quote; a quote inside it is written twice: "")',
  opening: 'a quote inside a field that does not start with one (quote the whole field and write each quote inside it twice: "ab""cd")',
  closing: 'text after the quote that closes this field (a quote inside a quoted field is written twice: "")',
};

/** Resolves when the stream takes more, or closes. */
function drained(s: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}

/** The CSV records of a byte (or text) stream, in order; throws CsvQuoteError at malformed quoting. */
export async function* csvRecords(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<CsvRecord> {
  const window = new Window();
  const parser = parse({
    encoding: null as unknown as BufferEncoding,
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    max_record_size: MAX_RECORD_BYTES,
    // A malformed record is reported as a 'skip' event in its place, after the records before it,
    // instead of an error that would discard them: reading then stops there.
    skip_records_with_error: true,
  });
  let failedAt = Infinity;
  let failure: Error | undefined;
  let ended = false;
  const end = () => {
    if (!ended) {
      ended = true;
      parser.end();
    }
  };
  parser.on('skip', (e: Error & { records?: number }) => {
    if (failure) return;
    failure = e;
    failedAt = e.records ?? 0;
    end();
  });
  // The file is fed to the parser as the parser takes it, and no further once a record is malformed.
  const pump = (async () => {
    let first = true;
    try {
      for await (const chunk of source as AsyncIterable<Buffer | string>) {
        if (ended) break;
        let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        if (first && buf.length) {
          first = false;
          if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
        }
        window.add(buf);
        if (!parser.write(buf)) await drained(parser);
      }
      end();
    } catch (e) {
      parser.destroy(e as Error);
    }
  })();
  let line = 1;
  let index = 0;
  try {
    for await (const record of parser as AsyncIterable<Buffer[]>) {
      if (index >= failedAt) break;
      let breaks = 0;
      const cells = record.map((b) => {
        if (b.indexOf(LF) >= 0) breaks += count(b, LF);
        return isUtf8(b) ? b.toString('utf8') : new CellProblem('holds bytes that are not UTF-8 (save the file as UTF-8)');
      });
      yield { cells, line };
      // Each record ends with a line break, and its quoted cells may hold more.
      line += 1 + breaks;
      window.drop(line);
      index++;
    }
  } finally {
    parser.destroy();
    await pump;
  }
  if (!failure) return;
  const bytes = window.fromLine(line, 2 * MAX_RECORD_BYTES);
  const p = quoteProblem(bytes);
  if (!p) throw new CsvQuoteError(`line ${line}: the record that starts here is longer than ${MAX_RECORD_BYTES} bytes`, line, 1, 0, index);
  const at = place(bytes, line, p.at);
  throw new CsvQuoteError(`line ${at.line}, column ${at.column}: ${SAYS[p.kind]}`, at.line, at.column, p.field, index + p.record);
}
