import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/paths';

/** `five9 simulator` running in a process of its own. */
export interface SimulatorProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT, from its first line. */
  url: string;
  /** Everything it printed to stdout so far. */
  stdout(): string;
  /** Resolves when it exits, with what it printed. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Its resident memory now in MB (Linux /proc), or 0 once it has exited. */
  rssMb(): number;
}

/**
 * Starts `node bin/five9.js simulator --port 0 ARGS` (the built CLI) and resolves once it listens
 * and has printed its banner: what tests and benchmarks use to test as deployed, against a server
 * in another process. Stop it with child.kill('SIGTERM') (it then writes --report).
 */
export async function startSimulatorProcess(args: string[] = []): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'five9.js'), 'simulator', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const url = await new Promise<string>((resolve, reject) => {
    const look = () => {
      // The first line is the address; the banner ends with the REST line.
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (m && /^ {2}REST: .*\n/m.test(stdout)) resolve(m[1]);
    };
    child.stdout!.on('data', look);
    void exit.then((e) => reject(new Error(`five9 simulator exited (${e.code ?? e.signal}) before listening: ${e.stderr.trim()}`)));
  });
  const rssMb = () => {
    try {
      return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
    } catch {
      return 0;
    }
  };
  return { child, url, stdout: () => stdout, exit, rssMb };
}
