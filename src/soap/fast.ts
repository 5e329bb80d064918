/* eslint-disable @typescript-eslint/only-throw-error -- BAIL (a symbol, not an Error) is thrown on purpose: the fast path gives up without the cost of a stack, and the caller falls back to the general parser. */
import type { JsonSchema, SchemaRegistry } from '../schemas';
import { readXsdBoolean, readXsdInteger } from '../schemas/xsd';
import { BAIL, type Tag, scanTag, skipSpace } from './scan';
import { decodeEntities } from './xml';

/**
 * The generic decoder's result read straight from the answer's text, driven by the same schemas,
 * without building the XML tree first: most answers are a few hundred bytes and the tree costs more
 * than the call's own work. It covers the plain answers servers write (an envelope with an empty
 * Header, one response element, unqualified children, xmlns declarations, xsi:nil, the predefined
 * entities and character references) and SOAP faults. At anything else (an unknown or repeated
 * element, a comment, CDATA, a declaration, another attribute, text where elements belong, a value
 * the schema refuses) it returns NOT_DECODED and the generic decoder reads the answer, so the two
 * never differ; test/hooks.test.ts checks them on every example of the manifest and more.
 */
export const NOT_DECODED = Symbol('not decoded');

/** A fault as the generic decoder reads it, for the caller to throw as a Five9Fault. */
export class FaultParts {
  constructor(
    readonly name: string,
    readonly fields: Record<string, unknown>,
    readonly faultString: string,
    readonly faultCode: string,
  ) {}
}


/** How the generic decoder treats a schema, worked out once per schema object. */
type Plan =
  | { kind: 'nullable'; inner: Plan }
  | { kind: 'array'; item: Plan }
  | { kind: 'object'; props: Map<string, Prop>; order: string[] }
  | { kind: 'leaf'; integer: boolean; number: boolean; boolean: boolean; xsd?: string };

interface Prop {
  plan: Plan;
  /** A repeated element (the generic decoder lists every occurrence). */
  many: boolean;
  /** Absent, it is [] in the output. */
  emptyList: boolean;
}

export class FastDecoder {
  private readonly plans = new WeakMap<object, Plan>();

  constructor(private readonly registry: SchemaRegistry) {}

  private plan(schema: JsonSchema): Plan {
    let p = this.plans.get(schema);
    if (p) return p;
    const s = this.registry.resolve(schema);
    if (s.anyOf) {
      p = { kind: 'nullable', inner: this.plan(s.anyOf.find((x: JsonSchema) => !(x.type === 'null')) ?? {}) };
    } else {
      const types: unknown[] = Array.isArray(s.type) ? s.type : [s.type];
      if (types.includes('array')) p = { kind: 'array', item: this.plan(s.items ?? {}) };
      else if (types.includes('object')) {
        const props = new Map<string, Prop>();
        for (const [name, prop] of Object.entries<JsonSchema>(s.properties ?? {})) {
          const r = this.registry.resolve(prop);
          const many = Array.isArray(r.type) ? r.type.includes('array') : r.type === 'array';
          props.set(name, { plan: this.plan(prop), many, emptyList: r.type === 'array' });
        }
        p = { kind: 'object', props, order: [...props.keys()] };
      } else p = { kind: 'leaf', integer: types.includes('integer'), number: types.includes('number'), boolean: types.includes('boolean'), xsd: s['x-xsd'] };
    }
    this.plans.set(schema, p);
    return p;
  }

  /** What decodeResponse would return (or the fault it would throw), or NOT_DECODED. */
  decodeResponse(xml: string, operation: string, result: 'empty' | 'single' | 'list', outputSchema: JsonSchema, faultSchema: (name: string) => JsonSchema | undefined): unknown {
    if (xml.includes('\r')) return NOT_DECODED;
    try {
      return new Scan(xml, this).response(operation, result, outputSchema, faultSchema);
    } catch (e) {
      if (e === BAIL) return NOT_DECODED;
      throw e;
    }
  }

  /** Internal: the plan of a schema (for Scan). */
  planOf(schema: JsonSchema): Plan {
    return this.plan(schema);
  }

  /** Internal: the generic decoder's nonNull. */
  nonNull(schema: JsonSchema): JsonSchema {
    const s = this.registry.resolve(schema);
    if (s.anyOf) return s.anyOf.find((x: JsonSchema) => x.type !== 'null') ?? s;
    return schema;
  }

  /** Internal: the items of a list answer. */
  items(schema: JsonSchema): JsonSchema {
    return this.registry.resolve(schema).items ?? {};
  }
}

class Scan {
  private i = 0;
  private readonly len: number;

  constructor(
    private readonly xml: string,
    private readonly d: FastDecoder,
  ) {
    this.len = xml.length;
  }

  private skip(at: number): number {
    return skipSpace(this.xml, at);
  }

  private tag(at: number): Tag {
    return scanTag(this.xml, at);
  }

  /** The next tag after whitespace; moves past it. */
  private next(): Tag {
    const t = this.tag(this.skip(this.i));
    this.i = t.end;
    return t;
  }

  private closing(open: Tag): void {
    const t = this.next();
    if (!t.close || t.qname !== open.qname) throw BAIL;
  }

  /** A leaf's text, entities replaced; `i` is just past its opening tag. */
  private text(open: Tag): string {
    if (open.self) return '';
    const e = this.xml.indexOf('<', this.i);
    if (e < 0) throw BAIL;
    const t = decodeEntities(this.xml.slice(this.i, e));
    if (t === undefined) throw BAIL;
    this.i = e;
    this.closing(open);
    return t;
  }

  /** The element just opened, decoded as the generic decoder decodes it by `plan`. */
  private value(open: Tag, plan: Plan): unknown {
    if (plan.kind === 'nullable') {
      if (open.nil) return this.nil(open);
      return this.value(open, plan.inner);
    }
    if (plan.kind === 'array') throw BAIL; // an array inside an array: not in Five9's schemas
    if (open.nil) return this.nil(open);
    if (plan.kind === 'object') return this.object(open, plan);
    const t = this.text(open);
    // The exact-values rule (src/schemas/xsd.ts); anything it refuses, the generic decoder names.
    if (plan.integer) {
      const n = readXsdInteger(t, plan.xsd);
      if (n === undefined) throw BAIL;
      return n;
    }
    if (plan.number) throw BAIL; // no xsd:double in Five9's answers: the generic decoder reads it
    if (plan.boolean) {
      const b = readXsdBoolean(t);
      if (b === undefined) throw BAIL;
      return b;
    }
    return t;
  }

  private nil(open: Tag): null {
    if (!open.self) throw BAIL;
    return null;
  }

  private object(open: Tag, plan: Extract<Plan, { kind: 'object' }>): Record<string, unknown> {
    const found = new Map<string, unknown>();
    if (!open.self) {
      for (;;) {
        const t = this.next();
        if (t.close) {
          if (t.qname !== open.qname) throw BAIL;
          break;
        }
        const prop = plan.props.get(t.local);
        if (!prop) throw BAIL;
        if (prop.many) {
          if (prop.plan.kind !== 'array') throw BAIL;
          let list = found.get(t.local) as unknown[] | undefined;
          if (!list) found.set(t.local, (list = []));
          list.push(this.value(t, prop.plan.item));
        } else {
          if (found.has(t.local)) throw BAIL;
          found.set(t.local, this.value(t, prop.plan));
        }
      }
    }
    const out: Record<string, unknown> = {};
    for (const name of plan.order) {
      if (found.has(name)) out[name] = found.get(name);
      else if (plan.props.get(name)!.emptyList) out[name] = [];
    }
    return out;
  }

  response(operation: string, result: 'empty' | 'single' | 'list', outputSchema: JsonSchema, faultSchema: (name: string) => JsonSchema | undefined): unknown {
    this.i = 0;
    const env = this.next();
    if (env.local !== 'Envelope' || env.close || env.self || env.nil) throw BAIL;
    let t = this.next();
    if (t.local === 'Header' && !t.close && !t.nil) {
      if (!t.self) this.closing(t);
      t = this.next();
    }
    const body = t;
    if (body.local !== 'Body' || body.close || body.self || body.nil) throw BAIL;
    const answer = this.next();
    if (answer.close || answer.nil) throw BAIL;
    let out: unknown;
    if (answer.local === 'Fault') out = this.fault(answer, faultSchema);
    else {
      if (answer.local !== `${operation}Response`) throw BAIL;
      out = this.returns(answer, result, outputSchema);
    }
    this.closing(body);
    this.closing(env);
    if (this.skip(this.i) !== this.len) throw BAIL;
    return out;
  }

  private returns(answer: Tag, result: 'empty' | 'single' | 'list', outputSchema: JsonSchema): unknown {
    if (result === 'empty') {
      if (!answer.self) this.closing(answer);
      return null;
    }
    const single = result === 'single';
    const plan = this.d.planOf(single ? this.d.nonNull(outputSchema) : this.d.items(outputSchema));
    const list: unknown[] = [];
    if (!answer.self) {
      for (;;) {
        const t = this.next();
        if (t.close) {
          if (t.qname !== answer.qname) throw BAIL;
          break;
        }
        if (t.local !== 'return' || (single && list.length)) throw BAIL;
        list.push(this.value(t, plan));
      }
    }
    if (!single) return list;
    return list.length ? list[0] : null;
  }

  private fault(open: Tag, faultSchema: (name: string) => JsonSchema | undefined): FaultParts {
    if (open.self) throw BAIL;
    let faultCode: string | undefined;
    let faultString: string | undefined;
    let detail: { name: string; fields: Record<string, unknown> } | null | undefined;
    for (;;) {
      const t = this.next();
      if (t.close) {
        if (t.qname !== open.qname) throw BAIL;
        break;
      }
      if (t.nil) throw BAIL;
      if (t.local === 'faultcode' && faultCode === undefined) faultCode = this.text(t);
      else if (t.local === 'faultstring' && faultString === undefined) faultString = this.text(t);
      else if (t.local === 'detail' && detail === undefined) {
        detail = null;
        if (!t.self) {
          const inner = this.next();
          if (inner.close) {
            if (inner.qname !== t.qname) throw BAIL;
          } else {
            const schema = faultSchema(inner.local);
            if (!schema || inner.nil) throw BAIL;
            const plan = this.d.planOf(schema);
            if (plan.kind !== 'object') throw BAIL;
            detail = { name: inner.local, fields: this.object(inner, plan) };
            this.closing(t);
          }
        }
      } else throw BAIL;
    }
    // As the generic decoder: the code without its prefix; no detail element is a plain server or client fault.
    const code = (faultCode ?? '').replace(/^.*:/, '');
    const message = faultString ?? '';
    if (!detail) return new FaultParts(code === 'Client' ? 'ClientFault' : 'ServerFault', { message }, message, code);
    return new FaultParts(detail.name, detail.fields, message, code);
  }
}
