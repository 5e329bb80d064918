/**
 * Refused credentials: a typed FIVE9_AUTH error that names the user and never carries the password
 * or the Basic credential, in any form a caller could print or log.
 */
import { inspect } from 'node:util';
import { request } from 'undici';
import { Five9Error } from '../src/errors';
import { Five9Client } from '../src/runtime';
import type { Five9Simulator } from '../src/simulator';
import { rejectionOf, startSimulator, thrownBy } from './helpers';

const USERNAME = 'supervisor@acme.example';
const RIGHT = 'correct:horse-bättery'; // a colon and a non-ASCII letter: Basic credentials are UTF-8
const WRONG = 'Wr0ng:P@ss/wörd&more';
const PATH = '/wssupervisor/v4/SupervisorWebService';

const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

/** Every text a user might see or log for an error. */
function renderings(e: Five9Error): Record<string, string> {
  return {
    message: e.message,
    stack: e.stack ?? '',
    'JSON.stringify(error)': JSON.stringify(e),
    'JSON.stringify(error.toJSON())': JSON.stringify(e.toJSON()),
    'util.inspect(error)': inspect(e, { depth: 10 }),
    'String(error)': String(e),
  };
}

function expectNoSecret(e: Five9Error, password: string): void {
  const secrets = [password, encodeURIComponent(password), basic(USERNAME, password)];
  for (const [where, text] of Object.entries(renderings(e))) {
    for (const secret of secrets) {
      if (text.includes(secret)) throw new Error(`${where} contains the secret ${JSON.stringify(secret)}:\n${text}`);
    }
  }
}

let sim: Five9Simulator;
let url: string;

beforeAll(async () => {
  ({ sim, url } = await startSimulator({ users: [{ username: USERNAME, password: RIGHT }] }));
});
afterAll(async () => {
  await sim.stop();
});

describe('wrong password', () => {
  let client: Five9Client;
  beforeAll(() => {
    client = new Five9Client({ endpoint: url, username: USERNAME, password: WRONG });
  });
  afterAll(() => client.close());

  test('is a FIVE9_AUTH Five9Error naming the user and the HTTP status', async () => {
    const e = await rejectionOf(client.run('Get Call Counters State'));
    expect(e).toBeInstanceOf(Five9Error);
    expect(e.code).toBe('FIVE9_AUTH');
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain(USERNAME);
    expect(e.message).toContain('401');
    expect(e.toJSON()).toMatchObject({ code: 'FIVE9_AUTH', username: USERNAME, status: 401 });
  });

  test('the password and the Basic credential appear in no rendering of the error', async () => {
    const e = await rejectionOf(client.run('Get Call Counters State'));
    expect(e.code).toBe('FIVE9_AUTH');
    expectNoSecret(e, WRONG);
    // and not the right one either, which this client never had
    expectNoSecret(e, RIGHT);
  });

  test('the check itself would catch a leak (control)', () => {
    const leaky = new Five9Error('FIVE9_AUTH', `refused ${USERNAME}:${WRONG}`);
    expect(() => expectNoSecret(leaky, WRONG)).toThrow(/message contains the secret/);
    const leakyJson = new Five9Error('FIVE9_AUTH', 'refused', { details: { header: `Basic ${basic(USERNAME, WRONG)}` } });
    expect(() => expectNoSecret(leakyJson, WRONG)).toThrow(/JSON.stringify/);
  });
});

describe('right password (control)', () => {
  test('the same call succeeds', async () => {
    const client = new Five9Client({ endpoint: url, username: USERNAME, password: RIGHT });
    try {
      const result = await client.run('Get Call Counters State');
      expect(result.exit).toBe('success');
      expect(Array.isArray(result.output)).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe('missing credentials', () => {
  test('no password is FIVE9_CONFIG at construction, naming the user', () => {
    const e = thrownBy(() => new Five9Client({ endpoint: url, username: USERNAME, password: '' }));
    expect(e.code).toBe('FIVE9_CONFIG');
    expect(e.message).toContain(USERNAME);
  });

  test('no username is FIVE9_CONFIG at construction', () => {
    const e = thrownBy(() => new Five9Client({ endpoint: url, username: '', password: RIGHT }));
    expect(e.code).toBe('FIVE9_CONFIG');
    expect(e.message).not.toContain(RIGHT);
  });
});

describe("the simulator's refusal is Five9's: HTTP 401 with an HTML page, not a SOAP fault", () => {
  test.each([
    ['a wrong password', `Basic ${basic(USERNAME, WRONG)}`],
    ['an unknown user', `Basic ${basic('nobody', RIGHT)}`],
    ['no Authorization header', undefined],
  ])('%s', async (_name, authorization) => {
    const res = await request(`${url}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml;charset=UTF-8', soapaction: '""', ...(authorization ? { authorization } : {}) },
      body: '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>',
    });
    const body = await res.body.text();
    expect(res.statusCode).toBe(401);
    expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
    expect(String(res.headers['www-authenticate'])).toMatch(/^Basic /);
    expect(body).toMatch(/^<html>/);
    expect(body).toContain('HTTP Status 401');
    expect(body).not.toContain('Envelope');
  });
});
