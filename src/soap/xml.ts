import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Five9Error } from '../errors';

export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
export const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** A parsed element: text for leaves, an object of children (arrays when repeated) otherwise. */
export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] };

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export function escapeXml(s: string): string {
  return /[&<>"']/.test(s) ? s.replace(/[&<>"']/g, (c) => ESCAPES[c]) : s;
}

// Prefixes are dropped (Five9 answers env:/ns2:, others none): we match local names only.
// Values stay strings; the schema decides numbers and booleans. Attributes are kept for xsi:nil.
// htmlEntities also decodes numeric character references (&#38; &#xD;), which any XML writer may
// emit; the HTML names it adds cannot occur in a well-formed answer, whose DOCTYPE is refused.
/** The parser's options; the scanner tests build a reference parser from the same object. */
export const PARSER_OPTIONS = {
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
} as const;
const parser = new XMLParser(PARSER_OPTIONS);

/**
 * Parses a SOAP answer and returns the single child of Body. Refuses what a SOAP peer never sends
 * and what could hurt the parser: non-XML, a DOCTYPE (entity expansion), a truncated document.
 */
export function parseEnvelope(xml: string): { name: string; node: XmlNode } {
  const start = xml.search(/\S/);
  if (start < 0 || xml[start] !== '<') {
    throw new Five9Error('FIVE9_BAD_RESPONSE', `the answer is not XML (starts with ${JSON.stringify(xml.slice(0, 40))})`);
  }
  if (xml.includes('<!') && /<!DOCTYPE/i.test(xml)) throw new Five9Error('FIVE9_BAD_RESPONSE', 'the answer carries a DOCTYPE, which SOAP forbids; it was not parsed');
  // fast-xml-parser does not validate, so check that the document closes its Envelope (looking
  // at the end only: a whole-string search costs milliseconds on a 5 MB snapshot).
  if (!/<\/(?:[\w.-]+:)?Envelope\s*>$/.test(xml.trimEnd().slice(-1024))) {
    throw new Five9Error('FIVE9_BAD_RESPONSE', 'the answer is truncated or is not a SOAP envelope (no closing Envelope)');
  }
  let doc: Record<string, any>;
  try {
    // The common, plain document is read by a small scanner that refuses anything malformed;
    // anything else by fast-xml-parser, which does not check well-formedness, so validate first.
    doc = scanXml(xml) ?? parseValidated(xml);
  } catch (e) {
    throw new Five9Error('FIVE9_BAD_RESPONSE', `the answer is not well-formed XML: ${(e as Error).message}`, { cause: e });
  }
  const env = doc.Envelope;
  const body = env && typeof env === 'object' ? env.Body : undefined;
  if (!body || typeof body !== 'object') throw new Five9Error('FIVE9_BAD_RESPONSE', 'the answer has no SOAP Body');
  const names = Object.keys(body).filter((k) => !k.startsWith('@') && k !== '#text');
  if (names.length !== 1) throw new Five9Error('FIVE9_BAD_RESPONSE', `the SOAP Body holds ${names.length} elements, expected one`);
  const node = body[names[0]];
  return { name: names[0], node: Array.isArray(node) ? node[0] : node };
}

function parseValidated(xml: string): Record<string, any> {
  const v = XMLValidator.validate(xml);
  if (v !== true) throw new Error(`${v.err.msg} (line ${v.err.line}, column ${v.err.col})`);
  return parser.parse(xml);
}

/** Children of an element by local name, ignoring attributes and whitespace text. */
export function children(node: XmlNode | undefined): Record<string, XmlNode | XmlNode[]> {
  return node && typeof node === 'object' ? node : {};
}

export function isNil(node: XmlNode | undefined): boolean {
  return !!node && typeof node === 'object' && node['@nil'] === 'true';
}

export function text(node: XmlNode | XmlNode[] | undefined): string {
  if (node === undefined) return '';
  if (Array.isArray(node)) return text(node[0]);
  if (typeof node === 'string') return node;
  const t = node['#text'];
  return typeof t === 'string' ? t : '';
}

// ----- the plain-document scanner ----------------------------------------------------------------

const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;
/** Names fast-xml-parser renames or refuses (prototype members): left to it. */
const RESERVED = new Set(Object.getOwnPropertyNames(Object.prototype));
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/y;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Text with its entities replaced, as fast-xml-parser replaces them; undefined for anything it
 * would treat otherwise (an unknown name, a code point it removes or leaves, an '&' left as is).
 */
export function decodeEntities(s: string): string | undefined {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let last = 0;
  while (amp >= 0) {
    ENTITY.lastIndex = amp;
    const m = ENTITY.exec(s);
    if (!m) return undefined;
    let ch: string;
    if (m[1]) ch = NAMED[m[1]];
    else {
      const cp = m[2] ? parseInt(m[2], 10) : parseInt(m[3], 16);
      if (!(cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp < 0xd800) || (cp > 0xdfff && cp <= 0x10ffff))) return undefined;
      ch = String.fromCodePoint(cp);
    }
    out += s.slice(last, amp) + ch;
    last = ENTITY.lastIndex;
    amp = s.indexOf('&', last);
  }
  return out + s.slice(last);
}

interface Frame {
  qname: string;
  local: string;
  kids?: Record<string, any>;
  text: string;
  attrs?: Record<string, string>;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

function attach(parent: Frame, local: string, value: XmlNode): void {
  const kids = (parent.kids ??= {});
  const had = kids[local];
  if (had === undefined) kids[local] = value;
  else if (Array.isArray(had)) had.push(value);
  else kids[local] = [had, value];
}

/** What fast-xml-parser makes of a closed element: its text, or children, then #text, then attributes. */
function finish(f: Frame): XmlNode {
  if (!f.kids && !f.attrs) return f.text;
  const node: Record<string, any> = f.kids ?? {};
  if (f.text.length) node['#text'] = f.text;
  if (f.attrs) Object.assign(node, f.attrs);
  return node;
}

/**
 * Reads the plain XML SOAP servers write (elements, attributes, text, the predefined entities and
 * character references) into exactly the tree fast-xml-parser builds with the options above, in a
 * fraction of its time. Returns undefined, so that fast-xml-parser reads the document, at anything
 * else: a comment, CDATA, a declaration or processing instruction, a carriage return, another
 * entity, a repeated attribute, a mismatched or missing closing tag, text outside the root, or a
 * name that Object.prototype has (which fast-xml-parser renames or refuses).
 */
export function scanXml(xml: string): Record<string, XmlNode> | undefined {
  if (xml.includes('<!') || xml.includes('<?') || xml.includes('\r')) return undefined;
  const len = xml.length;
  let i = xml.indexOf('<');
  if (i < 0 || xml.slice(0, i).trim() !== '') return undefined;
  const top: Frame = { qname: '', local: '', text: '' };
  const stack: Frame[] = [];
  let closedRoot = false;
  for (;;) {
    // i is at a '<'.
    if (closedRoot) return undefined;
    if (xml.charCodeAt(i + 1) === 47 /* / */) {
      const gt = xml.indexOf('>', i + 2);
      if (gt < 0) return undefined;
      const f = stack.pop();
      if (!f || xml.slice(i + 2, gt).trimEnd() !== f.qname) return undefined;
      attach(stack.length ? stack[stack.length - 1] : top, f.local, finish(f));
      if (!stack.length) closedRoot = true;
      i = gt + 1;
    } else {
      let j = i + 1;
      while (j < len) {
        const c = xml.charCodeAt(j);
        if (c === 62 /* > */ || c === 47 /* / */ || isSpace(c)) break;
        j++;
      }
      const qname = xml.slice(i + 1, j);
      if (!NAME.test(qname)) return undefined;
      const colon = qname.indexOf(':');
      const local = colon < 0 ? qname : qname.slice(colon + 1);
      if (RESERVED.has(local)) return undefined;
      const f: Frame = { qname, local, text: '' };
      let selfClosing = false;
      for (;;) {
        while (j < len && isSpace(xml.charCodeAt(j))) j++;
        const c = xml.charCodeAt(j);
        if (c === 62) {
          j++;
          break;
        }
        if (c === 47) {
          if (xml.charCodeAt(j + 1) !== 62) return undefined;
          selfClosing = true;
          j += 2;
          break;
        }
        // An attribute: name = "value" (or 'value').
        const eq = xml.indexOf('=', j);
        if (eq < 0) return undefined;
        const aname = xml.slice(j, eq).trimEnd();
        if (!NAME.test(aname)) return undefined;
        j = eq + 1;
        while (j < len && isSpace(xml.charCodeAt(j))) j++;
        const q = xml.charCodeAt(j);
        if (q !== 34 && q !== 39) return undefined;
        const end = xml.indexOf(q === 34 ? '"' : "'", j + 1);
        if (end < 0) return undefined;
        const raw = xml.slice(j + 1, end);
        j = end + 1;
        if (raw.includes('<')) return undefined;
        if (aname === 'xmlns' || aname.startsWith('xmlns:')) continue;
        const value = decodeEntities(raw);
        if (value === undefined) return undefined;
        const key = `@${aname.slice(aname.indexOf(':') + 1)}`;
        f.attrs ??= {};
        if (key in f.attrs) return undefined;
        f.attrs[key] = value;
      }
      if (selfClosing) {
        attach(stack.length ? stack[stack.length - 1] : top, local, finish(f));
        if (!stack.length) closedRoot = true;
      } else stack.push(f);
      i = j;
    }
    // Text up to the next tag.
    const next = xml.indexOf('<', i);
    const end = next < 0 ? len : next;
    if (end > i) {
      const raw = xml.slice(i, end);
      if (!stack.length) {
        if (raw.trim() !== '') return undefined;
      } else {
        const t = decodeEntities(raw);
        if (t === undefined) return undefined;
        stack[stack.length - 1].text += t;
      }
    }
    if (next < 0) break;
    i = next;
  }
  if (stack.length || !closedRoot) return undefined;
  return top.kids as Record<string, XmlNode>;
}
