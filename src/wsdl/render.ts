import { escapeXml } from '../soap';
import type { WsdlModel, XsdComplexType, XsdElement } from './model';

/** The model as a WSDL 1.1 document, with the service's address at `location`. */
export function renderWsdl(model: WsdlModel, location: string): string {
  const ns = model.targetNamespace;
  const x: string[] = [];
  x.push('<?xml version="1.0" encoding="utf-8"?>');
  x.push('<!-- generated from connector/manifest.json and schemas/, do not edit -->');
  x.push(`<definitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${ns}" name="${model.name}" targetNamespace="${ns}" xmlns="http://schemas.xmlsoap.org/wsdl/">`);
  x.push('  <types>');
  x.push(`    <xs:schema targetNamespace="${ns}" version="1.0" elementFormDefault="${model.schema.elementFormDefault}" xmlns:xs="http://www.w3.org/2001/XMLSchema">`);
  for (const [name, type] of model.schema.elements) x.push(`      <xs:element name="${name}" type="${type}" />`);
  for (const [name, ct] of model.schema.complexTypes) x.push(...complexType(name, ct, '      '));
  for (const [name, values] of model.schema.simpleTypes) {
    x.push(`      <xs:simpleType name="${name}">`, '        <xs:restriction base="xs:string">');
    for (const v of values) x.push(`          <xs:enumeration value="${escapeXml(v)}" />`);
    x.push('        </xs:restriction>', '      </xs:simpleType>');
  }
  x.push('    </xs:schema>', '  </types>');
  for (const [name, parts] of model.messages) {
    x.push(`  <message name="${name}">`, ...parts.map((p) => `    <part name="${p.name}" element="${p.element}" />`), '  </message>');
  }
  x.push(`  <portType name="${model.portType.name}">`);
  for (const [name, op] of model.portType.operations) {
    x.push(`    <operation name="${name}" parameterOrder="${name}">`);
    x.push(`      <input message="${op.input}" />`, `      <output message="${op.output}" />`);
    for (const f of op.faults) x.push(`      <fault name="${f.name}" message="${f.message}" />`);
    x.push('    </operation>');
  }
  x.push('  </portType>');
  x.push(`  <binding name="${model.binding.name}" type="${model.binding.type}">`, `    <soap:binding transport="${model.binding.transport}" style="${model.binding.style}" />`);
  for (const [name, op] of model.binding.operations) {
    x.push(`    <operation name="${name}">`, `      <soap:operation soapAction="${escapeXml(op.soapAction)}" />`);
    x.push('      <input>', '        <soap:body use="literal" />', '      </input>', '      <output>', '        <soap:body use="literal" />', '      </output>');
    for (const f of op.faults) x.push(`      <fault name="${f}">`, `        <soap:fault name="${f}" use="literal" />`, '      </fault>');
    x.push('    </operation>');
  }
  x.push('  </binding>');
  x.push(`  <service name="${model.service.name}">`);
  for (const [name, port] of model.service.ports) x.push(`    <port name="${name}" binding="${port.binding}">`, `      <soap:address location="${escapeXml(location)}" />`, '    </port>');
  x.push('  </service>', '</definitions>', '');
  return x.join('\n');
}

function complexType(name: string | null, ct: XsdComplexType, indent: string): string[] {
  const head = name ? `${indent}<xs:complexType name="${name}"` : `${indent}<xs:complexType`;
  if (!ct.sequence.length) return [`${head} />`];
  return [`${head}>`, `${indent}  <xs:sequence>`, ...ct.sequence.flatMap((e) => element(e, `${indent}    `)), `${indent}  </xs:sequence>`, `${indent}</xs:complexType>`];
}

function element(e: XsdElement, indent: string): string[] {
  const attrs = [
    `name="${e.name}"`,
    ...(e.type ? [`type="${e.type}"`] : []),
    ...(e.minOccurs !== 1 ? [`minOccurs="${e.minOccurs}"`] : []),
    ...(e.maxOccurs !== 1 ? [`maxOccurs="${e.maxOccurs === Infinity ? 'unbounded' : e.maxOccurs}"`] : []),
    ...(e.nillable ? ['nillable="true"'] : []),
  ].join(' ');
  if (!e.complexType) return [`${indent}<xs:element ${attrs} />`];
  return [`${indent}<xs:element ${attrs}>`, ...complexType(null, e.complexType, `${indent}  `), `${indent}</xs:element>`];
}
