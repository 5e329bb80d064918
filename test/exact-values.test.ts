/**
 * Exact values, one rule everywhere (src/schemas/xsd.ts): an integer beyond its XSD type's exact
 * range is refused in input naming the field, and nothing is sent; numbers are written in XSD
 * lexical form; in an answer an integer not in lexical form or beyond the range, or a boolean that
 * is not true/false/1/0, is FIVE9_BAD_RESPONSE naming the element, whichever decoder reads it.
 */
import { main } from '../src/cli';
import { loadManifest, lintManifest } from '../src/manifest';
import { RestClient } from '../src/rest';
import { Five9Client } from '../src/runtime';
import { SoapCodec } from '../src/soap';
import { ENV, NS, rawHttpServer, rejectionOf, soapAnswer, thrownBy } from './helpers';

const m = loadManifest();

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'five9', ...args], { out: (s) => out.push(s), err: (s) => err.push(s), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('input: refused beyond the exact range, naming the field; nothing sent', () => {
  let server: Awaited<ReturnType<typeof rawHttpServer>>;
  beforeAll(async () => {
    server = await rawHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(soapAnswer('getStatisticsUpdate', '')));
  });
  afterAll(() => server.close());

  test.each([
    ['9007199254740993', '2^53 + 1, which a number would round to …992'],
    ['9007199254740992', '2^53'],
    ['1e21', 'written 1e+21 by String(), not an xsd:long'],
    ['-9007199254740993', 'below -(2^53 - 1)'],
  ])('previousTimestamp %s (%s)', async (literal) => {
    const before = server.requests.length;
    const r = await cli(['run', 'getStatisticsUpdate', '--input', `{"statisticType":"AgentState","previousTimestamp":${literal},"longPollingTimeout":5000}`, '--endpoint', server.url, '--json'], { FIVE9_USERNAME: 'u', FIVE9_PASSWORD: 'some-Passw0rd' });
    expect(r.code).toBe(2);
    const error = JSON.parse(r.out).error;
    expect(error.code).toBe('FIVE9_INVALID_INPUT');
    expect(error.issues).toEqual([expect.objectContaining({ field: '/previousTimestamp', rule: 'x-xsd', message: expect.stringContaining('-9007199254740991 to 9007199254740991') })]);
    expect(server.requests.length).toBe(before);
  });

  test('the largest safe long is sent as its digits; the encoder refuses what it cannot write exactly', async () => {
    const client = new Five9Client({ endpoint: server.url, username: 'u', password: 'some-Passw0rd', quotas: false });
    try {
      expect(thrownBy(() => client.validate('getStatisticsUpdate', { statisticType: 'AgentState', previousTimestamp: 2 ** 53, longPollingTimeout: 5000 })).issues[0]).toMatchObject({ field: '/previousTimestamp', rule: 'x-xsd' });
      const envelope = client.envelope('getStatisticsUpdate', { statisticType: 'AgentState', previousTimestamp: Number.MAX_SAFE_INTEGER, longPollingTimeout: 1e15 });
      expect(envelope).toContain('<previousTimestamp>9007199254740991</previousTimestamp><longPollingTimeout>1000000000000000</longPollingTimeout>');
      const codec = new SoapCodec(m.registry, m.raw.protocol.namespace);
      const schema = { type: 'object', properties: { n: { type: 'integer', 'x-xsd': 'long' } } };
      // The encoder itself refuses what it cannot write exactly, even when validation was skipped.
      expect(thrownBy(() => codec.request('x', { n: 1e21 }, schema))).toMatchObject({ code: 'FIVE9_INVALID_INPUT' });
      expect(thrownBy(() => codec.request('x', { n: Number.NaN }, schema))).toMatchObject({ code: 'FIVE9_INVALID_INPUT' });
    } finally {
      await client.close();
    }
  });
});

describe('answers: not in XSD lexical form, or beyond the range, is FIVE9_BAD_RESPONSE naming the element', () => {
  let answer = '';
  let server: Awaited<ReturnType<typeof rawHttpServer>>;
  let client: Five9Client;
  beforeAll(async () => {
    server = await rawHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(answer));
    client = new Five9Client({ endpoint: server.url, username: 'u', password: 'some-Passw0rd', quotas: false });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  const BAD = ['9223372036854775807', '9007199254740992', '1e20', '0x10', '0b101', '+7', '7.0', '', ' 1 2 '];

  test.each(BAD)('a long of %j: the fast decoder and the generic one agree', async (text) => {
    for (const comment of ['', '<!-- forces the generic decoder -->']) {
      answer = `<env:Envelope xmlns:env="${ENV}"><env:Header/><env:Body>${comment}<ns2:getCallCountersStateResponse xmlns:ns2="${NS}"><return><timeout>${text}</timeout></return></ns2:getCallCountersStateResponse></env:Body></env:Envelope>`;
      const e = await rejectionOf(client.run('getCallCountersState'));
      expect(e.code).toBe('FIVE9_BAD_RESPONSE');
      expect(e.message).toContain("the answer's return[0]/timeout:");
      expect(e.details.element).toBe('return[0]/timeout');
    }
  });

  test('in a getStatistics answer (the row hook and the generic decoder) and an update', async () => {
    for (const text of ['9223372036854775807', '+1767600000000', '1.7676e12']) {
      answer = soapAnswer('getStatistics', `<return><columns><values><data>Username</data></values></columns><timestamp>${text}</timestamp><type>AgentState</type></return>`);
      const e = await rejectionOf(client.run('getStatistics', { statisticType: 'AgentState' }));
      expect(e).toMatchObject({ code: 'FIVE9_BAD_RESPONSE', details: { element: 'return/timestamp' } });
      answer = soapAnswer('getStatisticsUpdate', `<return><lastTimestamp>${text}</lastTimestamp><previousTimestamp>1</previousTimestamp></return>`);
      const u = await rejectionOf(client.run('getStatisticsUpdate', { statisticType: 'AgentState', previousTimestamp: 1, longPollingTimeout: 5000 }));
      expect(u).toMatchObject({ code: 'FIVE9_BAD_RESPONSE', details: { element: 'return/lastTimestamp' } });
    }
  });

  test('values in lexical form are read exactly, XML whitespace around them allowed', async () => {
    answer = soapAnswer('getCallCountersState', '<return><timeout> 9007199254740991\n</timeout></return><return><timeout>-60</timeout></return>');
    expect((await client.run('getCallCountersState')).output).toEqual([{ timeout: 9007199254740991, callCounterStates: [] }, { timeout: -60, callCounterStates: [] }]);
  });

  test('a boolean that is not true, false, 1 or 0 is not read as false', async () => {
    for (const comment of ['', '<!-- generic -->']) {
      answer = `<env:Envelope xmlns:env="${ENV}"><env:Body>${comment}<ns2:loginStationResponse xmlns:ns2="${NS}"><return><codecParameters><disableNAT>yes</disableNAT></codecParameters><name>s1</name></return></ns2:loginStationResponse></env:Body></env:Envelope>`;
      const e = await rejectionOf(client.run('loginStation', { stationName: 's1', forceLogoutSession: true }));
      expect(e).toMatchObject({ code: 'FIVE9_BAD_RESPONSE', details: { element: 'return/codecParameters/disableNAT' } });
    }
  });

  test('an xsd:int beyond 2^31 - 1 in an answer is refused too', async () => {
    answer = soapAnswer('loginStation', '<return><codecParameters><ptime>2147483648</ptime></codecParameters><name>s1</name></return>');
    const e = await rejectionOf(client.run('loginStation', { stationName: 's1', forceLogoutSession: true }));
    expect(e).toMatchObject({ code: 'FIVE9_BAD_RESPONSE', details: { element: 'return/codecParameters/ptime' } });
    expect(e.message).toContain('outside -2147483648 … 2147483647, the range of xsd:int');
  });

  test('REST: an integer JSON cannot carry exactly is FIVE9_INVALID_OUTPUT naming the field', async () => {
    const rest = await rawHttpServer((req, res) => {
      const json = (b: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(b);
      if (req.url?.startsWith('/oauth2/')) return json(JSON.stringify({ access_token: 'tok-123456789', token_type: 'Bearer', expires_in: 3600 }));
      return json('[{"name":"Renewals","size":9223372036854775807}]');
    });
    const c = new RestClient({ endpoint: rest.url, domainId: '1', consumerKey: 'k', consumerSecret: 'some-S3cret' });
    try {
      const e = await rejectionOf(c.run('List Dialing Lists'));
      expect(e.code).toBe('FIVE9_INVALID_OUTPUT');
      expect(e.issues).toEqual([expect.objectContaining({ field: '/0/size', rule: 'x-xsd' })]);
    } finally {
      await c.close();
      await rest.close();
    }
  });
});

describe('the rule is enforced on the schemas', () => {
  test('five9 lint refuses an integer without x-xsd', () => {
    const raw = JSON.parse(JSON.stringify(m.raw));
    raw.actions.find((a: { id: string }) => a.id === 'getStatisticsUpdate').input.properties.previousTimestamp = { type: 'integer', description: 'no xsd type' };
    expect(lintManifest(raw)).toContain('action getStatisticsUpdate input: an integer needs "x-xsd": "int" or "long" (its exact range)');
  });

  test('the generated types say the range on every long', () => {
    const ts = require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'src', 'generated', 'five9-types.ts'), 'utf8');
    expect(ts).toContain('xsd:long: an integer from -9007199254740991 to 9007199254740991, carried exactly (a value outside is refused, never rounded).');
  });
});
