/**
 * The WSDL the simulator serves for each version is Five9's WSDL of that version (issue 13): the
 * served file, fetched from a running simulator, and Five9's own file (spec/wsdl/, unmodified) are
 * parsed into the same model and compared element by element: complex types, their sequences in
 * order, minOccurs, maxOccurs and nillable; enumerations and their values; global elements;
 * messages and their parts; operations, their messages and the faults each declares; the binding
 * (name, style, transport, soapAction, faults); the service and its port. Any difference fails,
 * unless INTENDED lists it with its reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { loadManifest, versionHas } from '../src/manifest';
import { Five9Simulator } from '../src/simulator';
import { type WsdlModel, compareWsdl, parseWsdl } from '../src/wsdl';

/** Which of Five9's files each served version is compared with. */
const REFERENCE: Record<string, string> = {
  v3: 'SupervisorWebService.v3.wsdl',
  v4: 'SupervisorWebService.v4.wsdl',
  v9_5: 'SupervisorWebService.v9_5.wsdl',
  // Later versions have the v9_5 contract (the manifest's apiVersions.later.sameAs); Five9
  // publishes no later file, so they are held to v9_5's.
  v10: 'SupervisorWebService.v9_5.wsdl',
  v14: 'SupervisorWebService.v9_5.wsdl',
};

/**
 * Differences that are intended, by version, each with its reason. Empty: the served WSDLs equal
 * Five9's. (What the model leaves out, and so never compares: documentation, jaxws
 * customisations, the order of declarations and of an operation's faults, and the address.)
 */
const INTENDED: Record<string, Array<{ difference: string; reason: string }>> = {};

const manifest = loadManifest();
const five9 = (file: string): WsdlModel => parseWsdl(readFileSync(join(__dirname, '..', 'spec', 'wsdl', file), 'utf8'));

let sim: Five9Simulator;
let url: string;
beforeAll(async () => {
  sim = new Five9Simulator();
  ({ url } = await sim.start(0));
});
afterAll(() => sim.stop());

async function served(version: string): Promise<{ text: string; model: WsdlModel }> {
  const path = manifest.raw.apiVersions.pathTemplate.replace('{versionSegment}', version === 'default' ? '' : `/${version}`);
  const res = await request(`${url}${path}?wsdl&user=demo`);
  expect(res.statusCode).toBe(200);
  const text = await res.body.text();
  return { text, model: parseWsdl(text) };
}

describe("the served WSDL is Five9's, element by element", () => {
  test.each(Object.entries(REFERENCE))('version %s against %s', async (version, file) => {
    const differences = compareWsdl((await served(version)).model, five9(file));
    const intended = INTENDED[version] ?? [];
    expect(differences.filter((d) => !intended.some((i) => i.difference === d))).toEqual([]);
    // An intended difference that no longer occurs is removed from the list.
    expect(intended.filter((i) => !differences.includes(i.difference)).map((i) => i.difference)).toEqual([]);
  });

  test('the served file carries its own address', async () => {
    const { text } = await served('v4');
    expect(text).toContain(`<soap:address location="${url}/wssupervisor/v4/SupervisorWebService" />`);
  });
});

describe('the comparison sees every kind of difference (so the test above can fail)', () => {
  const v4 = () => five9(REFERENCE.v4);
  const diff = (change: (m: WsdlModel) => void) => {
    const m = v4();
    change(m);
    return compareWsdl(m, v4());
  };
  test('identical models have none', () => {
    expect(compareWsdl(v4(), v4())).toEqual([]);
  });
  test.each<[string, (m: WsdlModel) => void, RegExp]>([
    ['minOccurs', (m) => (m.schema.complexTypes.get('setSessionParameters')!.sequence[0].minOccurs = 1), /^complexType setSessionParameters \/ viewSettings: minOccurs: 1 ≠ 0$/],
    ['maxOccurs', (m) => (m.schema.complexTypes.get('statistics')!.sequence[1].maxOccurs = 1), /^complexType statistics \/ rows: maxOccurs: 1 ≠ Infinity$/],
    ['nillable', (m) => (m.schema.complexTypes.get('itemUpdate')!.sequence[1].nillable = false), /^complexType itemUpdate \/ columnValue: nillable: false ≠ true$/],
    ['element order', (m) => m.schema.complexTypes.get('getStatisticsUpdate')!.sequence.reverse(), /^complexType getStatisticsUpdate: elements/],
    ['an element inside an anonymous type', (m) => (m.schema.complexTypes.get('row')!.sequence[0].complexType!.sequence[0].nillable = false), /^complexType row \/ values \(anonymous\) \/ data: nillable/],
    ['an enum value', (m) => m.schema.simpleTypes.get('rollingPeriod')!.push('Hours4'), /^simpleType rollingPeriod: values/],
    ['a type', (m) => m.schema.complexTypes.delete('wsSkill'), /^complexType wsSkill: missing$/],
    ['a declared fault', (m) => m.portType.operations.get('getSessionParameters')!.faults.pop(), /^operation getSessionParameters: faults/],
    ['a message', (m) => m.messages.set('Extra', []), /^message Extra: served only$/],
    ['the binding name', (m) => (m.binding.name = 'Other'), /^binding name/],
    ['the service name', (m) => (m.service.name = 'Other'), /^service name/],
    ['the port', (m) => m.service.ports.set('Other', { binding: 'tns:x' }), /^port Other: served only$/],
  ])('%s', (_kind, change, expected) => {
    const d = diff(change);
    expect(d.length).toBeGreaterThan(0);
    expect(d.some((line) => expected.test(line))).toBe(true);
  });
});

describe('operations by API version', () => {
  test('the unversioned path has the operations of "default" only (Five9 publishes no file for it)', async () => {
    const { model } = await served('default');
    expect([...model.portType.operations.keys()].sort()).toEqual(manifest.soapActions.filter((a) => a.versions.since === 'default').map((a) => a.operation).sort());
    expect(model.portType.operations.has('startCampaign')).toBe(false);
  });

  test('every served operation of a version is a manifest action of that version, and back', async () => {
    for (const version of ['default', 'v3', 'v4', 'v9_5', 'v14']) {
      const ops = [...(await served(version)).model.portType.operations.keys()].sort();
      expect({ version, ops }).toEqual({ version, ops: manifest.soapActions.filter((a) => versionHas(version, a.versions.since)).map((a) => a.operation).sort() });
    }
  });
});
