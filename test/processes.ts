/**
 * The `five9` command as users run it, for tests about deployment: separate processes
 * (node bin/five9.js, built by `npm run build`), real time, signals, a Redis of the test's own.
 * Not a test file.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');
export const BIN = join(ROOT, 'bin', 'five9.js');

export interface Five9Process {
  child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout match of `re` (rejects when the process exits first, or after `ms`). */
  waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** Resolves when stdout holds `n` lines matching `re`. */
  waitForCount(re: RegExp, n: number, ms?: number): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

const running = new Set<ChildProcess>();

/** Kills every process a test started and left running (call in afterEach / afterAll). */
export function killAll(): void {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  running.clear();
}

export function five9(args: string[], env: NodeJS.ProcessEnv = {}): Five9Process {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'index.js'))) throw new Error('run `npm run build` first (npm ci does it through prepare)');
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      // Let the last chunks of the pipes arrive.
      setImmediate(() => resolve({ code, signal, stdout: out, stderr: err }));
    }),
  );
  const poll = <T>(check: () => T | undefined, ms: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const done = (fn: () => void) => {
        clearInterval(t);
        clearTimeout(to);
        fn();
      };
      const t = setInterval(() => {
        const v = check();
        if (v !== undefined) done(() => resolve(v));
        else if (child.exitCode !== null || child.signalCode !== null) {
          const last = check();
          done(() => (last !== undefined ? resolve(last) : reject(new Error(`${what}: the process exited (${child.exitCode ?? child.signalCode}) first\nstdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-3000)}`))));
        }
      }, 20);
      const to = setTimeout(() => done(() => reject(new Error(`${what}: not seen within ${ms} ms\nstdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-3000)}`))), ms);
    });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (re, ms = 20_000) => poll(() => re.exec(out) ?? undefined, ms, `waiting for ${re}`),
    waitForCount: (re, n, ms = 30_000) => poll(() => ((out.match(new RegExp(re.source, `${re.flags.replace('g', '')}gm`)) ?? []).length >= n ? true : undefined), ms, `waiting for ${n} × ${re}`).then(() => undefined),
    exit,
  };
}

/** `five9 simulator` in its own process; resolves once it listens (its URL and port). */
export async function simulatorProcess(args: string[]): Promise<Five9Process & { url: string; port: number }> {
  const p = five9(['simulator', ...args]);
  const m = await p.waitFor(/^listening on (http:\/\/127\.0\.0\.1:(\d+))$/m);
  // The banner's last line tells it is ready to report and to serve.
  await p.waitFor(/^ {2}REST: .*$/m);
  return Object.assign(p, { url: m[1], port: Number(m[2]) });
}

/** A free TCP port on 127.0.0.1 (closed again at once). */
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

export function tempDir(prefix = 'five9-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function readJson<T = any>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A redis-server of the test's own on a free port, keeping nothing on disk; stop() ends it. */
export async function redisServer(): Promise<{ url: string; port: number; stop(): Promise<void>; restart(): Promise<void> }> {
  if (spawnSync('redis-server', ['--version']).status !== 0) throw new Error('redis-server is not installed (Debian: apt-get install redis-server)');
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (/Ready to accept connections/.test(out)) {
          clearInterval(t);
          resolve();
        } else if (child.exitCode !== null) {
          clearInterval(t);
          reject(new Error(`redis-server exited: ${out}`));
        }
      }, 20);
    });
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
    running.delete(child);
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, restart: async () => (await stop(), await start()) };
}
