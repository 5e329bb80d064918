/**
 * Five9 denies concurrent requests with the same credentials. Every client of one origin and user
 * in this process shares one queue (src/transport's registry), so calls fired together are sent one
 * after another; the simulator counts any overlap and answers it with a ServerFault, as Five9 does.
 *
 * Order, not duration: the simulator stamps each request's start and end with a logical clock that
 * ticks on every reading, so "the first ended before the second started" is a comparison of ticks.
 */
import { request } from 'undici';
import { Five9Error, Five9Fault } from '../src/errors';
import type { Five9Simulator } from '../src/simulator';
import { Five9Client } from '../src/runtime';
import { sharedTransportCount } from '../src/transport';
import { PASSWORD, USER, type RawHttpServer, rawHttpServer, rejectionOf, soapAnswer, startSimulator, tickClock } from './helpers';

const PATH = '/wssupervisor/v4/SupervisorWebService';
const COUNTERS_BODY =
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ser="http://service.supervisor.ws.five9.com/"><soapenv:Header/><soapenv:Body><ser:getCallCountersState></ser:getCallCountersState></soapenv:Body></soapenv:Envelope>';

/** The records did not overlap: each request ended before the next one started. */
function expectSequential(sim: Five9Simulator): void {
  for (let i = 1; i < sim.requests.length; i++) {
    expect(sim.requests[i - 1].endedAt).toBeLessThan(sim.requests[i].startedAt);
  }
}

describe('against a simulator that holds each request 150 ms', () => {
  let sim: Five9Simulator;
  let url: string;
  const clients: Five9Client[] = [];
  const newClient = (options: Partial<ConstructorParameters<typeof Five9Client>[0]> = {}) => {
    const c = new Five9Client({ endpoint: url, username: USER, password: PASSWORD, ...options });
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    ({ sim, url } = await startSimulator({ latencyMs: 150, clock: tickClock(), users: [{ username: USER, password: PASSWORD }, { username: 'other', password: 'other-secret' }] }));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await sim.stop();
  });

  test('two concurrent calls on one client both succeed, one after the other', async () => {
    const client = newClient();
    const [a, b] = await Promise.all([client.run('Get Call Counters State'), client.run('Get Call Counters State')]);
    expect(a.exit).toBe('success');
    expect(b.exit).toBe('success');
    expect(sim.overlaps).toBe(0);
    expect(sim.requests.map((r) => `${r.operation} ${r.outcome}`)).toEqual(['getCallCountersState ok', 'getCallCountersState ok']);
    expectSequential(sim);
  });

  test('two Five9Client instances with the same credentials share one queue', async () => {
    const first = newClient();
    const second = newClient();
    expect(sharedTransportCount(first.endpoint, USER)).toBe(2);
    const results = await Promise.all([first.run('Get Call Counters State'), second.run('Get Call Counters State'), first.run('Get Call Counters State')]);
    expect(results.map((r) => r.exit)).toEqual(['success', 'success', 'success']);
    expect(sim.overlaps).toBe(0);
    expect(sim.requests).toHaveLength(3);
    expectSequential(sim);
  });

  test('clients of the same user on different version paths share the queue too', async () => {
    const v3 = newClient({ apiVersion: 'v3' });
    const v4 = newClient({ apiVersion: 'v4' });
    const [a, b] = await Promise.all([v3.run('Get Call Counters State'), v4.run('Get Call Counters State')]);
    expect([a.exit, b.exit]).toEqual(['success', 'success']);
    expect(sim.overlaps).toBe(0);
    expect(sim.requests.map((r) => r.version)).toEqual(['v3', 'v4']);
    expectSequential(sim);
  });

  test('a failed call does not stop the queue: the next one still runs, after it', async () => {
    const client = newClient({ quotas: false }); // the simulator's limit answers, not the client's
    const settings = { viewSettings: { shiftStart: 0, timeZone: 0 } };
    // QueryStatistics allows 2 a minute: the third Set Session Parameters is refused.
    const results = await Promise.allSettled([
      client.run('Set Session Parameters', settings),
      client.run('Set Session Parameters', settings),
      client.run('Set Session Parameters', settings),
      client.run('Get Call Counters State'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const refused = (results[2] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(Five9Fault);
    expect(refused.fault).toBe('OperationsLimitExceededFault');
    expect(sim.overlaps).toBe(0);
    expect(sim.requests.map((r) => `${r.operation} ${r.outcome}`)).toEqual([
      'setSessionParameters ok',
      'setSessionParameters ok',
      'setSessionParameters OperationsLimitExceededFault',
      'getCallCountersState ok',
    ]);
    expectSequential(sim);
  });

  test('clients sharing a queue keep their own credential: a wrong password fails, the right one succeeds', async () => {
    const wrong = newClient({ password: 'not-the-password' });
    const right = newClient();
    const [w, r] = await Promise.allSettled([wrong.run('Get Call Counters State'), right.run('Get Call Counters State')]);
    expect(w.status).toBe('rejected');
    expect((w as PromiseRejectedResult).reason.code).toBe('FIVE9_AUTH');
    expect(r.status).toBe('fulfilled');
  });

  test('closing one client leaves the others that share its connection working (reference-counted close)', async () => {
    const first = newClient();
    const second = newClient();
    await first.run('Get Call Counters State');
    await first.close();
    expect(sharedTransportCount(second.endpoint, USER)).toBe(1);
    const after = await rejectionOf(first.run('Get Call Counters State'));
    expect(after).toBeInstanceOf(Five9Error);
    expect(after.code).toBe('FIVE9_TRANSPORT');
    expect((await second.run('Get Call Counters State')).exit).toBe('success');
    await second.close();
    await second.close(); // twice is harmless
    expect(sharedTransportCount(second.endpoint, USER)).toBe(0);
    const third = newClient();
    expect((await third.run('Get Call Counters State')).exit).toBe('success');
    expect(sim.requests.map((r) => r.outcome)).toEqual(['ok', 'ok', 'ok']);
  });

  test('control: the same two requests sent around the queue overlap, and the simulator denies one with a ServerFault', async () => {
    const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    const send = () =>
      request(`${url}${PATH}`, { method: 'POST', headers: { 'content-type': 'text/xml;charset=UTF-8', soapaction: '""', authorization }, body: COUNTERS_BODY }).then(
        async (res) => ({ status: res.statusCode, body: await res.body.text() }),
      );
    const answers = await Promise.all([send(), send()]);
    expect(sim.overlaps).toBe(1);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 500]);
    const denied = answers.find((a) => a.status === 500)!;
    expect(denied.body).toContain('<ns2:ServerFault');
    expect(denied.body).toContain('Concurrent requests with the same credentials are denied');
    expect(sim.requests.map((r) => r.outcome).sort()).toEqual(['ServerFault', 'ok']);
  });
});

describe('different users are not serialized', () => {
  let server: RawHttpServer;
  let inFlight = 0;
  let maxInFlight = 0;
  let release: Array<() => void> = [];
  const clients: Five9Client[] = [];

  beforeEach(async () => {
    inFlight = 0;
    maxInFlight = 0;
    release = [];
    // Holds each request until a second one is in flight (or, as a fallback, for 0.5 s), so a
    // queue would show as maxInFlight 1 and two independent connections as 2.
    server = await rawHttpServer(async (_req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((resolve) => {
        release.push(resolve);
        if (inFlight >= 2) release.splice(0).forEach((r) => r());
        else setTimeout(resolve, 500);
      });
      inFlight--;
      res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' }).end(soapAnswer('getCallCountersState', ''));
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.close();
  });

  test('two users run side by side on their own connections', async () => {
    const a = new Five9Client({ endpoint: server.url, username: 'alice', password: 'alice-secret' });
    const b = new Five9Client({ endpoint: server.url, username: 'bob', password: 'bob-secret' });
    clients.push(a, b);
    await Promise.all([a.run('Get Call Counters State'), b.run('Get Call Counters State')]);
    expect(maxInFlight).toBe(2);
    expect(server.requests.map((r) => Buffer.from(String(r.headers.authorization).slice(6), 'base64').toString().split(':')[0]).sort()).toEqual(['alice', 'bob']);
  });

  test('the same user from two clients never has two requests in flight', async () => {
    const a = new Five9Client({ endpoint: server.url, username: 'alice', password: 'alice-secret' });
    const b = new Five9Client({ endpoint: server.url, username: 'alice', password: 'alice-secret' });
    clients.push(a, b);
    await Promise.all([a.run('Get Call Counters State'), b.run('Get Call Counters State')]);
    expect(server.requests).toHaveLength(2);
    expect(maxInFlight).toBe(1);
  });
});
