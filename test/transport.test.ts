/**
 * The HTTP side: what the client sends, and every way an answer can go wrong, against raw servers
 * on 127.0.0.1 (nock cannot intercept undici). Also where the client may connect at all.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import { Five9Error } from '../src/errors';
import { loadManifest } from '../src/manifest';
import { Five9Client } from '../src/runtime';
import { Transport } from '../src/transport';
import { PASSWORD, USER, type RawHttpServer, onRequest, rawHttpServer, rawTcpServer, rejectionOf, soapAnswer, thrownBy } from './helpers';

const manifest = loadManifest();
const COUNTERS = soapAnswer(
  'getCallCountersState',
  '<return><callCounterStates><limit>2</limit><operationType>QueryStatistics</operationType><value>1</value></callCounterStates><timeout>60</timeout></return>',
);
const COUNTERS_OUTPUT = [{ callCounterStates: [{ limit: 2, operationType: 'QueryStatistics', value: 1 }], timeout: 60 }];

const clients: Five9Client[] = [];
const servers: Array<{ close(): Promise<void> }> = [];
function clientFor(url: string, options: Partial<ConstructorParameters<typeof Five9Client>[0]> = {}): Five9Client {
  const c = new Five9Client({ endpoint: url, username: USER, password: PASSWORD, ...options });
  clients.push(c);
  return c;
}
async function http(reply: Parameters<typeof rawHttpServer>[0]): Promise<RawHttpServer> {
  const s = await rawHttpServer(reply);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function failureOf(url: string, options: Partial<ConstructorParameters<typeof Five9Client>[0]> = {}): Promise<Five9Error & Record<string, any>> {
  const e = await rejectionOf(clientFor(url, options).run('Get Call Counters State'));
  expect(e).toBeInstanceOf(Five9Error);
  return e;
}

describe('what the client sends', () => {
  test('POST to the endpoint path with text/xml;charset=UTF-8, SOAPAction "", Basic credentials and gzip allowed', async () => {
    const server = await http((_req, res) => res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' }).end(COUNTERS));
    const password = 'p@ss:wörd';
    await clientFor(server.url, { password }).run('Get Call Counters State');
    expect(server.requests).toHaveLength(1);
    const { method, url, headers, body } = server.requests[0];
    expect(method).toBe('POST');
    expect(url).toBe('/wssupervisor/v4/SupervisorWebService');
    expect(headers['content-type']).toBe('text/xml;charset=UTF-8');
    expect(headers.soapaction).toBe('""');
    expect(headers.authorization).toBe(`Basic ${Buffer.from(`${USER}:${password}`, 'utf8').toString('base64')}`);
    expect(String(headers['accept-encoding']).split(/\s*,\s*/)).toContain('gzip');
    expect(body).toContain('<ser:getCallCountersState>');
  });

  test('the path follows the API version: none for default, /v3, /v14', async () => {
    const server = await http((_req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(COUNTERS));
    for (const apiVersion of ['default', 'v3', 'v14']) await clientFor(server.url, { apiVersion }).run('Get Call Counters State');
    expect(server.requests.map((r) => r.url)).toEqual(['/wssupervisor/SupervisorWebService', '/wssupervisor/v3/SupervisorWebService', '/wssupervisor/v14/SupervisorWebService']);
  });
});

describe('answers that are not usable SOAP', () => {
  test('"Service Unavailable" as text/plain with HTTP 503 is FIVE9_HTTP naming the status', async () => {
    const server = await http((_req, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable'));
    const e = await failureOf(server.url);
    expect(e.code).toBe('FIVE9_HTTP');
    expect(e.message).toMatch(/HTTP 503/);
    expect(e.toJSON()).toMatchObject({ code: 'FIVE9_HTTP', status: 503 });
  });

  test('an HTML error page from a proxy (HTTP 502) is FIVE9_HTTP', async () => {
    const server = await http((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>'));
    const e = await failureOf(server.url);
    expect(e.code).toBe('FIVE9_HTTP');
    expect(e.message).toMatch(/HTTP 502/);
  });

  test('an HTML error page that mentions a fault (JBoss HTTP 500) is FIVE9_HTTP, not a parse error', async () => {
    const page = '<html><head><title>JBoss Web/7.0.13.Final - Error report</title></head><body><h1>HTTP Status 500 - javax.xml.ws.soap.SOAPFaultException: Fault occurred</h1></body></html>';
    const server = await http((_req, res) => res.writeHead(500, { 'content-type': 'text/html;charset=utf-8' }).end(page));
    const e = await failureOf(server.url);
    expect(e.code).toBe('FIVE9_HTTP');
    expect(e.message).toMatch(/HTTP 500/);
  });

  test('a SOAP fault with HTTP 500 is still decoded as a fault (control)', async () => {
    const fault =
      '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body><env:Fault><faultcode>env:Server</faultcode><faultstring>down</faultstring><detail><ns2:ServiceUnavailableFault xmlns:ns2="http://service.supervisor.ws.five9.com/"><message>down</message></ns2:ServiceUnavailableFault></detail></env:Fault></env:Body></env:Envelope>';
    const server = await http((_req, res) => res.writeHead(500, { 'content-type': 'text/xml;charset=utf-8' }).end(fault));
    const e = await failureOf(server.url);
    expect(e.code).toBe('FIVE9_FAULT');
    expect(e.fault).toBe('ServiceUnavailableFault');
  });

  test('a non-XML body with HTTP 200 is FIVE9_BAD_RESPONSE saying it is not XML', async () => {
    const server = await http((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('Service Unavailable'));
    const e = await failureOf(server.url);
    expect(e.code).toBe('FIVE9_BAD_RESPONSE');
    expect(e.message).toMatch(/not XML/);
    expect(e.message).toContain('Service Unavailable');
  });

  test('truncated XML with an honest Content-Length is FIVE9_BAD_RESPONSE', async () => {
    const cut = COUNTERS.slice(0, Math.floor(COUNTERS.length * 0.6));
    const server = await http((_req, res) => res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(cut) }).end(cut));
    const e = await failureOf(server.url);
    expect(e.code).toBe('FIVE9_BAD_RESPONSE');
    expect(e.message).toMatch(/truncated/);
  });

  test('a connection closed before Content-Length bytes arrived is FIVE9_BAD_RESPONSE', async () => {
    const server = await rawTcpServer((socket, received) =>
      onRequest(socket, received, () => {
        socket.end(`HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: ${Buffer.byteLength(COUNTERS)}\r\n\r\n${COUNTERS.slice(0, 100)}`);
      }),
    );
    servers.push(server);
    const e = await failureOf(server.url);
    expect(e.code).toBe('FIVE9_BAD_RESPONSE');
    expect(e.message).toMatch(/cut off/);
  });

  test('a body with a DOCTYPE is refused as FIVE9_BAD_RESPONSE, its entities never expanded', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>${COUNTERS.replace('<limit>2</limit>', '<limit>&lol2;</limit>')}`;
    const server = await http((_req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(laughs));
    const e = await failureOf(server.url);
    expect(e.code).toBe('FIVE9_BAD_RESPONSE');
    expect(e.message).toMatch(/DOCTYPE/);
  });

  test('an empty body with HTTP 200 is FIVE9_BAD_RESPONSE', async () => {
    const server = await http((_req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end());
    expect((await failureOf(server.url)).code).toBe('FIVE9_BAD_RESPONSE');
  });
});

describe('compression and size', () => {
  test('a gzip-compressed answer is decoded', async () => {
    const server = await http((_req, res) => res.writeHead(200, { 'content-type': 'text/xml', 'content-encoding': 'gzip' }).end(gzipSync(COUNTERS)));
    expect((await clientFor(server.url).run('Get Call Counters State')).output).toEqual(COUNTERS_OUTPUT);
  });

  test('a deflate-compressed answer is decoded', async () => {
    const server = await http((_req, res) => res.writeHead(200, { 'content-type': 'text/xml', 'content-encoding': 'deflate' }).end(deflateSync(COUNTERS)));
    expect((await clientFor(server.url).run('Get Call Counters State')).output).toEqual(COUNTERS_OUTPUT);
  });

  test('a corrupt gzip body is FIVE9_BAD_RESPONSE', async () => {
    const broken = gzipSync(COUNTERS).subarray(0, 40);
    const server = await http((_req, res) => res.writeHead(200, { 'content-type': 'text/xml', 'content-encoding': 'gzip' }).end(broken));
    const e = await failureOf(server.url);
    expect(e.code).toBe('FIVE9_BAD_RESPONSE');
    expect(e.message).toMatch(/gzip/);
  });

  test('an answer larger than maxResponseBytes is FIVE9_RESPONSE_TOO_LARGE', async () => {
    const big = COUNTERS.replace('<return>', `<return>${'<x>padding</x>'.repeat(2000)}`);
    const server = await http((_req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(big));
    const e = await failureOf(server.url, { maxResponseBytes: 4096 });
    expect(e.code).toBe('FIVE9_RESPONSE_TOO_LARGE');
    expect(e.toJSON()).toMatchObject({ maxResponseBytes: 4096 });
  });

  test('a small gzip answer that inflates beyond maxResponseBytes is FIVE9_RESPONSE_TOO_LARGE', async () => {
    const bomb = gzipSync(COUNTERS.replace('<return>', `<return>${' '.repeat(1_000_000)}`));
    expect(bomb.length).toBeLessThan(4096);
    const server = await http((_req, res) => res.writeHead(200, { 'content-type': 'text/xml', 'content-encoding': 'gzip' }).end(bomb));
    const e = await failureOf(server.url, { maxResponseBytes: 4096 });
    expect(e.code).toBe('FIVE9_RESPONSE_TOO_LARGE');
  });

  test('the same answer within the limit is accepted (control)', async () => {
    const server = await http((_req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(COUNTERS));
    expect((await clientFor(server.url, { maxResponseBytes: 4096 }).run('Get Call Counters State')).output).toEqual(COUNTERS_OUTPUT);
  });
});

describe('time-outs and broken connections', () => {
  test('a server that never answers is FIVE9_TIMEOUT after timeoutMs', async () => {
    const server = await rawTcpServer((socket, received) => onRequest(socket, received, () => undefined));
    servers.push(server);
    const e = await failureOf(server.url, { timeoutMs: 300 });
    expect(e.code).toBe('FIVE9_TIMEOUT');
    expect(e.message).toContain('300 ms');
    expect(server.received).toHaveLength(1);
  });

  test('a server that sends headers and then stalls is FIVE9_TIMEOUT', async () => {
    const server = await rawTcpServer((socket, received) =>
      onRequest(socket, received, () => socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: ${COUNTERS.length}\r\n\r\n<env:Envelope`)),
    );
    servers.push(server);
    expect((await failureOf(server.url, { timeoutMs: 300 })).code).toBe('FIVE9_TIMEOUT');
  });

  test('after a time-out the client still works: the next call is sent and answered', async () => {
    let n = 0;
    const server = await rawTcpServer((socket, received) =>
      onRequest(socket, received, () => {
        if (n++ === 0) return; // the first request is never answered
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: ${Buffer.byteLength(COUNTERS)}\r\n\r\n${COUNTERS}`);
      }),
    );
    servers.push(server);
    const client = clientFor(server.url, { timeoutMs: 300 });
    expect((await rejectionOf(client.run('Get Call Counters State'))).code).toBe('FIVE9_TIMEOUT');
    expect((await client.run('Get Call Counters State')).output).toEqual(COUNTERS_OUTPUT);
    expect(server.received).toHaveLength(2);
  });

  test('a refused connection is FIVE9_TRANSPORT', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const e = await failureOf(`http://127.0.0.1:${port}`);
    expect(e.code).toBe('FIVE9_TRANSPORT');
    expect(e.message).toContain(`127.0.0.1:${port}`);
  });

  test('a connection reset before any answer is FIVE9_TRANSPORT or FIVE9_BAD_RESPONSE, never a raw error', async () => {
    const server = await rawTcpServer((socket, received) => onRequest(socket, received, () => socket.destroy()));
    servers.push(server);
    const e = await failureOf(server.url);
    expect(['FIVE9_TRANSPORT', 'FIVE9_BAD_RESPONSE']).toContain(e.code);
  });
});

describe('where the client may connect', () => {
  test.each(['http://example.com', 'http://example.com/wssupervisor/v4/SupervisorWebService', 'http://10.0.0.5:8080', 'http://127.0.0.1.nip.io', 'http://localhost.example.com', 'ftp://127.0.0.1'])(
    'plain http (or another scheme) to a remote host, %s, is FIVE9_CONFIG at construction',
    (endpoint) => {
      const e = thrownBy(() => new Five9Client({ endpoint, username: USER, password: PASSWORD }));
      expect(e).toBeInstanceOf(Five9Error);
      expect(e.code).toBe('FIVE9_CONFIG');
      expect(e.message).toMatch(/https/);
      expect(e.message).not.toContain(PASSWORD);
    },
  );

  test('the Transport itself refuses it too, before any connection exists', () => {
    expect(thrownBy(() => new Transport({ url: 'http://example.com/x', username: USER, password: PASSWORD })).code).toBe('FIVE9_CONFIG');
    expect(thrownBy(() => new Transport({ url: 'not a url', username: USER, password: PASSWORD })).code).toBe('FIVE9_CONFIG');
  });

  test.each(['http://127.0.0.1:9/', 'http://localhost:9/', 'http://[::1]:9/', 'https://example.com/'])('%s is allowed', async (endpoint) => {
    const client = new Five9Client({ endpoint, username: USER, password: PASSWORD });
    expect(client.endpoint.startsWith(endpoint.slice(0, -1))).toBe(true);
    expect(client.endpoint).toMatch(/\/wssupervisor\/v4\/SupervisorWebService$/);
    await client.close();
  });

  test.each([
    ['us', 'v4', 'https://api.five9.com/wssupervisor/v4/SupervisorWebService'],
    ['eu', 'v4', 'https://api.five9.eu/wssupervisor/v4/SupervisorWebService'],
    ['eu-frankfurt', 'v4', 'https://api.eu.five9.com/wssupervisor/v4/SupervisorWebService'],
    ['ca', 'v4', 'https://api.five9.ca/wssupervisor/v4/SupervisorWebService'],
    ['in', 'v4', 'https://api.in.five9.com/wssupervisor/v4/SupervisorWebService'],
    ['us', 'default', 'https://api.five9.com/wssupervisor/SupervisorWebService'],
    ['us', 'v3', 'https://api.five9.com/wssupervisor/v3/SupervisorWebService'],
    ['us', 'v9_5', 'https://api.five9.com/wssupervisor/v9_5/SupervisorWebService'],
    ['eu', 'v14', 'https://api.five9.eu/wssupervisor/v14/SupervisorWebService'],
  ])('data centre %s, version %s: %s', async (dataCenter, apiVersion, expected) => {
    expect(manifest.endpointUrl({ dataCenter, apiVersion })).toBe(expected);
    const client = new Five9Client({ dataCenter, apiVersion, username: USER, password: PASSWORD });
    expect(client.endpoint).toBe(expected);
    await client.close();
  });

  test('without a data centre or version: US and the manifest\'s default version (v4)', () => {
    expect(manifest.endpointUrl({})).toBe('https://api.five9.com/wssupervisor/v4/SupervisorWebService');
  });

  test('the WSDL address carries the user name URL-encoded', () => {
    expect(manifest.wsdlUrl({ dataCenter: 'us', apiVersion: 'v4' }, 'jane doe@acme.com')).toBe(
      'https://api.five9.com/wssupervisor/v4/SupervisorWebService?wsdl&user=jane%20doe%40acme.com',
    );
  });

  test.each(['v2x', 'v2', 'V4', '4', 'latest'])('unknown version "%s" is FIVE9_CONFIG', (apiVersion) => {
    const e = thrownBy(() => manifest.endpointUrl({ dataCenter: 'us', apiVersion }));
    expect(e.code).toBe('FIVE9_CONFIG');
    expect(e.message).toContain(apiVersion);
    expect(thrownBy(() => new Five9Client({ apiVersion, username: USER, password: PASSWORD })).code).toBe('FIVE9_CONFIG');
  });

  test('an unknown data centre is FIVE9_CONFIG listing the known ones', () => {
    const e = thrownBy(() => manifest.endpointUrl({ dataCenter: 'mars' }));
    expect(e.code).toBe('FIVE9_CONFIG');
    expect(e.message).toContain('mars');
    expect(e.message).toContain('eu-frankfurt');
  });
});
