/**
 * How Five9Client uses its coordinator: the observer a metrics exporter reads, the budget seeded
 * from getCallCountersState at the first call of a class (and what happens when that read fails),
 * and the budget key (per user, or per domain when several users of one domain say so).
 */
import { Five9QuotaError } from '../src/errors';
import { type ClientEvent, Five9Client, type RequestRecord } from '../src/runtime';
import type { Five9Simulator } from '../src/simulator';
import { type RawHttpServer, rawHttpServer, soapAnswer, startSimulator } from './helpers';

const settings = { viewSettings: { shiftStart: 0, timeZone: 0, idleTimeOut: 1800 } };
const USERS = [
  { username: 'ops', password: 'ops-secret-9' },
  { username: 'ops2', password: 'ops2-secret-9' },
];

describe('against a simulator', () => {
  let sim: Five9Simulator;
  let url: string;
  const clients: Five9Client[] = [];
  const client = (extra: Partial<ConstructorParameters<typeof Five9Client>[0]> = {}) => {
    const c = new Five9Client({ endpoint: url, username: 'ops', password: 'ops-secret-9', ...extra });
    clients.push(c);
    return c;
  };
  beforeEach(async () => {
    ({ sim, url } = await startSimulator({ users: USERS, latencyMs: 40 }));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await sim.stop();
  });

  test('onRequest tells each request: operation, outcome, exit, whether it waited for the slot and how long', async () => {
    const records: RequestRecord[] = [];
    const c = client({ onRequest: (r) => records.push(r), seedQuotas: false });
    await Promise.all([c.run('Get User Limits'), c.run('List Session Parameters')]);
    await c.run('Set Session Parameters', settings);
    await expect(c.run('Get Statistics', { statisticType: 'AgentState' })).resolves.toMatchObject({ exit: 'success' });
    await expect(c.run('Set Session Parameters', settings)).rejects.toBeInstanceOf(Five9QuotaError);
    await c.run('Close Session');
    await expect(c.run('List Logged In Users')).rejects.toMatchObject({ fault: 'SessionNotInitializedFault' });
    const brief = records.map((r) => [r.operation, r.outcome, r.exit ?? r.fault ?? r.code, r.sent, r.waitedForSlot]);
    expect(brief).toEqual([
      ['getUserLimits', 'success', 'success', true, false],
      // The second call of the pair waited for the first: the simulator holds each request 40 ms.
      ['getSessionParameters', 'success', 'false', true, true],
      ['setSessionParameters', 'success', 'success', true, false],
      ['getStatistics', 'success', 'success', true, false],
      ['setSessionParameters', 'quota', 'FIVE9_QUOTA', false, false],
      ['closeSession', 'success', 'success', true, false],
      ['getLoggedInUsers', 'fault', 'SessionNotInitializedFault', true, false],
    ]);
    expect(records[1].slotWaitMs).toBeGreaterThan(20);
    expect(records[1].durationMs).toBeGreaterThan(records[1].slotWaitMs);
    expect(records[0].quotaClass).toBeUndefined();
    expect(records[2].quotaClass).toBe('QueryStatistics');
    expect(sim.overlaps).toBe(0);
    expect(JSON.stringify(records)).not.toContain('ops-secret-9');
  });

  test('the first QueryStatistics call reads the domain counters first: calls made elsewhere are counted', async () => {
    const elsewhere = client({ coordinator: 'memory', quotas: false });
    await elsewhere.run('Set Session Parameters', settings);
    await elsewhere.run('Set Session Parameters', settings);
    const events: ClientEvent[] = [];
    const c = client({ onEvent: (e) => events.push(e) });
    sim.requests.length = 0;
    await expect(c.run('Set Session Parameters', settings)).rejects.toMatchObject({ code: 'FIVE9_QUOTA', windowSeconds: 60 });
    expect(sim.requests.map((r) => r.operation)).toEqual(['getCallCountersState']);
    expect(events).toEqual([{ type: 'quota-seeded', counts: { QueryStatistics: { 60: 2, 3600: 2, 86400: 2 }, QueryChangedStatistics: { 60: 0, 3600: 0, 86400: 0 } } }]);
    // Once a process: the next call does not read them again.
    await expect(client().run('Set Session Parameters', settings)).rejects.toBeInstanceOf(Five9QuotaError);
    expect(sim.requests.map((r) => r.operation)).toEqual(['getCallCountersState']);
  });

  test('a budget is the user’s by default; users of one domain that name it share one', async () => {
    const noSeed = { seedQuotas: false };
    const a = client({ ...noSeed, domain: 'acme' });
    const b = client({ ...noSeed, domain: 'acme', username: 'ops2', password: 'ops2-secret-9' });
    const c = client({ ...noSeed, username: 'ops2', password: 'ops2-secret-9' });
    await a.run('Set Session Parameters', settings);
    await b.run('Set Session Parameters', settings);
    await expect(a.run('Set Session Parameters', settings)).rejects.toBeInstanceOf(Five9QuotaError);
    await expect(b.run('Set Session Parameters', settings)).rejects.toBeInstanceOf(Five9QuotaError);
    // ops2 without the domain counts on its own budget (and Five9, which counts per domain, refuses it).
    await expect(c.run('Set Session Parameters', settings)).rejects.toMatchObject({ fault: 'OperationsLimitExceededFault' });
    expect(a.budgetKey).toBe(`quota|${new URL(url).origin}|domain=acme`);
    expect(c.budgetKey).toBe(`quota|${new URL(url).origin}|user=ops2`);
  });
});

describe('when the counters cannot be read', () => {
  let server: RawHttpServer;
  beforeEach(async () => {
    server = await rawHttpServer((req, res) => {
      if (req.body.includes('getCallCountersState')) res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      else res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' }).end(soapAnswer('setSessionParameters', ''));
    });
  });
  afterEach(() => server.close());

  test('the call goes on unseeded, an event says so, and the next first use tries again', async () => {
    const events: ClientEvent[] = [];
    const c = new Five9Client({ endpoint: server.url, username: 'ops', password: 'ops-secret-9', onEvent: (e) => events.push(e) });
    try {
      await expect(c.run('Set Session Parameters', settings)).resolves.toMatchObject({ exit: 'success' });
      expect(events).toEqual([{ type: 'quota-unseeded', code: 'FIVE9_HTTP', message: 'Five9 answered HTTP 503 without a SOAP fault' }]);
      await c.run('Set Session Parameters', settings);
      const sent = server.requests.map((r) => (/getCallCountersState/.test(r.body) ? 'counters' : 'set'));
      expect(sent).toEqual(['counters', 'set', 'counters', 'set']);
    } finally {
      await c.close();
    }
  });
});

describe('five9 … --redis', () => {
  const cli = async (args: string[], env: NodeJS.ProcessEnv) => {
    const out: string[] = [];
    const err: string[] = [];
    const { main } = await import('../src/cli');
    const code = await main(['node', 'five9', ...args], { out: (s) => out.push(s), err: (s) => err.push(s), env });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const env = { FIVE9_USERNAME: 'ops', FIVE9_PASSWORD: 'ops-secret-9' };

  test('every target command takes --redis', async () => {
    for (const cmd of [['run'], ['cycle', 'run'], ['stats', 'get'], ['stats', 'watch'], ['contacts', 'upload']]) {
      const r = await cli([...cmd, '--help'], {});
      expect(r.out).toMatch(/--redis <url>/);
    }
  });

  test('a URL that is not redis:// is bad usage (exit 2); a Redis nobody answers is exit 4, naming host and port only; nothing is sent', async () => {
    const { sim, url } = await startSimulator({ users: USERS });
    try {
      const bad = await cli(['run', 'Get User Limits', '--endpoint', url, '--redis', 'http://user:pw-in-url@cache:6379'], env);
      expect(bad.code).toBe(2);
      expect(bad.err).toBe('five9: FIVE9_CONFIG: --redis must be a redis:// or rediss:// URL, not "http://…@cache:6379"');
      const down = await cli(['run', 'Get User Limits', '--endpoint', url, '--redis', 'redis://:pw-in-url@127.0.0.1:1'], env);
      expect(down.code).toBe(4);
      expect(down.err).toMatch(/^five9: FIVE9_COORDINATION: Redis at 127\.0\.0\.1:1 could not be used: /);
      expect(down.err).not.toContain('pw-in-url');
      expect(sim.requests).toEqual([]);
    } finally {
      await sim.stop();
    }
  });
});
