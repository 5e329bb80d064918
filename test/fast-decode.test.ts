/**
 * The fast decoder (answers read straight by the schema, no XML tree) must give exactly what the
 * tree decoder gives: on every example answer of the manifest in the wire's form and in the forms
 * other SOAP stacks write, on every fault, and, by handing them back, on everything else.
 */
import { Five9Fault } from '../src/errors';
import { loadManifest } from '../src/manifest';
import type { JsonSchema } from '../src/schemas';
import { SoapCodec } from '../src/soap';
import { FastDecoder, FaultParts, NOT_DECODED } from '../src/soap/fast';
import { ENV, NS } from './helpers';

const manifest = loadManifest();
const codec = new SoapCodec(manifest.registry, manifest.raw.protocol.namespace);
const fast = new FastDecoder(manifest.registry);
const faultSchema = (name: string) => (manifest.registry.has(`${name}.json`) ? { $ref: `${name}.json` } : undefined);
type Result = 'empty' | 'single' | 'list';

/** The tree decoder's answer: an XML declaration makes the fast decoder step aside (fast-xml-parser ignores it). */
function viaTree(xml: string, operation: string, result: Result, schema: JsonSchema): unknown {
  try {
    return codec.decodeResponse(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`, operation, result, schema);
  } catch (e) {
    if (e instanceof Five9Fault) return { fault: e.fault, fields: e.fields, message: e.message, faultCode: e.faultCode };
    return { error: (e as Error).message };
  }
}

function viaFast(xml: string, operation: string, result: Result, schema: JsonSchema): unknown {
  const out = fast.decodeResponse(xml, operation, result, schema, faultSchema);
  if (out instanceof FaultParts) {
    const f = new Five9Fault(out.name, out.fields, out.faultString, out.faultCode);
    return { fault: f.fault, fields: f.fields, message: f.message, faultCode: f.faultCode };
  }
  return out;
}

/** The same answer as other stacks write it: indented, S:/a: prefixes, default namespaces. */
function variants(xml: string): Array<[string, string]> {
  const indented = xml.replace(/></g, '>\n  <');
  const prefixed = xml.replace(/env:/g, 'S:').replace(/xmlns:env=/g, 'xmlns:S=').replace(/ns2:/g, 'a:').replace(/xmlns:ns2=/g, 'xmlns:a=');
  const plain = xml
    .replace(/<env:Envelope xmlns:env="[^"]*">/, `<Envelope xmlns="${ENV}">`)
    .replace(/<(\/?)env:/g, '<$1')
    .replace(/<ns2:(\w+) xmlns:ns2="[^"]*"/g, `<$1 xmlns="${NS}"`)
    .replace(/<\/ns2:/g, '</')
    .replace(/<return>/g, '<return xmlns="">');
  return [
    ['as the simulator writes it', xml],
    ['indented', indented],
    ['with S:/a: prefixes', prefixed],
    ['with default namespaces', plain],
  ];
}

const soapActions = manifest.actions.filter((a) => a.operation && a.result);
const answers: Array<[string, string, string, Result, JsonSchema]> = [];
for (const a of soapActions) {
  const result = a.result as Result;
  const outputs = a.examples.filter((ex) => 'output' in ex && !(ex.exit && a.exits?.[ex.exit] && 'onFaults' in a.exits[ex.exit]));
  for (const ex of outputs) {
    const xml = codec.response(a.operation!, result, ex.output, a.output as JsonSchema);
    for (const [form, x] of variants(xml)) answers.push([`${a.id}: "${ex.name}" ${form}`, x, a.operation!, result, a.output as JsonSchema]);
  }
}

describe('the fast decoder equals the tree decoder', () => {
  test('there are example answers of every kind to check', () => {
    expect(answers.length).toBeGreaterThan(100);
    expect(new Set(answers.map((a) => a[3]))).toEqual(new Set(['empty', 'single', 'list']));
  });

  test.each(answers)('%s', (_name, xml, operation, result, schema) => {
    const f = viaFast(xml, operation, result, schema);
    expect(f).not.toBe(NOT_DECODED);
    expect(JSON.stringify(f)).toBe(JSON.stringify(viaTree(xml, operation, result, schema)));
  });

  const faults = [...manifest.registry.schemas.entries()].filter(([file]) => /Fault\.json$/.test(file));
  test.each(faults.map(([file, schema]) => [file.replace(/\.json$/, ''), schema] as const))('the fault %s', (name, schema) => {
    const fields = (schema.examples?.[0] as Record<string, unknown>) ?? { message: `${name} happened` };
    for (const [, xml] of variants(codec.fault(name, fields))) {
      const f = viaFast(xml, 'getStatistics', 'single', manifest.action('getStatistics').output as JsonSchema);
      expect(f).not.toBe(NOT_DECODED);
      expect(f).toEqual(viaTree(xml, 'getStatistics', 'single', manifest.action('getStatistics').output as JsonSchema));
    }
  });

  test('a fault without detail, from the client side and the server side', () => {
    for (const xml of [codec.clientFault('Unmarshalling Error: unexpected element'), codec.clientFault('x').replace('env:Client', 'env:Server')]) {
      const f = viaFast(xml, 'getStatistics', 'single', {});
      expect(f).not.toBe(NOT_DECODED);
      expect(f).toEqual(viaTree(xml, 'getStatistics', 'single', {}));
    }
  });

  const update = manifest.action('getStatisticsUpdate');
  const wrap = (inner: string) => `<env:Envelope xmlns:env="${ENV}"><env:Body><ns2:getStatisticsUpdateResponse xmlns:ns2="${NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${inner}</ns2:getStatisticsUpdateResponse></env:Body></env:Envelope>`;
  const ok = '<lastTimestamp>2</lastTimestamp><previousTimestamp>1</previousTimestamp>';
  test.each<[string, string, boolean]>([
    ['a nil value', wrap(`<return><dataUpdate><columnName>State</columnName><columnValue xsi:nil="true"/><objectName>jsmith</objectName></dataUpdate>${ok}</return>`), true],
    ['entities and character references', wrap(`<return><dataUpdate><columnName>Sales &amp; Retention</columnName><columnValue>&lt;&#38;&#x26;&gt;</columnValue><objectName>O'Neil</objectName></dataUpdate>${ok}</return>`), true],
    ['no return: nothing changed', wrap(''), true],
    ['a self-closing answer element', `<env:Envelope xmlns:env="${ENV}"><env:Body><ns2:getStatisticsUpdateResponse xmlns:ns2="${NS}"/></env:Body></env:Envelope>`, true],
    ['empty added and deleted objects', wrap(`<return><addedObjects/><deletedObjects><values/></deletedObjects>${ok}</return>`), true],
    ['an unknown element (Five9 adds fields)', wrap(`<return>${ok}<newField>1</newField></return>`), false],
    ['a repeated time stamp', wrap(`<return>${ok}<lastTimestamp>3</lastTimestamp></return>`), false],
    ['a time stamp that is not a number', wrap(`<return><lastTimestamp>later</lastTimestamp><previousTimestamp>1</previousTimestamp></return>`), false],
    ['a comment', wrap(`<return>${ok}<!-- x --></return>`), false],
    ['CDATA', wrap(`<return><type><![CDATA[AgentState]]></type>${ok}</return>`), false],
    ['an HTML entity', wrap(`<return><type>a&nbsp;b</type>${ok}</return>`), false],
    ['another attribute', wrap(`<return id="1">${ok}</return>`), false],
    ['two returns', wrap(`<return>${ok}</return><return>${ok}</return>`), false],
    ['another operation', wrap(`<return>${ok}</return>`).replace(/getStatisticsUpdateResponse/g, 'getStatisticsResponse'), false],
    ['a carriage return', wrap(`<return>${ok}</return>`).replace('<return>', '<return>\r\n'), false],
  ])('%s', (_name, xml, decodedFast) => {
    const schema = update.output as JsonSchema;
    const f = viaFast(xml, 'getStatisticsUpdate', 'single', schema);
    expect(f === NOT_DECODED).toBe(!decodedFast);
    let viaCodec: unknown;
    try {
      viaCodec = codec.decodeResponse(xml, 'getStatisticsUpdate', 'single', schema);
    } catch (e) {
      viaCodec = e instanceof Five9Fault ? { fault: e.fault } : { error: (e as Error).message };
    }
    expect(JSON.stringify(viaCodec)).toBe(JSON.stringify(viaTree(xml, 'getStatisticsUpdate', 'single', schema)));
  });
});
