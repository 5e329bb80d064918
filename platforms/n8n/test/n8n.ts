/**
 * What the n8n test and the screenshot script share: n8n 2.8.4 installed once in a folder of the
 * test's own (reused while the harness lockfile hashes the same), the package built, packed and
 * installed into a fresh n8n user folder the way n8n installs a community package, the embedded
 * simulator in its own process, and n8n's CLI with the environment it needs.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export const PLATFORM = join(__dirname, '..');
export const REPO = join(PLATFORM, '..', '..');
const HARNESS = join(__dirname, 'harness');

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}`);
}

/**
 * A harness (package.json and lockfile under test/) installed in a folder of the test's own:
 * $FIVE9_N8N_HOME, or one under the user's cache, named by the hash of the two files, so that a
 * fresh clone on the same machine (CI) reuses it. It is installed beside and renamed into place only
 * when `npm ci` succeeded, so a half install is never taken for a whole one; installs of the same
 * harness with other lockfiles are removed once a day old.
 */
export function ensureInstalled(harness: string, prefix: string, npmArgs: string[] = [], after?: (dir: string) => void, log: (s: string) => void = console.log): { dir: string; installed: boolean } {
  const hash = createHash('sha256')
    .update(readFileSync(join(harness, 'package.json')))
    .update(readFileSync(join(harness, 'package-lock.json')))
    .digest('hex')
    .slice(0, 12);
  const root = process.env.FIVE9_N8N_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'five9-connector');
  const dir = join(root, `${prefix}-${hash}`);
  const stamp = join(dir, '.installed');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) {
    log(`${prefix}: reusing ${dir} (lockfile hash ${hash})`);
    return { dir, installed: false };
  }
  mkdirSync(root, { recursive: true });
  // Half installs of runs that died (their process is gone) are removed.
  for (const f of readdirSync(root)) {
    const pid = new RegExp(`^${prefix}-${hash}\\.partial-(\\d+)$`).exec(f)?.[1];
    if (pid && !alive(Number(pid))) rmSync(join(root, f), { recursive: true, force: true });
  }
  const work = `${dir}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work);
  cpSync(join(harness, 'package.json'), join(work, 'package.json'));
  cpSync(join(harness, 'package-lock.json'), join(work, 'package-lock.json'));
  log(`${prefix}: installing into ${dir} (npm ci, reusing npm's cache)`);
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error', ...npmArgs], work);
  after?.(work);
  writeFileSync(join(work, '.installed'), `${hash}\n`);
  const valid = () => existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash;
  if (valid()) {
    // Another run installed the same lockfile meanwhile and may be using it: keep theirs.
    rmSync(work, { recursive: true, force: true });
    return { dir, installed: true };
  }
  rmSync(dir, { recursive: true, force: true }); // a leftover without its stamp
  try {
    renameSync(work, dir);
  } catch (e) {
    if (!valid()) throw e;
    rmSync(work, { recursive: true, force: true });
  }
  // Installs of other lockfiles go once a day old (a run still using one is done by then).
  const mine = new RegExp(`^${prefix}-[0-9a-f]{12}$`);
  for (const other of readdirSync(root)) {
    if (!mine.test(other) || other === `${prefix}-${hash}`) continue;
    const at = join(root, other, '.installed');
    if (!existsSync(at) || Date.now() - statSync(at).mtimeMs > 86_400_000) rmSync(join(root, other), { recursive: true, force: true });
  }
  return { dir, installed: true };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * n8n 2.8.4 (test/harness): about 2.2 GB, minutes the first time. Of its dependencies' install
 * scripts only sqlite3's is needed (it compiles the SQLite binding n8n's database runs on, as its
 * prebuilt binaries are not on the registry); the others compile optional addons or only report,
 * so they are skipped to keep the first run short.
 */
export function ensureN8n(log: (s: string) => void = console.log): { dir: string; bin: string; installed: boolean } {
  const { dir, installed } = ensureInstalled(HARNESS, 'n8n', ['--ignore-scripts'], (d) => run('npm', ['rebuild', 'sqlite3', '--loglevel=error'], d), log);
  return { dir, bin: join(dir, 'node_modules', 'n8n', 'bin', 'n8n'), installed };
}

/** Builds platforms/n8n and packs it; returns the tarball. */
export function packPackage(into: string): string {
  if (!existsSync(join(PLATFORM, 'node_modules', 'esbuild'))) run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], PLATFORM);
  run('npm', ['run', '--silent', 'build'], PLATFORM);
  const r = spawnSync('npm', ['pack', '--silent', '--pack-destination', into], { cwd: PLATFORM, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
  return join(into, r.stdout.trim().split('\n').pop()!);
}

/**
 * Installs the tarball into the user folder as n8n's community-package installer does: unpacked
 * into .n8n/nodes/node_modules/<name>, its dev, peer and optional dependencies dropped, then
 * `npm install` with n8n's own flags. n8n loads every n8n-nodes-* folder there at start.
 */
export function installPackage(tarball: string, userFolder: string): string {
  const dest = join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-five9');
  mkdirSync(dest, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', dest, '--strip-components=1'], userFolder);
  const pkgPath = join(dest, 'package.json');
  const { devDependencies, peerDependencies, optionalDependencies, ...pkg } = JSON.parse(readFileSync(pkgPath, 'utf8'));
  writeFileSync(pkgPath, JSON.stringify(pkg, null, 2));
  run('npm', ['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false', '--loglevel=error'], dest);
  return dest;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The environment of every n8n command: its own user folder, key and ports, nothing phoning home. */
export async function n8nEnv(userFolder: string): Promise<NodeJS.ProcessEnv> {
  return {
    ...process.env,
    N8N_USER_FOLDER: userFolder,
    N8N_ENCRYPTION_KEY: createHash('sha256').update(userFolder).digest('hex'),
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_HIRING_BANNER_ENABLED: 'false',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
    N8N_RUNNERS_BROKER_PORT: String(await freePort()),
    N8N_PORT: String(await freePort()),
    N8N_LOG_LEVEL: 'info',
    DB_SQLITE_POOL_SIZE: '1',
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Simulator {
  url: string;
  /** Lines `request METHOD PATH` the simulator printed so far. */
  requests: string[];
  /** Every line it printed. */
  output: string[];
  /** Resolves once the simulator has printed a request for this path (a marker sent after others). */
  marker(): Promise<void>;
  stop(): Promise<void>;
}

/** `five9 simulator` in its own process, logging each request it receives. */
export async function startSimulator(args: string[]): Promise<Simulator> {
  const bin = join(REPO, 'bin', 'five9.js');
  if (!existsSync(join(REPO, 'dist', 'src', 'cli', 'index.js'))) run('npm', ['run', '--silent', 'build'], REPO);
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, [bin, 'simulator', '--port', '0', '--log-requests', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const requests: string[] = [];
  const waiters: Array<() => void> = [];
  let pending = '';
  const onLine = (line: string) => {
    output.push(line);
    if (line.startsWith('request ')) requests.push(line);
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    lines.forEach(onLine);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => output.push(...d.split('\n').filter(Boolean)));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = output.map((l) => /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(l)).find(Boolean);
      if (m) resolve(m[1]);
      else waiters.push(check);
    };
    child.once('exit', (c) => reject(new Error(`simulator exited ${c}: ${output.join('\n')}`)));
    check();
  });
  let markers = 0;
  return {
    url,
    requests,
    output,
    async marker() {
      const path = `/__marker/${++markers}`;
      const seen = new Promise<void>((resolve) => {
        const check = () => (requests.some((r) => r.endsWith(` ${path}`)) ? resolve() : waiters.push(check));
        check();
      });
      await fetch(`${url}${path}`).then((r) => r.arrayBuffer());
      await seen;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface N8nResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One n8n CLI command (`import:workflow`, `execute`, …) to its end. */
export function n8n(bin: string, env: NodeJS.ProcessEnv, args: string[], cwd: string): Promise<N8nResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The execution data `n8n execute --rawOutput` printed (log lines may come before and after it), or undefined. */
export function executionData(stdout: string): any {
  const start = stdout.search(/^\{/m);
  if (start < 0) return undefined;
  for (let end = stdout.indexOf('\n}', start); end >= 0; end = stdout.indexOf('\n}', end + 1)) {
    try {
      return JSON.parse(stdout.slice(start, end + 2));
    } catch {
      // not the closing brace of the whole object yet
    }
  }
  return undefined;
}
