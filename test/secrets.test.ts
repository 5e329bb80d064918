/**
 * Secrets never appear in output, in any encoding, in any sink: the redactor's forms (plain,
 * JSON-escaped, XML-escaped, URL-encoded, base64 of user:password, any run of 6 characters) and
 * the places (stdout and stderr of the CLI, --json errors, run events, checkpoint files written
 * 0600), with secrets that hold ", \, &, <, %, a tab and non-ASCII characters.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli';
import { ConnectorExecutor, runOnce, type CycleTemplate, type RunEvent } from '../src/cycles';
import { loadManifest } from '../src/manifest';
import { RestClient, uploadContacts } from '../src/rest';
import { Five9Client } from '../src/runtime';
import { MASK, Redactor } from '../src/util/redact';
import { ENV, NS, rawHttpServer, soapAnswer } from './helpers';

/** Secrets with every awkward character the issue names. */
const SECRETS = ['Al"ice\\Pass&<w%rd\tsé-42', 'Zürich<&>"\'%25\\tab\there', 'ñandú"quote\\back&amp<lt%41'];

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const jsonEscape = (s: string) => JSON.stringify(s).slice(1, -1);

/** Every form the issue lists, for a secret (and its user, for the Basic credential). */
function forms(secret: string, user = 'alice'): string[] {
  const runs: string[] = [];
  const cps = [...secret];
  for (let i = 0; i + 6 <= cps.length; i++) runs.push(cps.slice(i, i + 6).join(''));
  return [
    secret,
    jsonEscape(secret),
    jsonEscape(jsonEscape(secret)),
    xmlEscape(secret),
    encodeURIComponent(secret),
    Buffer.from(`${user}:${secret}`).toString('base64'),
    ...runs,
    ...runs.map(jsonEscape),
    ...runs.map(xmlEscape),
    ...runs.map(encodeURIComponent),
  ];
}

function expectNoSecret(text: string, secret: string, user = 'alice'): void {
  for (const f of forms(secret, user)) {
    if (text.includes(f)) throw new Error(`the secret leaked as ${JSON.stringify(f)} in: ${text.slice(0, 400)}`);
  }
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'five9', ...args], { out: (s) => out.push(s), err: (s) => err.push(s), env, write: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n'), all: `${out.join('\n')}\n${err.join('\n')}` };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'five9-secrets-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Redactor: every form of every secret', () => {
  test.each(SECRETS)('masks %j as written, JSON- and XML-escaped, URL-encoded, in base64 and in runs of 6', (secret) => {
    const r = new Redactor().addBasic('alice', secret);
    for (const f of forms(secret)) {
      const masked = r.text(`before ${f} after`);
      expect(masked).toContain(MASK);
      expectNoSecret(masked, secret);
      expect(masked.startsWith('before ')).toBe(true);
      expect(masked.endsWith(' after')).toBe(true);
    }
  });

  test('an echo cut short is masked; fewer than 6 characters of a secret are not', () => {
    const r = new Redactor().add('AlicePass-secret');
    expect(r.text('server said: AlicePass-s')).toBe(`server said: ${MASK}`);
    expect(r.text('server said: Alice, Pass')).toBe('server said: Alice, Pass');
  });

  test('masking a JSON document leaves valid JSON, even when a run ends inside an escape', () => {
    for (const secret of SECRETS) {
      const r = new Redactor().add(secret);
      for (let cut = 6; cut <= [...secret].length; cut++) {
        const doc = JSON.stringify({ message: `echo: ${[...secret].slice(0, cut).join('')}!`, nested: [secret] });
        const masked = r.text(doc);
        expect(() => JSON.parse(masked)).not.toThrow();
        expectNoSecret(masked, secret);
      }
    }
  });

  test('value() masks every string of a JSON value, keys included, and honours toJSON', () => {
    const secret = SECRETS[0];
    const r = new Redactor().add(secret);
    const v = r.value({ a: [secret, { [secret]: `x${secret}y` }], when: new Date(0), n: 5 });
    expect(v).toEqual({ a: [MASK, { [MASK]: `x${MASK}y` }], when: '1970-01-01T00:00:00.000Z', n: 5 });
  });

  test('sink() wraps any writer', () => {
    const lines: string[] = [];
    new Redactor().add('token-value-123').sink((s) => lines.push(s))('Bearer token-value-123');
    expect(lines).toEqual([`Bearer ${MASK}`]);
  });
});

describe('the CLI masks a password the server echoes, in every form', () => {
  const fault = (message: string, faultstring: string) =>
    `<env:Envelope xmlns:env="${ENV}"><env:Body><env:Fault><faultcode>env:Server</faultcode><faultstring>${xmlEscape(faultstring)}</faultstring><detail><ns2:InvalidAccountFault xmlns:ns2="${NS}"><message>${xmlEscape(message)}</message></ns2:InvalidAccountFault></detail></env:Fault></env:Body></env:Envelope>`;

  test.each(SECRETS)('password %j echoed whole and cut short in a fault: --json and text output', async (secret) => {
    const server = await rawHttpServer((req, res) => {
      const basic = Buffer.from(String(req.headers.authorization).replace(/^Basic /, ''), 'base64').toString('utf8');
      const password = basic.slice(basic.indexOf(':') + 1);
      res.writeHead(500, { 'content-type': 'text/xml' }).end(fault(`bad password "${password}" for ${req.headers.authorization}`, `rejected ${[...password].slice(0, 8).join('')}`));
    });
    try {
      const env = { FIVE9_USERNAME: 'alice', FIVE9_PASSWORD: secret };
      for (const json of [true, false]) {
        const r = await cli(['run', 'Get Call Counters State', '--endpoint', server.url, ...(json ? ['--json'] : [])], env);
        expect(r.code).toBe(1);
        expect(r.all).toContain('InvalidAccountFault');
        expectNoSecret(r.all, secret);
        if (json) expect(JSON.parse(r.out).error.fields.message).toContain(MASK);
      }
    } finally {
      await server.close();
    }
  });

  test('a station password in an answer (x-secret) is masked in the output', async () => {
    const station = 'St"ation&<Pa%ss\twörd';
    const server = await rawHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(soapAnswer('loginStation', `<return><name>4155550123</name><password>${xmlEscape(station)}</password><proxy>198.51.100.20:5060</proxy></return>`));
    });
    try {
      const r = await cli(['run', 'Login Station', '--input', '{"stationName":"4155550123","forceLogoutSession":true}', '--endpoint', server.url, '--json'], { FIVE9_USERNAME: 'alice', FIVE9_PASSWORD: 'unrelated-Passw0rd' });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).output).toMatchObject({ name: '4155550123', password: MASK });
      expectNoSecret(r.all, station);
    } finally {
      await server.close();
    }
  });

  test('five9 simulator --user alice=TypoSecret (no colon) does not print the secret', async () => {
    for (const value of ['alice=TypoSecret', 'alice:', ':TypoSecret']) {
      const r = await cli(['simulator', '--user', value]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/FIVE9_CONFIG: --user must be NAME:PASSWORD/);
      expect(r.all).not.toMatch(/TypoSe|ypoSec|poSecr|oSecre|Secret/);
    }
    const c = await cli(['simulator', '--consumer', 'keyTypoSecret']);
    expect(c.code).toBe(2);
    expect(c.all).not.toMatch(/TypoSe|ypoSec|poSecr|oSecre|Secret/);
  });

  test('credentials inside --endpoint are refused and printed nowhere, by cycle run and run', async () => {
    const secret = 'S3cr&t"%41é';
    const url = `http://bob:${encodeURIComponent(secret)}@127.0.0.1:9/wssupervisor/v4/SupervisorWebService`;
    for (const args of [['cycle', 'run', 'maintain-session', '--once', '--endpoint', url], ['run', 'List Session Parameters', '--endpoint', url, '--json']]) {
      const r = await cli(args, { FIVE9_USERNAME: 'bob', FIVE9_PASSWORD: 'other-Passw0rd' });
      expect(r.code).toBe(2);
      expect(r.all).toMatch(/FIVE9_CONFIG.*--endpoint must not carry credentials/);
      expectNoSecret(r.all, secret, 'bob');
      expect(r.all).not.toContain('bob:');
    }
  });

  test('an endpoint that is not a URL is a configuration error (not a bug), and is not quoted back', async () => {
    const secret = 'Sp ace-Passw0rd';
    for (const [args, env] of [
      [['run', 'Get Call Counters State', '--endpoint', `http://bob:${secret}@[x]/`], { FIVE9_USERNAME: 'bob', FIVE9_PASSWORD: 'other-Passw0rd' }],
      [['run', 'List Campaigns', '--endpoint', `http://bob:${secret}@[x]/`], { FIVE9_CONSUMER_KEY: 'bob', FIVE9_CONSUMER_SECRET: 'other-S3cret', FIVE9_DOMAIN_ID: '1' }],
      [['stats', 'get', 'AgentState', '--endpoint', 'not a url'], { FIVE9_USERNAME: 'bob', FIVE9_PASSWORD: 'other-Passw0rd' }],
    ] as Array<[string[], NodeJS.ProcessEnv]>) {
      const r = await cli(args, env);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/FIVE9_CONFIG: the endpoint is not a URL/);
      expect(r.all).not.toMatch(/Sp ace|ace-Pa/);
    }
  });
});

describe('REST: a bearer token with a quote, echoed by the server', () => {
  const TOKEN = 'tok"en\\with<&>%22-é-0123456789';
  const KEY = 'rest-key';
  const SECRET = 'rest"Secret\\&<%\t-é';
  let server: Awaited<ReturnType<typeof rawHttpServer>>;
  beforeAll(async () => {
    server = await rawHttpServer((req, res) => {
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url?.startsWith('/oauth2/')) return json(200, { access_token: TOKEN, token_type: 'Bearer', expires_in: 3600, scope: 'Campaigns:read lists:read lists:write' });
      if (req.url?.includes('/campaigns')) return json(400, { code: 'BAD_REQUEST', message: `refused ${req.headers.authorization}; secret was ${SECRET.slice(0, 9)}` });
      const body = JSON.parse(req.body) as { contacts: unknown[] };
      return json(200, { accepted: body.contacts.length - 1, rejected: [{ index: 0, code: 'INVALID', reason: `not with ${req.headers.authorization}` }] });
    });
  });
  afterAll(() => server.close());
  const env = () => ({ FIVE9_CONSUMER_KEY: KEY, FIVE9_CONSUMER_SECRET: SECRET, FIVE9_DOMAIN_ID: '10001' });

  test('--json error details carry neither the token nor the secret, in any form', async () => {
    const r = await cli(['run', 'List Campaigns', '--endpoint', server.url, '--json'], env());
    expect(r.code).toBe(4);
    expect(JSON.parse(r.out).error.reasonMessage).toContain(MASK);
    expectNoSecret(r.all, TOKEN);
    expectNoSecret(r.all, SECRET, KEY);
  });

  test('the checkpoint holds no token from the server reasons, and is written 0600', async () => {
    const checkpoint = join(dir, 'token-cp.json');
    const client = new RestClient({ endpoint: server.url, domainId: '10001', consumerKey: KEY, consumerSecret: SECRET });
    try {
      const report = await uploadContacts({ client, list: 'Renewals', contacts: [{ number1: '6175550100' }, { number1: '6175550101' }], checkpoint });
      expect(report.rejected).toEqual([{ row: 1, reason: `INVALID: not with Bearer ${MASK}` }]);
      const text = readFileSync(checkpoint, 'utf8');
      expectNoSecret(text, TOKEN);
      expect(statSync(checkpoint).mode & 0o777).toBe(0o600);
    } finally {
      await client.close();
    }
  });
});

describe('run events mask secrets the executor learnt', () => {
  test('a station password answered by Login Station is masked in the step event and the run output', async () => {
    const station = 'ev"ent&<Station%Pass';
    const server = await rawHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(soapAnswer('loginStation', `<return><name>s1</name><password>${xmlEscape(station)}</password></return>`));
    });
    const manifest = loadManifest();
    const soap = new Five9Client({ endpoint: server.url, username: 'alice', password: 'some-Passw0rd', quotas: false });
    const executor = new ConnectorExecutor({ manifest, soap, redactor: soap.redactor });
    const template: CycleTemplate = {
      id: 'station',
      name: 'Station',
      description: 'Logs in to a station.',
      connector: manifest.raw.name,
      onStepError: 'stop-run',
      schedule: { everyMinutes: 15 },
      start: 'login',
      steps: [{ id: 'login', action: 'Login Station', input: { stationName: 's1', forceLogoutSession: true }, exits: { success: null } }],
    };
    const events: RunEvent[] = [];
    try {
      await runOnce(template, { executor, clock: { now: () => 0, sleep: async () => undefined }, onEvent: (e) => events.push(e) });
    } finally {
      await executor.close();
      await server.close();
    }
    const text = JSON.stringify(events);
    expect(text).toContain('"password":"***"');
    expectNoSecret(text, station);
  });
});
