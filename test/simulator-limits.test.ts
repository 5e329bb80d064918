/**
 * The simulator as a server that cannot be knocked over (issue 13): one test for each limit, each
 * with its own answer, in the order Five9's servlet container gives them (400 and 413 before the
 * credentials, 401, then 415), and every store of requests bounded.
 */
import { connect } from 'node:net';
import { request } from 'undici';
import { Five9Simulator, type SimulatorOptions } from '../src/simulator';
import { MAX_XML_DEPTH } from '../src/simulator/soap-request';
import { VIEW_SETTINGS, envelope, soap } from './sim-helpers';

const U = 'ops';
const P = 'ops-secret';
const AUTH = `Basic ${Buffer.from(`${U}:${P}`).toString('base64')}`;
const SOAP_PATH = '/wssupervisor/v4/SupervisorWebService';
let sim: Five9Simulator;
let url: string;

async function start(options: SimulatorOptions = {}): Promise<void> {
  sim = new Five9Simulator({ users: [{ username: U, password: P }], consumers: [{ key: 'k', secret: 'k-secret' }], ...options });
  ({ url } = await sim.start(0));
}
afterEach(() => sim.stop());

const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  request(`${url}${path}`, { method: 'POST', body, headers: { 'content-type': 'text/xml;charset=utf-8', ...headers } }).then(async (r) => ({ status: r.statusCode, headers: r.headers, text: await r.body.text() }));

/** A raw HTTP/1.1 exchange: what the server answers, byte for byte, to a request undici would not send. */
function raw(head: string, body: Buffer | string = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(url);
    const s = connect(Number(port), '127.0.0.1', () => {
      s.write(head);
      if (body.length) s.write(body);
    });
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('end', () => resolve(got));
    s.on('close', () => resolve(got));
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy());
  });
}

describe('request size: 413', () => {
  beforeEach(() => start({ maxBodyBytes: 64 * 1024 }));

  test('a declared length over the limit is 413 before the credentials are looked at, and the connection closes', async () => {
    const r = await post(SOAP_PATH, Buffer.alloc(64 * 1024 + 1, 'x'));
    expect(r.status).toBe(413);
    expect(r.headers.connection).toBe('close');
    expect(r.text).toBe('Request body larger than 65536 bytes');
    expect(sim.requests).toEqual([]);
  });

  test('a chunked body that grows over the limit is 413 once the limit is passed', async () => {
    await soap(url, U, P, 'setSessionParameters', VIEW_SETTINGS());
    const chunk = Buffer.alloc(16 * 1024, ' ');
    const answer = await raw(`POST ${SOAP_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n`, Buffer.concat(Array.from({ length: 8 }, () => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]))));
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    // The server is fine: the next request of the user is answered.
    expect((await soap(url, U, P, 'getSessionParameters')).status).toBe(200);
  });

  test('a body at the limit is read', async () => {
    const padding = ' '.repeat(64 * 1024 - envelope('getSessionParameters').length);
    const r = await post(SOAP_PATH, envelope('getSessionParameters').replace('<soapenv:Body>', `${padding}<soapenv:Body>`), { authorization: AUTH });
    expect(r.status).toBe(500);
    expect(r.text).toContain('SessionNotInitializedFault');
  });

  test('REST too: an oversized add-contacts body is 413 before the token is looked at', async () => {
    const r = await request(`${url}/lists/v1/domains/10001/lists/Renewals/contacts`, { method: 'POST', body: Buffer.alloc(64 * 1024 + 1, 'x') });
    expect(r.statusCode).toBe(413);
    await r.body.text();
  });
});

describe('XML depth and well-formedness', () => {
  beforeEach(() => start());

  test(`nesting deeper than ${MAX_XML_DEPTH} is an Unmarshalling Error, not read further`, async () => {
    await soap(url, U, P, 'setSessionParameters', VIEW_SETTINGS());
    const deep = envelope('getStatistics', `${'<a>'.repeat(200_000)}`);
    const r = await post(SOAP_PATH, deep, { authorization: AUTH });
    expect(r.status).toBe(500);
    expect(r.text).toContain('<faultcode>env:Client</faultcode>');
    expect(r.text).toContain('Unmarshalling Error: Maximum nested tags exceeded');
    // Everyone else is answered.
    expect((await soap(url, U, P, 'getSessionParameters')).status).toBe(200);
  });

  test(`a small, well-formed request nesting deeper than ${MAX_XML_DEPTH} is refused the same way; one within it is read`, async () => {
    await soap(url, U, P, 'setSessionParameters', VIEW_SETTINGS());
    const nest = (n: number) => `${'<a>'.repeat(n)}${'</a>'.repeat(n)}`;
    const deep = await soap(url, U, P, 'getSessionParameters', nest(MAX_XML_DEPTH));
    expect(deep.faultString).toBe('Unmarshalling Error: Maximum nested tags exceeded');
    expect((await soap(url, U, P, 'getSessionParameters', nest(MAX_XML_DEPTH - 8))).status).toBe(200);
  });

  test('a request that is not well-formed or carries a DOCTYPE is an Unmarshalling Error', async () => {
    for (const body of ['<soapenv:Envelope><soapenv:Body><getSessionParameters></soapenv:Body>', '<!DOCTYPE x [<!ENTITY a "b">]><x/>', 'not xml at all']) {
      const r = await post(SOAP_PATH, body, { authorization: AUTH });
      expect({ body, status: r.status, fault: /<faultstring>Unmarshalling Error: /.test(r.text) }).toEqual({ body, status: 500, fault: true });
    }
  });
});

describe('content type: 415 after the credentials', () => {
  beforeEach(() => start());

  test('application/json on the SOAP path: 401 without credentials, 415 with them', async () => {
    const body = envelope('getSessionParameters');
    expect((await post(SOAP_PATH, body, { 'content-type': 'application/json' })).status).toBe(401);
    const r = await post(SOAP_PATH, body, { 'content-type': 'application/json', authorization: AUTH });
    expect(r.status).toBe(415);
    expect(r.text).toBe('Unsupported Content-Type: application/json Supported ones are: [text/xml]');
    // SOAP 1.2's type is refused too; SOAP 1.1's, with its parameters, is read.
    expect((await post(SOAP_PATH, body, { 'content-type': 'application/soap+xml', authorization: AUTH })).status).toBe(415);
    expect((await post(SOAP_PATH, body, { 'content-type': 'text/xml; charset=UTF-8', authorization: AUTH })).status).toBe(500);
  });
});

describe('a request target it cannot read: 400 before the credentials', () => {
  beforeEach(() => start());

  test('a bad % escape on the SOAP and the REST side is 400, not a 500', async () => {
    for (const path of ['/wssupervisor/v4%ZZ/SupervisorWebService', '/lists/v1/domains/10001/lists/Bad%E0%A4%A/contacts']) {
      const answer = await raw(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`);
      expect({ path, line: answer.split('\r\n')[0] }).toEqual({ path, line: 'HTTP/1.1 400 Bad Request' });
    }
  });

  test('without credentials the SOAP path is 401 with the JBoss page, whatever the body', async () => {
    const r = await post(SOAP_PATH, 'not xml');
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Basic realm="ApplicationRealm"');
    expect(r.text).toContain('This request requires HTTP authentication.');
  });
});

describe('bounded memory', () => {
  test('requests that do not authenticate leave nothing behind: no SOAP or REST log entry', async () => {
    await start();
    const long = `/lists/v1/domains/10001/lists/${'x'.repeat(8000)}/contacts`;
    for (let i = 0; i < 200; i++) {
      const a = await request(`${url}${long}`, { method: 'POST', body: '{}' });
      await a.body.text();
      const b = await post(SOAP_PATH, envelope('getSessionParameters'), { authorization: `Basic ${Buffer.from(`${U}:wrong${i}`).toString('base64')}` });
      expect([a.statusCode, b.status]).toEqual([401, 401]);
    }
    expect(sim.requests).toEqual([]);
    expect(sim.rest.requests).toEqual([]);
  });

  test('the request log keeps the newest, within 1.5 × its limit', async () => {
    await start({ requestLogLimit: 20 });
    for (let i = 0; i < 100; i++) await soap(url, U, P, 'getCallCountersState');
    expect(sim.requests.length).toBeLessThanOrEqual(30);
    expect(sim.requests.length).toBeGreaterThanOrEqual(20);
    expect(sim.report().users[U].requests).toBe(100);
  });

  test('issued tokens: at most 100 live per consumer key; the newest still works', async () => {
    await start();
    let token = '';
    for (let i = 0; i < 150; i++) {
      const r = await request(`${url}/oauth2/v1/token`, { method: 'POST', body: 'grant_type=client_credentials', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('k:k-secret').toString('base64')}` } });
      token = ((await r.body.json()) as { access_token: string }).access_token;
    }
    expect(sim.rest.liveTokens).toBe(100);
    const r = await request(`${url}/campaigns/v1/domains/10001/campaigns`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.statusCode).toBe(200);
    await r.body.text();
  });

  test("a user's undelivered chat messages: the newest 1,000 are kept", async () => {
    await start();
    await soap(url, U, P, 'setSessionParameters', VIEW_SETTINGS());
    for (let i = 0; i < 1200; i++) sim.domain.deliver([U], { type: 'BROADCAST', text: `m${i}` });
    const r = await soap(url, U, P, 'receiveMessages', '<previousTimestamp>0</previousTimestamp><longPollingTimeout>1000</longPollingTimeout>');
    const texts = [...r.body.matchAll(/<text>(m\d+)<\/text>/g)].map((m) => m[1]);
    expect(texts).toHaveLength(1000);
    expect(texts[0]).toBe('m200');
    expect(texts[999]).toBe('m1199');
  });
});
