/**
 * `npm run bench:wallboard`: the wallboard page with 5,000 agents, as deployed.
 *
 * - A simulator of 5,000 agents in its own process (bench/wallboard-sim.ts), moving on the wall
 *   clock; `five9 wallboard AgentState ACDStatus` in another (the real binary); Debian's chromium
 *   on the page in wall mode at 1920×1080.
 * - Measures the first whole table (5,000 rows: message size, received → in the DOM → painted),
 *   then every AgentState batch the feed polls: the time from the feed event (the server's clock
 *   when the poll's answer was applied to its table) to the page's DOM holding it, and to the next
 *   frame after it (same machine, same clock). The page reports each application with its
 *   `wallboard:applied` event.
 * - Soak: every `--sample` seconds (default 10, or a sixth of a short run) forces a garbage
 *   collection in the page and reads its JS heap, DOM nodes and listeners (CDP), the RSS of every
 *   chromium process and of the wallboard server, and how busy the page's main thread was.
 *
 * `--duration 10m` (default 60s), `--agents N` (default 5000), `--out FILE` (default
 * bench/results/wallboard-DATE.json).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { type CDPSession, chromium } from 'playwright-core';
import { Five9Client } from '../src/runtime';
import { packageRoot } from '../src/util/paths';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

function parseDuration(v: string | undefined, fallbackS: number): number {
  if (!v) return fallbackS * 1000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|min)?$/.exec(v.trim());
  if (!m) throw new Error(`--duration must be like 90s, 10m or 600 (seconds), not "${v}"`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' || m[2] === 'min' ? n * 60_000 : n * 1000;
}

const durationMs = parseDuration(arg('--duration'), 60);
const agents = Number(arg('--agents') ?? 5000);
const sampleMs = arg('--sample') ? Number(arg('--sample')) * 1000 : Math.min(10_000, Math.max(2000, durationMs / 6));
const USER = 'bench';
const PASSWORD = 'bench-wallboard-secret';
const root = packageRoot();

/** Installed before the page's own script: records every application and long task. */
const PROBE = `
window.__bench = { applied: [], longTasks: [] };
addEventListener('wallboard:applied', (e) => {
  const d = Object.assign({}, e.detail);
  requestAnimationFrame(() => setTimeout(() => { d.paintedAt = performance.timeOrigin + performance.now(); window.__bench.applied.push(d); }, 0));
});
try {
  new PerformanceObserver((list) => { for (const t of list.getEntries()) window.__bench.longTasks.push(t.duration); }).observe({ entryTypes: ['longtask'] });
} catch {}
`;

interface Applied {
  type: string;
  kind: 'table' | 'changes';
  time: number;
  receivedAt: number;
  appliedAt: number;
  paintedAt: number;
  rows: number;
}

interface Sample {
  t: number;
  heapMB: number;
  nodes: number;
  listeners: number;
  chromiumRssMB: number;
  serverRssMB: number;
  taskMs: number;
  scriptMs: number;
  layoutMs: number;
  styleMs: number;
  /** Taken after a forced garbage collection (first and last sample). */
  gc: boolean;
}

function child(cmd: string[], env: Record<string, string> = {}): { proc: ChildProcess; url: Promise<string> } {
  const proc = spawn(process.execPath, cmd, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const url = new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /(?:listening|wallboard) on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.stderr!.on('data', (d) => (err += d));
    proc.once('exit', (c) => reject(new Error(`${cmd.join(' ')} exited ${c}: ${err}`)));
  });
  return { proc, url };
}

/** Resident memory in MB of a process, or of all the descendants of one whose command name matches. */
function rssMB(pid: number | undefined, descendantsNamed?: RegExp): number {
  if (!pid) return 0;
  let pids = [pid];
  if (descendantsNamed) {
    const parent = new Map<number, number>();
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {
        /* gone */
      }
    }
    for (let i = 0; i < pids.length; i++) for (const [p, pp] of parent) if (pp === pids[i]) pids.push(p);
    pids = pids.filter((p) => {
      try {
        return descendantsNamed.test(readFileSync(`/proc/${p}/comm`, 'utf8'));
      } catch {
        return false;
      }
    });
  }
  let kb = 0;
  for (const p of pids) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return kb / 1024;
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');

let gcTaskMs = 0;

/**
 * The page's metrics; with `gc`, after a forced garbage collection, whose own main-thread time is
 * kept apart (gcTaskMs). Only the first and last samples force one: a collection of a 60,000-node
 * page holds the main thread for a while, and a batch arriving meanwhile would wait for it.
 */
async function metrics(cdp: CDPSession, gc: boolean): Promise<Record<string, number>> {
  const read = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> }).metrics.map((m) => [m.name, m.value]));
  if (!gc) return read();
  const before = await read();
  await cdp.send('HeapProfiler.collectGarbage');
  const after = await read();
  gcTaskMs += (after.TaskDuration - before.TaskDuration) * 1000;
  return after;
}

async function main(): Promise<void> {
  const sim = child(['dist/bench/wallboard-sim.js', '--agents', String(agents), '--user', `${USER}:${PASSWORD}`]);
  let board: ReturnType<typeof child> | undefined;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let opener: Five9Client | undefined;
  try {
    const simUrl = await sim.url;
    // The session is opened here, so the board finds it and both its snapshots fit in one QueryStatistics minute.
    opener = new Five9Client({ endpoint: simUrl, username: USER, password: PASSWORD, quotas: false });
    await opener.run('setSessionParameters', { viewSettings: { idleTimeOut: 1800, shiftStart: 0, timeZone: 0 } });
    board = child(['bin/five9.js', 'wallboard', 'AgentState', 'ACDStatus', '--endpoint', simUrl, '--port', '0'], { FIVE9_USERNAME: USER, FIVE9_PASSWORD: PASSWORD });
    const url = await board.url;

    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript({ content: PROBE });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await cdp.send('Network.enable');
    let firstTableBytes = 0;
    cdp.on('Network.eventSourceMessageReceived', (e: { data: string }) => {
      if (!firstTableBytes && e.data.startsWith('{"t":"table"') && e.data.includes('"type":"AgentState"')) firstTableBytes = Buffer.byteLength(e.data);
    });
    const navStart = Date.now();
    await page.goto(`${url}/?mode=wall`);
    // (Functions, not strings: the page's Content-Security-Policy forbids evaluating strings. No DOM types here.)
    await page.waitForFunction(() => (globalThis as any).__bench.applied.some((a: Applied) => a.type === 'AgentState' && a.kind === 'table'), undefined, { timeout: 120_000 });
    const first = (await page.evaluate(() => (globalThis as any).__bench.applied as Applied[])).find((a) => a.type === 'AgentState' && a.kind === 'table')!;
    const rowsShown = await page.evaluate(() => (globalThis as any).document.querySelectorAll('[data-type="AgentState"] .row[data-key]').length as number);
    const filledAtStart = await page.evaluate(
      () => [...(globalThis as any).document.querySelectorAll('[data-type="AgentState"] .row[data-key] [data-column]')].filter((c: any) => c.textContent !== '').length as number,
    );
    console.log(`first table: ${rowsShown} agent rows, ${f(firstTableBytes / 1e6, 2)} MB message; received → DOM ${f(first.appliedAt - first.receivedAt)} ms, → painted ${f(first.paintedAt - first.receivedAt)} ms; navigation → painted ${f(first.paintedAt - navStart)} ms`);

    const serverPid = board.proc.pid;
    const samples: Sample[] = [];
    const sample = async (gc = false) => {
      const m = await metrics(cdp, gc);
      const s: Sample = {
        t: Math.round((Date.now() - navStart) / 1000),
        heapMB: m.JSHeapUsedSize / 1e6,
        nodes: m.Nodes,
        listeners: m.JSEventListeners,
        chromiumRssMB: rssMB(process.pid, /chrom/i),
        serverRssMB: rssMB(serverPid),
        taskMs: m.TaskDuration * 1000 - gcTaskMs,
        gc,
        scriptMs: m.ScriptDuration * 1000,
        layoutMs: m.LayoutDuration * 1000,
        styleMs: m.RecalcStyleDuration * 1000,
      };
      samples.push(s);
      console.log(`  t=${s.t}s heap ${f(s.heapMB)} MB${gc ? ' (after GC)' : ''}, ${s.nodes} nodes, ${s.listeners} listeners, chromium RSS ${f(s.chromiumRssMB)} MB, server RSS ${f(s.serverRssMB)} MB`);
    };
    await sample(true);
    const trace = arg('--trace');
    if (trace) await browser.startTracing(page, { path: trace, categories: ['devtools.timeline', 'v8', 'blink.user_timing', 'disabled-by-default-devtools.timeline'] });
    const soakStart = Date.now();
    while (Date.now() - soakStart < durationMs) {
      await new Promise((r) => setTimeout(r, Math.min(sampleMs, durationMs - (Date.now() - soakStart))));
      if (Date.now() - soakStart < durationMs) await sample();
    }
    if (trace) await browser.stopTracing();
    await sample(true);

    // What the node count follows: the rows, and the cells that hold a value (an empty cell has no text node).
    const end = await page.evaluate(() => {
      const d = (globalThis as any).document;
      return {
        rows: d.querySelectorAll('[data-type="AgentState"] .row[data-key]').length as number,
        filledCells: [...d.querySelectorAll('[data-type="AgentState"] .row[data-key] [data-column]')].filter((c: any) => c.textContent !== '').length as number,
      };
    });
    const applied = (await page.evaluate(() => (globalThis as any).__bench.applied as Applied[])).filter((a) => a.type === 'AgentState' && a.kind === 'changes');
    const longTasks = await page.evaluate(() => (globalThis as any).__bench.longTasks as number[]);
    const toDom = applied.map((a) => a.appliedAt - a.time);
    const toPaint = applied.map((a) => a.paintedAt - a.time);
    const apply = applied.map((a) => a.appliedAt - a.receivedAt);
    const sizes = applied.map((a) => a.rows);
    const s0 = samples[0];
    const sN = samples[samples.length - 1];
    const span = (sN.t - s0.t) * 1000;
    const busy = (sN.taskMs - s0.taskMs) / span;
    const share = { script: (sN.scriptMs - s0.scriptMs) / span, layout: (sN.layoutMs - s0.layoutMs) / span, style: (sN.styleMs - s0.styleMs) / span };
    const result = {
      date: new Date().toISOString().slice(0, 10),
      node: process.version,
      chromium: browser.version(),
      cpus: cpus().length,
      agents,
      rowsShown,
      rowsAtEnd: end.rows,
      filledCellsAtStart: filledAtStart,
      filledCellsAtEnd: end.filledCells,
      durationS: Math.round(durationMs / 1000),
      firstTable: { bytes: firstTableBytes, receivedToDomMs: first.appliedAt - first.receivedAt, receivedToPaintMs: first.paintedAt - first.receivedAt, navigationToPaintMs: first.paintedAt - navStart },
      batches: applied.length,
      rowsPerBatch: { p50: pct(sizes, 50), max: Math.max(0, ...sizes) },
      feedEventToDomMs: { p50: pct(toDom, 50), p95: pct(toDom, 95), max: Math.max(...toDom) },
      feedEventToPaintMs: { p50: pct(toPaint, 50), p95: pct(toPaint, 95), max: Math.max(...toPaint) },
      applyMs: { p50: pct(apply, 50), p95: pct(apply, 95), max: Math.max(...apply) },
      mainThreadBusy: busy,
      mainThreadShare: share,
      longTasks: { count: longTasks.length, longestMs: Math.max(0, ...longTasks) },
      memory: {
        heapMB: { startAfterGc: s0.heapMB, endAfterGc: sN.heapMB, maxBetween: Math.max(...samples.map((s) => s.heapMB)) },
        nodes: { start: s0.nodes, end: sN.nodes },
        listeners: { start: s0.listeners, end: sN.listeners },
        chromiumRssMB: { start: s0.chromiumRssMB, end: sN.chromiumRssMB, max: Math.max(...samples.map((s) => s.chromiumRssMB)) },
        serverRssMB: { start: s0.serverRssMB, end: sN.serverRssMB, max: Math.max(...samples.map((s) => s.serverRssMB)) },
      },
      samples,
    };
    console.log(`\nwallboard, ${agents} agents, ${Math.round(durationMs / 1000)} s, ${result.chromium}, Node ${process.version}, ${cpus().length} cores`);
    console.log(`AgentState batches: ${applied.length}, rows per batch p50 ${result.rowsPerBatch.p50}, max ${result.rowsPerBatch.max}`);
    console.log(`feed event → DOM:     p50 ${f(result.feedEventToDomMs.p50)} ms, p95 ${f(result.feedEventToDomMs.p95)} ms, max ${f(result.feedEventToDomMs.max)} ms`);
    console.log(`feed event → painted: p50 ${f(result.feedEventToPaintMs.p50)} ms, p95 ${f(result.feedEventToPaintMs.p95)} ms, max ${f(result.feedEventToPaintMs.max)} ms`);
    console.log(`applying a batch (message in → DOM): p50 ${f(result.applyMs.p50)} ms, p95 ${f(result.applyMs.p95)} ms, max ${f(result.applyMs.max)} ms`);
    console.log(`page main thread busy ${f(busy * 100)} %, the benchmark's forced collections left out (script ${f(share.script * 100)} %, style ${f(share.style * 100)} %, layout ${f(share.layout * 100)} %); long tasks (> 50 ms): ${longTasks.length}, longest ${f(result.longTasks.longestMs)} ms`);
    console.log(`JS heap after GC: ${f(s0.heapMB)} → ${f(sN.heapMB)} MB (at most ${f(result.memory.heapMB.maxBetween)} MB between collections); DOM nodes ${s0.nodes} → ${sN.nodes} (agent rows ${rowsShown} → ${end.rows}, cells with a value ${filledAtStart} → ${end.filledCells}); chromium RSS ${f(s0.chromiumRssMB)} → ${f(sN.chromiumRssMB)} MB; wallboard server RSS ${f(s0.serverRssMB)} → ${f(sN.serverRssMB)} MB`);
    const out = arg('--out') ?? join(root, 'bench', 'results', `wallboard-${result.date}.json`);
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${out}`);
  } finally {
    board?.proc.kill('SIGTERM');
    await opener?.close();
    await browser.close();
    sim.proc.kill('SIGTERM');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
