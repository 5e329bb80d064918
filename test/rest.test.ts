/**
 * The REST side end to end against the real simulator on 127.0.0.1: OAuth2 client credentials,
 * scopes, pacing to 40 requests a minute on a simulated clock, Retry-After, the resumable contacts
 * uploader and its checkpoint, and secrets that never leave in any text.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { request } from 'undici';
import { VirtualClock } from '../src/clock';
import { Five9Error, Five9RowsError } from '../src/errors';
import { RestClient, type RestClientOptions, type UploadEvent, uploadContacts } from '../src/rest';
import { Five9Simulator, type SimulatorOptions } from '../src/simulator';
import type { RestContact } from '../src/generated/five9-types';
import { rejectionOf } from './helpers';

const KEY = 'dialer-key';
// No six characters in common with the key: any run of six characters of a secret is masked.
const SECRET = 'S3cret:of/the-ph0ne&more';
const ALL = ['Campaigns:read', 'lists:read', 'lists:write'];

interface World {
  sim: Five9Simulator;
  url: string;
  clock: VirtualClock;
  clients: RestClient[];
  client(options?: Partial<RestClientOptions>): RestClient;
}

let world: World | undefined;
let dir: string;

/**
 * A simulator and clients sharing a simulated clock that runs itself forward when the uploader
 * waits (VirtualClock with 0 real ms a simulated minute): a minute of pacing takes no real time,
 * and every request reaches the simulator at the simulated time the client sent it.
 */
async function start(options: SimulatorOptions = {}): Promise<World> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 5, 8, 0, 0), 0);
  const sim = new Five9Simulator({ clock, consumers: [{ key: KEY, secret: SECRET, scopes: ALL }], ...options });
  const { url } = await sim.start(0);
  const clients: RestClient[] = [];
  world = {
    sim,
    url,
    clock,
    clients,
    client: (o = {}) => {
      const c = new RestClient({ endpoint: url, domainId: sim.rest.domainId, consumerKey: KEY, consumerSecret: SECRET, clock, ...o });
      clients.push(c);
      return c;
    },
  };
  return world;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'five9-rest-'));
});

afterEach(async () => {
  if (world) {
    await Promise.all(world.clients.map((c) => c.close()));
    await world.sim.stop();
  }
  world = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** n contacts with unique numbers and guard times of their own, precise to the minute, in several zones. */
function contacts(n: number, from = 0): Array<RestContact & Record<string, string>> {
  const zones = ['America/New_York', 'Europe/London', '+05:30', 'Asia/Kolkata', '-07:00'];
  return Array.from({ length: n }, (_, k) => {
    const i = k + from;
    const m = i % 60;
    return {
      number1: String(2000000000 + i),
      firstName: `Contact ${i}`,
      guardTimeStart: `2026-01-${String(5 + (i % 20)).padStart(2, '0')}T${String(8 + (i % 3)).padStart(2, '0')}:${String(m).padStart(2, '0')}`,
      guardTimeEnd: `2026-01-${String(5 + (i % 20)).padStart(2, '0')}T${String(17 + (i % 4)).padStart(2, '0')}:${String(59 - m).padStart(2, '0')}`,
      timeZone: zones[i % zones.length],
    };
  });
}

const contactRequests = (w: World) => w.sim.rest.actionRequests().filter((r) => r.action === 'addContactsToList');

describe('uploadContacts', () => {
  it('2,500 contacts go as 3 requests; each is stored exactly once with its guard times unchanged to the minute', async () => {
    const w = await start();
    const input = contacts(2500);
    const report = await uploadContacts({ client: w.client(), list: 'Renewals', contacts: input });
    expect(report).toMatchObject({ rows: 2500, valid: 2500, chunks: 3, sent: 2500, accepted: 2500, rejected: [], requests: 3, resumedChunks: 0 });
    expect(contactRequests(w).map((r) => [r.status, r.contacts])).toEqual([
      [200, 1000],
      [200, 1000],
      [200, 500],
    ]);
    const stored = w.sim.rest.contacts('Renewals');
    expect(stored).toHaveLength(2500);
    expect(w.sim.rest.received('Renewals')).toHaveLength(2500);
    expect(new Set(stored.map((c) => c.number1)).size).toBe(2500);
    // Exactly as sent: the same fields, the same strings, nothing converted, rounded or reordered.
    expect(stored).toEqual(input);
    expect(stored[1234].guardTimeStart).toBe(input[1234].guardTimeStart);
    expect(stored.every((c) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(String(c.guardTimeStart)))).toBe(true);
  });

  it('100,000 contacts on a simulated clock: 100 requests, never more than 40 in any 60 s, and no 429 because the client paces itself', async () => {
    const w = await start();
    const waits: UploadEvent[] = [];
    const t0 = w.clock.now();
    const report = await uploadContacts({
      client: w.client(),
      list: 'Callbacks',
      contacts: (function* () {
        for (let i = 0; i < 100_000; i++) yield { number1: String(3000000000 + i), guardTimeStart: '2026-03-08T01:59', guardTimeEnd: '2026-03-08T03:01', timeZone: 'America/Chicago' };
      })(),
      onProgress: (e) => e.type === 'wait' && waits.push(e),
    });
    expect(report).toMatchObject({ sent: 100_000, accepted: 100_000, requests: 100, chunks: 100 });
    const reqs = contactRequests(w);
    expect(reqs).toHaveLength(100);
    expect(w.sim.rest.requests.filter((r) => r.status === 429)).toEqual([]);
    // Every moving 60 s window of simulated time holds at most 40 requests.
    const times = reqs.map((r) => r.at);
    const busiest = Math.max(...times.map((t) => times.filter((x) => x > t - 60_000 && x <= t).length));
    expect(busiest).toBe(40);
    // 40 at once, 40 a minute later, 20 two minutes later: the client waited on the clock, not in real time.
    expect(w.clock.now() - t0).toBe(120_000);
    expect(waits.map((e) => e.type === 'wait' && e.reason)).toEqual(['pace', 'pace']);
    expect(report.waitedMs).toBe(120_000);
    expect(w.sim.rest.contacts('Callbacks')).toHaveLength(100_000);
  });

  it('a forced 429 makes the client wait its Retry-After on the clock, then the chunk succeeds', async () => {
    const w = await start();
    w.sim.rest.force429(1, 7);
    const waits: UploadEvent[] = [];
    const report = await uploadContacts({ client: w.client(), list: 'Renewals', contacts: contacts(1500), onProgress: (e) => e.type === 'wait' && waits.push(e) });
    expect(report).toMatchObject({ sent: 1500, accepted: 1500, requests: 3, chunks: 2 });
    const reqs = contactRequests(w);
    expect(reqs.map((r) => r.status)).toEqual([429, 200, 200]);
    expect(reqs[1].at - reqs[0].at).toBe(7000);
    expect(waits).toEqual([expect.objectContaining({ reason: 'retry-after', ms: 7000 })]);
    expect(w.sim.rest.contacts('Renewals')).toHaveLength(1500);
  });

  it('an upload interrupted after some chunks and resumed with the same checkpoint sends no chunk twice and loses none', async () => {
    const w = await start();
    const checkpoint = join(dir, 'nested', 'upload.json');
    const input = contacts(4500);
    const ac = new AbortController();
    const seen: number[] = [];
    const e = await rejectionOf(
      uploadContacts({
        client: w.client(),
        list: 'Renewals',
        contacts: input,
        checkpoint,
        signal: ac.signal,
        onProgress: (ev) => {
          if (ev.type !== 'chunk') return;
          // The checkpoint on disk already has this chunk when its event arrives.
          seen.push(JSON.parse(readFileSync(checkpoint, 'utf8')).uploads[Object.keys(JSON.parse(readFileSync(checkpoint, 'utf8')).uploads)[0]].done.length);
          if (ev.done === 2) ac.abort();
        },
      }),
    );
    expect(e).toBeInstanceOf(Five9Error);
    expect(e.code).toBe('FIVE9_INTERRUPTED');
    expect(e.exitCode).toBe(130);
    expect(e.message).toContain('after 2 of 5 chunk(s)');
    expect(seen).toEqual([1, 2]);
    expect(contactRequests(w)).toHaveLength(2);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['upload.json']); // no temporary file left behind

    const events: UploadEvent[] = [];
    const report = await uploadContacts({ client: w.client(), list: 'Renewals', contacts: input, checkpoint, onProgress: (ev) => events.push(ev) });
    expect(events[0]).toMatchObject({ type: 'validated', chunks: 5, resumedChunks: 2 });
    expect(report).toMatchObject({ chunks: 5, resumedChunks: 2, sent: 4500, accepted: 4500, requests: 3 });
    expect(contactRequests(w)).toHaveLength(5);
    expect(w.sim.rest.received('Renewals')).toHaveLength(4500);
    expect(w.sim.rest.contacts('Renewals')).toEqual(input);

    // Run again after it completed: nothing is sent.
    const again = await uploadContacts({ client: w.client(), list: 'Renewals', contacts: input, checkpoint });
    expect(again).toMatchObject({ resumedChunks: 5, sent: 4500, requests: 0 });
    expect(contactRequests(w)).toHaveLength(5);
  });

  it('an abort while waiting for the rate limit stops at once, after recording the chunk already sent', async () => {
    const w = await start();
    const checkpoint = join(dir, 'cp.json');
    const ac = new AbortController();
    // This clock moves only when told to: the pacing wait would last until then.
    const client = w.client({ clock: new VirtualClock(), quotas: { RestRequests: [{ seconds: 60, limit: 1 }] } });
    const e = await rejectionOf(uploadContacts({ client, list: 'Renewals', contacts: contacts(3), chunkSize: 1, checkpoint, signal: ac.signal, onProgress: (ev) => ev.type === 'wait' && ac.abort() }));
    expect(e.code).toBe('FIVE9_INTERRUPTED');
    expect(e.details).toMatchObject({ done: 1, chunks: 3, checkpoint });
    expect(contactRequests(w)).toHaveLength(1);
    const saved = JSON.parse(readFileSync(checkpoint, 'utf8'));
    expect(Object.values<any>(saved.uploads)[0]).toMatchObject({ done: [0], sent: 1, complete: false });
  });

  it('a request that fails mid-upload leaves the checkpoint at the last acknowledged chunk; the rerun delivers the rest once', async () => {
    const w = await start();
    const checkpoint = join(dir, 'cp.json');
    const input = contacts(3500);
    w.sim.rest.failContacts(503, { after: 2 });
    const e = await rejectionOf(uploadContacts({ client: w.client(), list: 'Renewals', contacts: input, checkpoint }));
    expect(e.code).toBe('FIVE9_HTTP');
    expect(e.details).toMatchObject({ status: 503, reason: 'INTERNAL_ERROR', upload: { done: 2, chunks: 4, checkpoint } });
    const report = await uploadContacts({ client: w.client(), list: 'Renewals', contacts: input, checkpoint });
    expect(report).toMatchObject({ resumedChunks: 2, sent: 3500, accepted: 3500, requests: 2 });
    expect(w.sim.rest.received('Renewals')).toHaveLength(3500);
    expect(w.sim.rest.contacts('Renewals')).toEqual(input);
  });

  it('a chunk stored but whose answer was lost is not stored twice on the rerun (its Idempotency-Key repeats)', async () => {
    const w = await start();
    const checkpoint = join(dir, 'cp.json');
    const input = contacts(2100);
    w.sim.rest.failContacts(500, { after: 1, afterStoring: true });
    const e = await rejectionOf(uploadContacts({ client: w.client(), list: 'Renewals', contacts: input, checkpoint }));
    expect(['FIVE9_BAD_RESPONSE', 'FIVE9_TRANSPORT']).toContain(e.code);
    expect(w.sim.rest.received('Renewals')).toHaveLength(2000); // the second chunk did arrive
    const report = await uploadContacts({ client: w.client(), list: 'Renewals', contacts: input, checkpoint });
    expect(report).toMatchObject({ resumedChunks: 1, sent: 2100, accepted: 2100, rejected: [] });
    expect(w.sim.rest.received('Renewals')).toHaveLength(2100);
    expect(w.sim.rest.contacts('Renewals')).toEqual(input);
  });

  it('invalid rows: each reported with row number, field and rule, and nothing sent (not even a token request)', async () => {
    const w = await start();
    const input: unknown[] = contacts(5);
    input[1] = { ...(input[1] as object), guardTimeStart: '2026-01-06T08:01:30' };
    input[2] = { ...(input[2] as object), number1: '(415) 555-0123' };
    input[3] = { firstName: 'No Number' };
    input.push('not a contact', { number1: '4155550100', guardTimeStart: '2026-01-05T09:00', guardTimeEnd: '2026-01-05T08:59', timeZone: 'UTC' });
    const e = await rejectionOf(uploadContacts({ client: w.client(), list: 'Renewals', contacts: input }));
    expect(e).toBeInstanceOf(Five9RowsError);
    expect(e.code).toBe('FIVE9_INVALID_ROWS');
    expect(e.exitCode).toBe(2);
    expect(e.rows.map((r: any) => [r.row, r.field, r.rule])).toEqual([
      [2, '/guardTimeStart', 'format'],
      [3, '/number1', 'format'],
      [4, '/number1', 'required'],
      [6, '/', 'type'],
      [7, '/guardTimeEnd', 'x-ascending'],
    ]);
    expect(e.message).toMatch(/^5 of 7 row\(s\) are invalid; nothing was sent/);
    expect(w.sim.rest.requests).toEqual([]);
  });

  it('skipInvalid sends the valid rows; rows the server refuses come back by their row number with the reason', async () => {
    const w = await start({ rest: { dnc: ['2000000003'] } });
    const input: unknown[] = [...contacts(4)];
    input.splice(1, 0, { number1: '12' }); // row 2 is invalid; the valid rows keep their own numbers
    input.push({ ...(input[0] as object) }); // row 6 repeats row 1's number1
    const report = await uploadContacts({ client: w.client(), list: 'Renewals', contacts: input, skipInvalid: true });
    expect(report.invalid).toEqual([expect.objectContaining({ row: 2, field: '/number1', rule: 'format' })]);
    expect(report).toMatchObject({ rows: 6, valid: 5, sent: 5, accepted: 3, requests: 1 });
    expect(report.rejected).toEqual([
      { row: 5, reason: expect.stringMatching(/^DNC: 2000000003 is on the domain's do-not-call list$/) },
      { row: 6, reason: expect.stringMatching(/^DUPLICATE_KEY: /) },
    ]);
  });

  it('streams from an async iterable and reports progress per chunk', async () => {
    const w = await start();
    async function* source() {
      for (const c of contacts(2001)) yield c;
    }
    const events: UploadEvent[] = [];
    await uploadContacts({ client: w.client(), list: 'Callbacks', contacts: source(), chunkSize: 700, onProgress: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'chunk').map((e) => e.type === 'chunk' && [e.chunk, e.contacts, e.sent])).toEqual([
      [1, 700, 700],
      [2, 700, 1400],
      [3, 601, 2001],
    ]);
    expect(events[events.length - 1].type).toBe('done');
    expect(await rejectionOf(uploadContacts({ client: w.client(), list: 'Callbacks', contacts: [], chunkSize: 1001 }))).toMatchObject({ code: 'FIVE9_CONFIG' });
  });

  it('an unknown list is FIVE9_HTTP 404 LIST_NOT_FOUND', async () => {
    const w = await start();
    const e = await rejectionOf(uploadContacts({ client: w.client(), list: 'Nope', contacts: contacts(2) }));
    expect(e.code).toBe('FIVE9_HTTP');
    expect(e.details).toMatchObject({ status: 404, reason: 'LIST_NOT_FOUND' });
  });
});

describe('authentication and scopes', () => {
  it('a wrong secret is FIVE9_REST_AUTH naming the key, exit 3, and nothing but the token request is sent', async () => {
    const w = await start();
    const e = await rejectionOf(w.client({ consumerSecret: 'Wr0ng:S3cret' }).run('List Campaigns'));
    expect(e).toBeInstanceOf(Five9Error);
    expect(e.code).toBe('FIVE9_REST_AUTH');
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain(`"${KEY}"`);
    expect(e.message).toContain('invalid_client');
    expect(w.sim.rest.requests.map((r) => `${r.action} ${r.status}`)).toEqual(['token 401']);
    expectHidden(e, ['Wr0ng:S3cret', SECRET]);
  });

  it('an unknown consumer key is FIVE9_REST_AUTH too', async () => {
    const w = await start();
    expect((await rejectionOf(w.client({ consumerKey: 'nobody' }).run('List Dialing Lists'))).code).toBe('FIVE9_REST_AUTH');
  });

  it('a token the server says expired: the client fetches a new one once and the request succeeds', async () => {
    const w = await start();
    const c = w.client();
    await c.run('List Campaigns');
    w.sim.rest.expireTokens();
    const r = await c.run('List Dialing Lists');
    expect(r.exit).toBe('success');
    expect(r.requests).toBe(2);
    expect(w.sim.rest.tokensIssued).toBe(2);
    expect(w.sim.rest.requests.map((x) => `${x.action} ${x.status}`)).toEqual(['token 200', 'listCampaigns 200', 'listDialingLists 401', 'token 200', 'listDialingLists 200']);
  });

  it('a request still refused with the new token is FIVE9_REST_AUTH after exactly one refresh', async () => {
    const w = await start({ rest: { tokenTtlSeconds: 0 } });
    const e = await rejectionOf(w.client().run('List Campaigns'));
    expect(e.code).toBe('FIVE9_REST_AUTH');
    expect(e.message).toMatch(/even after fetching a new one \(HTTP 401 UNAUTHORIZED: The access token expired\)/);
    expect(w.sim.rest.requests.map((x) => `${x.action} ${x.status}`)).toEqual(['token 200', 'listCampaigns 401', 'token 200', 'listCampaigns 401']);
  });

  it('the token is cached until 60 s before it expires, then replaced before sending (no 401)', async () => {
    const w = await start({ rest: { tokenTtlSeconds: 300 } });
    const c = w.client();
    await c.run('List Campaigns');
    w.clock.advance(239_000);
    await c.run('List Campaigns');
    expect(c.tokens.fetches).toBe(1);
    w.clock.advance(1_000); // 240 s: 60 s before it expires
    await c.run('List Campaigns');
    expect(c.tokens.fetches).toBe(2);
    expect(w.sim.rest.requests.filter((r) => r.status === 401)).toEqual([]);
  });

  it('a missing scope is FIVE9_REST_SCOPE naming it, found in the token before anything is sent', async () => {
    const w = await start({ consumers: [{ key: KEY, secret: SECRET, scopes: ['lists:read', 'Campaigns:read'] }] });
    const c = w.client();
    const e = await rejectionOf(c.run('Add Contacts To List', { listName: 'Renewals', contacts: contacts(1) }));
    expect(e.code).toBe('FIVE9_REST_SCOPE');
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/lacks scope lists:write, which "Add Contacts To List" needs \(granted: lists:read, Campaigns:read\); nothing was sent/);
    expect(e.details).toMatchObject({ scope: 'lists:write' });
    const up = await rejectionOf(uploadContacts({ client: c, list: 'Renewals', contacts: contacts(10) }));
    expect(up.code).toBe('FIVE9_REST_SCOPE');
    expect(w.sim.rest.actionRequests()).toEqual([]);
    expect(w.sim.rest.contacts('Renewals')).toEqual([]);
    expect((await c.run('List Dialing Lists')).exit).toBe('success'); // the scopes it has work
  });

  it('when the token does not list its scopes, the server 403 is FIVE9_REST_SCOPE', async () => {
    const w = await start({ consumers: [{ key: KEY, secret: SECRET, scopes: ['lists:read'] }], rest: { scopeInToken: false } });
    const e = await rejectionOf(w.client().run('List Campaigns'));
    expect(e.code).toBe('FIVE9_REST_SCOPE');
    expect(e.details).toMatchObject({ status: 403, scope: 'Campaigns:read', reason: 'FORBIDDEN' });
  });

  it('the secret and the token appear in no error, event, report or checkpoint', async () => {
    const w = await start();
    const texts: string[] = [];
    const c = w.client({ onEvent: (e) => texts.push(JSON.stringify(e)) });
    const checkpoint = join(dir, 'cp.json');
    const report = await uploadContacts({ client: c, list: 'Renewals', contacts: contacts(1200), checkpoint, onProgress: (e) => texts.push(JSON.stringify(e)) });
    texts.push(JSON.stringify(report), inspect(report), readFileSync(checkpoint, 'utf8'));
    w.sim.rest.expireTokens();
    w.sim.rest.force429(1, 1);
    texts.push(JSON.stringify(await c.run('List Campaigns')));
    const errors = [
      await rejectionOf(c.run('Add Contacts To List', { listName: 'Nope', contacts: contacts(1) })),
      await rejectionOf(w.client({ consumerSecret: `${SECRET}x` }).run('List Campaigns')),
      await rejectionOf(w.client({ tokenPath: '/nowhere' }).run('List Campaigns')),
    ];
    const tokens = [...((w.sim.rest as any).tokens as Map<string, unknown>).keys()];
    expect(tokens.length).toBe(2);
    for (const e of errors) texts.push(e.message, e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 10 }), String(e));
    const secrets = [SECRET, encodeURIComponent(SECRET), Buffer.from(`${KEY}:${SECRET}`).toString('base64'), ...tokens];
    for (const t of texts) for (const s of secrets) if (t.includes(s)) throw new Error(`a secret leaked into: ${t.slice(0, 300)}`);
    expect(texts.join('\n')).toContain(KEY); // the key is named, as a user name is
  });
});

describe('the simulator REST side', () => {
  const raw = async (w: World, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => {
    const res = await request(`${w.url}${path}`, { method: (init.method ?? 'GET') as 'GET', headers: init.headers, body: init.body });
    return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as any };
  };
  const token = async (w: World) => {
    const r = await raw(w, '/oauth2/v1/token', { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    return r;
  };

  it('issues bearer tokens with their scopes and lifetime for client credentials', async () => {
    const w = await start();
    const r = await token(w);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 1800, scope: 'Campaigns:read lists:read lists:write' });
    expect(typeof r.body.access_token).toBe('string');
    const bad = await raw(w, '/oauth2/v1/token', { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${KEY}:x`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    expect(bad).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const grant = await raw(w, '/oauth2/v1/token', { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password' });
    expect(grant).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
  });

  it('answers Five9-style JSON errors: 401 without a token, 413 beyond 1,000 contacts, 405 for a wrong method', async () => {
    const w = await start();
    const path = `/lists/v1/domains/${w.sim.rest.domainId}/lists/Renewals/contacts`;
    const none = await raw(w, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"contacts":[]}' });
    expect(none).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED', message: 'Missing bearer token', status: 401 } });
    expect(none.body.traceId).toMatch(/^sim-/);
    const t = (await token(w)).body.access_token;
    const many = await raw(w, path, { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: JSON.stringify({ contacts: contacts(1001) }) });
    expect(many).toMatchObject({ status: 413, body: { code: 'TOO_MANY_CONTACTS' } });
    expect(w.sim.rest.received('Renewals')).toEqual([]);
    const get = await raw(w, path, { headers: { authorization: `Bearer ${t}` } });
    expect(get).toMatchObject({ status: 405, body: { code: 'METHOD_NOT_ALLOWED' } });
  });

  it('answers 429 with Retry-After beyond 40 requests a minute per key; a client that does not pace itself waits it out', async () => {
    const w = await start();
    const c = w.client({ quotas: false });
    for (let i = 0; i < 40; i++) await c.run('List Dialing Lists');
    w.clock.advance(15_000);
    const r = await c.run('List Dialing Lists');
    expect(r.requests).toBe(2);
    const limited = w.sim.rest.requests.filter((x) => x.status === 429);
    expect(limited).toHaveLength(1);
    // The first of the 40 leaves the window 60 s after it was sent: 45 s after the refused request.
    const after = w.sim.rest.actionRequests().filter((x) => x.status === 200);
    expect(after[after.length - 1].at - limited[0].at).toBe(45_000);
  });

  it('429 more often than the client waits out is FIVE9_RATE_LIMITED', async () => {
    const w = await start();
    w.sim.rest.force429(10, 1);
    const e = await rejectionOf(w.client({ maxRetries: 2 }).run('List Campaigns'));
    expect(e.code).toBe('FIVE9_RATE_LIMITED');
    expect(e.exitCode).toBe(5);
    expect(w.sim.rest.requests.filter((x) => x.status === 429)).toHaveLength(3);
  });

  it('campaigns come from the seeded domain, so a campaign started over SOAP is RUNNING over REST', async () => {
    const w = await start();
    w.sim.domain.campaigns.get('Outbound Sales')!.state = 'RUNNING';
    const out = (await w.client().run('List Campaigns')).output as Array<{ name: string; state: string }>;
    expect(out.find((c) => c.name === 'Outbound Sales')).toEqual({ name: 'Outbound Sales', type: 'OUTBOUND', state: 'RUNNING' });
  });
});

describe('RestClient configuration', () => {
  it('takes the base URL of a REST data centre from the manifest', async () => {
    const c = new RestClient({ dataCenter: 'uk', domainId: '1', consumerKey: 'k', consumerSecret: 's-secret' });
    expect(c.baseUrl).toBe('https://api.prod.uk.five9.net');
    await c.close();
    expect(() => new RestClient({ dataCenter: 'eu-frankfurt', domainId: '1', consumerKey: 'k', consumerSecret: 's-secret' })).toThrow(/unknown REST data centre "eu-frankfurt": use us, ca, eu, uk, in/);
  });

  it('refuses plain http to another host, and missing credentials, before sending', () => {
    expect(() => new RestClient({ endpoint: 'http://api.example.com', domainId: '1', consumerKey: 'k', consumerSecret: 's-secret' })).toThrow(/must use https/);
    expect(() => new RestClient({ endpoint: 'https://api.example.com', domainId: '1', consumerKey: 'k', consumerSecret: '' })).toThrow(/FIVE9_CONSUMER_SECRET/);
    expect(() => new RestClient({ endpoint: 'https://api.example.com', domainId: '', consumerKey: 'k', consumerSecret: 's-secret' })).toThrow(/FIVE9_DOMAIN_ID/);
  });

  it('builds the request from the manifest path: domain id and list name encoded, the rest as the JSON body', async () => {
    const w = await start();
    const c = w.client();
    const req = c.request(c.manifest.restAction('addContactsToList'), { listName: 'Renewals / Q1', contacts: [{ number1: '4155550123' }] });
    expect(req).toEqual({ method: 'POST', path: `/lists/v1/domains/${w.sim.rest.domainId}/lists/Renewals%20%2F%20Q1/contacts`, body: '{"contacts":[{"number1":"4155550123"}]}' });
  });

  it('a token endpoint given as a full URL on another origin is used for tokens only', async () => {
    const w = await start();
    const other = new Five9Simulator({ clock: w.clock, consumers: [{ key: KEY, secret: SECRET }] });
    const { url } = await other.start(0);
    try {
      const c = w.client({ tokenPath: `${url}/oauth2/v1/token` });
      const e = await rejectionOf(c.run('List Campaigns'));
      // The other server's tokens are not this one's: the request is refused after one refresh.
      expect(e.code).toBe('FIVE9_REST_AUTH');
      expect(other.rest.tokensIssued).toBe(2);
      expect(w.sim.rest.tokensIssued).toBe(0);
    } finally {
      await other.stop();
    }
  });

  it('writes nothing when no checkpoint is given', async () => {
    const w = await start();
    writeFileSync(join(dir, 'marker'), '');
    await uploadContacts({ client: w.client(), list: 'Renewals', contacts: contacts(3) });
    expect(readdirSync(dir)).toEqual(['marker']);
    expect(existsSync(join(process.cwd(), '.five9', 'checkpoints', 'marker'))).toBe(false);
  });

  it('a file that is not a checkpoint is FIVE9_CHECKPOINT, and nothing is sent', async () => {
    const w = await start();
    const path = join(dir, 'cp.json');
    writeFileSync(path, '{"something":"else"}');
    const e = await rejectionOf(uploadContacts({ client: w.client(), list: 'Renewals', contacts: contacts(3), checkpoint: path }));
    expect(e.code).toBe('FIVE9_CHECKPOINT');
    expect(w.sim.rest.requests).toEqual([]);
  });
});

function expectHidden(e: Five9Error, secrets: string[]): void {
  const texts = [e.message, e.stack ?? '', JSON.stringify(e), JSON.stringify(e.toJSON()), inspect(e, { depth: 10 }), String(e)];
  for (const t of texts) for (const s of secrets) expect(t).not.toContain(s);
}
