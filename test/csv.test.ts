/**
 * Contact files read by csv-parse: malformed quoting is refused naming its line and column (and
 * nothing is sent), NUL and bytes that are not UTF-8 are refused naming the row and field, and a
 * 100 MB file with a quote left open fails after reading about a megabyte, naming the quote.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli';
import { loadManifest } from '../src/manifest';
import { readContactsFile } from '../src/rest';
import { CsvQuoteError, MAX_RECORD_BYTES, csvRecords } from '../src/rest/csv';
import { Five9Simulator } from '../src/simulator';

const bin = join(__dirname, '..', 'bin', 'five9.js');
const KEY = 'csv-key';
const SECRET = 'Csv-S3cr3t/only';
let dir: string;
let sim: Five9Simulator;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'five9-csv-'));
  sim = new Five9Simulator({ consumers: [{ key: KEY, secret: SECRET }] });
  const { url } = await sim.start(0);
  env = { FIVE9_CONSUMER_KEY: KEY, FIVE9_CONSUMER_SECRET: SECRET, FIVE9_DOMAIN_ID: sim.rest.domainId, URL: url };
});
afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function upload(file: string, ...extra: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'five9', 'contacts', 'upload', '--list', 'Renewals', file, '--endpoint', env.URL!, '--checkpoint', join(dir, `${Math.random()}.json`), ...extra], { out: (s) => out.push(s), err: (s) => err.push(s), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const sent = () => sim.rest.actionRequests().filter((r) => r.action === 'addContactsToList').length;

describe('malformed quoting is refused, naming the line, and nothing is sent', () => {
  test('an unterminated quote does not swallow the rest of the file', async () => {
    const file = join(dir, 'unterminated.csv');
    writeFileSync(file, 'number1,firstName\n5551230001,"unterminated\n5551230002,Bob\n5551230003,Carol\n');
    const before = sent();
    const r = await upload(file, '--json');
    expect(r.code).toBe(2);
    const error = JSON.parse(r.out).error;
    expect(error).toMatchObject({ code: 'FIVE9_INVALID_ROWS', line: 2, column: 12, rows: [{ row: 1, field: '/firstName', rule: 'csv' }] });
    expect(error.message).toContain('line 2, column 12: this quote opens a field that is never closed');
    expect(sent()).toBe(before);
    // --skip-invalid cannot skip what cannot be read
    expect((await upload(file, '--skip-invalid')).code).toBe(2);
    expect(sent()).toBe(before);
  });

  test('a quote inside an unquoted field (ab"cd"ef) is not dropped: refused naming line, column and field', async () => {
    const file = join(dir, 'inner.csv');
    writeFileSync(file, 'number1,firstName\n5551230001,Ann\n5551230002,ab"cd"ef\n');
    const r = await upload(file);
    expect(r.code).toBe(2);
    expect(r.err).toContain('line 3, column 14: a quote inside a field that does not start with one');
    expect(r.err).toContain('(field firstName)');
  });

  test('text after a closing quote is refused', async () => {
    const file = join(dir, 'closing.csv');
    writeFileSync(file, 'number1,firstName\r\n5551230001,"Ann" Lee\r\n');
    const r = await upload(file);
    expect(r.code).toBe(2);
    expect(r.err).toContain('line 2, column 16: text after the quote that closes this field');
  });

  test('well-formed quoting across lines still reads, and the line numbers count those lines', async () => {
    const records: Array<{ cells: unknown[]; line: number }> = [];
    for await (const r of csvRecords([Buffer.from('a,b\r\n"x\r\ny",2\n\n3,"q""r"\n')])) records.push(r);
    expect(records).toEqual([
      { cells: ['a', 'b'], line: 1 },
      { cells: ['x\r\ny', '2'], line: 2 },
      { cells: [''], line: 4 },
      { cells: ['3', 'q"r'], line: 5 },
    ]);
  });
});

describe('NUL and bytes that are not UTF-8', () => {
  const fields = () => Object.keys(loadManifest().registry.resolve({ $ref: 'restContact.json' }).properties);

  test('CSV: refused naming row and field; --skip-invalid sends the other rows', async () => {
    const file = join(dir, 'bytes.csv');
    writeFileSync(
      file,
      Buffer.concat([Buffer.from('number1,firstName,lastName\n5551230001,Ann,Lee\n5551230002,B'), Buffer.from([0xff, 0xfe]), Buffer.from('b,Low\n5551230003,Cy,Nul\u0000l\n5551230004,Dé,Ok\n')]),
    );
    const before = sent();
    const r = await upload(file, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error.rows).toEqual([
      { row: 2, field: '/firstName', rule: 'utf-8', message: expect.stringContaining('(line 3) holds bytes that are not UTF-8') },
      { row: 3, field: '/lastName', rule: 'nul', message: expect.stringContaining('NUL') },
    ]);
    expect(sent()).toBe(before);
    const skip = await upload(file, '--skip-invalid', '--json');
    expect(skip.code).toBe(0);
    expect(JSON.parse(skip.out)).toMatchObject({ rows: 4, valid: 2, sent: 2 });
    expect(sim.rest.contacts('Renewals').map((c) => c.firstName)).toEqual(expect.arrayContaining(['Ann', 'Dé']));
    expect(sim.rest.contacts('Renewals').some((c) => String(c.firstName).includes('\uFFFD'))).toBe(false);
  });

  test('NDJSON: a line that is not UTF-8 is a row of its own; JSON: the file is refused', async () => {
    const nd = join(dir, 'bytes.ndjson');
    writeFileSync(nd, Buffer.concat([Buffer.from('{"number1":"5551230001"}\n{"number1":"5551230002","firstName":"B'), Buffer.from([0xc3]), Buffer.from('"}\n{"number1":"5551230003","firstName":"a\\u0000b"}\n')]));
    const rows: unknown[] = [];
    for await (const x of (await readContactsFile(nd, { fields: fields() })).rows) rows.push(x);
    expect(rows[1]).toMatchObject({ rule: 'utf-8' });
    const r = await upload(nd, '--json');
    expect(JSON.parse(r.out).error.rows).toEqual([expect.objectContaining({ row: 2, rule: 'utf-8' }), expect.objectContaining({ row: 3, field: '/firstName', rule: 'nul' })]);
    const json = join(dir, 'bytes.json');
    writeFileSync(json, Buffer.concat([Buffer.from('[{"number1":"5551230001","firstName":"'), Buffer.from([0xe2, 0x28]), Buffer.from('"}]')]));
    const j = await upload(json);
    expect(j.code).toBe(2);
    expect(j.err).toContain('holds bytes that are not UTF-8');
  });
});

describe('a 100 MB file with a quote left open', () => {
  test('reading stops about a megabyte after the quote, and the error names the quote (bytes counted, no clock)', async () => {
    let pulled = 0;
    const row = Buffer.from('5551230009,Someone,Else\n');
    function* source(): Generator<Buffer> {
      const head = Buffer.from('number1,firstName,lastName\n5551230001,"never closed,Lee\n');
      pulled += head.length;
      yield head;
      const block = Buffer.concat(Array.from({ length: 2700 }, () => row)); // ~64 KB
      while (pulled < 100 * 1024 * 1024) {
        pulled += block.length;
        yield block;
      }
    }
    let error: unknown;
    try {
      for await (const _ of csvRecords(source())) void _;
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CsvQuoteError);
    expect((error as CsvQuoteError).message).toBe('line 2, column 12: this quote opens a field that is never closed (a quoted field ends with a quote; a quote inside it is written twice: "")');
    expect(pulled).toBeLessThan(MAX_RECORD_BYTES + 8 * 1024 * 1024);
  });

  test('five9 contacts upload of a real 100 MB file fails with exit 2 naming the quote, nothing sent', async () => {
    if (!existsSync(join(__dirname, '..', 'dist', 'src', 'cli', 'index.js'))) throw new Error('run `npm run build` first');
    const file = join(dir, 'big.csv');
    const w = createWriteStream(file);
    w.write('number1,firstName,lastName\n5551230001,Ann,Lee\n5551230002,"left open,Low\n');
    const block = '5551230009,Someone,Else\n'.repeat(4096);
    let size = 0;
    while (size < 100 * 1024 * 1024) {
      if (!w.write(block)) await new Promise<void>((r) => w.once('drain', () => r()));
      size += block.length;
    }
    await new Promise<void>((r) => w.end(r));
    expect(statSync(file).size).toBeGreaterThanOrEqual(100 * 1024 * 1024);
    const before = sent();
    const started = Date.now();
    const child = spawn(process.execPath, [bin, 'contacts', 'upload', '--list', 'Renewals', file, '--endpoint', env.URL!, '--checkpoint', join(dir, 'big-cp.json')], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    process.stdout.write(`five9 contacts upload of a ${(statSync(file).size / 1048576).toFixed(0)} MB file with a quote left open on line 3: exit ${code} after ${Date.now() - started} ms\n`);
    expect(code).toBe(2);
    expect(stderr).toContain('line 3, column 12: this quote opens a field that is never closed');
    expect(sent()).toBe(before);
  }, 120_000);
});

describe('five9 stats get --format csv neutralises formulas (OWASP CSV injection)', () => {
  test('cells that begin with =, +, -, @, a tab or a carriage return get a leading quote; numbers and other cells are untouched', async () => {
    const { rawHttpServer, soapAnswer } = await import('./helpers');
    const cells = ['=HYPERLINK("http://x","y")', '+SUM(A1)', '-cmd', '@SUM(A1)', '\tTab', '-5', '+7', '3.5', 'plain, "quoted"'];
    const server = await rawHttpServer((req, res) => {
      const op = /<ser:(\w+)/.exec(req.body)?.[1];
      const answer =
        op === 'getSessionParameters'
          ? soapAnswer(op, '<return><idleTimeOut>1800</idleTimeOut><shiftStart>0</shiftStart><timeZone>0</timeZone></return>')
          : op === 'getStatistics'
            ? soapAnswer(op, `<return><columns><values><data>Username</data>${cells.map((_, i) => `<data>c${i}</data>`).join('')}</values></columns><rows><values><data>agent1</data>${cells.map((c) => `<data>${c.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</data>`).join('')}</values></rows><timestamp>1767600000000</timestamp><type>AgentState</type></return>`)
            : soapAnswer(op ?? 'x', '');
      res.writeHead(200, { 'content-type': 'text/xml' }).end(answer);
    });
    try {
      const out: string[] = [];
      const code = await main(['node', 'five9', 'stats', 'get', 'AgentState', '--format', 'csv', '--endpoint', server.url], { out: (s) => out.push(s), err: () => undefined, env: { FIVE9_USERNAME: 'u', FIVE9_PASSWORD: 'some-Passw0rd' } });
      expect(code).toBe(0);
      expect(out[1]).toBe(`agent1,"'=HYPERLINK(""http://x"",""y"")",'+SUM(A1),'-cmd,'@SUM(A1),'\tTab,-5,+7,3.5,"plain, ""quoted"""`);
    } finally {
      await server.close();
    }
  });

  test('--help says so', async () => {
    const out: string[] = [];
    await main(['node', 'five9', 'stats', 'get', '--help'], { out: (s) => out.push(s), err: () => undefined, env: {} });
    expect(out.join('\n')).toMatch(/CSV: cells that begin with =, \+, -, @, a tab or a carriage return[\s\S]*leading '[\s\S]*CSV injection/);
  });
});
