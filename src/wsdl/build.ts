import type { Manifest, SoapAction } from '../manifest';
import { enumValuesIn, versionHas } from '../manifest';
import type { JsonSchema, SchemaRegistry } from '../schemas';
import type { WsdlModel, XsdComplexType, XsdElement } from './model';

/**
 * Five9's WSDLs come from two generators. Up to v4 (and the unversioned path) JAX-WS: a fault's
 * complex type is named `XxxException` and its message `XxxFault`, operation messages are
 * `WsSupervisor_op`, the binding `WsSupervisorBinding`. From v9_5 on Apache CXF: the fault's
 * complex type is `XxxFault` and its message `XxxException` (the JAX-WS names swapped), operation
 * messages are named after the operation with one part `parameters`, and the binding is
 * `WsSupervisorServiceSoapBinding`. The element inside a fault's detail is `XxxFault` in both.
 */
const CXF_SINCE = 'v9_5';
const PORT_TYPE = 'WsSupervisor';
const SERVICE = 'WsSupervisorService';
const PORT = 'WsSupervisorPort';
const SOAP_HTTP = 'http://schemas.xmlsoap.org/soap/http';

/**
 * The WSDL of one API version as a model, built from the manifest and the schemas (so it cannot
 * drift from what the connector sends and the simulator answers): document/literal wrapped,
 * unqualified children, the operations of that version, each enum with the values that version
 * lists. Where the connector is stricter than Five9's WSDL (it requires setSessionParameters'
 * viewSettings), the schema says so with `x-wsdlOptional` and the WSDL keeps Five9's occurrence.
 */
export function wsdlModel(manifest: Manifest, version: string): WsdlModel {
  const reg = manifest.registry;
  const cxf = versionHas(version, CXF_SINCE);
  const actions = manifest.soapActions.filter((a) => versionHas(version, a.versions.since)).sort((a, b) => a.operation.localeCompare(b.operation));
  const faults = [...new Set(actions.flatMap((a) => a.faults))].sort();
  const refs = new Set<string>();
  for (const a of actions) {
    walkRefs(a.input, reg, refs);
    walkRefs(a.output, reg, refs);
  }
  for (const f of faults) walkRefs({ $ref: `${f}.json` }, reg, refs);
  const isFault = (ref: string) => faults.includes(ref.replace(/\.json$/, ''));
  /** A named type's name in this version's WSDL. */
  const typeName = (ref: string): string => {
    const s = reg.resolve({ $ref: ref });
    const base = ref.replace(/\.json$/, '');
    if (isFault(ref)) return cxf ? base : (s['x-wsdlType'] ?? `${base}Exception`);
    return s['x-wsdlType'] ?? base;
  };
  /** A fault's message (and portType fault) name. */
  const faultMessage = (f: string) => (cxf ? (reg.resolve({ $ref: `${f}.json` })['x-wsdlType'] ?? `${f}Exception`) : f);
  const ctx: BuildContext = { reg, version, typeName };

  const model: WsdlModel = {
    name: SERVICE,
    targetNamespace: manifest.raw.protocol.namespace,
    schema: { elementFormDefault: 'unqualified', elements: new Map(), complexTypes: new Map(), simpleTypes: new Map() },
    messages: new Map(),
    portType: { name: PORT_TYPE, operations: new Map() },
    binding: { name: cxf ? 'WsSupervisorServiceSoapBinding' : 'WsSupervisorBinding', type: `tns:${PORT_TYPE}`, style: 'document', transport: SOAP_HTTP, operations: new Map() },
    service: { name: SERVICE, ports: new Map() },
  };
  const { elements, complexTypes, simpleTypes } = model.schema;
  for (const f of faults) elements.set(f, `tns:${typeName(`${f}.json`)}`);
  for (const a of actions) {
    elements.set(a.operation, `tns:${a.operation}`);
    elements.set(`${a.operation}Response`, `tns:${a.operation}Response`);
  }
  for (const a of actions) {
    complexTypes.set(a.operation, complexType(ctx, a.input as JsonSchema));
    complexTypes.set(`${a.operation}Response`, complexType(ctx, responseSchema(a)));
  }
  for (const ref of [...refs].sort()) {
    const s = reg.resolve({ $ref: ref });
    if (s.enum) simpleTypes.set(typeName(ref), enumValuesIn(s, version));
    else complexTypes.set(typeName(ref), complexType(ctx, s));
  }

  for (const a of actions) {
    const [input, output] = cxf ? [a.operation, `${a.operation}Response`] : [`WsSupervisor_${a.operation}`, `WsSupervisor_${a.operation}Response`];
    model.messages.set(input, [{ name: cxf ? 'parameters' : a.operation, element: `tns:${a.operation}` }]);
    model.messages.set(output, [{ name: cxf ? 'parameters' : `${a.operation}Response`, element: `tns:${a.operation}Response` }]);
    const opFaults = a.faults.map((f) => ({ name: faultMessage(f), message: `tns:${faultMessage(f)}` }));
    model.portType.operations.set(a.operation, { input: `tns:${input}`, output: `tns:${output}`, faults: opFaults });
    model.binding.operations.set(a.operation, { soapAction: '', faults: opFaults.map((f) => f.name) });
  }
  for (const f of faults) model.messages.set(faultMessage(f), [{ name: faultMessage(f), element: `tns:${f}` }]);
  model.service.ports.set(PORT, { binding: `tns:${model.binding.name}` });
  return model;
}

interface BuildContext {
  reg: SchemaRegistry;
  version: string;
  typeName: (ref: string) => string;
}

/** The response wrapper: nothing, one optional <return>, or repeated <return>s. */
function responseSchema(a: SoapAction): JsonSchema {
  if (a.result === 'empty') return { type: 'object', properties: {} };
  const out = a.output as JsonSchema;
  const inner = out.anyOf ? out.anyOf.find((s: JsonSchema) => s.type !== 'null') : out;
  return { type: 'object', properties: { return: inner } };
}

function complexType(ctx: BuildContext, schema: JsonSchema): XsdComplexType {
  const s = ctx.reg.resolve(schema);
  const required: string[] = s.required ?? [];
  return { sequence: Object.entries<JsonSchema>(s.properties ?? {}).map(([name, ps]) => element(ctx, name, ps, required.includes(name))) };
}

/**
 * `x-wsdlOptional` on a property: Five9's WSDL declares it minOccurs 0 although the schema requires
 * it. `true` for every version, or `{since}` from that version on.
 */
function wsdlOptional(prop: JsonSchema, version: string): boolean {
  const o = prop['x-wsdlOptional'];
  return o === true || (typeof o === 'object' && o !== null && typeof o.since === 'string' && versionHas(version, o.since));
}

function element(ctx: BuildContext, name: string, schema: JsonSchema, required: boolean, ): XsdElement {
  let s = schema;
  let many = false;
  let nillable = false;
  if (ctx.reg.resolve(s).type === 'array' && !s.$ref) {
    many = true;
    s = s.items ?? {};
  }
  if (s.anyOf) {
    nillable = s.anyOf.some((x: JsonSchema) => x.type === 'null');
    s = s.anyOf.find((x: JsonSchema) => x.type !== 'null');
  }
  if (Array.isArray(s.type) && s.type.includes('null')) {
    nillable = true;
    s = { ...s, type: s.type.find((t: string) => t !== 'null') };
  }
  const minOccurs = many || !required || wsdlOptional(schema, ctx.version) ? 0 : 1;
  const type = xsdType(ctx, s);
  return { name, ...(type ? { type } : { complexType: complexType(ctx, s) }), minOccurs, maxOccurs: many ? Infinity : 1, nillable };
}

function xsdType(ctx: BuildContext, s: JsonSchema): string | undefined {
  if (s.$ref) return `tns:${ctx.typeName(s.$ref)}`;
  if (s['x-xsd']) return `xs:${s['x-xsd']}`;
  if (s.type === 'string') return 'xs:string';
  if (s.type === 'boolean') return 'xs:boolean';
  if (s.type === 'integer') return 'xs:long';
  return undefined;
}

function walkRefs(node: unknown, reg: SchemaRegistry, seen: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => walkRefs(n, reg, seen));
  else if (node && typeof node === 'object') {
    const ref = (node as JsonSchema).$ref;
    if (typeof ref === 'string' && !seen.has(ref)) {
      seen.add(ref);
      walkRefs(reg.resolve({ $ref: ref }), reg, seen);
    }
    for (const v of Object.values(node)) walkRefs(v, reg, seen);
  }
}
