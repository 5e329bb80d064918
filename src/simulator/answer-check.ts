import type { WsdlModel, XsdComplexType } from '../wsdl';

/**
 * Whether an answer is one the version's WSDL allows: every required element present, nil only
 * where nillable, numbers and booleans where the type says so, and enumeration values only those
 * the version lists (a strict toolkit rejects a whole answer for one unknown value). Checked on
 * the value before it is encoded; the simulator does it when `checkAnswers` is on (its tests).
 */
export function answerProblems(model: WsdlModel, operation: string, result: 'empty' | 'single' | 'list', output: unknown): string[] {
  const type = model.schema.complexTypes.get(`${operation}Response`);
  if (!type) return [`${operation}Response is not in this version's WSDL`];
  const problems: string[] = [];
  const value = result === 'empty' ? {} : result === 'list' ? { return: output ?? [] } : output === null || output === undefined ? {} : { return: output };
  complex(model, type, value, `${operation}Response`, problems);
  return problems;
}

function complex(model: WsdlModel, type: XsdComplexType, value: unknown, path: string, out: string[]): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    out.push(`${path}: expected an element with children`);
    return;
  }
  const v = value as Record<string, unknown>;
  for (const e of type.sequence) {
    const p = `${path}/${e.name}`;
    const x = v[e.name];
    const items = e.maxOccurs > 1 ? (Array.isArray(x) ? x : x === undefined ? [] : [x]) : x === undefined ? [] : [x];
    if (items.length < e.minOccurs) out.push(`${p}: required (minOccurs ${e.minOccurs}) but absent`);
    for (const item of items) {
      if (item === null) {
        if (!e.nillable) out.push(`${p}: nil, but the element is not nillable`);
        continue;
      }
      if (e.complexType) {
        complex(model, e.complexType, item, p, out);
        continue;
      }
      const t = e.type ?? 'xs:string';
      const named = t.startsWith('tns:') ? t.slice(4) : undefined;
      const ct = named ? model.schema.complexTypes.get(named) : undefined;
      const values = named ? model.schema.simpleTypes.get(named) : undefined;
      if (ct) complex(model, ct, item, p, out);
      else if (values) {
        if (!values.includes(String(item))) out.push(`${p}: "${String(item)}" is not a value of ${named} in this version`);
      } else if ((t === 'xs:int' || t === 'xs:long') && !Number.isInteger(item)) out.push(`${p}: ${JSON.stringify(item)} is not an ${t}`);
      else if (t === 'xs:boolean' && typeof item !== 'boolean') out.push(`${p}: ${JSON.stringify(item)} is not an xs:boolean`);
    }
  }
}
