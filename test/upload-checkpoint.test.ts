/**
 * Nothing sent twice, nothing lost: the upload checkpoint is locked (a second upload refuses,
 * naming the process that holds it; a dead process's lock is taken over), a chunk is recorded in
 * flight before its bytes leave and sent again with the same Idempotency-Key on resume, a
 * duplicate answer for such a chunk counts as delivered, and a chunk whose fate is unknown is
 * reported as uncertain by row range, never as rejected. Ctrl-C during a rate-limit or
 * Retry-After wait ends the command at once with the checkpoint saved. In process for the logic;
 * with the `five9` binary in other processes for what a user runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../src/clock';
import { RestClient, uploadContacts } from '../src/rest';
import { Five9Simulator, type SimulatorOptions } from '../src/simulator';
import { rejectionOf } from './helpers';

const KEY = 'cp-key';
const SECRET = 'Cp-S3cr3t/only';
const bin = join(__dirname, '..', 'bin', 'five9.js');
if (!existsSync(join(__dirname, '..', 'dist', 'src', 'cli', 'index.js'))) throw new Error('run `npm run build` first (npm ci does it through prepare)');

let dir: string;
let sim: Five9Simulator | undefined;
const clients: RestClient[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'five9-cp-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await sim?.stop();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function startSim(options: SimulatorOptions = {}, clock?: VirtualClock): Promise<string> {
  sim = new Five9Simulator({ consumers: [{ key: KEY, secret: SECRET }], clock, ...options });
  return (await sim.start(0)).url;
}

function client(url: string, clock = new VirtualClock(Date.UTC(2026, 0, 5, 8), 0)): RestClient {
  const c = new RestClient({ endpoint: url, domainId: sim!.rest.domainId, consumerKey: KEY, consumerSecret: SECRET, clock });
  clients.push(c);
  return c;
}

function contacts(n: number): Array<Record<string, string>> {
  return Array.from({ length: n }, (_, i) => ({ number1: String(3000000000 + i), firstName: `C${i}` }));
}

const contactRequests = () => sim!.rest.actionRequests().filter((r) => r.action === 'addContactsToList');
const entryOf = (path: string) => Object.values<any>(JSON.parse(readFileSync(path, 'utf8')).uploads)[0];

describe('a chunk in flight', () => {
  test('recorded before sending; its answer lost; resent with the same key to a server that ignores keys: duplicates count as delivered', async () => {
    const url = await startSim({ rest: { idempotency: false } });
    const checkpoint = join(dir, 'cp.json');
    const input = contacts(2500);
    sim!.rest.failContacts(500, { after: 1, afterStoring: true });
    const e = await rejectionOf(uploadContacts({ client: client(url), list: 'Renewals', contacts: input, checkpoint }));
    expect(['FIVE9_BAD_RESPONSE', 'FIVE9_TRANSPORT']).toContain(e.code);
    // The fate of the chunk whose answer was lost is open: by row range, not rejected.
    expect(e.details.upload).toMatchObject({ done: 1, chunks: 3, uncertain: [{ chunk: 2, rows: { from: 1001, to: 2000 } }] });
    expect(entryOf(checkpoint)).toMatchObject({ done: [0], inFlight: [1] });
    expect(sim!.rest.contacts('Renewals')).toHaveLength(2000); // the server did store it

    const report = await uploadContacts({ client: client(url), list: 'Renewals', contacts: input, checkpoint });
    const keys = contactRequests().map((r) => r.idempotencyKey);
    expect(keys[2]).toBe(keys[1]); // the resent chunk carries its first key
    expect(report).toMatchObject({ resumedChunks: 1, sent: 2500, accepted: 2500, rejected: [], uncertain: [] });
    expect(sim!.rest.contacts('Renewals')).toEqual(input);
    expect(entryOf(checkpoint)).toMatchObject({ inFlight: [], complete: true });
  });

  test('a resent chunk answered as new by a server that ignores keys is reported uncertain by row range', async () => {
    const url = await startSim({ rest: { idempotency: false } });
    const checkpoint = join(dir, 'cp.json');
    const input = contacts(1500);
    sim!.rest.failContacts(502, { after: 1 });
    await rejectionOf(uploadContacts({ client: client(url), list: 'Renewals', contacts: input, checkpoint }));
    const report = await uploadContacts({ client: client(url), list: 'Renewals', contacts: input, checkpoint });
    expect(report.rejected).toEqual([]);
    expect(report.accepted).toBe(1500);
    expect(report.uncertain).toEqual([{ chunk: 2, rows: { from: 1001, to: 1500 }, reason: expect.stringMatching(/may be in the list twice/) }]);
  });

  test('a server that honours the key replays its answer: the resent chunk is certain', async () => {
    const url = await startSim();
    const checkpoint = join(dir, 'cp.json');
    const input = contacts(2100);
    sim!.rest.failContacts(500, { after: 1, afterStoring: true });
    await rejectionOf(uploadContacts({ client: client(url), list: 'Renewals', contacts: input, checkpoint }));
    const report = await uploadContacts({ client: client(url), list: 'Renewals', contacts: input, checkpoint });
    expect(report).toMatchObject({ accepted: 2100, rejected: [], uncertain: [] });
    expect(sim!.rest.received('Renewals')).toHaveLength(2100);
  });

  test('a 429 answer stored nothing: the chunk is not left in flight while the client waits', async () => {
    const url = await startSim();
    const checkpoint = join(dir, 'cp.json');
    sim!.rest.force429(1, 30, { after: 1 });
    const ac = new AbortController();
    const e = await rejectionOf(
      uploadContacts({ client: client(url, new VirtualClock()), list: 'Renewals', contacts: contacts(3), chunkSize: 1, checkpoint, signal: ac.signal, onProgress: (ev) => ev.type === 'wait' && ac.abort() }),
    );
    expect(e.code).toBe('FIVE9_INTERRUPTED');
    expect(e.details.uncertain).toBeUndefined();
    expect(entryOf(checkpoint)).toMatchObject({ done: [0], inFlight: [] });
  });
});

describe('the checkpoint lock', () => {
  test('a second upload with the same checkpoint refuses, naming the process that holds it, and sends nothing', async () => {
    const url = await startSim();
    const checkpoint = join(dir, 'cp.json');
    // One request a minute on a clock that moves only when told: the first upload waits after its first chunk, holding the lock.
    const clock = new VirtualClock();
    const paced = new RestClient({ endpoint: url, domainId: sim!.rest.domainId, consumerKey: KEY, consumerSecret: SECRET, clock, quotas: { RestRequests: [{ seconds: 60, limit: 1 }] } });
    clients.push(paced);
    let waiting!: () => void;
    const waits = new Promise<void>((r) => (waiting = r));
    const first = uploadContacts({ client: paced, list: 'Renewals', contacts: contacts(4), chunkSize: 1, checkpoint, onProgress: (ev) => ev.type === 'wait' && waiting() });
    await waits;
    const e = await rejectionOf(uploadContacts({ client: client(url), list: 'Renewals', contacts: contacts(4), chunkSize: 1, checkpoint }));
    expect(e.code).toBe('FIVE9_CHECKPOINT');
    expect(e.message).toContain(`in use by process ${process.pid}`);
    expect(e.details).toMatchObject({ pid: process.pid, checkpoint });
    expect(contactRequests()).toHaveLength(1); // the second sent nothing
    let settled = false;
    void first.finally(() => (settled = true)).catch(() => undefined);
    while (!settled) {
      await new Promise((r) => setTimeout(r, 10));
      while (clock.pending) clock.runNext();
    }
    const report = await first;
    expect(report.accepted).toBe(4);
    expect(contactRequests()).toHaveLength(4);
    expect(existsSync(`${checkpoint}.lock`)).toBe(false);
  });

  test('a lock left by a process that no longer runs is taken over', async () => {
    const url = await startSim();
    const checkpoint = join(dir, 'cp.json');
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.once('exit', r));
    writeFileSync(`${checkpoint}.lock`, JSON.stringify({ pid: dead.pid, host: require('node:os').hostname(), since: '2026-01-01T00:00:00.000Z' }));
    const report = await uploadContacts({ client: client(url), list: 'Renewals', contacts: contacts(3), checkpoint });
    expect(report.accepted).toBe(3);
    expect(existsSync(`${checkpoint}.lock`)).toBe(false);
    expect(statSync(checkpoint).mode & 0o777).toBe(0o600);
  });
});

// ---- as deployed: the five9 binary in its own process, against a simulator in this one ----

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(re: RegExp): Promise<void>;
}

function five9(args: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  const run: Run = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (re.test(run.stderr) || re.test(run.stdout)) resolve();
        };
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
        child.once('exit', () => (re.test(run.stderr) || re.test(run.stdout) ? resolve() : reject(new Error(`exited before ${re}: ${run.stderr}`))));
        check();
      }),
  };
  child.stdout!.on('data', (d) => (run.stdout += d));
  child.stderr!.on('data', (d) => (run.stderr += d));
  return run;
}

function csvFile(n: number): string {
  const path = join(dir, 'contacts.csv');
  writeFileSync(path, `number1,firstName\n${contacts(n).map((c) => `${c.number1},${c.firstName}`).join('\n')}\n`);
  return path;
}

describe('five9 contacts upload, as a user runs it', () => {
  test('Ctrl-C during a 10-minute Retry-After wait exits at once (130), the checkpoint saved and unlocked', async () => {
    const url = await startSim();
    const env = { FIVE9_CONSUMER_KEY: KEY, FIVE9_CONSUMER_SECRET: SECRET, FIVE9_DOMAIN_ID: sim!.rest.domainId };
    const checkpoint = join(dir, 'cp.json');
    sim!.rest.force429(1, 600, { after: 1 });
    const run = five9(['contacts', 'upload', '--list', 'Renewals', csvFile(2500), '--endpoint', url, '--checkpoint', checkpoint], env);
    await run.waitFor(/waiting 600 s/);
    const at = Date.now();
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    const ms = Date.now() - at;
    process.stdout.write(`five9 contacts upload: SIGINT during a 600 s Retry-After wait -> exit ${code} after ${ms} ms\n`);
    expect(code).toBe(130);
    expect(run.stderr).toMatch(/FIVE9_INTERRUPTED: upload to "Renewals" stopped \(interrupted\) after 1 of 3 chunk\(s\); run it again with checkpoint/);
    expect(entryOf(checkpoint)).toMatchObject({ done: [0], inFlight: [] });
    expect(existsSync(`${checkpoint}.lock`)).toBe(false);
    expect(contactRequests()).toHaveLength(2); // chunk 1, and the 429
  });

  test('two uploads with one checkpoint: the second refuses naming the first PID; after a kill -9 the lock is taken over and nothing is sent twice', async () => {
    const url = await startSim();
    const env = { FIVE9_CONSUMER_KEY: KEY, FIVE9_CONSUMER_SECRET: SECRET, FIVE9_DOMAIN_ID: sim!.rest.domainId };
    const checkpoint = join(dir, 'cp.json');
    const file = csvFile(3500);
    sim!.rest.force429(1, 600, { after: 1 });
    const first = five9(['contacts', 'upload', '--list', 'Renewals', file, '--endpoint', url, '--checkpoint', checkpoint], env);
    await first.waitFor(/waiting 600 s/);
    const second = five9(['contacts', 'upload', '--list', 'Renewals', file, '--endpoint', url, '--checkpoint', checkpoint], env);
    const s = await second.exited;
    expect(s.code).toBe(2);
    expect(second.stderr).toContain(`FIVE9_CHECKPOINT: checkpoint ${checkpoint} is in use by process ${first.child.pid}`);
    expect(contactRequests()).toHaveLength(2); // the second sent nothing

    first.child.kill('SIGKILL'); // no chance to unlock
    await first.exited;
    expect(existsSync(`${checkpoint}.lock`)).toBe(true);
    const third = five9(['contacts', 'upload', '--list', 'Renewals', file, '--endpoint', url, '--checkpoint', checkpoint, '--json'], env);
    const t = await third.exited;
    expect(t.code).toBe(0);
    expect(JSON.parse(third.stdout)).toMatchObject({ chunks: 4, resumedChunks: 1, sent: 3500, accepted: 3500, rejected: [], uncertain: [] });
    expect(sim!.rest.received('Renewals')).toHaveLength(3500);
    expect(existsSync(`${checkpoint}.lock`)).toBe(false);
  });

  test('the answer to a chunk lost, against a server that ignores Idempotency-Key: the rerun delivers each contact once and rejects none', async () => {
    const url = await startSim({ rest: { idempotency: false } });
    const env = { FIVE9_CONSUMER_KEY: KEY, FIVE9_CONSUMER_SECRET: SECRET, FIVE9_DOMAIN_ID: sim!.rest.domainId };
    const checkpoint = join(dir, 'cp.json');
    const file = csvFile(3000);
    sim!.rest.failContacts(500, { after: 1, afterStoring: true });
    const first = five9(['contacts', 'upload', '--list', 'Renewals', file, '--endpoint', url, '--checkpoint', checkpoint], env);
    expect((await first.exited).code).toBe(4);
    expect(first.stderr).toContain('whether rows 1001-2000 reached the list is not known (never counted as rejected)');
    const second = five9(['contacts', 'upload', '--list', 'Renewals', file, '--endpoint', url, '--checkpoint', checkpoint, '--json'], env);
    expect((await second.exited).code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ sent: 3000, accepted: 3000, rejected: [], uncertain: [] });
    expect(sim!.rest.contacts('Renewals')).toHaveLength(3000);
  });
});
