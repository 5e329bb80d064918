/* eslint-disable @typescript-eslint/only-throw-error -- BAIL (a symbol, not an Error) is thrown on purpose: the fast path gives up without the cost of a stack, and the caller falls back to the general parser. */
import type { Statistics } from '../generated/five9-types';
import { readXsdInteger } from '../schemas/xsd';
import { BAIL, type Tag, scanTag, skipSpace } from '../soap/scan';
import { decodeEntities } from '../soap/xml';

/** What the runtime hands a parseOutput hook besides the answer's text. */
export interface ParseOutputContext<Output = unknown> {
  /** The operation called (the answer's element is `${operation}Response`). */
  operation: string;
  /** The generic decoder on the same text: what the hook must equal, and its fallback. */
  decode(): Output;
}

type Cell = string | null;
interface Row {
  values?: { data: Cell[] };
}

/** Thrown inside the scanner at anything it leaves to the generic decoder. */

// Most cells are counts of one to three characters: they are taken from these tables instead of
// being cut out of the answer, so that 300,000 cells do not make 300,000 strings.
const ONE = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));
const TWO: (string | undefined)[] = new Array(128 * 128).fill(undefined);
const DIGITS3 = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/** Whether xml has `<data>` at i (compared by char code: called 300,000 times for a large snapshot). */
function openData(xml: string, i: number): boolean {
  return (
    xml.charCodeAt(i) === 60 &&
    xml.charCodeAt(i + 1) === 100 &&
    xml.charCodeAt(i + 2) === 97 &&
    xml.charCodeAt(i + 3) === 116 &&
    xml.charCodeAt(i + 4) === 97 &&
    xml.charCodeAt(i + 5) === 62
  );
}

/** Whether xml has `</data>` at i. */
function closeData(xml: string, i: number): boolean {
  return (
    xml.charCodeAt(i + 1) === 47 &&
    xml.charCodeAt(i + 2) === 100 &&
    xml.charCodeAt(i + 3) === 97 &&
    xml.charCodeAt(i + 4) === 116 &&
    xml.charCodeAt(i + 5) === 97 &&
    xml.charCodeAt(i + 6) === 62
  );
}

/** The text of xml[s, e) when it is short, plain ASCII without '&'; otherwise undefined. */
function shortCell(xml: string, s: number, e: number): string | undefined {
  const n = e - s;
  if (n === 0) return '';
  if (n > 3) return undefined;
  const a = xml.charCodeAt(s);
  if (a >= 128 || a === 38) return undefined;
  if (n === 1) return ONE[a];
  const b = xml.charCodeAt(s + 1);
  if (b >= 128 || b === 38) return undefined;
  if (n === 2) return (TWO[(a << 7) | b] ??= xml.slice(s, e));
  const c = xml.charCodeAt(s + 2);
  if (a < 48 || a > 57 || b < 48 || b > 57 || c < 48 || c > 57) return undefined;
  return DIGITS3[(a - 48) * 100 + (b - 48) * 10 + (c - 48)];
}

/**
 * getStatistics' answer read straight into its output, without the generic decoder's tree: a
 * 5,000-row snapshot is 300,000 `<data>` cells, and building a node per cell, then decoding each
 * by its schema, is most of the time and memory of the generic path. The output is exactly the
 * generic decoder's (same values, same keys in the same order); at anything this scanner does not
 * expect (a fault, a comment or CDATA, an attribute other than xsi:nil="true" or a namespace
 * declaration, an unknown or repeated element, text where elements belong, a mismatched closing
 * tag, an entity fast-xml-parser treats otherwise) it hands the whole answer to the generic decoder.
 */
export function parseStatisticsRows(xml: string, ctx: ParseOutputContext<Statistics>): Statistics {
  if (xml.includes('\r')) return ctx.decode();
  try {
    return scan(xml, ctx.operation);
  } catch (e) {
    if (e === BAIL) return ctx.decode();
    throw e;
  }
}

function scan(xml: string, operation: string): Statistics {
  const len = xml.length;
  let i = 0;

  const skip = (at: number): number => skipSpace(xml, at);

  const tag = (at: number): Tag => scanTag(xml, at);

  /** An element's closing tag, which must name it exactly as it was opened. */
  const closing = (at: number, open: Tag): number => {
    const t = tag(skip(at));
    if (!t.close || t.qname !== open.qname) throw BAIL;
    return t.end;
  };

  /** A leaf's text (entities replaced); `at` is just past its opening tag. */
  const leaf = (open: Tag): string => {
    if (open.nil) throw BAIL;
    if (open.self) return '';
    const e = xml.indexOf('<', i);
    if (e < 0) throw BAIL;
    const text = decodeEntities(xml.slice(i, e));
    if (text === undefined) throw BAIL;
    i = closing(e, open);
    return text;
  };

  // Cells are collected here, then copied to an array of the exact length (no growth garbage).
  const scratch: Cell[] = [];

  /** The cells of a <values> element; `i` is just past its opening tag. */
  const cells = (open: Tag): Cell[] => {
    let n = 0;
    for (;;) {
      if (openData(xml, i)) {
        // The common cell, unprefixed and without attributes.
        const s = i + 6;
        const e = xml.indexOf('<', s);
        if (e < 0 || !closeData(xml, e)) throw BAIL;
        let t = shortCell(xml, s, e);
        if (t === undefined) {
          t = xml.slice(s, e);
          if (t.includes('&')) {
            const d = decodeEntities(t);
            if (d === undefined) throw BAIL;
            t = d;
          }
        }
        scratch[n++] = t;
        i = e + 7;
        continue;
      }
      if (xml.startsWith('<data xsi:nil="true"/>', i)) {
        scratch[n++] = null;
        i += 22;
        continue;
      }
      i = skip(i);
      const t = tag(i);
      i = t.end;
      if (t.close) {
        if (t.qname !== open.qname) throw BAIL;
        return scratch.slice(0, n);
      }
      if (t.local !== 'data') throw BAIL;
      if (t.nil) {
        if (!t.self) throw BAIL;
        scratch[n++] = null;
      } else scratch[n++] = leaf(t);
    }
  };

  /** A row (columns or one of rows): `{}` or `{values: {data}}`; `i` is just past its opening tag. */
  const row = (open: Tag): Row => {
    if (open.self) return {};
    let values: { data: Cell[] } | undefined;
    for (;;) {
      i = skip(i);
      const t = tag(i);
      i = t.end;
      if (t.close) {
        if (t.qname !== open.qname) throw BAIL;
        return values ? { values } : {};
      }
      if (t.local !== 'values' || values || t.nil) throw BAIL;
      values = { data: t.self ? [] : cells(t) };
    }
  };

  // The envelope: Envelope, an empty Header, Body, the response element and its <return>.
  i = skip(0);
  const env = tag(i);
  if (env.local !== 'Envelope' || env.close || env.self || env.nil) throw BAIL;
  i = skip(env.end);
  let t = tag(i);
  if (t.local === 'Header' && !t.close && !t.nil) {
    i = t.self ? t.end : closing(t.end, t);
    t = tag(skip(i));
  }
  const body = t;
  if (body.local !== 'Body' || body.close || body.self || body.nil) throw BAIL;
  const response = tag(skip(body.end));
  if (response.local !== `${operation}Response` || response.close || response.self || response.nil) throw BAIL;
  const ret = tag(skip(response.end));
  if (ret.local !== 'return' || ret.close || ret.self || ret.nil) throw BAIL;
  i = ret.end;

  let columns: Row | undefined;
  const rows: (Row | null)[] = [];
  let timestamp: number | undefined;
  let type: string | undefined;
  for (;;) {
    if (xml.startsWith('<rows><values>', i)) {
      // The common row, unprefixed and without attributes.
      i += 14;
      const data = cells({ qname: 'values', local: 'values', close: false, self: false, nil: false, end: i });
      if (!xml.startsWith('</rows>', i)) throw BAIL;
      i += 7;
      rows.push({ values: { data } });
      continue;
    }
    i = skip(i);
    const c = tag(i);
    i = c.end;
    if (c.close) {
      if (c.qname !== ret.qname) throw BAIL;
      break;
    }
    switch (c.local) {
      case 'rows':
        if (c.nil) {
          if (!c.self) throw BAIL;
          rows.push(null);
        } else rows.push(row(c));
        break;
      case 'columns':
        if (columns || c.nil) throw BAIL;
        columns = row(c);
        break;
      case 'timestamp': {
        if (timestamp !== undefined) throw BAIL;
        // The exact-values rule (an xsd:long in lexical form, carried exactly); the generic decoder names what is wrong.
        const n = readXsdInteger(leaf(c), 'long');
        if (n === undefined) throw BAIL;
        timestamp = n;
        break;
      }
      case 'type':
        if (type !== undefined) throw BAIL;
        type = leaf(c);
        break;
      default:
        throw BAIL;
    }
  }
  i = closing(i, response);
  i = closing(i, body);
  i = closing(i, env);
  if (skip(i) !== len) throw BAIL;

  // The generic decoder's key order: the schema's (columns, rows, timestamp, type).
  const out: Record<string, unknown> = {};
  if (columns) out.columns = columns;
  out.rows = rows;
  if (timestamp !== undefined) out.timestamp = timestamp;
  if (type !== undefined) out.type = type;
  // As the generic decoder's answer, it is validated against the output schema after.
  return out as unknown as Statistics;
}
