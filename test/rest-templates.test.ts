/**
 * REST steps in templates: a template that mixes REST and SOAP actions lints clean and runs, each
 * step with its own credential (ConnectorExecutor), through runOnce / runSchedule and through
 * `five9 cycle run --once`, in process and as a user runs it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli';
import { VirtualClock } from '../src/clock';
import { ConnectorExecutor, type CycleTemplate, lintTemplate, type RunEvent, runOnce, runSchedule } from '../src/cycles';
import { loadManifest } from '../src/manifest';
import { RestClient } from '../src/rest';
import { Five9Client } from '../src/runtime';
import { Five9Simulator } from '../src/simulator';

const m = loadManifest();
const bin = join(__dirname, '..', 'bin', 'five9.js');
const USER = { username: 'mixed', password: 'mixed-Passw0rd' };
const CONSUMER = { key: 'mixed-key', secret: 'Mixed-S3cret/only' };

const template: CycleTemplate = {
  id: 'lists-and-limits',
  name: 'Lists and limits',
  description: 'Lists the dialing lists and adds a contact over REST, then reads the domain limits over SOAP.',
  connector: m.raw.name,
  schedule: { everyMinutes: 15 },
  onStepError: 'stop-run',
  fields: { list: { label: 'List', type: 'string', default: 'Renewals' } },
  start: 'lists',
  steps: [
    { id: 'lists', action: 'List Dialing Lists', input: {}, exits: { success: 'add' } },
    { id: 'add', action: 'Add Contacts To List', input: { listName: { $field: 'list' }, contacts: [{ number1: '6175550100', firstName: 'Ada' }] }, exits: { success: 'limits' } },
    { id: 'limits', action: 'Get Call Counters State', input: {}, exits: { success: null } },
  ],
};

let dir: string;
let sim: Five9Simulator;
let url: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'five9-rest-tpl-'));
  writeFileSync(join(dir, 'lists.json'), JSON.stringify(template));
  sim = new Five9Simulator({ users: [USER], consumers: [CONSUMER] });
  ({ url } = await sim.start(0));
});
afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ FIVE9_USERNAME: USER.username, FIVE9_PASSWORD: USER.password, FIVE9_CONSUMER_KEY: CONSUMER.key, FIVE9_CONSUMER_SECRET: CONSUMER.secret, FIVE9_DOMAIN_ID: sim.rest.domainId });

test('five9 lint accepts a template with REST steps', () => {
  expect(lintTemplate(template, m)).toEqual([]);
});

test('runOnce and runSchedule run REST steps through RestClient and SOAP steps through Five9Client', async () => {
  const soap = new Five9Client({ endpoint: url, ...USER, quotas: false });
  const executor = new ConnectorExecutor({
    manifest: m,
    soap,
    rest: () => new RestClient({ endpoint: url, domainId: sim.rest.domainId, consumerKey: CONSUMER.key, consumerSecret: CONSUMER.secret, redactor: soap.redactor }),
    redactor: soap.redactor,
  });
  const events: RunEvent[] = [];
  try {
    const once = await runOnce(template, { executor, clock: new VirtualClock(), onEvent: (e) => events.push(e) });
    expect(once.outcome).toBe('ok');
    expect(events.filter((e) => e.type === 'step').map((e) => (e.type === 'step' ? [e.action, e.exit] : []))).toEqual([
      ['List Dialing Lists', 'success'],
      ['Add Contacts To List', 'success'],
      ['Get Call Counters State', 'success'],
    ]);
    const clock = new VirtualClock(Date.UTC(2026, 0, 5, 8), 0);
    const runs = await runSchedule(template, { executor, clock, runs: 2, fields: { list: 'Callbacks' } });
    expect(runs.map((r) => r.outcome)).toEqual(['ok', 'ok']);
    expect(sim.rest.contacts('Callbacks')).toHaveLength(1); // the second run's contact is a duplicate the list refused
    expect(JSON.stringify(events)).not.toContain(CONSUMER.secret);
  } finally {
    await executor.close();
  }
});

test('without a REST credential the REST step fails naming what to set, and nothing is sent', async () => {
  const executor = new ConnectorExecutor({ manifest: m, soap: new Five9Client({ endpoint: url, ...USER, quotas: false }) });
  const before = sim.rest.requests.length + sim.requests.length;
  try {
    const r = await runOnce(template, { executor, clock: new VirtualClock() });
    expect(r.events.find((e) => e.type === 'step-error')).toMatchObject({ step: 'lists', error: { code: 'FIVE9_CONFIG', message: expect.stringContaining('FIVE9_CONSUMER_KEY') } });
    expect(sim.rest.requests.length + sim.requests.length).toBe(before);
  } finally {
    await executor.close();
  }
});

test('five9 cycle run --once: the embedded target and a real endpoint (in process)', async () => {
  const run = async (args: string[], e: NodeJS.ProcessEnv) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['node', 'five9', 'cycle', 'run', join(dir, 'lists.json'), '--once', ...args], { out: (s) => out.push(s), err: (s) => err.push(s), env: e });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const embedded = await run([], {});
  expect(embedded.code).toBe(0);
  expect(embedded.out).toMatch(/List Dialing Lists\s+→ success[\s\S]*Add Contacts To List\s+→ success accepted=1[\s\S]*Get Call Counters State\s+→ success/);
  const before = sim.rest.actionRequests(CONSUMER.key).length;
  const remote = await run(['--endpoint', url, '--json'], env());
  expect(remote.code).toBe(0);
  const steps = remote.out.split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'step');
  expect(steps.map((s: { action: string }) => s.action)).toEqual(['List Dialing Lists', 'Add Contacts To List', 'Get Call Counters State']);
  expect(sim.rest.actionRequests(CONSUMER.key).length - before).toBe(2);
  expect(remote.out).not.toContain(CONSUMER.secret);
});

test('five9 cycle run --once with REST steps, as a user runs it', async () => {
  if (!existsSync(join(__dirname, '..', 'dist', 'src', 'cli', 'index.js'))) throw new Error('run `npm run build` first');
  const child = spawn(process.execPath, [bin, 'cycle', 'run', join(dir, 'lists.json'), '--once', '--endpoint', url], { env: { PATH: process.env.PATH, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const code = await new Promise((r) => child.once('close', r));
  expect(code).toBe(0);
  expect(stdout).toMatch(/Add Contacts To List\s+→ success/);
  expect(stdout).not.toMatch(/FIVE9_UNKNOWN_ACTION/);
});
