import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PARSER_OPTIONS, scanXml } from '../soap/xml';
import type { WsdlModel, XsdComplexType, XsdElement } from '../wsdl';

/**
 * Reading a SOAP request the way Five9's JAX-WS endpoint does: by the WSDL of the version (the
 * served model), not by the connector's input schemas. The connector may refuse a 1-second long
 * poll or a missing viewSettings before sending; the server accepts what its WSDL accepts.
 *
 * - A lexical value its XSD type cannot hold (`abc` for an xs:long) is an unmarshalling error: a
 *   bare SOAP Client fault, as JAX-WS answers it.
 * - Unknown elements are ignored and order is not enforced (JAXB unmarshals leniently).
 * - A required element (minOccurs 1) that is missing, and an enumeration value the version does
 *   not list, are reported: the operation answers MissedArgumentFault or IncorrectArgumentFault
 *   when it declares them; one that declares neither gets what JAXB hands the method: the type's
 *   default (0, false) for a missing primitive, null for an unknown enumeration value.
 */

/** XML nesting deeper than this is refused before it is read (Five9's deepest request nests 6). */
export const MAX_XML_DEPTH = 32;

export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] };

/** The request cannot be read as XML, or not as a SOAP request: JAX-WS's Client fault. */
export class UnmarshalError extends Error {}

// The client's reading of XML (local names, text kept as text, xsi:nil as @nil), with depth bounded
// while parsing, so deep nesting fails fast instead of holding the process.
const parser = new XMLParser({ ...PARSER_OPTIONS, maxNestedTags: MAX_XML_DEPTH });

/**
 * Bodies up to this size are first read by the client's plain-XML scanner (most requests are a few
 * hundred bytes; whatever their nesting, this little text costs little); it builds the tree
 * fast-xml-parser would, with a fraction of its time and garbage.
 */
const SCAN_LIMIT = 64 * 1024;

/** The operation (the Body's single child) and its element. */
export function parseRequest(xml: string): { operation: string; node: XmlNode } {
  if (/<!DOCTYPE/i.test(xml)) throw new UnmarshalError('DOCTYPE is disallowed');
  let doc = xml.length <= SCAN_LIMIT ? scanXml(xml) : undefined;
  if (doc && deeperThan(doc, MAX_XML_DEPTH)) throw new UnmarshalError('Maximum nested tags exceeded');
  if (!doc) {
    try {
      // Parsed first (it stops at the depth limit), then checked for well-formedness, which
      // fast-xml-parser's parser does not do.
      doc = parser.parse(xml) as Record<string, XmlNode>;
    } catch (e) {
      throw new UnmarshalError((e as Error).message);
    }
    const valid = XMLValidator.validate(xml);
    if (valid !== true) throw new UnmarshalError(`${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  const envelope = doc.Envelope;
  const body = envelope && typeof envelope === 'object' && !Array.isArray(envelope) ? envelope.Body : undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new UnmarshalError('the request is not a SOAP envelope with one Body');
  const names = Object.keys(body).filter((k) => !k.startsWith('@') && k !== '#text');
  if (names.length !== 1) throw new UnmarshalError(`the SOAP Body holds ${names.length} elements, expected one`);
  const node = body[names[0]];
  return { operation: names[0], node: Array.isArray(node) ? node[0] : node };
}

/** Whether elements nest more than `max` deep below this node (repeated elements are one level). */
function deeperThan(node: XmlNode | XmlNode[], max: number): boolean {
  if (Array.isArray(node)) return node.some((n) => deeperThan(n, max));
  if (typeof node !== 'object') return false;
  if (max <= 0) return true;
  for (const [k, v] of Object.entries(node)) if (!k.startsWith('@') && k !== '#text' && deeperThan(v, max - 1)) return true;
  return false;
}

export interface ReadInput {
  input: Record<string, unknown>;
  /** Paths of required elements that are missing (`viewSettings/shiftStart`). */
  missing: string[];
  /** Enumeration values the version does not list, as messages naming the field. */
  incorrect: string[];
}

const INT_RANGE = { 'xs:int': [-(2 ** 31), 2 ** 31 - 1], 'xs:long': [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] } as const;

/** Reads an operation's request element by the version's WSDL model. */
export function readInput(model: WsdlModel, operation: string, node: XmlNode, strict: { missing: boolean; incorrect: boolean }): ReadInput {
  const type = model.schema.complexTypes.get(operation);
  if (!type) throw new Error(`${operation} is not in this version's WSDL`);
  const out: ReadInput = { input: {}, missing: [], incorrect: [] };
  out.input = readComplex(model, type, node, '', out, strict);
  return out;
}

function readComplex(model: WsdlModel, type: XsdComplexType, node: XmlNode | undefined, path: string, out: ReadInput, strict: { missing: boolean; incorrect: boolean }): Record<string, unknown> {
  const kids = node && typeof node === 'object' ? node : {};
  const result: Record<string, unknown> = {};
  for (const e of type.sequence) {
    const raw = kids[e.name];
    const nodes = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const p = path ? `${path}/${e.name}` : e.name;
    const values = nodes.map((n) => readValue(model, e, n, p, out, strict)).filter((v) => v !== undefined);
    if (e.maxOccurs > 1) {
      result[e.name] = values;
      continue;
    }
    const present = values.length > 0 && values[0] !== null;
    if (present) result[e.name] = values[0];
    else if (values[0] === null && e.nillable) result[e.name] = null;
    else if (e.minOccurs >= 1) {
      if (strict.missing) out.missing.push(p);
      else {
        // JAXB hands the method the primitive's default.
        const d = defaultOf(e.type);
        if (d !== undefined) result[e.name] = d;
      }
    }
  }
  return result;
}

function readValue(model: WsdlModel, e: XsdElement, n: XmlNode, path: string, out: ReadInput, strict: { missing: boolean; incorrect: boolean }): unknown {
  if (n && typeof n === 'object' && n['@nil'] === 'true') return null;
  if (e.complexType) return readComplex(model, e.complexType, n, path, out, strict);
  const type = e.type ?? 'xs:string';
  const named = type.startsWith('tns:') ? type.slice(4) : undefined;
  const complex = named ? model.schema.complexTypes.get(named) : undefined;
  if (complex) return readComplex(model, complex, n, path, out, strict);
  const text = typeof n === 'string' ? n : typeof n?.['#text'] === 'string' ? (n['#text'] as string) : '';
  const enumValues = named ? model.schema.simpleTypes.get(named) : undefined;
  if (enumValues) {
    const v = text.trim();
    if (enumValues.includes(v)) return v;
    // JAXB unmarshals an unknown enumeration constant as null.
    if (strict.incorrect) out.incorrect.push(`${path}: "${v}" is not one of ${enumValues.join(', ')}`);
    return null;
  }
  return lexical(type, text, path);
}

/** A simple value by its XSD type; a value the type cannot hold is an unmarshalling error. */
function lexical(type: string, text: string, path: string): unknown {
  const t = text.trim();
  switch (type) {
    case 'xs:int':
    case 'xs:long': {
      const [lo, hi] = INT_RANGE[type];
      const n = /^[+-]?\d+$/.test(t) ? Number(t) : Number.NaN;
      if (!Number.isInteger(n) || n < lo || n > hi) throw new UnmarshalError(`For input string: "${t.slice(0, 40)}" (${path} is ${type})`);
      return n;
    }
    case 'xs:boolean':
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      throw new UnmarshalError(`"${t.slice(0, 40)}" is not a boolean (${path})`);
    case 'xs:dateTime':
      if (!/^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(t)) throw new UnmarshalError(`"${t.slice(0, 40)}" is not an xs:dateTime (${path})`);
      return t;
    default:
      return text;
  }
}

function defaultOf(type: string | undefined): unknown {
  if (type === 'xs:int' || type === 'xs:long') return 0;
  if (type === 'xs:boolean') return false;
  return undefined;
}
