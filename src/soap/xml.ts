import { XMLParser } from 'fast-xml-parser';
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
const parser = new XMLParser({
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
});

/**
 * Parses a SOAP answer and returns the single child of Body. Refuses what a SOAP peer never sends
 * and what could hurt the parser: non-XML, a DOCTYPE (entity expansion), a truncated document.
 */
export function parseEnvelope(xml: string): { name: string; node: XmlNode } {
  const start = xml.search(/\S/);
  if (start < 0 || xml[start] !== '<') {
    throw new Five9Error('FIVE9_BAD_RESPONSE', `the answer is not XML (starts with ${JSON.stringify(xml.slice(0, 40))})`);
  }
  if (/<!DOCTYPE/i.test(xml)) throw new Five9Error('FIVE9_BAD_RESPONSE', 'the answer carries a DOCTYPE, which SOAP forbids; it was not parsed');
  // fast-xml-parser does not validate, so check that the document closes its Envelope.
  if (!/<\/(?:[\w.-]+:)?Envelope\s*>\s*$/.test(xml)) {
    throw new Five9Error('FIVE9_BAD_RESPONSE', 'the answer is truncated or is not a SOAP envelope (no closing Envelope)');
  }
  let doc: Record<string, any>;
  try {
    doc = parser.parse(xml);
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
