import { VirtualClock } from '../src/clock';
import { Five9Fault, Five9QuotaError } from '../src/errors';
import { Five9Client } from '../src/runtime';
import { Five9Simulator } from '../src/simulator';

const settings = { viewSettings: { shiftStart: 0, timeZone: 0, idleTimeOut: 1800 } };

describe('client-side domain limits', () => {
  let sim: Five9Simulator;
  let clock: VirtualClock;
  const clients: Five9Client[] = [];
  const client = (extra: Partial<ConstructorParameters<typeof Five9Client>[0]> = {}) => {
    const c = new Five9Client({ endpoint: sim.url, username: 'ops', password: 'ops-secret-9', clock, ...extra });
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    clock = new VirtualClock(Date.UTC(2026, 0, 5, 8, 0, 30));
    sim = new Five9Simulator({ users: [{ username: 'ops', password: 'ops-secret-9' }], clock });
    await sim.start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await sim.stop();
  });

  it('a third QueryStatistics call within a minute is refused before sending, with class, window and retry time', async () => {
    const c = client();
    await c.run('Set Session Parameters', settings);
    clock.advance(10_000);
    await c.run('Set Session Parameters', settings);
    const sent = sim.requests.length;
    const err = await c.run('Set Session Parameters', settings).catch((e) => e);
    expect(err).toBeInstanceOf(Five9QuotaError);
    expect(err).toMatchObject({ code: 'FIVE9_QUOTA', quotaClass: 'QueryStatistics', windowSeconds: 60, limit: 2 });
    // The first call was at 08:00:30, so the next may go at 08:01:30.
    expect(new Date(err.retryAt).toISOString()).toBe('2026-01-05T08:01:30.000Z');
    expect(err.message).toMatch(/QueryStatistics limit of 2 per minute reached; retry after 2026-01-05T08:01:30.000Z/);
    expect(sim.requests.length).toBe(sent);
    clock.advance(50_000);
    await expect(c.run('Set Session Parameters', settings)).resolves.toMatchObject({ exit: 'success' });
  });

  it('two clients of the same user share one budget', async () => {
    const a = client();
    const b = client();
    await a.run('Set Session Parameters', settings);
    await b.run('Set Session Parameters', settings);
    await expect(a.run('Set Session Parameters', settings)).rejects.toBeInstanceOf(Five9QuotaError);
    await expect(b.run('Set Session Parameters', settings)).rejects.toBeInstanceOf(Five9QuotaError);
  });

  it('the hour window counts too', async () => {
    const c = client();
    for (let i = 0; i < 15; i++) {
      await c.run('Set Session Parameters', settings);
      clock.advance(61_000);
    }
    await expect(c.run('Set Session Parameters', settings)).rejects.toMatchObject({ code: 'FIVE9_QUOTA', windowSeconds: 3600, limit: 15 });
  });

  it('limits Five9 raised for a domain can be given per class', async () => {
    sim = await restart({ QueryStatistics: [{ seconds: 60, limit: 5 }] });
    const c = client({ quotas: { QueryStatistics: [{ seconds: 60, limit: 5 }] } });
    for (let i = 0; i < 5; i++) await c.run('Set Session Parameters', settings);
    await expect(c.run('Set Session Parameters', settings)).rejects.toBeInstanceOf(Five9QuotaError);
  });

  it('with client-side quotas off, the simulator answers OperationsLimitExceededFault, typed', async () => {
    const c = client({ quotas: false });
    await c.run('Set Session Parameters', settings);
    await c.run('Set Session Parameters', settings);
    const err = await c.run('Set Session Parameters', settings).catch((e) => e);
    expect(err).toBeInstanceOf(Five9Fault);
    expect(err.fault).toBe('OperationsLimitExceededFault');
    expect(err.fields).toMatchObject({ limit: 2, operationType: 'QueryStatistics' });
  });

  it('the budget can be seeded from Get Call Counters State', async () => {
    const other = client({ quotas: false });
    await other.run('Set Session Parameters', settings);
    await other.run('Set Session Parameters', settings);
    const c = client();
    const counters = await c.run('Get Call Counters State');
    await c.quota!.seed(counters.output as never);
    expect(await c.quota!.usage('QueryStatistics')).toEqual({ 60: 2, 3600: 2, 86400: 2 });
    await expect(c.run('Set Session Parameters', settings)).rejects.toBeInstanceOf(Five9QuotaError);
  });

  async function restart(quotas: Record<string, { seconds: number; limit: number }[]>) {
    await sim.stop();
    const s = new Five9Simulator({ users: [{ username: 'ops', password: 'ops-secret-9' }], clock, quotas });
    await s.start();
    return s;
  }
});

describe("the domain's own limits, read with its counters", () => {
  const simulator = async (quotas: Record<string, Array<{ seconds: number; limit: number }>>) => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 5, 8, 0, 30));
    const sim = new Five9Simulator({ users: [{ username: 'ops', password: 'ops-secret-9' }], clock, quotas });
    await sim.start();
    return { sim, clock };
  };
  const raised = { QueryStatistics: [{ seconds: 60, limit: 5 }, { seconds: 3600, limit: 50 }, { seconds: 86400, limit: 500 }] };

  it('a domain whose limits Five9 raised gets them: five QueryStatistics calls in a minute go, the sixth is refused before sending', async () => {
    const { sim, clock } = await simulator(raised);
    // Seeding is on for any clock but a VirtualClock's by default: asked for here.
    const c = new Five9Client({ endpoint: sim.url, username: 'ops', password: 'ops-secret-9', clock, seedQuotas: true });
    try {
      for (let i = 0; i < 5; i++) await c.run('Set Session Parameters', settings);
      const sent = sim.requests.filter((r) => r.operation === 'setSessionParameters').length;
      await expect(c.run('Set Session Parameters', settings)).rejects.toMatchObject({ code: 'FIVE9_QUOTA', limit: 5, windowSeconds: 60 });
      expect(sim.requests.filter((r) => r.operation === 'setSessionParameters')).toHaveLength(sent);
    } finally {
      await c.close();
      await sim.stop();
    }
  });

  it('limits the caller set are kept, whatever the domain says', async () => {
    const { sim, clock } = await simulator(raised);
    const pinned = { QueryStatistics: [{ seconds: 60, limit: 2 }, { seconds: 3600, limit: 15 }, { seconds: 86400, limit: 240 }] };
    const c = new Five9Client({ endpoint: sim.url, username: 'ops', password: 'ops-secret-9', clock, seedQuotas: true, quotas: pinned });
    try {
      await c.run('Set Session Parameters', settings);
      await c.run('Set Session Parameters', settings);
      await expect(c.run('Set Session Parameters', settings)).rejects.toBeInstanceOf(Five9QuotaError);
    } finally {
      await c.close();
      await sim.stop();
    }
  });
});
