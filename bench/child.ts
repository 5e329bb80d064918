/**
 * One contender on one case, in a fresh process (forked by bench/run with --expose-gc). It takes
 * its configuration over IPC, sets up (timed), makes a first call whose result must reduce to the
 * expected digest (or the process fails: nobody is timed for skipping work), warms up, runs the
 * timed loop at concurrency 1, then a short memory phase, and sends its measurements back.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type CaseConfig, type ContenderName, MAKE, digest } from './contenders';

export interface ChildConfig {
  contender: ContenderName;
  mode: 'verify' | 'time';
  case: CaseConfig;
  expectedDigest: string;
  warmup: number;
  iterations: number;
  memoryRuns: number;
}

export interface ChildResult {
  contender: ContenderName;
  caseId: string;
  digest: string;
  /** A short description of the reduced result (for messages). */
  summary: string;
  importMs: number;
  /** Ready to call. */
  setupMs: number;
  /** Ready to call plus the extra parts ("+…": the adapter's compile of every action). */
  setupAllMs: number;
  setupBreakdown: Record<string, number>;
  firstCallMs: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  opsPerSec: number;
  cpuMsPerCall: number;
  peakRssMB: number;
  heapGrowthMB: number;
  heapRetainedMB: number;
  maxStallMs: number;
  iterations: number;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function describe(r: ReturnType<ReturnType<typeof MAKE.adapter>['reduce']>): string {
  switch (r.kind) {
    case 'statistics':
      return `${r.rows.length} rows × ${r.columns.length} columns`;
    case 'update':
      return `${r.items.length} items, ${r.added.length} added, ${r.deleted.length} deleted`;
    case 'fault':
      return `${r.name} {${Object.keys(r.fields).join(', ')}}`;
    case 'raw':
      return `${r.length} characters of text`;
    default:
      return r.kind;
  }
}

async function main(cfg: ChildConfig): Promise<ChildResult> {
  const heap = () => process.memoryUsage().heapUsed;
  const contender = MAKE[cfg.contender](cfg.case);

  // Setup: imports apart (each contender loads its libraries), then the timed setup itself.
  const t0 = performance.now();
  const setupBreakdown = await contender.setup();
  const setupTotal = performance.now() - t0;
  const setupMs = Object.values(setupBreakdown).reduce((a, b) => a + b, 0);

  // First call, and the check that this process's contender did all the work.
  const t1 = performance.now();
  const first = await contender.call();
  const firstCallMs = performance.now() - t1;
  const t2 = performance.now();
  Object.assign(setupBreakdown, (await contender.extra?.()) ?? {});
  const extraTotal = performance.now() - t2;
  const setupAllMs = Object.values(setupBreakdown).reduce((a, b) => a + b, 0);
  const reduced = contender.reduce(first);
  const d = digest(reduced);
  const summary = describe(reduced);
  if (d !== cfg.expectedDigest) {
    throw new Error(`${cfg.contender} on ${cfg.case.id}: the result (${summary}) differs from the expected one`);
  }
  const base = {
    contender: cfg.contender,
    caseId: cfg.case.id,
    digest: d,
    summary,
    importMs: setupTotal + extraTotal - setupAllMs,
    setupMs,
    setupAllMs,
    setupBreakdown,
    firstCallMs,
  };
  if (cfg.mode === 'verify') {
    await contender.close();
    return { ...base, p50: NaN, p95: NaN, p99: NaN, mean: NaN, opsPerSec: NaN, cpuMsPerCall: NaN, peakRssMB: NaN, heapGrowthMB: NaN, heapRetainedMB: NaN, maxStallMs: NaN, iterations: 0 };
  }

  for (let i = 0; i < cfg.warmup; i++) await contender.call();

  // The timed loop, at concurrency 1.
  gc();
  const lat = new Float64Array(cfg.iterations);
  const stall = monitorEventLoopDelay({ resolution: 1 });
  stall.enable();
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < cfg.iterations; i++) {
    const s = performance.now();
    await contender.call();
    lat[i] = performance.now() - s;
  }
  const wall = performance.now() - w0;
  const cpu = process.cpuUsage(cpu0);
  stall.disable();
  const sorted = Array.from(lat).sort((a, b) => a - b);

  // Memory: the heap right after a call (its garbage not yet all collected) and what the result keeps.
  // Each run in its own async function, so that no earlier result lingers in a suspended frame.
  const once = async (): Promise<[number, number]> => {
    gc();
    const h0 = heap();
    const r: unknown = await contender.call();
    const h1 = heap();
    gc();
    const h2 = heap();
    if (r === undefined) throw new Error('no result');
    return [h1 - h0, h2 - h0];
  };
  const growth: number[] = [];
  const retained: number[] = [];
  await once(); // not counted: the timed loop's last result may still be held by this frame
  for (let i = 0; i < cfg.memoryRuns; i++) {
    const [g, k] = await once();
    growth.push(g);
    retained.push(k);
  }
  const med = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  await contender.close();

  return {
    ...base,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    opsPerSec: (cfg.iterations / wall) * 1000,
    cpuMsPerCall: (cpu.user + cpu.system) / 1000 / cfg.iterations,
    peakRssMB: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
    heapGrowthMB: med(growth) / 2 ** 20,
    heapRetainedMB: med(retained) / 2 ** 20,
    maxStallMs: stall.max / 1e6,
    iterations: cfg.iterations,
  };
}

process.once('message', (cfg: ChildConfig) => {
  main(cfg).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (e: Error) => process.send!({ error: e.stack ?? String(e) }, () => process.exit(1)),
  );
});
