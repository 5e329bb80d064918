/**
 * The manifest's REST actions: declared like the SOAP ones and checked by lintManifest, every
 * example run with RestClient against the simulator's REST side, every anti-example refused before
 * anything is sent, and kept apart from everything that only makes sense for SOAP.
 */
import { readFileSync } from 'node:fs';
import { Five9Error, Five9InputError } from '../src/errors';
import { isRestAction, lintManifest, loadManifest, manifestPath } from '../src/manifest';
import { RestClient } from '../src/rest';
import { Five9Client } from '../src/runtime';
import type { JsonSchema } from '../src/schemas';
import { Five9Simulator } from '../src/simulator';
import { generateWsdl } from '../src/wsdl';
import { rejectionOf, thrownBy } from './helpers';

const manifest = loadManifest();
const RAW = readFileSync(manifestPath(), 'utf8');
type Raw = Record<string, any>;
const lintBroken = (breakIt: (m: Raw) => void): string[] => {
  const m = JSON.parse(RAW);
  breakIt(m);
  return lintManifest(m);
};
const action = (m: Raw, id: string) => m.actions.find((a: Raw) => a.id === id);

describe('the REST actions of the manifest', () => {
  it('are at least List Campaigns, List Dialing Lists and Add Contacts To List, in the Contacts category, with their scopes', () => {
    expect(manifest.restActions.map((a) => [a.displayName, manifest.categoryName(a.category), a.scope, a.quotaClass])).toEqual([
      ['List Campaigns', 'Contacts', 'Campaigns:read', 'RestRequests'],
      ['List Dialing Lists', 'Contacts', 'lists:read', 'RestRequests'],
      ['Add Contacts To List', 'Contacts', 'lists:write', 'RestRequests'],
    ]);
    expect(manifest.action('Add Contacts To List').itemLimit).toEqual({ field: 'contacts', max: 1000 });
    expect(manifest.raw.quotaClasses.RestRequests).toMatchObject({ protocol: 'rest', windows: [{ seconds: 60, limit: 40 }] });
    expect(manifest.raw.rest?.auth).toMatchObject({ type: 'oauth2-client-credentials', tokenPath: '/oauth2/v1/token', refreshMarginSeconds: 60 });
    const secret = manifest.raw.rest?.auth.fields.find((f) => f.id === 'consumerSecret');
    expect(secret).toMatchObject({ secret: true, env: 'FIVE9_CONSUMER_SECRET' });
    expect(Object.values(manifest.raw.rest?.dataCenters ?? {}).map((d) => d.base)).toEqual(['us', 'ca', 'eu', 'uk', 'in'].map((dc) => `https://api.prod.${dc}.five9.net`));
  });

  it('are no SOAP operations: not in the WSDL, not dispatched by the SOAP simulator, refused by the SOAP client', async () => {
    const wsdl = generateWsdl(manifest, { version: 'v14', location: 'https://api.five9.com/wssupervisor/v14/SupervisorWebService' });
    for (const a of manifest.restActions) {
      expect(a.operation).toBeUndefined();
      expect(wsdl).not.toContain(a.id);
    }
    const client = new Five9Client({ endpoint: 'http://127.0.0.1:9', username: 'u', password: 'p-secret' });
    const e = thrownBy(() => client.validate('List Campaigns'));
    expect(e.code).toBe('FIVE9_UNKNOWN_ACTION');
    expect(e.message).toMatch(/"List Campaigns" is a REST action \(GET \/campaigns\/v1\/domains\/\{domainId\}\/campaigns\), not a SOAP one/);
    await client.close();
    expect(manifest.soapActions.every((a) => !isRestAction(a))).toBe(true);
    expect(manifest.soapActions.length + manifest.restActions.length).toBe(manifest.actions.length);
  });

  it("do not change the SOAP domain limits (getCallCountersState has no REST class)", async () => {
    const sim = new Five9Simulator();
    await sim.start(0);
    try {
      const classes = sim.quotas.state().flatMap((s) => s.callCounterStates.map((c) => c.operationType));
      expect(classes).not.toContain('RestRequests');
    } finally {
      await sim.stop();
    }
  });
});

describe('lintManifest checks REST actions', () => {
  test.each<[string, (m: Raw) => void, RegExp]>([
    ['a REST action without http', (m) => delete action(m, 'listCampaigns').http, /manifest \/actions\/\d+\/http is required \(required\)/],
    ['a REST action with a SOAP operation', (m) => (action(m, 'listCampaigns').operation = 'listCampaigns'), /operation/],
    ['a SOAP action with an http block', (m) => (action(m, 'getCallCountersState').http = { method: 'GET', path: '/x' }), /http/],
    ['a SOAP action without an operation', (m) => delete action(m, 'getCallCountersState').operation, /manifest \/actions\/\d+\/operation is required \(required\)/],
    ['a scope the rest block does not declare', (m) => (action(m, 'listCampaigns').scope = 'campaigns:write'), /action listCampaigns: scope "campaigns:write" is not one of rest.scopes/],
    ['a path placeholder that is no input field', (m) => (action(m, 'addContactsToList').http.path = '/lists/v1/domains/{domainId}/lists/{list}/contacts'), /action addContactsToList: http.path placeholder \{list\} is not an input field/],
    ['an item limit the input schema does not enforce', (m) => delete action(m, 'addContactsToList').input.properties.contacts.maxItems, /input field "contacts" must declare maxItems of at most 1000/],
    ['an item limit on a field that is not an array', (m) => (action(m, 'addContactsToList').itemLimit.field = 'listName'), /itemLimit.field "listName" is not an array input field/],
    ['a SOAP quota class on a REST action', (m) => (action(m, 'listCampaigns').quotaClass = 'QueryStatistics'), /quota class "QueryStatistics" limits soap requests, not rest ones/],
    ['a rate-limited REST action without its 429', (m) => (action(m, 'listCampaigns').errors = action(m, 'listCampaigns').errors.filter((e: Raw) => e.status !== 429)), /must declare its 429 answer/],
    ['a consumer secret not marked secret', (m) => delete m.rest.auth.fields.find((f: Raw) => f.id === 'consumerSecret').secret, /rest.auth.fields: "consumerSecret" must be marked secret/],
    ['a REST anti-example that is accepted', (m) => (action(m, 'addContactsToList').antiExamples[0].input.contacts[0].guardTimeStart = '2026-01-05T09:00'), /anti-example "A guard time with seconds" should be refused/],
  ])('%s', (_name, breakIt, expected) => {
    expect(lintBroken(breakIt)).toContainEqual(expect.stringMatching(expected));
  });
});

describe('every REST action against the simulator', () => {
  let sim: Five9Simulator;
  let client: RestClient;
  beforeEach(async () => {
    sim = new Five9Simulator({ consumers: [{ key: 'k', secret: 'k-secret' }] });
    const { url } = await sim.start(0);
    client = new RestClient({ endpoint: url, domainId: sim.rest.domainId, consumerKey: 'k', consumerSecret: 'k-secret' });
  });
  afterEach(async () => {
    await client.close();
    await sim.stop();
  });

  for (const a of manifest.restActions) {
    describe(a.id, () => {
      for (const example of a.examples) {
        it(`example: ${example.name}`, async () => {
          const r = await client.run(a.id, example.input as Record<string, unknown>);
          expect(r).toMatchObject({ action: a.displayName, exit: 'success', status: 200 });
          expect(manifest.registry.check(a.output as JsonSchema, r.output, 'output')).toEqual([]);
          if (a.id === 'addContactsToList') {
            expect(r.output).toEqual(example.output);
            expect(sim.rest.contacts((example.input as { listName: string }).listName)).toEqual((example.input as { contacts: unknown[] }).contacts);
          }
        });
      }
      for (const anti of a.antiExamples ?? []) {
        it(`anti-example refused before sending: ${anti.name}`, async () => {
          const e = await rejectionOf(client.run(a.id, anti.input as Record<string, unknown>));
          expect(e).toBeInstanceOf(Five9InputError);
          expect(e.code).toBe('FIVE9_INVALID_INPUT');
          expect(e.issues).toEqual(expect.arrayContaining([expect.objectContaining({ field: anti.field, rule: anti.rule })]));
          expect(sim.rest.requests).toEqual([]);
        });
      }
    });
  }

  it('more than 1,000 contacts in one request are refused before sending (maxItems)', async () => {
    const contacts = Array.from({ length: 1001 }, (_, i) => ({ number1: String(4155550000 + i) }));
    const e = await rejectionOf(client.run('Add Contacts To List', { listName: 'Renewals', contacts }));
    expect(e).toBeInstanceOf(Five9Error);
    expect(e.issues).toEqual([expect.objectContaining({ field: '/contacts', rule: 'maxItems' })]);
    expect(sim.rest.requests).toEqual([]);
  });
});
