/**
 * Real processes for the tests of Five9's rules across processes: a redis-server of the test's own
 * on a free port, the simulator in its own process (test/procs/simulator.js), and `five9` itself.
 * Not a test file (jest only runs *.test.ts). Everything here needs `npm run build` first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = join(__dirname, '..');
export const BIN = join(ROOT, 'bin', 'five9.js');

export function requireBuild(): void {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'index.js'))) throw new Error('run `npm run build` first (npm ci does it through prepare)');
}

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

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/** Debian's redis-server on a free port, without persistence; stopped (SIGTERM, then waited for) by stop(). */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (/Ready to accept connections/.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${out}`)));
    child.once('error', reject);
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export interface SimRecord {
  operation: string;
  outcome: string;
  startedAt: number;
  endedAt: number;
}
export interface SimStats {
  overlaps: number;
  requests: SimRecord[];
  rest: Array<{ consumerKey?: string; action?: string; status: number; at: number }>;
}

/** The simulator in its own process (see test/procs/simulator.js), driven over its stdin. */
export class SimulatorProcess {
  url = '';
  gate = '';
  private readonly child: ChildProcess;
  private readonly waiting: Array<{ test: (o: any) => boolean; resolve: (o: any) => void }> = [];
  readonly events: string[] = [];

  constructor(options: Record<string, unknown>) {
    this.child = spawn(process.execPath, [join(ROOT, 'test', 'procs', 'simulator.js'), JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const o = JSON.parse(line);
      if (o.event) this.events.push(o.event);
      const i = this.waiting.findIndex((w) => w.test(o));
      if (i >= 0) this.waiting.splice(i, 1)[0].resolve(o);
    });
  }

  private next<T>(test: (o: any) => boolean): Promise<T> {
    return new Promise((resolve) => this.waiting.push({ test, resolve }));
  }

  static async start(options: Record<string, unknown>): Promise<SimulatorProcess> {
    const sim = new SimulatorProcess(options);
    const ready = await sim.next<{ url: string; gate: string }>((o) => o.url);
    sim.url = ready.url;
    sim.gate = ready.gate;
    return sim;
  }

  async stats(): Promise<SimStats> {
    const answer = this.next<{ stats: SimStats }>((o) => o.stats);
    this.child.stdin!.write('stats\n');
    return (await answer).stats;
  }

  /** The gate holds requests from now on; resolves when one has arrived and is held. */
  async hold(): Promise<() => Promise<void>> {
    const ok = this.next((o) => o.ok === 'hold');
    this.child.stdin!.write('hold\n');
    await ok;
    const held = this.next((o) => o.event === 'held');
    return async () => void (await held);
  }

  /** Resolves when the gate has reported `event` (held, dropped) `n` times in all. */
  async event(event: string, n = 1): Promise<void> {
    while (this.events.filter((e) => e === event).length < n) await this.next((o) => o.event === event);
  }

  async pass(): Promise<void> {
    const ok = this.next((o) => o.ok === 'pass');
    this.child.stdin!.write('pass\n');
    await ok;
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  /** performance.now() when the process exited. */
  endedAt: number;
}

/** A process of ours (`five9`, or a node script), its output collected. */
export function run(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<Finished>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, out, err, endedAt: performance.now() })));
  return { child, done };
}

export const five9 = (args: string[], env: NodeJS.ProcessEnv = {}) => run([BIN, ...args], env);
