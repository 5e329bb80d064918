import type { Manifest, SoapAction } from '../manifest';
import { enumValuesIn, versionHas } from '../manifest';
import type { JsonSchema, SchemaRegistry } from '../schemas';
import { escapeXml } from '../soap';

export interface WsdlOptions {
  version: string;
  location: string;
}

/**
 * Five9's WSDL, generated from the manifest and the schemas (so it cannot drift from what the
 * runtime sends): document/literal wrapped, unqualified children, the operations of one version.
 */
export function generateWsdl(manifest: Manifest, options: WsdlOptions): string {
  const reg = manifest.registry;
  const ns = manifest.raw.protocol.namespace;
  const actions = manifest.soapActions.filter((a) => versionHas(options.version, a.versions.since)).sort((a, b) => a.operation.localeCompare(b.operation));
  const faults = [...new Set(actions.flatMap((a) => a.faults))].sort();
  const types = new Set<string>();
  const collect = (schema: unknown) => walkRefs(schema, reg, types);
  for (const a of actions) {
    collect(a.input);
    collect(a.output);
  }
  for (const f of faults) collect({ $ref: `${f}.json` });

  const x: string[] = [];
  x.push('<?xml version="1.0" encoding="utf-8"?>');
  x.push('<!-- generated from connector/manifest.json and schemas/, do not edit -->');
  x.push(`<definitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${ns}" name="WsSupervisorService" targetNamespace="${ns}" xmlns="http://schemas.xmlsoap.org/wsdl/">`);
  x.push('  <types>');
  x.push(`    <xs:schema targetNamespace="${ns}" version="1.0" xmlns:xs="http://www.w3.org/2001/XMLSchema">`);
  for (const f of faults) x.push(`      <xs:element name="${f}" type="tns:${faultType(reg, f)}" />`);
  for (const a of actions) {
    x.push(`      <xs:element name="${a.operation}" type="tns:${a.operation}" />`);
    x.push(`      <xs:element name="${a.operation}Response" type="tns:${a.operation}Response" />`);
  }
  for (const a of actions) {
    x.push(...complexType(reg, a.operation, a.input as JsonSchema, '      '));
    x.push(...complexType(reg, `${a.operation}Response`, responseSchema(a), '      '));
  }
  for (const name of [...types].sort()) {
    const s = reg.resolve({ $ref: name });
    const typeName = s['x-wsdlType'] ?? name.replace(/\.json$/, '');
    if (s.enum) {
      x.push(`      <xs:simpleType name="${typeName}">`, '        <xs:restriction base="xs:string">');
      for (const v of enumValuesIn(s, options.version)) x.push(`          <xs:enumeration value="${escapeXml(v)}" />`);
      x.push('        </xs:restriction>', '      </xs:simpleType>');
    } else x.push(...complexType(reg, typeName, s, '      '));
  }
  x.push('    </xs:schema>', '  </types>');
  for (const a of actions) {
    x.push(`  <message name="WsSupervisor_${a.operation}">`, `    <part name="${a.operation}" element="tns:${a.operation}" />`, '  </message>');
    x.push(`  <message name="WsSupervisor_${a.operation}Response">`, `    <part name="${a.operation}Response" element="tns:${a.operation}Response" />`, '  </message>');
  }
  for (const f of faults) x.push(`  <message name="${f}">`, `    <part name="${f}" element="tns:${f}" />`, '  </message>');
  x.push('  <portType name="WsSupervisor">');
  for (const a of actions) {
    x.push(`    <operation name="${a.operation}" parameterOrder="${a.operation}">`);
    x.push(`      <input message="tns:WsSupervisor_${a.operation}" />`, `      <output message="tns:WsSupervisor_${a.operation}Response" />`);
    for (const f of a.faults) x.push(`      <fault name="${f}" message="tns:${f}" />`);
    x.push('    </operation>');
  }
  x.push('  </portType>');
  x.push('  <binding name="WsSupervisorBinding" type="tns:WsSupervisor">', '    <soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document" />');
  for (const a of actions) {
    x.push(`    <operation name="${a.operation}">`, '      <soap:operation soapAction="" />');
    x.push('      <input>', '        <soap:body use="literal" />', '      </input>', '      <output>', '        <soap:body use="literal" />', '      </output>');
    for (const f of a.faults) x.push(`      <fault name="${f}">`, `        <soap:fault name="${f}" use="literal" />`, '      </fault>');
    x.push('    </operation>');
  }
  x.push('  </binding>');
  x.push('  <service name="WsSupervisorService">', '    <port name="WsSupervisorPort" binding="tns:WsSupervisorBinding">', `      <soap:address location="${escapeXml(options.location)}" />`, '    </port>', '  </service>');
  x.push('</definitions>', '');
  return x.join('\n');
}

function faultType(reg: SchemaRegistry, fault: string): string {
  return reg.resolve({ $ref: `${fault}.json` })['x-wsdlType'] ?? `${fault}Exception`;
}

/** The response wrapper: nothing, one optional <return>, or repeated <return>s. */
function responseSchema(a: SoapAction): JsonSchema {
  if (a.result === 'empty') return { type: 'object', properties: {} };
  const out = a.output as JsonSchema;
  const inner = out.anyOf ? out.anyOf.find((s: JsonSchema) => s.type !== 'null') : out;
  return { type: 'object', properties: { return: inner } };
}

function complexType(reg: SchemaRegistry, name: string | null, schema: JsonSchema, indent: string): string[] {
  const s = reg.resolve(schema);
  const props = Object.entries<JsonSchema>(s.properties ?? {});
  const head = name ? `${indent}<xs:complexType name="${name}">` : `${indent}<xs:complexType>`;
  if (!props.length) return [head.replace('>', ' />').replace('  />', ' />')];
  const out = [head, `${indent}  <xs:sequence>`];
  for (const [prop, ps] of props) out.push(...element(reg, prop, ps, (s.required ?? []).includes(prop), `${indent}    `));
  out.push(`${indent}  </xs:sequence>`, `${indent}</xs:complexType>`);
  return out;
}

function element(reg: SchemaRegistry, name: string, schema: JsonSchema, required: boolean, indent: string): string[] {
  let s = schema;
  let many = false;
  let nillable = false;
  if (reg.resolve(s).type === 'array' && !s.$ref) {
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
  const occurs = many ? ' minOccurs="0" maxOccurs="unbounded"' : required ? '' : ' minOccurs="0"';
  const nil = nillable ? ' nillable="true"' : '';
  const type = xsdType(reg, s);
  if (type) return [`${indent}<xs:element name="${name}" type="${type}"${occurs}${nil} />`];
  return [`${indent}<xs:element name="${name}"${occurs}${nil}>`, ...complexType(reg, null, s, `${indent}  `), `${indent}</xs:element>`];
}

function xsdType(reg: SchemaRegistry, s: JsonSchema): string | undefined {
  if (s.$ref) {
    const target = reg.resolve(s);
    return `tns:${target['x-wsdlType'] ?? s.$ref.replace(/\.json$/, '')}`;
  }
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
