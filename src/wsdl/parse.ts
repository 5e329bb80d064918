import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { WsdlModel, XsdComplexType, XsdElement } from './model';

const XS = 'http://www.w3.org/2001/XMLSchema';
const ARRAYS = new Set(['operation', 'fault', 'element', 'complexType', 'simpleType', 'message', 'part', 'enumeration', 'port']);

/** Parses a WSDL 1.1 document (any prefixes) into the model. */
export function parseWsdl(xml: string): WsdlModel {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: false, isArray: (name) => ARRAYS.has(local(name)) }).parse(xml);
  const defsKey = Object.keys(doc).find((k) => local(k) === 'definitions');
  if (!defsKey) throw new Error('not a WSDL: no definitions element');
  const defs = doc[defsKey];
  const tns = defs['@_targetNamespace'];
  // Prefix → namespace, from every element on the way down that declares one (schema included).
  const prefixes = new Map<string, string>();
  const declare = (node: any) => {
    for (const [k, v] of Object.entries(node ?? {})) if (k.startsWith('@_xmlns:')) prefixes.set(k.slice(8), String(v));
  };
  declare(defs);
  const qname = (q: string | undefined): string => {
    if (!q) return '';
    const i = q.indexOf(':');
    const ns = i < 0 ? undefined : prefixes.get(q.slice(0, i));
    const name = i < 0 ? q : q.slice(i + 1);
    return ns === XS ? `xs:${name}` : ns === tns ? `tns:${name}` : q;
  };
  const child = (node: any, name: string): any => (node ? Object.entries(node).find(([k]) => local(k) === name)?.[1] : undefined);
  const list = (node: any, name: string): any[] => {
    const v = child(node, name);
    return v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v];
  };

  const types = child(defs, 'types');
  const schemas = list(types, 'schema');
  if (schemas.length !== 1) throw new Error(`expected one schema in types, found ${schemas.length}`);
  const schema = schemas[0];
  declare(schema);
  const complexType = (node: any): XsdComplexType => {
    const seq = child(node, 'sequence');
    return { sequence: list(seq, 'element').map(element) };
  };
  const element = (e: any): XsdElement => {
    const anon = list(e, 'complexType')[0];
    const max = e['@_maxOccurs'];
    return {
      name: e['@_name'],
      ...(e['@_type'] ? { type: qname(e['@_type']) } : {}),
      ...(anon !== undefined ? { complexType: complexType(anon) } : {}),
      minOccurs: e['@_minOccurs'] === undefined ? 1 : Number(e['@_minOccurs']),
      maxOccurs: max === undefined ? 1 : max === 'unbounded' ? Infinity : Number(max),
      nillable: e['@_nillable'] === 'true',
    };
  };
  const model: WsdlModel = {
    name: defs['@_name'],
    targetNamespace: tns,
    schema: {
      elementFormDefault: schema['@_elementFormDefault'] ?? 'unqualified',
      elements: new Map(list(schema, 'element').map((e) => [e['@_name'], qname(e['@_type'])])),
      complexTypes: new Map(list(schema, 'complexType').map((c) => [c['@_name'], complexType(c)])),
      simpleTypes: new Map(list(schema, 'simpleType').map((s) => [s['@_name'], list(child(s, 'restriction'), 'enumeration').map((e) => e['@_value'])])),
    },
    messages: new Map(list(defs, 'message').map((m) => [m['@_name'], list(m, 'part').map((p) => ({ name: p['@_name'], element: qname(p['@_element']) }))])),
    portType: { name: '', operations: new Map() },
    binding: { name: '', type: '', style: '', transport: '', operations: new Map() },
    service: { name: '', ports: new Map() },
  };
  const portType = list(defs, 'portType')[0];
  model.portType.name = portType?.['@_name'] ?? '';
  for (const op of list(portType, 'operation')) {
    model.portType.operations.set(op['@_name'], {
      input: qname(child(op, 'input')?.['@_message']),
      output: qname(child(op, 'output')?.['@_message']),
      faults: list(op, 'fault').map((f) => ({ name: f['@_name'], message: qname(f['@_message']) })),
    });
  }
  const binding = list(defs, 'binding')[0];
  const soapBinding = child(binding, 'binding');
  model.binding = {
    name: binding?.['@_name'] ?? '',
    type: qname(binding?.['@_type']),
    // "document" is WSDL 1.1's default style.
    style: soapBinding?.['@_style'] ?? 'document',
    transport: soapBinding?.['@_transport'] ?? '',
    operations: new Map(
      list(binding, 'operation').map((op) => [op['@_name'], { soapAction: child(op, 'operation')?.['@_soapAction'] ?? '', faults: list(op, 'fault').map((f) => f['@_name']) }]),
    ),
  };
  const service = list(defs, 'service')[0];
  model.service = { name: service?.['@_name'] ?? '', ports: new Map(list(service, 'port').map((p) => [p['@_name'], { binding: qname(p['@_binding']) }])) };
  return model;
}

function local(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}
