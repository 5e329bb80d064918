/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (The functions given to page.evaluate run in the page: they need the DOM types.)
/**
 * Helpers of the wallboard tests: the `five9` binary as a child process, Debian's chromium driven by
 * playwright-core, and readers of the page's DOM contract (rows and tiles by `data-key`, cells by
 * `data-column`). Not a test file.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import type { Cell, ServerMessage } from '../src/wallboard/protocol';

const root = join(__dirname, '..');
const bin = join(root, 'bin', 'five9.js');

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Debian's chromium, headless; playwright gives every launch a fresh profile directory of its own. */
export function launchBrowser(): Promise<Browser> {
  if (!existsSync('/usr/bin/chromium')) throw new Error('chromium is missing: apt-get install -y chromium');
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}

export function assertBuilt(): void {
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'index.js')) || !existsSync(join(root, 'dist', 'wallboard', 'index.html'))) {
    throw new Error('run `npm run build` first (npm ci does it through prepare)');
  }
}

/** A port nobody listens on now (so a server can be killed and started again on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Cli {
  child: ChildProcessWithoutNullStreams;
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** Resolves with the first match of `re` in stdout or stderr, rejects when the process ends first or after `ms`. */
  line(re: RegExp, ms?: number): Promise<RegExpExecArray>;
}

/** Runs `node bin/five9.js ARGS` with only the FIVE9_* variables given (none from the test's own environment). */
export function five9(args: string[], env: Record<string, string> = {}): Cli {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FIVE9_')));
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...clean, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (into: string[]) => {
    let buf = '';
    return (d: Buffer) => {
      buf += d.toString('utf8');
      const lines = buf.split('\n');
      buf = lines.pop()!;
      into.push(...lines);
      for (const w of waiters) w();
    };
  };
  child.stdout.on('data', collect(stdout));
  child.stderr.on('data', collect(stderr));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  let ended = false;
  void exited.then(() => {
    ended = true;
    for (const w of waiters) w();
  });
  const line = (re: RegExp, ms = 30_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no line matching ${re} within ${ms} ms; stdout: ${stdout.join(' | ')}; stderr: ${stderr.join(' | ')}`)), ms);
      const check = () => {
        for (const l of [...stdout, ...stderr]) {
          const m = re.exec(l);
          if (m) return done(undefined, m);
        }
        if (ended) done(new Error(`five9 ${args[0]} ended before printing ${re}; stdout: ${stdout.join(' | ')}; stderr: ${stderr.join(' | ')}`));
      };
      const done = (e?: Error, m?: RegExpExecArray) => {
        clearTimeout(timer);
        waiters.delete(check);
        if (e) reject(e);
        else resolve(m!);
      };
      waiters.add(check);
      check();
    });
  return { child, stdout, stderr, exited, line };
}

/** Starts `five9 wallboard ARGS` and resolves with its URL once it prints it. */
export async function startWallboard(args: string[], env: Record<string, string> = {}): Promise<{ cli: Cli; url: string }> {
  const cli = five9(['wallboard', ...args], env);
  const m = await cli.line(/^wallboard on (http:\/\/127\.0\.0\.1:\d+)$/);
  return { cli, url: m[1] };
}

/** Stops a child process if it still runs (SIGKILL after `ms`), and waits for it. */
export async function stop(cli: Cli | undefined, signal: NodeJS.Signals = 'SIGTERM', ms = 15_000): Promise<number | string | undefined> {
  if (!cli) return undefined;
  if (cli.child.exitCode === null && cli.child.signalCode === null) {
    cli.child.kill(signal);
    const t = setTimeout(() => cli.child.kill('SIGKILL'), ms);
    const code = await cli.exited;
    clearTimeout(t);
    return code;
  }
  return cli.exited;
}

export type DomRows = Record<string, Record<string, { value: string; text: string }>>;

/** The rows (agents, campaigns) or tiles (queues) of a panel as the DOM shows them: key → column → raw value and text. */
export function readPanel(page: Page, type: string, selector = '.row[data-key], .tile[data-key]'): Promise<DomRows> {
  return page.evaluate(
    ([type, selector]) => {
      const out: Record<string, Record<string, { value: string; text: string }>> = {};
      for (const r of document.querySelectorAll<HTMLElement>(`[data-type="${type}"] :is(${selector})`)) {
        const cells: Record<string, { value: string; text: string }> = {};
        for (const c of r.querySelectorAll<HTMLElement>('[data-column]')) cells[c.dataset.column!] = { value: c.dataset.value ?? '', text: c.textContent ?? '' };
        out[r.dataset.key!] = cells;
      }
      return out;
    },
    [type, selector] as const,
  );
}

/** The banner's verdict: live, waiting, connecting or stale. */
export function pageState(page: Page): Promise<string> {
  return page.evaluate(() => document.querySelector<HTMLElement>('.banner')?.dataset.state ?? '');
}

export async function waitForState(page: Page, state: string, ms = 30_000): Promise<void> {
  await page.waitForFunction((s) => document.querySelector<HTMLElement>('.banner')?.dataset.state === s, state, { timeout: ms, polling: 100 });
}

/**
 * Every Server-Sent Event the page receives, as Chromium's network layer reports it (so nothing the
 * page's own code could hide): the raw `data` strings, and parsed.
 */
export async function recordEvents(page: Page): Promise<{ raw: string[]; messages: ServerMessage[] }> {
  const raw: string[] = [];
  const messages: ServerMessage[] = [];
  const cdp = await page.context().newCDPSession(page);
  cdp.on('Network.eventSourceMessageReceived', (e: { data: string }) => {
    raw.push(e.data);
    messages.push(JSON.parse(e.data) as ServerMessage);
  });
  await cdp.send('Network.enable');
  return { raw, messages };
}

/** m:ss or h:mm:ss as the page shows a duration, back to whole seconds. */
export function seconds(text: string): number {
  return text.split(':').reduce((s, p) => s * 60 + Number(p), 0);
}

/** The ways a password can travel: plain, URL-encoded, JSON-escaped, base64 alone, and as the Basic credential (with and without the scheme). */
export function secretForms(user: string, password: string): string[] {
  const basic = Buffer.from(`${user}:${password}`).toString('base64');
  return [password, encodeURIComponent(password), JSON.stringify(password).slice(1, -1), Buffer.from(password).toString('base64'), basic, `Basic ${basic}`, Buffer.from(password).toString('hex')];
}

export type Row = Record<string, Cell>;

/** Resolves once `cond` holds (checked every 100 ms); fails naming `what` after `ms`. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
