/**
 * Wrong input is refused before anything is sent, with each field named as a JSON pointer and the
 * rule that refused it; the manifest's own examples and anti-examples hold against the client.
 */
import { Five9Error, Five9InputError } from '../src/errors';
import { loadManifest, versionRank } from '../src/manifest';
import { Five9Client } from '../src/runtime';
import type { Five9Simulator } from '../src/simulator';
import { PASSWORD, USER, rejectionOf, startSimulator, thrownBy } from './helpers';

const manifest = loadManifest();

let sim: Five9Simulator;
let client: Five9Client;

beforeAll(async () => {
  const started = await startSimulator();
  sim = started.sim;
  client = new Five9Client({ endpoint: started.url, username: USER, password: PASSWORD });
});
afterAll(async () => {
  await client.close();
  await sim.stop();
});

const BAD_INPUTS: Array<[string, Record<string, unknown>, string, string]> = [
  ['Idle Time Out 5000 s', { viewSettings: { idleTimeOut: 5000, shiftStart: 0, timeZone: 0 } }, '/viewSettings/idleTimeOut', 'maximum'],
  ['Idle Time Out 30 s', { viewSettings: { idleTimeOut: 30, shiftStart: 0, timeZone: 0 } }, '/viewSettings/idleTimeOut', 'minimum'],
  ['rolling period Hour2 (the guide\'s spelling, unknown to the WSDL)', { viewSettings: { rollingPeriod: 'Hour2', shiftStart: 0, timeZone: 0 } }, '/viewSettings/rollingPeriod', 'enum'],
  ['no time zone', { viewSettings: { shiftStart: 28800000 } }, '/viewSettings/timeZone', 'required'],
  ['shift start as a string', { viewSettings: { shiftStart: '28800000', timeZone: 0 } }, '/viewSettings/shiftStart', 'type'],
  ['no viewSettings at all', {}, '/viewSettings', 'required'],
  ['a field the method does not take', { viewSettings: { shiftStart: 0, timeZone: 0, colour: 'red' } }, '/viewSettings/colour', 'additionalProperties'],
  ['forceLogoutSession "yes" (the guide\'s form)', { viewSettings: { forceLogoutSession: 'yes', shiftStart: 0, timeZone: 0 } }, '/viewSettings/forceLogoutSession', 'type'],
];

describe('Set Session Parameters refuses bad input and sends nothing', () => {
  test.each(BAD_INPUTS)('%s', async (_name, input, field, rule) => {
    // Data from outside (JSON, a form) is untyped: the name as a plain string takes any input, checked at run time.
    const e = await rejectionOf(client.run('Set Session Parameters' as string, input));
    expect(e).toBeInstanceOf(Five9InputError);
    expect(e.code).toBe('FIVE9_INVALID_INPUT');
    expect(e.exitCode).toBe(2);
    expect(e.issues).toContainEqual(expect.objectContaining({ field, rule }));
    expect(e.message).toContain(field);
    expect(e.toJSON().issues).toEqual(e.issues);
    expect(sim.requests).toEqual([]);
  });

  test('every wrong field is reported at once', async () => {
    // @ts-expect-error the generated types refuse it as well; at run time every field is named
    const e = await rejectionOf(client.run('Set Session Parameters', { viewSettings: { idleTimeOut: 5000, rollingPeriod: 'Hour2', shiftStart: '8am' } }));
    const found = e.issues.map((i: { field: string; rule: string }) => `${i.field} ${i.rule}`);
    expect(found).toEqual(
      expect.arrayContaining(['/viewSettings/idleTimeOut maximum', '/viewSettings/rollingPeriod enum', '/viewSettings/shiftStart type', '/viewSettings/timeZone required']),
    );
    expect(sim.requests).toEqual([]);
  });

  test('the same bad input fails validate() without a network call', () => {
    const e = thrownBy(() => client.validate('setSessionParameters', { viewSettings: { idleTimeOut: 5000, shiftStart: 0, timeZone: 0 } }));
    expect(e).toBeInstanceOf(Five9InputError);
    expect(e.issues[0]).toMatchObject({ field: '/viewSettings/idleTimeOut', rule: 'maximum' });
    expect(sim.requests).toEqual([]);
  });

  test('a good input is sent (control: the simulator does record requests)', async () => {
    await client.run('Set Session Parameters', { viewSettings: { idleTimeOut: 1800, shiftStart: 0, timeZone: 0 } });
    // The first QueryStatistics call of the process reads the domain's counters first.
    expect(sim.requests.map((r) => `${r.operation} ${r.outcome}`)).toEqual(['getCallCountersState ok', 'setSessionParameters ok']);
    await client.run('Close Session');
    sim.requests.length = 0;
  });
});

describe('the manifest\'s examples and anti-examples', () => {
  // The SOAP client's; REST actions' examples and anti-examples are checked in test/rest-actions.test.ts.
  const antiExamples = manifest.soapActions.flatMap((a) => (a.antiExamples ?? []).map((anti) => [a.id, anti.name, anti] as const));
  const examples = manifest.soapActions.flatMap((a) => a.examples.map((ex) => [a.id, ex.name, ex] as const));

  test.each(antiExamples)('%s refuses anti-example "%s" with its declared field and rule', (id, _name, anti) => {
    const e = thrownBy(() => client.validate(id, anti.input));
    expect(e).toBeInstanceOf(Five9Error);
    expect(e.code).toBe('FIVE9_INVALID_INPUT');
    expect(e.issues).toContainEqual(expect.objectContaining({ field: anti.field, rule: anti.rule }));
  });

  test.each(examples)('%s accepts example "%s"', async (id, _name, ex) => {
    // In the version the action appeared in (v4 when earlier), and in the latest one.
    const since = manifest.soapAction(id).versions.since;
    const versions = [...new Set([versionRank(since) > versionRank('v4') ? since : 'v4', 'v14'])];
    for (const apiVersion of versions) {
      // The bare origin: a versioned path would decide the version itself.
      const versioned = new Five9Client({ endpoint: new URL(client.endpoint).origin, username: USER, password: PASSWORD, apiVersion });
      try {
        expect(versioned.validate(id, ex.input).id).toBe(id);
      } finally {
        await versioned.close();
      }
    }
  });

  test('checking examples and anti-examples sent nothing', () => {
    expect(sim.requests).toEqual([]);
  });
});
