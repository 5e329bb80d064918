import { Five9Error, Five9Fault } from '../errors';
import type { JsonSchema, SchemaRegistry } from '../schemas';
import { describeBadText, readXsdBoolean, readXsdInteger, writeXsdNumber } from '../schemas/xsd';
import { FastDecoder, FaultParts, NOT_DECODED } from './fast';
import { type XmlNode, SOAP_ENV, XSI, children, escapeXml, isNil, parseEnvelope, text } from './xml';

/**
 * Converts between action inputs/outputs (JSON) and Five9's document/literal XML, driven only by
 * the JSON Schemas: property order is the XSD sequence, `type: array` is maxOccurs unbounded (so one
 * element is still a list), `null` in a type is xsi:nil, integers and booleans are decoded from text.
 */
export class SoapCodec {
  private readonly fast: FastDecoder;
  private readonly faultRefs = new Map<string, JsonSchema | undefined>();

  constructor(
    private readonly registry: SchemaRegistry,
    readonly namespace: string,
  ) {
    this.fast = new FastDecoder(registry);
  }

  /** A fault's schema reference, one object per name (the fast decoder caches its plan by object). */
  private readonly faultSchema = (name: string): JsonSchema | undefined => {
    if (!this.faultRefs.has(name)) this.faultRefs.set(name, this.registry.has(`${name}.json`) ? { $ref: `${name}.json` } : undefined);
    return this.faultRefs.get(name);
  };

  // ----- encoding ------------------------------------------------------------------------------

  /** The request envelope, in the form of the guide's Appendix A (prefix ser, unqualified children). */
  request(operation: string, input: Record<string, unknown>, schema: JsonSchema): string {
    const body: string[] = [];
    this.children(input, schema, body);
    const inner = body.join('');
    // xsi is declared only when a nil is sent, so the common request is byte-equal to Appendix A.
    const xsi = inner.includes('xsi:nil') ? ` xmlns:xsi="${XSI}"` : '';
    return `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}" xmlns:ser="${this.namespace}"${xsi}><soapenv:Header/><soapenv:Body><ser:${operation}>${inner}</ser:${operation}></soapenv:Body></soapenv:Envelope>`;
  }

  /** A response envelope as Five9 sends it (env:/ns2:), for the simulator. */
  response(operation: string, result: 'empty' | 'single' | 'list', output: unknown, outputSchema: JsonSchema): string {
    const out: string[] = [`<env:Envelope xmlns:env="${SOAP_ENV}"><env:Header/><env:Body><ns2:${operation}Response xmlns:ns2="${this.namespace}" xmlns:xsi="${XSI}">`];
    if (result === 'list') {
      const items = this.registry.resolve(outputSchema).items ?? {};
      for (const item of (output as unknown[]) ?? []) this.element('return', item, items, out);
    } else if (result === 'single' && output !== null && output !== undefined) {
      this.element('return', output, nonNull(this.registry, outputSchema), out);
    }
    out.push(`</ns2:${operation}Response></env:Body></env:Envelope>`);
    return out.join('');
  }

  /** A SOAP 1.1 fault exactly as five9-wire.md shows it. */
  fault(name: string, fields: Record<string, unknown>, faultString?: string): string {
    const schema = this.registry.has(`${name}.json`) ? this.registry.resolve({ $ref: `${name}.json` }) : { type: 'object', properties: { message: { type: 'string' } } };
    const detail: string[] = [`<detail><ns2:${name} xmlns:ns2="${this.namespace}">`];
    this.children(fields, schema, detail);
    detail.push(`</ns2:${name}></detail>`);
    return this.faultEnvelope('Server', faultString ?? String(fields.message ?? ''), detail.join(''));
  }

  /** A server fault with no detail, as JAX-WS answers an exception the operation does not declare. */
  serverFault(faultString: string): string {
    return this.faultEnvelope('Server', faultString, '');
  }

  /** A fault with no detail, as JAX-WS answers a request it cannot dispatch or unmarshal. */
  clientFault(faultString: string): string {
    return this.faultEnvelope('Client', faultString, '');
  }

  private faultEnvelope(code: 'Server' | 'Client', faultString: string, detail: string): string {
    return `<env:Envelope xmlns:env="${SOAP_ENV}"><env:Header/><env:Body><env:Fault><faultcode>env:${code}</faultcode><faultstring>${escapeXml(faultString)}</faultstring>${detail}</env:Fault></env:Body></env:Envelope>`;
  }

  private children(value: Record<string, unknown>, schema: JsonSchema, out: string[]): void {
    const s = this.registry.resolve(schema);
    for (const [name, prop] of Object.entries<JsonSchema>(s.properties ?? {})) {
      const v = value[name];
      if (v === undefined) continue;
      const p = this.registry.resolve(prop);
      if (p.type === 'array') {
        for (const item of v as unknown[]) this.element(name, item, p.items ?? {}, out);
      } else this.element(name, v, prop, out);
    }
  }

  private element(name: string, value: unknown, schema: JsonSchema, out: string[]): void {
    if (value === null) {
      out.push(`<${name} xsi:nil="true"/>`);
      return;
    }
    if (typeof value === 'object') {
      out.push(`<${name}>`);
      this.children(value as Record<string, unknown>, nonNull(this.registry, schema), out);
      out.push(`</${name}>`);
      return;
    }
    if (typeof value === 'number') {
      // The XSD lexical form, exactly: an integer the type cannot carry is refused, never rounded (src/schemas/xsd.ts).
      const s = nonNull(this.registry, schema);
      const r = this.registry.resolve(s);
      const integer = r.type === 'integer' || (Array.isArray(r.type) && r.type.includes('integer')) || (r.type === undefined && Number.isInteger(value));
      const text = writeXsdNumber(value, integer);
      if (text === undefined) {
        throw new Five9Error('FIVE9_INVALID_INPUT', `${name}: ${value} cannot be written exactly as an XSD number; nothing was sent`, { details: { issues: [{ field: name, rule: 'x-xsd', message: `${name} must be a safe integer or a finite number` }] } });
      }
      out.push(`<${name}>${text}</${name}>`);
      return;
    }
    out.push(`<${name}>${escapeXml(String(value))}</${name}>`);
  }

  // ----- decoding ------------------------------------------------------------------------------

  /**
   * Parses an answer for `operation`: a fault becomes a Five9Fault with its fields; otherwise the
   * `<return>` element(s) are decoded by the output schema (or null when absent).
   */
  decodeResponse(xml: string, operation: string, result: 'empty' | 'single' | 'list', outputSchema: JsonSchema): unknown {
    // Plain answers are read straight by the schema (same result, no tree); anything else below.
    const fast = this.fast.decodeResponse(xml, operation, result, outputSchema, this.faultSchema);
    if (fast instanceof FaultParts) throw new Five9Fault(fast.name, fast.fields, fast.faultString, fast.faultCode);
    if (fast !== NOT_DECODED) return fast;
    const { name, node } = parseEnvelope(xml);
    if (name === 'Fault') throw this.decodeFault(node);
    if (name !== `${operation}Response`) {
      throw new Five9Error('FIVE9_BAD_RESPONSE', `expected ${operation}Response, the answer holds ${name}`);
    }
    const ret = children(node).return;
    if (result === 'empty') return null;
    if (result === 'list') {
      const items = this.registry.resolve(outputSchema).items ?? {};
      return asList(ret).map((n, i) => this.decode(n, items, `return[${i}]`));
    }
    if (ret === undefined) return null;
    return this.decode(Array.isArray(ret) ? ret[0] : ret, nonNull(this.registry, outputSchema), 'return');
  }

  /** Decodes a request element's children by the input schema (the simulator's side). */
  decodeRequest(xml: string): { operation: string; node: XmlNode } {
    const { name, node } = parseEnvelope(xml);
    return { operation: name, node };
  }

  decodeInput(node: XmlNode, schema: JsonSchema): Record<string, unknown> {
    return (this.decode(node, schema) as Record<string, unknown>) ?? {};
  }

  decodeFault(node: XmlNode): Five9Fault {
    const c = children(node);
    const faultCode = text(c.faultcode).replace(/^.*:/, '');
    const faultString = text(c.faultstring);
    const detail = children(Array.isArray(c.detail) ? c.detail[0] : c.detail);
    const name = Object.keys(detail).find((k) => !k.startsWith('@') && k !== '#text');
    if (!name) return new Five9Fault(faultCode === 'Client' ? 'ClientFault' : 'ServerFault', { message: faultString }, faultString, faultCode);
    const detailNode = detail[name];
    const schema = this.registry.has(`${name}.json`) ? { $ref: `${name}.json` } : undefined;
    const fields = schema
      ? (this.decode(Array.isArray(detailNode) ? detailNode[0] : detailNode, schema, name) as Record<string, unknown>)
      : rawFields(detailNode);
    return new Five9Fault(name, fields ?? {}, faultString, faultCode);
  }

  /** Decodes a node by its schema; `path` names the element in errors (return/lastTimestamp). */
  decode(node: XmlNode | XmlNode[] | undefined, schema: JsonSchema, path = 'return'): unknown {
    const s = this.registry.resolve(schema);
    if (s.anyOf) {
      if (isNil(node as XmlNode)) return null;
      return this.decode(node, s.anyOf.find((x: JsonSchema) => !(x.type === 'null')) ?? {}, path);
    }
    const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
    if (types.includes('array')) return asList(node).map((n) => this.decode(n, s.items ?? {}, path));
    if (Array.isArray(node)) node = node[0];
    if (node === undefined) return undefined;
    if (isNil(node)) return null;
    if (types.includes('object')) {
      const c = children(node);
      const out: Record<string, unknown> = {};
      // Unknown children are ignored: Five9 adds fields in later versions.
      for (const [name, prop] of Object.entries<JsonSchema>(s.properties ?? {})) {
        if (!(name in c)) {
          if (this.registry.resolve(prop).type === 'array') out[name] = [];
          continue;
        }
        const v = this.decode(c[name], prop, `${path}/${name}`);
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    const t = text(node);
    // Exact values (src/schemas/xsd.ts): a number or boolean not in its XSD lexical form, or an
    // integer its type cannot carry exactly, is a bad answer naming the element, never a guess.
    if (types.includes('integer')) {
      const n = readXsdInteger(t, s['x-xsd']);
      if (n === undefined) throw new Five9Error('FIVE9_BAD_RESPONSE', `the answer's ${path}: ${describeBadText(t, 'integer', s['x-xsd'])}`, { details: { element: path } });
      return n;
    }
    if (types.includes('number')) {
      const n = /^[ \t\r\n]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\r\n]*$/.test(t) ? Number(t) : NaN;
      if (!Number.isFinite(n)) throw new Five9Error('FIVE9_BAD_RESPONSE', `the answer's ${path}: ${JSON.stringify(t.slice(0, 40))} is not a finite xsd:double`, { details: { element: path } });
      return n;
    }
    if (types.includes('boolean')) {
      const b = readXsdBoolean(t);
      if (b === undefined) throw new Five9Error('FIVE9_BAD_RESPONSE', `the answer's ${path}: ${describeBadText(t, 'boolean')}`, { details: { element: path } });
      return b;
    }
    return t;
  }
}

function asList(node: XmlNode | XmlNode[] | undefined): XmlNode[] {
  if (node === undefined) return [];
  return Array.isArray(node) ? node : [node];
}

function nonNull(registry: SchemaRegistry, schema: JsonSchema): JsonSchema {
  const s = registry.resolve(schema);
  if (s.anyOf) return s.anyOf.find((x: JsonSchema) => x.type !== 'null') ?? s;
  return schema;
}

function rawFields(node: XmlNode | XmlNode[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(children(Array.isArray(node) ? node[0] : node))) {
    if (!k.startsWith('@') && k !== '#text') out[k] = text(v);
  }
  return out;
}
