import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock } from '../src/clock';
import { lintTemplate, readTemplate, runOnce, runSchedule, type RunEvent, type CycleTemplate } from '../src/cycles';
import { loadManifest } from '../src/manifest';
import { Five9Client } from '../src/runtime';
import { Five9Simulator } from '../src/simulator';

const manifest = loadManifest();
const bundled = JSON.parse(readFileSync(join(__dirname, '..', 'connector', 'templates', 'maintain-session.json'), 'utf8')) as CycleTemplate;
const copy = (): CycleTemplate => JSON.parse(JSON.stringify(bundled));
const steps = (events: RunEvent[]) =>
  events.filter((e): e is Extract<RunEvent, { type: 'step' }> => e.type === 'step').map((e) => `${e.run}:${e.action}:${e.exit}`);

describe('Maintain session template', () => {
  it('is exactly the cycle of Cyclr\'s Five9 page', () => {
    const t = readTemplate('maintain-session');
    expect(t.name).toBe('Maintain session');
    expect(t.schedule.everyMinutes).toBe(15);
    const check = t.steps.find((s) => s.id === t.start)!;
    expect(manifest.action(check.action).id).toBe('getSessionParameters');
    const next = t.steps.find((s) => s.id === check.exits.false)!;
    expect(manifest.action(next.action).id).toBe('setSessionParameters');
    expect(check.exits.true).toBeNull();
    expect(t.fields?.idleTimeOut.default).toBe(1800);
  });

  it('passes the linter', () => {
    expect(lintTemplate(bundled, manifest)).toEqual([]);
  });
});

describe('template linter', () => {
  const problems = (mutate: (t: any) => void) => {
    const t = copy();
    mutate(t);
    return lintTemplate(t, manifest).join('\n');
  };

  it('reports an unknown action', () => {
    expect(problems((t) => (t.steps[0].action = 'List Sessions'))).toMatch(/unknown action "List Sessions"/);
  });
  it('reports an exit the action does not have and an unconnected one', () => {
    const p = problems((t) => (t.steps[0].exits = { yes: null, false: 'start-session' }));
    expect(p).toMatch(/has no exit "yes"/);
    expect(p).toMatch(/exit "true" .* is not connected/);
  });
  it('reports an exit leading to a step that does not exist, and unreachable steps', () => {
    const p = problems((t) => (t.steps[0].exits.false = 'nowhere'));
    expect(p).toMatch(/leads to unknown step "nowhere"/);
    expect(p).toMatch(/step "start-session" is never reached/);
  });
  it('reports a missing required input', () => {
    expect(problems((t) => delete t.steps[1].input.viewSettings.timeZone)).toMatch(/\/viewSettings\/timeZone is required/);
  });
  it('reports a field reference the template does not declare', () => {
    expect(problems((t) => (t.steps[1].input.viewSettings.shiftStart = { $field: 'shift' }))).toMatch(/field "shift" is not declared/);
  });
  it('reports a repeat interval not shorter than the idle time-out the template sets', () => {
    expect(problems((t) => (t.schedule.everyMinutes = 30))).toMatch(/repeats every 30 min, not shorter than the Idle Time Out it sets \(1800 s\)/);
    expect(problems((t) => (t.fields.idleTimeOut.default = 600))).toMatch(/repeats every 15 min, not shorter than the Idle Time Out it sets \(600 s\)/);
    // Without idleTimeOut Five9 uses 180 s.
    expect(problems((t) => delete t.steps[1].input.viewSettings.idleTimeOut)).toMatch(/\(180 s\)/);
  });
  it('reports runs × QueryStatistics calls beyond the domain limit', () => {
    const p = problems((t) => {
      t.schedule.everyMinutes = 1;
      t.fields.idleTimeOut.default = 1800;
    });
    // 1 setSessionParameters a run, 60 runs an hour > 15 an hour, 1440 a day > 240 a day.
    expect(p).toMatch(/QueryStatistics: up to 1 call\(s\) a run × 60 run\(s\) a hour = 60, over the domain limit of 15/);
    expect(p).toMatch(/over the domain limit of 240 a day/);
  });
  it('reports a bad shape against the meta-schema', () => {
    expect(problems((t) => (t.schedule = { every: 15 }))).toMatch(/schedule/);
  });
});

describe('runner against the simulator', () => {
  let sim: Five9Simulator;
  let client: Five9Client;
  let clock: VirtualClock;

  beforeEach(async () => {
    clock = new VirtualClock(Date.UTC(2026, 0, 5, 8, 0, 0), 0);
    sim = new Five9Simulator({ users: [{ username: 'ops', password: 'ops-password-1' }], clock });
    const { url } = await sim.start();
    client = new Five9Client({ endpoint: url, username: 'ops', password: 'ops-password-1' });
  });
  afterEach(async () => {
    await client.close();
    await sim.stop();
  });

  it('first run goes false → Set Session Parameters, later runs leave by true, every 15 simulated minutes', async () => {
    const events: RunEvent[] = [];
    await runSchedule(bundled, { executor: client, clock, runs: 9, onEvent: (e) => events.push(e) });
    expect(steps(events)).toEqual([
      '1:List Session Parameters:false',
      '1:Set Session Parameters:success',
      ...[2, 3, 4, 5, 6, 7, 8, 9].map((r) => `${r}:List Session Parameters:true`),
    ]);
    const starts = events.filter((e) => e.type === 'run-start').map((e) => e.time);
    expect(starts[8] - starts[0]).toBe(2 * 60 * 60_000);
    expect(sim.expiries).toBe(0);
    const set = events.find((e) => e.type === 'step' && e.action === 'Set Session Parameters') as Extract<RunEvent, { type: 'step' }>;
    expect(set.input).toEqual({ viewSettings: { idleTimeOut: 1800, rollingPeriod: 'Minutes30', shiftStart: 28800000, statisticsRange: 'CurrentDay', timeZone: 0 } });
    expect(sim.sessionOf('ops')?.idleTimeOutMs).toBe(1800_000);
  });

  it('without the cycle the session expires, and one run restores it', async () => {
    await client.run('Set Session Parameters', { viewSettings: { idleTimeOut: 1800, shiftStart: 0, timeZone: 0 } });
    await clock.sleep(31 * 60_000);
    const after = await client.run('List Session Parameters');
    expect(after.exit).toBe('false');
    expect(after.fault?.name).toBe('SessionNotInitializedFault');
    expect(sim.expiries).toBe(1);
    const r = await runOnce(bundled, { executor: client, clock });
    expect(steps(r.events)).toEqual(['1:List Session Parameters:false', '1:Set Session Parameters:success']);
    expect((await client.run('List Session Parameters')).exit).toBe('true');
  });

  it('user fields override template defaults', async () => {
    const r = await runOnce(bundled, { executor: client, clock, fields: { idleTimeOut: 900, timeZone: -25200000 } });
    expect(r.outcome).toBe('ok');
    expect((await client.run('List Session Parameters')).output).toMatchObject({ idleTimeOut: 900, timeZone: -25200000 });
  });

  it('a step error ends the run with a step-error event; stop-schedule ends the schedule', async () => {
    const bad = new Five9Client({ endpoint: sim.url, username: 'ops', password: 'not-the-password' });
    try {
      const events: RunEvent[] = [];
      const t = { ...copy(), onStepError: 'stop-schedule' as const };
      const results = await runSchedule(t, { executor: bad, clock, runs: 3, onEvent: (e) => events.push(e), redact: (v) => bad.redactor.value(v) });
      expect(results).toHaveLength(1);
      const err = events.find((e) => e.type === 'step-error') as Extract<RunEvent, { type: 'step-error' }>;
      expect(err.error.code).toBe('FIVE9_AUTH');
      expect(JSON.stringify(events)).not.toContain('not-the-password');
      expect(events.at(-1)).toMatchObject({ type: 'schedule-end', reason: 'error', runs: 1 });
    } finally {
      await bad.close();
    }
  });
});
