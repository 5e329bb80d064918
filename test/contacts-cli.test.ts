/**
 * `five9 contacts upload` and REST actions through `five9 run`, end to end through `main` with
 * captured output: the embedded simulator by default, or a simulator on 127.0.0.1 with the
 * credentials in the environment; the secret and tokens never in any output.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli';
import { defaultCheckpoint } from '../src/cli/contacts';
import { loadManifest } from '../src/manifest';
import { parseCsv, readContactsFile } from '../src/rest';
import { Five9Simulator } from '../src/simulator';

const KEY = 'cli-dialer';
const SECRET = 'cli-S3cret/with:colon';

async function cli(args: string[], env: NodeJS.ProcessEnv = {}, tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const raw: string[] = [];
  const code = await main(['node', 'five9', ...args], { out: (s) => out.push(s), err: (s) => err.push(s), env, isTTY: tty, write: (s) => raw.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n'), raw: raw.join('') };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'five9-contacts-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rows(n: number, from = 0): Array<Record<string, string>> {
  return Array.from({ length: n }, (_, k) => ({
    number1: String(6170000000 + from + k),
    firstName: `Ada ${from + k}`,
    lastName: 'Lovelace, "Countess"',
    guardTimeStart: '2026-01-05T09:07',
    guardTimeEnd: '2026-01-05T20:31',
    timeZone: k % 2 ? 'Europe/London' : '-05:00',
  }));
}

function csv(path: string, data: Array<Record<string, string>>, header = ['number1', 'first_name', 'Last Name', 'guardTimeStart', 'guardTimeEnd', 'timeZone']): string {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const fields = ['number1', 'firstName', 'lastName', 'guardTimeStart', 'guardTimeEnd', 'timeZone'];
  writeFileSync(path, `${header.join(',')}\r\n${data.map((r) => fields.map((f) => cell(r[f] ?? '')).join(',')).join('\r\n')}\r\n`);
  return path;
}

describe('five9 contacts upload against the embedded simulator (the default)', () => {
  it('a CSV of 2,500 contacts: validated, 3 chunks, one plain line each, and the report', async () => {
    const file = csv(join(dir, 'contacts.csv'), rows(2500));
    const r = await cli(['contacts', 'upload', '--list', 'Spring Campaign', file]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/uploading .*contacts\.csv \(csv\) to list "Spring Campaign" at embedded simulator at http:\/\/127\.0\.0\.1:\d+/);
    expect(r.err).toContain('validated 2500 row(s): 2500 valid, 0 invalid; 3 chunk(s)');
    expect(r.err).toContain('chunk 1/3: 1000 sent, 1000 accepted, 0 rejected (1000/2500 contacts)');
    expect(r.err).toContain('chunk 3/3: 500 sent, 500 accepted, 0 rejected (2500/2500 contacts)');
    expect(r.out).toMatch(/^Report\n {2}list: {7}Spring Campaign\n {2}rows: {7}2500 \(2500 valid, 0 invalid and skipped\)\n {2}chunks: {5}3\n {2}sent: {7}2500\n {2}accepted: {3}2500\n {2}rejected: {3}0\n {2}requests: {3}3$/);
    expect(r.raw).toBe(''); // no progress bar off a terminal
  });

  it('a JSON array and NDJSON work the same, with --json printing the report', async () => {
    const json = join(dir, 'contacts.json');
    writeFileSync(json, JSON.stringify(rows(3)));
    const ndjson = join(dir, 'contacts.ndjson');
    writeFileSync(ndjson, `${rows(3).map((x) => JSON.stringify(x)).join('\n')}\n\n`);
    for (const file of [json, ndjson]) {
      const r = await cli(['contacts', 'upload', '--list', 'Renewals', file, '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ list: 'Renewals', rows: 3, valid: 3, sent: 3, accepted: 3, rejected: [], requests: 1 });
    }
  });

  it('invalid rows: each with its row number, field and rule on stderr, exit 2, nothing sent; --skip-invalid sends the rest', async () => {
    const data = rows(4);
    data[1].guardTimeStart = '2026-01-05T09:07:59';
    data[2].number1 = '617 000 0002';
    const file = csv(join(dir, 'bad.csv'), data);
    writeFileSync(file, `${readFileSync(file, 'utf8')}6170000009,Short Row\r\n`);
    const r = await cli(['contacts', 'upload', '--list', 'Renewals', file]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n').filter((l) => l.startsWith('row '))).toEqual([
      'row 2: guardTimeStart must be a local date-time to the minute, YYYY-MM-DDTHH:mm (no seconds, no offset, a real date) (format)',
      'row 3: number1 must be a phone number of 7 to 15 digits, optionally after a leading + (no spaces, dashes or brackets) (format)',
      'row 5: line 6 has 2 cell(s); the header has 6 (csv)',
    ]);
    expect(r.err).toContain('five9: FIVE9_INVALID_ROWS: 3 of 5 row(s) are invalid; nothing was sent (fix them, or skip them with --skip-invalid)');
    expect(r.out).toBe('');
    const json = await cli(['contacts', 'upload', '--list', 'Renewals', file, '--json']);
    expect(JSON.parse(json.out).error).toMatchObject({ code: 'FIVE9_INVALID_ROWS', rows: [{ row: 2, field: '/guardTimeStart', rule: 'format' }, { row: 3, field: '/number1', rule: 'format' }, { row: 5, field: '/', rule: 'csv' }] });
    const skip = await cli(['contacts', 'upload', '--list', 'Renewals', file, '--skip-invalid', '--json']);
    expect(skip.code).toBe(0);
    expect(JSON.parse(skip.out)).toMatchObject({ rows: 5, valid: 2, sent: 2, accepted: 2 });
  });

  it('a column that is no contact field is a clear error before anything is sent', async () => {
    const file = join(dir, 'columns.csv');
    writeFileSync(file, 'number1,shoe_size\n6175550100,42\n');
    const r = await cli(['contacts', 'upload', '--list', 'Renewals', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/FIVE9_INVALID_INPUT: .*columns\.csv: column "shoe_size" is not a contact field \(number1, number2/);
  });

  it('on a terminal: a progress bar with ETA, redrawn in place', async () => {
    const file = csv(join(dir, 'tty.csv'), rows(2100));
    const r = await cli(['contacts', 'upload', '--list', 'Renewals', file], {}, true);
    expect(r.code).toBe(0);
    expect(r.raw).toMatch(/\r█+░* +\d+% 1000\/2100 contacts · chunk 1\/3 · ETA /);
    expect(r.raw).toMatch(/\r█{28} 100% 2100\/2100 contacts · chunk 3\/3 · ETA 0:00/);
    expect(r.err).not.toMatch(/^chunk /m);
  });

  it('five9 run runs REST actions too', async () => {
    const r = await cli(['run', 'List Dialing Lists', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      action: 'List Dialing Lists',
      exit: 'success',
      output: [{ name: 'Outbound Sales Leads', size: 0 }, { name: 'Renewals', size: 0 }, { name: 'Callbacks', size: 0 }],
      target: { kind: 'embedded-simulator', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//), sessionOpenedByCommand: false },
    });
    const bad = await cli(['run', 'Add Contacts To List', '--input', '{"listName":"Renewals","contacts":[{"number1":"12"}]}', '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.out).error).toMatchObject({ code: 'FIVE9_INVALID_INPUT', issues: [{ field: '/contacts/0/number1', rule: 'format' }] });
  });
});

describe('five9 contacts upload against a simulator with credentials from the environment', () => {
  let sim: Five9Simulator;
  let env: NodeJS.ProcessEnv;
  let url: string;
  beforeAll(async () => {
    sim = new Five9Simulator({ consumers: [{ key: KEY, secret: SECRET }, { key: 'reader', secret: 'rd-S3cret-only', scopes: ['lists:read'] }], rest: { lists: ['Renewals'], dnc: ['6170000001'] } });
    ({ url } = await sim.start());
    env = { FIVE9_CONSUMER_KEY: KEY, FIVE9_CONSUMER_SECRET: SECRET, FIVE9_DOMAIN_ID: sim.rest.domainId };
  });
  afterAll(() => sim.stop());

  const all = (r: { out: string; err: string; raw: string }) => `${r.out}\n${r.err}\n${r.raw}`;
  const tokens = () => [...((sim.rest as any).tokens as Map<string, unknown>).keys()];

  it('uploads, reports what the list refused by row, and shows neither the secret nor a token', async () => {
    const file = csv(join(dir, 'env.csv'), rows(1200));
    const checkpoint = join(dir, 'env-cp.json');
    const r = await cli(['contacts', 'upload', '--list', 'Renewals', file, '--endpoint', url, '--checkpoint', checkpoint], env, true);
    expect(r.code).toBe(0);
    expect(r.out).toContain('  rejected:   1\n    row 2: DNC: 6170000001 is on the domain\'s do-not-call list');
    expect(r.out).toContain(`  checkpoint: ${checkpoint}`);
    expect(sim.rest.contacts('Renewals')).toHaveLength(1199);
    expect(tokens().length).toBeGreaterThan(0);
    for (const s of [SECRET, Buffer.from(`${KEY}:${SECRET}`).toString('base64'), ...tokens()]) expect(all(r)).not.toContain(s);
    expect(readFileSync(checkpoint, 'utf8')).not.toContain(SECRET);
  });

  it('a failed upload says how to resume; the same command again delivers the rest, each contact once', async () => {
    const before = sim.rest.received('Renewals').length;
    const file = csv(join(dir, 'resume.csv'), rows(2500, 10_000));
    const checkpoint = join(dir, 'resume-cp.json');
    sim.rest.failContacts(502, { after: 1 });
    const first = await cli(['contacts', 'upload', '--list', 'Renewals', file, '--endpoint', url, '--checkpoint', checkpoint], env);
    expect(first.code).toBe(4);
    // A 502 leaves the chunk's fate open: it may have been stored behind the proxy that answered.
    expect(first.err).toContain(`1 of 3 chunk(s) were delivered; whether rows 1001-2000 reached the list is not known (never counted as rejected); run the same command again to resume (checkpoint ${checkpoint})`);
    expect(first.err).toMatch(/five9: FIVE9_HTTP: Five9 answered HTTP 502 to "Add Contacts To List" INTERNAL_ERROR: Simulated failure/);
    const second = await cli(['contacts', 'upload', '--list', 'Renewals', file, '--endpoint', url, '--checkpoint', checkpoint], env);
    expect(second.code).toBe(0);
    expect(second.err).toContain('1 already delivered (resuming from the checkpoint)');
    expect(second.out).toContain('  chunks:     3 (1 delivered by an earlier run, not sent again)');
    expect(second.out).toContain('  sent:       2500');
    expect(second.out).toContain('  requests:   2');
    expect(sim.rest.received('Renewals').length - before).toBe(2500);
  });

  it('against a real target the checkpoint defaults to .five9/checkpoints/ under the working directory', async () => {
    const cwd = process.cwd();
    const work = mkdtempSync(join(dir, 'cwd-'));
    process.chdir(work);
    try {
      const file = csv(join(work, 'few.csv'), rows(2, 50_000));
      const r = await cli(['contacts', 'upload', '--list', 'Renewals', 'few.csv', '--endpoint', url, '--json'], env);
      expect(r.code).toBe(0);
      const expected = defaultCheckpoint('few.csv', 'Renewals', process.cwd());
      expect(JSON.parse(r.out).checkpoint).toBe(expected);
      expect(expected).toMatch(/\.five9\/checkpoints\/few\.csv-[0-9a-f]{12}\.json$/);
      expect(existsSync(expected)).toBe(true);
      expect(defaultCheckpoint(file, 'Renewals', process.cwd())).toBe(expected); // the same file by another name
      expect(defaultCheckpoint('few.csv', 'Callbacks', process.cwd())).not.toBe(expected);
    } finally {
      process.chdir(cwd);
    }
  });

  it('a wrong secret: FIVE9_REST_AUTH, exit 3, the key named and the secret nowhere', async () => {
    const file = csv(join(dir, 'one.csv'), rows(1));
    for (const json of [false, true]) {
      const r = await cli(['contacts', 'upload', '--list', 'Renewals', file, '--endpoint', url, ...(json ? ['--json'] : [])], { ...env, FIVE9_CONSUMER_SECRET: 'Wr0ng-S3cret!' });
      expect(r.code).toBe(3);
      expect(all(r)).toContain('FIVE9_REST_AUTH');
      expect(all(r)).toContain(`"${KEY}"`);
      expect(all(r)).not.toContain('Wr0ng-S3cret!');
      expect(all(r)).not.toContain(Buffer.from(`${KEY}:Wr0ng-S3cret!`).toString('base64'));
    }
  });

  it('a key without lists:write: FIVE9_REST_SCOPE naming the scope, exit 3', async () => {
    const file = csv(join(dir, 'scope.csv'), rows(1));
    const r = await cli(['contacts', 'upload', '--list', 'Renewals', file, '--endpoint', url], { ...env, FIVE9_CONSUMER_KEY: 'reader', FIVE9_CONSUMER_SECRET: 'rd-S3cret-only' });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/five9: FIVE9_REST_SCOPE: consumer key "reader" lacks scope lists:write/);
    expect(r.err).not.toContain('rd-S3cret-only');
  });

  it('--endpoint without credentials or domain id is a configuration error', async () => {
    const file = csv(join(dir, 'cfg.csv'), rows(1));
    expect((await cli(['contacts', 'upload', '--list', 'Renewals', file, '--endpoint', url], {})).err).toMatch(/FIVE9_CONFIG: set FIVE9_CONSUMER_KEY and FIVE9_CONSUMER_SECRET/);
    const r = await cli(['contacts', 'upload', '--list', 'Renewals', file, '--endpoint', url], { ...env, FIVE9_DOMAIN_ID: '' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/FIVE9_DOMAIN_ID/);
  });

  it('five9 run "List Campaigns" with --endpoint and the environment', async () => {
    const r = await cli(['run', 'List Campaigns', '--endpoint', url, '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).output).toEqual(expect.arrayContaining([{ name: 'Outbound Sales', type: 'OUTBOUND', state: 'NOT_RUNNING' }]));
    for (const s of [SECRET, ...tokens()]) expect(all(r)).not.toContain(s);
  });
});

describe('contact files', () => {
  it('CSV: quoted commas, quotes and line breaks, CRLF, a byte-order mark; values never trimmed', async () => {
    const records: string[][] = [];
    for await (const r of parseCsv(['\uFEFFa,b,c\r\n1,"x, ""y""', '\nz", 3 \r\n\r\n4,,""'])) records.push(r);
    expect(records).toEqual([['a', 'b', 'c'], ['1', 'x, "y"\nz', ' 3 '], [''], ['4', '', '']]);
  });

  it('NDJSON: a line that is not JSON is an invalid row of its own', async () => {
    const file = join(dir, 'broken.ndjson');
    writeFileSync(file, `${JSON.stringify(rows(1)[0])}\n{"number1": "6175550100",\n${JSON.stringify(rows(1, 7)[0])}\n`);
    const r = await cli(['contacts', 'upload', '--list', 'Renewals', file, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error.rows).toEqual([expect.objectContaining({ row: 2, field: '/', rule: 'json' })]);
    const fields = Object.keys(loadManifest().registry.resolve({ $ref: 'restContact.json' }).properties);
    const read = await readContactsFile(file, { fields });
    expect(read.format).toBe('ndjson');
  });
});

describe('five9 actions / describe / help for the REST side', () => {
  it('lists the Contacts category with its REST actions', async () => {
    const r = await cli(['actions']);
    expect(r.out).toMatch(/Contacts\n\s+List Campaigns\s+listCampaigns\s+REST GET, scope Campaigns:read\n\s+List Dialing Lists/);
    expect(r.out).toMatch(/Add Contacts To List\s+addContactsToList\s+REST POST, scope lists:write/);
  });

  it('describes a REST action: method, path, scope, item limit, quota class, errors', async () => {
    const r = await cli(['describe', 'Add Contacts To List']);
    expect(r.code).toBe(0);
    for (const s of ['REST request:   POST {base}/lists/v1/domains/{domainId}/lists/{listName}/contacts', 'Scope:          lists:write', 'Item limit:     1000 contacts per request', 'Quota class:    RestRequests (40/min)', '413  TOO_MANY_CONTACTS', 'contacts[].guardTimeStart']) {
      expect(r.out).toContain(s);
    }
  });

  it('--help works on the new commands', async () => {
    for (const cmd of [['contacts'], ['contacts', 'upload']]) {
      const r = await cli([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Usage: five9 contacts/);
    }
    expect((await cli(['contacts', 'upload', '--help'])).out).toMatch(/--skip-invalid[\s\S]*--checkpoint <file>[\s\S]*--data-center <dc>[\s\S]*\(choices:\s+"us", "ca", "eu", "uk", "in"\)/);
  });

  it('--list is required', async () => {
    const r = await cli(['contacts', 'upload', 'x.csv']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/required option '--list <name>' not specified/);
  });
});

const bin = join(__dirname, '..', 'bin', 'five9.js');

describe('five9 simulator --consumer', () => {
  it('serves the REST side for the consumers given, with their scopes, and never prints a secret', async () => {
    if (!existsSync(join(__dirname, '..', 'dist', 'src', 'cli', 'contacts.js'))) throw new Error('run `npm run build` first (npm ci does it through prepare)');
    const child = spawn(process.execPath, [bin, 'simulator', '--port', '0', '--consumer', `${KEY}:${SECRET.replace(/:/g, '_')}`, '--consumer', 'reader:rd-S3cret-only:lists:read'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    try {
      const found = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          printed += d;
          const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(printed);
          if (m && /REST: /.test(printed)) resolve(m[1]);
        });
        child.once('exit', (c) => reject(new Error(`exited ${c}`)));
      });
      expect(printed).toMatch(/REST: domain id 10001; consumers: cli-dialer \(Campaigns:read, lists:read, lists:write\); reader \(lists:read\)/);
      expect(printed).not.toContain('rd-S3cret-only');
      const r = await cli(['run', 'List Dialing Lists', '--endpoint', found, '--json'], { FIVE9_CONSUMER_KEY: 'reader', FIVE9_CONSUMER_SECRET: 'rd-S3cret-only', FIVE9_DOMAIN_ID: '10001' });
      expect(JSON.parse(r.out).exit).toBe('success');
      const denied = await cli(['run', 'List Campaigns', '--endpoint', found], { FIVE9_CONSUMER_KEY: 'reader', FIVE9_CONSUMER_SECRET: 'rd-S3cret-only', FIVE9_DOMAIN_ID: '10001' });
      expect(denied.code).toBe(3);
      expect(denied.err).toMatch(/FIVE9_REST_SCOPE: .*lacks scope Campaigns:read/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
