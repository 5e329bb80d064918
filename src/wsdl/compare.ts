import type { WsdlModel, XsdComplexType } from './model';

/**
 * Every difference between two models, one line each with its path (`complexType viewSettings /
 * shiftStart: minOccurs 1 ≠ 0`). Order matters where it means something to a toolkit: a sequence's
 * elements, an enumeration's values; it does not for declarations (types, messages, operations)
 * or for the faults an operation declares.
 */
export function compareWsdl(served: WsdlModel, reference: WsdlModel): string[] {
  const out: string[] = [];
  const same = (path: string, a: unknown, b: unknown) => {
    if (a !== b) out.push(`${path}: ${fmt(a)} ≠ ${fmt(b)}`);
  };
  const keys = <T>(path: string, a: Map<string, T>, b: Map<string, T>, each: (path: string, x: T, y: T) => void) => {
    for (const k of a.keys()) if (!b.has(k)) out.push(`${path} ${k}: served only`);
    for (const k of b.keys()) if (!a.has(k)) out.push(`${path} ${k}: missing`);
    for (const [k, x] of a) if (b.has(k)) each(`${path} ${k}`, x, b.get(k)!);
  };
  const sequence = (path: string, a: XsdComplexType, b: XsdComplexType) => {
    same(`${path}: elements`, a.sequence.map((e) => e.name).join(', '), b.sequence.map((e) => e.name).join(', '));
    for (const x of a.sequence) {
      const y = b.sequence.find((e) => e.name === x.name);
      if (!y) continue;
      const p = `${path} / ${x.name}`;
      same(`${p}: type`, x.type, y.type);
      same(`${p}: minOccurs`, x.minOccurs, y.minOccurs);
      same(`${p}: maxOccurs`, x.maxOccurs, y.maxOccurs);
      same(`${p}: nillable`, x.nillable, y.nillable);
      if (x.complexType || y.complexType) {
        if (!x.complexType || !y.complexType) out.push(`${p}: anonymous complexType on one side only`);
        else sequence(`${p} (anonymous)`, x.complexType, y.complexType);
      }
    }
  };
  same('definitions name', served.name, reference.name);
  same('targetNamespace', served.targetNamespace, reference.targetNamespace);
  same('schema elementFormDefault', served.schema.elementFormDefault, reference.schema.elementFormDefault);
  keys('element', served.schema.elements, reference.schema.elements, (p, a, b) => same(`${p}: type`, a, b));
  keys('complexType', served.schema.complexTypes, reference.schema.complexTypes, sequence);
  keys('simpleType', served.schema.simpleTypes, reference.schema.simpleTypes, (p, a, b) => same(`${p}: values`, a.join(', '), b.join(', ')));
  keys('message', served.messages, reference.messages, (p, a, b) => same(`${p}: parts`, a.map((x) => `${x.name}=${x.element}`).join(', '), b.map((x) => `${x.name}=${x.element}`).join(', ')));
  same('portType name', served.portType.name, reference.portType.name);
  keys('operation', served.portType.operations, reference.portType.operations, (p, a, b) => {
    same(`${p}: input`, a.input, b.input);
    same(`${p}: output`, a.output, b.output);
    same(`${p}: faults`, setOf(a.faults.map((f) => `${f.name}=${f.message}`)), setOf(b.faults.map((f) => `${f.name}=${f.message}`)));
  });
  same('binding name', served.binding.name, reference.binding.name);
  same('binding type', served.binding.type, reference.binding.type);
  same('binding style', served.binding.style, reference.binding.style);
  same('binding transport', served.binding.transport, reference.binding.transport);
  keys('binding operation', served.binding.operations, reference.binding.operations, (p, a, b) => {
    same(`${p}: soapAction`, a.soapAction, b.soapAction);
    same(`${p}: faults`, setOf(a.faults), setOf(b.faults));
  });
  same('service name', served.service.name, reference.service.name);
  keys('port', served.service.ports, reference.service.ports, (p, a, b) => same(`${p}: binding`, a.binding, b.binding));
  return out;
}

function setOf(items: string[]): string {
  return [...items].sort().join(', ');
}

function fmt(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
