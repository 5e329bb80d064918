/**
 * Every manifest action and every example of it, run with the real client against the real
 * simulator and its seeded domain; every anti-example refused before anything is sent.
 */
import { Five9InputError } from '../src/errors';
import { loadManifest, type Action } from '../src/manifest';
import { Five9Client } from '../src/runtime';
import { HANDLERS, type Five9Simulator } from '../src/simulator';
import { randomUUID } from 'node:crypto';
import { PASSWORD, USER, rejectionOf, startSimulator } from './helpers';

const manifest = loadManifest();

const SESSION = { viewSettings: { forceLogoutSession: true, idleTimeOut: 1800, shiftStart: 28800000, timeZone: -25200000 } };

let sim: Five9Simulator | undefined;
let client: Five9Client | undefined;

afterEach(async () => {
  await client?.close();
  await sim?.stop();
  client = undefined;
  sim = undefined;
});

async function fresh(): Promise<Five9Client> {
  const started = await startSimulator({ longPollMaxMs: 100, checkAnswers: true });
  sim = started.sim;
  // A fresh simulator may get the port of one this file just stopped: a budget of its own keeps the
  // calls of earlier examples (kept in the shared store under the same endpoint and user) from counting.
  client = new Five9Client({ endpoint: started.url, username: USER, password: PASSWORD, apiVersion: 'v14', domain: randomUUID() });
  return client;
}

/** Whether an example expects a fault exit (then nothing may set up what the fault denies). */
function faultExit(action: Action, exit?: string): boolean {
  const e = exit ? (action.exits as Record<string, any> | undefined)?.[exit] : undefined;
  return !!e && 'onFaults' in e;
}

/**
 * What must happen before an example can succeed in a fresh domain; answers the input to send (an
 * update polls from the cursor getStatistics issued, since the simulator refuses any other time stamp).
 */
async function prepare(c: Five9Client, action: Action, input: Record<string, any>, exit?: string): Promise<Record<string, any>> {
  if (faultExit(action, exit)) return input;
  if (action.requiresSession || action.operation === 'getStatisticsUpdate') await c.run('setSessionParameters', SESSION);
  if (action.category === 'agent-monitoring' && action.operation !== 'loginStation') {
    await c.run('loginStation', { stationName: 'station-1', forceLogoutSession: true });
  }
  if (action.operation === 'stopMonitoring') await c.run('startMonitoring', { agentName: input.agentName, monitoringMode: 'Silence' });
  if (action.operation === 'stopCampaign' || action.operation === 'forceStopCampaign') await c.run('startCampaign', { campaignName: input.campaignName });
  if (action.operation === 'getStatisticsUpdate') {
    const snapshot = (await c.run('getStatistics', { statisticType: input.statisticType })).output as { timestamp: number };
    // An example that expects changes gets one: an agent hired (an added object of the agent types).
    if (exit === 'changed') sim!.statistics.addAgent();
    return { ...input, previousTimestamp: snapshot.timestamp };
  }
  return input;
}

describe('every manifest action', () => {
  it('has a simulator handler', () => {
    expect(manifest.soapActions.filter((a) => !HANDLERS[a.operation]).map((a) => a.operation)).toEqual([]);
  });

  // SOAP actions here; REST actions' examples run in test/rest-actions.test.ts.
  for (const action of manifest.soapActions) {
    describe(action.id, () => {
      it('has at least one example', () => {
        expect((action.examples ?? []).length).toBeGreaterThan(0);
      });

      for (const example of action.examples ?? []) {
        it(`example: ${example.name}`, async () => {
          const c = await fresh();
          const input = await prepare(c, action, (example.input ?? {}) as Record<string, any>, example.exit);
          const result = await c.run(action.id, input);
          expect(result.exit).toBe(example.exit ?? manifest.successExit(action));
          if (!faultExit(action, example.exit)) expect(result.fault).toBeUndefined();
          // What the simulator answered is what the version's WSDL allows, faults included.
          expect(sim!.answerProblems).toEqual([]);
          expect(sim!.undeclaredFaults).toEqual([]);
        });
      }

      for (const anti of action.antiExamples ?? []) {
        it(`anti-example refused before sending: ${anti.name}`, async () => {
          const c = await fresh();
          const e = await rejectionOf(c.run(action.id, anti.input as Record<string, unknown>));
          expect(e).toBeInstanceOf(Five9InputError);
          expect(e.code).toBe('FIVE9_INVALID_INPUT');
          expect(e.issues).toEqual(expect.arrayContaining([expect.objectContaining({ field: anti.field, rule: anti.rule })]));
          expect(sim!.requests).toEqual([]);
        });
      }
    });
  }
});
