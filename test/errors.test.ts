/**
 * One table of error codes (src/errors ERROR_TABLE): every code raised in src/ is in it, every code
 * in it is raised somewhere, and docs/errors.md documents each with its exit code.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ERROR_TABLE, Five9Error, Five9Fault, Five9InputError, Five9QuotaError, type ErrorCode } from '../src/errors';

const ROOT = join(__dirname, '..');
const CODES = Object.keys(ERROR_TABLE) as ErrorCode[];
const DOC = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const SOURCES = sourceFiles(join(ROOT, 'src')).map((path) => ({ file: relative(ROOT, path), text: readFileSync(path, 'utf8') }));
const ERRORS_FILE = SOURCES.find((s) => s.file === join('src', 'errors', 'index.ts'))!;
/** The sources without the table itself, whose keys would otherwise count as uses. */
const tableStart = ERRORS_FILE.text.indexOf('export const ERROR_TABLE');
const tableEnd = ERRORS_FILE.text.indexOf('} as const;', tableStart);
const WITHOUT_TABLE = SOURCES.map((s) => (s === ERRORS_FILE ? { ...s, text: s.text.slice(0, tableStart) + s.text.slice(tableEnd) } : s));

/** Codes raised directly: new Five9Error('X', …) or new Five9InputError('X', …). */
function raisedDirectly(): Array<{ file: string; code: string }> {
  const out: Array<{ file: string; code: string }> = [];
  for (const s of WITHOUT_TABLE) {
    for (const m of s.text.matchAll(/new\s+Five9(?:Input)?Error\(\s*['"`]([A-Z0-9_]+)['"`]/g)) out.push({ file: s.file, code: m[1] });
  }
  return out;
}

/** Codes raised through a subclass: class X extends Five9Error { … super('CODE' … }, when `new X(` occurs in src. */
function raisedBySubclasses(): Array<{ cls: string; code: string; instantiated: boolean }> {
  const out: Array<{ cls: string; code: string; instantiated: boolean }> = [];
  for (const m of ERRORS_FILE.text.matchAll(/class\s+(\w+)\s+extends\s+Five9Error\s*\{([\s\S]*?)\n\}/g)) {
    const code = /super\(\s*['"`]([A-Z0-9_]+)['"`]/.exec(m[2])?.[1];
    if (!code) continue;
    const instantiated = SOURCES.some((s) => new RegExp(`new\\s+${m[1]}\\(`).test(s.text));
    out.push({ cls: m[1], code, instantiated });
  }
  return out;
}

describe('ERROR_TABLE', () => {
  test('every code has an exit code and a sentence of documentation', () => {
    for (const code of CODES) {
      expect(code).toMatch(/^FIVE9_[A-Z_]+$/);
      expect(Number.isInteger(ERROR_TABLE[code].exitCode)).toBe(true);
      expect(ERROR_TABLE[code].doc).toMatch(/^[A-Z].*\.$/);
    }
  });

  test('errors take their exit code from the table', () => {
    for (const code of CODES) expect(new Five9Error(code, 'x').exitCode).toBe(ERROR_TABLE[code].exitCode);
    expect(new Five9Fault('ServerFault', {}, 'x').exitCode).toBe(ERROR_TABLE.FIVE9_FAULT.exitCode);
    expect(new Five9InputError('FIVE9_INVALID_INPUT', 'x', []).exitCode).toBe(ERROR_TABLE.FIVE9_INVALID_INPUT.exitCode);
    expect(new Five9QuotaError('QueryStatistics', 60, 2, Date.UTC(2026, 0, 5, 8, 1)).exitCode).toBe(ERROR_TABLE.FIVE9_QUOTA.exitCode);
  });
});

describe('codes in src/', () => {
  test('the scan finds the raise sites (control)', () => {
    expect(raisedDirectly().length).toBeGreaterThan(10);
    expect(raisedBySubclasses().map((s) => s.cls)).toEqual(expect.arrayContaining(['Five9Fault']));
  });

  test('every new Five9Error / Five9InputError code in src/ is a key of ERROR_TABLE', () => {
    const unknown = raisedDirectly().filter((r) => !(r.code in ERROR_TABLE));
    expect(unknown).toEqual([]);
  });

  test('every quoted FIVE9_* literal in src/ (event payloads included) is a key of ERROR_TABLE', () => {
    const unknown: Array<{ file: string; code: string }> = [];
    for (const s of WITHOUT_TABLE) {
      for (const m of s.text.matchAll(/(['"`])(FIVE9_[A-Z0-9_]+)\1/g)) if (!(m[2] in ERROR_TABLE)) unknown.push({ file: s.file, code: m[2] });
    }
    expect(unknown).toEqual([]);
  });

  test('every code of ERROR_TABLE is raised somewhere in src/ (no dead codes)', () => {
    const raised = new Set([...raisedDirectly().map((r) => r.code), ...raisedBySubclasses().filter((s) => s.instantiated).map((s) => s.code)]);
    const unused = CODES.filter((c) => !raised.has(c));
    expect(unused).toEqual([]);
  });
});

describe('docs/errors.md', () => {
  test.each(CODES)('documents %s with its exit code', (code) => {
    const row = DOC.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    expect(row).toBeDefined();
    const [, , exit, meaning] = row!.split('|').map((c) => c.trim());
    expect(Number(exit)).toBe(ERROR_TABLE[code].exitCode);
    expect(meaning.length).toBeGreaterThan(20);
  });

  test('documents no code that is not in the table', () => {
    const documented = [...DOC.matchAll(/^\| `(FIVE9_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.filter((c) => !(c in ERROR_TABLE))).toEqual([]);
    expect(documented).toHaveLength(CODES.length);
  });

  test("explains Five9Fault's fields", () => {
    for (const word of ['Five9Fault', '`fault`', '`fields`', '`faultCode`', 'OperationsLimitExceededFault', '`limit`']) expect(DOC).toContain(word);
  });
});
