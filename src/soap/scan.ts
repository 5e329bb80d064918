/* eslint-disable @typescript-eslint/only-throw-error -- BAIL (a symbol, not an Error) is thrown on purpose: the fast path gives up without the cost of a stack, and the caller falls back to the general parser. */
/**
 * The tag scanner shared by the fast decoders (src/soap/fast.ts and the getStatistics row hook):
 * plain SOAP answers are read without building an XML tree. Anything unusual (a comment, a
 * processing instruction, an attribute other than a namespace declaration or xsi:nil, a malformed
 * tag) throws BAIL, and the caller falls back to the general parser.
 */
export const BAIL = Symbol('bail');

/** A qualified XML name, as the scanners accept it. */
export const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;

export interface Tag {
  qname: string;
  local: string;
  close: boolean;
  self: boolean;
  nil: boolean;
  /** Index just past the tag's '>'. */
  end: number;
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9;
}

export function skipSpace(xml: string, at: number): number {
  const len = xml.length;
  while (at < len && isSpace(xml.charCodeAt(at))) at++;
  return at;
}

/** The tag at `at`; namespace declarations are ignored, xsi:nil="true" noted, anything else refused. */
export function scanTag(xml: string, at: number): Tag {
  const len = xml.length;
  if (xml.charCodeAt(at) !== 60) throw BAIL;
  const c1 = xml.charCodeAt(at + 1);
  if (c1 === 33 || c1 === 63) throw BAIL;
  const close = c1 === 47;
  let j = close ? at + 2 : at + 1;
  const start = j;
  while (j < len) {
    const c = xml.charCodeAt(j);
    if (c === 62 || c === 47 || isSpace(c)) break;
    j++;
  }
  const qname = xml.slice(start, j);
  if (!NAME.test(qname)) throw BAIL;
  const local = qname.slice(qname.indexOf(':') + 1);
  let nil = false;
  let self = false;
  for (;;) {
    j = skipSpace(xml, j);
    const c = xml.charCodeAt(j);
    if (c === 62) {
      j++;
      break;
    }
    if (c === 47 && !close && xml.charCodeAt(j + 1) === 62) {
      self = true;
      j += 2;
      break;
    }
    if (close) throw BAIL;
    const eq = xml.indexOf('=', j);
    if (eq < 0) throw BAIL;
    const aname = xml.slice(j, eq).trimEnd();
    j = skipSpace(xml, eq + 1);
    const q = xml.charCodeAt(j);
    if (q !== 34 && q !== 39) throw BAIL;
    const end = xml.indexOf(q === 34 ? '"' : "'", j + 1);
    if (end < 0) throw BAIL;
    const value = xml.slice(j + 1, end);
    j = end + 1;
    if (value.includes('<')) throw BAIL;
    if (aname === 'xmlns' || aname.startsWith('xmlns:')) continue;
    if (!NAME.test(aname) || aname.slice(aname.indexOf(':') + 1) !== 'nil' || value !== 'true' || nil) throw BAIL;
    nil = true;
  }
  return { qname, local, close, self, nil, end: j };
}
