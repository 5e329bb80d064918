/**
 * `npm run bench`: the adapter against node-soap and a bare undici POST (the floor), on the same
 * calls to the same fixture server (another process, answering from prepared buffers).
 *
 * 1. Checks, before any timing, that every contender sends an equivalent request (same operation,
 *    same children, same SOAPAction, content type and credentials) and reduces the answer to the
 *    same result (every row, column and cell; items; the fault's name and fields).
 * 2. Runs every case × contender in a fresh child process (setup, warm-up, timed loop, memory
 *    phase), in rounds whose contender order rotates, and reports the medians across rounds.
 * 3. Prints a table, checks the issue's targets and writes bench/results/DATE.json.
 *
 * `--smoke`: the small cases, few iterations, one round, no targets (CI runs it so the bench does
 * not rot). `--rounds N`, `--cases a,b`, `--warmup N`, `--iterations N` change a run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { Five9Client } from '../src/runtime';
import { packageRoot } from '../src/util/paths';
import type { ChildConfig, ChildResult } from './child';
import { type CaseConfig, CONTENDERS, type ContenderName, digest, expectedReduction, wsdlPath } from './contenders';
import { type BenchCase, PASSWORD, USER, buildCases, casePath } from './fixtures';
import type { RecordedRequest, ServerCommand } from './server';

interface Plan {
  warmup: number;
  iterations: number;
  memoryRuns: number;
}

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const argValue = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const rounds = Number(argValue('--rounds') ?? (smoke ? 1 : 5));
const only = argValue('--cases')?.split(',');

function plan(c: BenchCase): Plan {
  const p = planFor(c);
  return { ...p, warmup: Number(argValue('--warmup') ?? p.warmup), iterations: Number(argValue('--iterations') ?? p.iterations) };
}

function planFor(c: BenchCase): Plan {
  if (smoke) return { warmup: 20, iterations: 50, memoryRuns: 3 };
  // Small calls need thousands of warm-up calls before every tier of the JIT has settled.
  if (c.id === 'getStatistics-large') return { warmup: 5, iterations: 20, memoryRuns: 5 };
  if (c.large) return { warmup: 100, iterations: 300, memoryRuns: 5 };
  return { warmup: 3000, iterations: 5000, memoryRuns: 10 };
}

// ----- the fixture server -------------------------------------------------------------------------

class FixtureServer {
  private seq = 0;
  private waiting = new Map<number, (m: any) => void>();
  private constructor(
    private readonly proc: ChildProcess,
    readonly port: number,
  ) {
    proc.on('message', (m: any) => {
      const w = this.waiting.get(m.id);
      if (w) {
        this.waiting.delete(m.id);
        w(m);
      }
    });
  }

  static start(): Promise<FixtureServer> {
    const proc = fork(join(__dirname, 'server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      proc.once('error', reject);
      proc.once('exit', (code) => reject(new Error(`the fixture server exited (${code})`)));
      proc.once('message', (m: any) => (m.ready ? resolve(new FixtureServer(proc, m.port)) : reject(new Error('bad hello'))));
    });
  }

  send(cmd: { cmd: ServerCommand['cmd']; on?: boolean }): Promise<any> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.proc.send({ ...cmd, id });
    });
  }

  stop(): void {
    this.proc.removeAllListeners('exit');
    this.proc.disconnect();
  }
}

function runChild(config: ChildConfig): Promise<ChildResult> {
  // BENCH_NODE_ARGS adds flags to the children (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile them).
  const extra = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const proc = fork(join(__dirname, 'child.js'), [], { execArgv: ['--expose-gc', ...extra], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let settled = false;
    proc.once('message', (m: { result?: ChildResult; error?: string }) => {
      settled = true;
      if (m.result) resolve(m.result);
      else reject(new Error(m.error));
    });
    proc.once('exit', (code) => {
      if (!settled) reject(new Error(`${config.contender} on ${config.case.id}: the child exited (${code}) without a result`));
    });
    proc.send(config);
  });
}

// ----- request equivalence ----------------------------------------------------------------------

const requestParser = new XMLParser({
  preserveOrder: true,
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
});

type Tree = [string, string | Tree[], boolean?];

/** An element as [local name, text or children, nil]: prefixes, namespace declarations and layout ignored. */
function tree(nodes: any[]): Tree[] {
  const out: Tree[] = [];
  for (const n of nodes) {
    const name = Object.keys(n).find((k) => k !== ':@');
    if (!name || name === '#text') continue;
    const kids = n[name] as any[];
    const nil = n[':@']?.['@nil'] === 'true';
    const text = kids.length === 1 && '#text' in kids[0] ? String(kids[0]['#text']) : undefined;
    out.push(nil ? [name, '', true] : [name, text ?? tree(kids)]);
  }
  return out;
}

interface RequestShape {
  operation: string;
  children: Tree[];
  soapAction: string;
  contentType: string;
  authorization: string;
}

function requestShape(r: RecordedRequest): RequestShape {
  const doc = tree(requestParser.parse(r.body));
  const env = doc.find((n) => n[0] === 'Envelope');
  const body = (env?.[1] as Tree[] | undefined)?.find((n) => n[0] === 'Body');
  const op = (body?.[1] as Tree[] | undefined)?.[0];
  return {
    operation: op?.[0] ?? '(none)',
    children: (op?.[1] as Tree[]) ?? [],
    soapAction: String(r.headers.soapaction ?? '(none)').replace(/^"(.*)"$/, '$1'),
    contentType: String(r.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase(),
    authorization: String(r.headers.authorization ?? '(none)'),
  };
}

// ----- statistics -------------------------------------------------------------------------------

function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const METRICS = ['p50', 'p95', 'p99', 'mean', 'opsPerSec', 'cpuMsPerCall', 'peakRssMB', 'heapGrowthMB', 'heapRetainedMB', 'maxStallMs', 'setupMs', 'setupAllMs', 'firstCallMs', 'importMs'] as const;
type Metric = (typeof METRICS)[number];

interface Row {
  case: string;
  contender: ContenderName;
  rounds: number;
  iterations: number;
  sockets: number;
  requests: number;
  metrics: Record<Metric, number>;
  setupBreakdown: Record<string, number>;
}

function fmt(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return '-';
  if (Math.abs(x) >= 1000) return x.toFixed(0);
  if (Math.abs(x) >= 100) return x.toFixed(Math.min(digits, 1));
  return x.toFixed(digits);
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ----- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const root = packageRoot();
  const t0 = Date.now();
  const cases = buildCases().filter((c) => (smoke ? c.smoke : true) && (!only || only.includes(c.id)));
  if (!cases.length) throw new Error('no case selected');
  const server = await FixtureServer.start();
  const base = `http://127.0.0.1:${server.port}`;
  console.log(`fixture server on ${base} (pid apart); ${cases.length} cases, ${rounds} round(s)${smoke ? ', smoke mode' : ''}`);

  // The adapter's own request bytes for each case, which the floor sends as they are.
  const envelopes = new Map<string, string>();
  {
    const probe = new Five9Client({ endpoint: `${base}${casePath('probe')}`, username: USER, password: PASSWORD, quotas: false });
    for (const c of cases) envelopes.set(c.id, probe.envelope(c.operation, c.input));
    await probe.close();
  }
  const config = (c: BenchCase, contender: ContenderName, mode: ChildConfig['mode']): ChildConfig => {
    const caseConfig: CaseConfig = {
      id: c.id,
      operation: c.operation,
      input: c.input,
      kind: c.expected.kind,
      url: `${base}${casePath(c.id)}`,
      username: USER,
      password: PASSWORD,
      requestBody: envelopes.get(c.id)!,
    };
    return { contender, mode, case: caseConfig, expectedDigest: digest(expectedReduction(contender, c.expected, c.answer)), ...plan(c) };
  };

  // 1. Equivalence, before any timing.
  console.log('\n== checks: equivalent requests, equal results');
  const problems: string[] = [];
  for (const c of cases) {
    const shapes = new Map<ContenderName, RequestShape>();
    const summaries: string[] = [];
    for (const contender of CONTENDERS) {
      await server.send({ cmd: 'record', on: true });
      try {
        const r = await runChild(config(c, contender, 'verify'));
        summaries.push(`${contender}: ${r.summary}`);
      } catch (e) {
        problems.push((e as Error).message.split('\n')[0]);
      }
      const { recorded } = (await server.send({ cmd: 'recorded' })) as { recorded: RecordedRequest[] };
      await server.send({ cmd: 'record', on: false });
      if (recorded.length !== 1) problems.push(`${contender} on ${c.id}: ${recorded.length} requests for one call`);
      else shapes.set(contender, requestShape(recorded[0]));
    }
    const ref = shapes.get('adapter');
    for (const [contender, shape] of shapes) {
      if (ref && JSON.stringify(shape) !== JSON.stringify(ref)) {
        problems.push(`${contender} on ${c.id}: its request differs from the adapter's: ${JSON.stringify(shape).slice(0, 300)} vs ${JSON.stringify(ref).slice(0, 300)}`);
      }
    }
    console.log(`${c.id.padEnd(26)} ${ref ? `${ref.operation}(${ref.children.map((n) => n[0]).join(', ')})` : '?'}; ${summaries.join('; ')}`);
  }
  if (problems.length) {
    server.stop();
    throw new Error(`the contenders are not doing the same work:\n- ${problems.join('\n- ')}`);
  }
  console.log('all requests equivalent, all results equal to the fixtures');

  // 2. Timing: a fresh process per case × contender × round, the contender order rotating.
  console.log('\n== timing');
  const results: Array<ChildResult & { round: number; sockets: number; requests: number }> = [];
  for (let round = 0; round < rounds; round++) {
    for (const [ci, c] of cases.entries()) {
      const k = (round + ci) % CONTENDERS.length;
      const order = [...CONTENDERS.slice(k), ...CONTENDERS.slice(0, k)];
      for (const contender of order) {
        await server.send({ cmd: 'reset' });
        const r = await runChild(config(c, contender, 'time'));
        const stats = await server.send({ cmd: 'stats' });
        results.push({ ...r, round, sockets: stats.connections, requests: stats.requests });
        process.stdout.write(`round ${round + 1}/${rounds} ${c.id} ${contender}: p50 ${fmt(r.p50, 3)} ms\n`);
      }
    }
  }
  server.stop();

  // 3. Medians across rounds, ratios per round then their median.
  const rows: Row[] = [];
  for (const c of cases) {
    for (const contender of CONTENDERS) {
      const rs = results.filter((r) => r.caseId === c.id && r.contender === contender);
      const metrics = Object.fromEntries(METRICS.map((m) => [m, median(rs.map((r) => r[m]))])) as Record<Metric, number>;
      const breakdownKeys = Object.keys(rs[0]?.setupBreakdown ?? {});
      rows.push({
        case: c.id,
        contender,
        rounds: rs.length,
        iterations: rs[0]?.iterations ?? 0,
        sockets: Math.max(...rs.map((r) => r.sockets)),
        requests: median(rs.map((r) => r.requests)),
        metrics,
        setupBreakdown: Object.fromEntries(breakdownKeys.map((k) => [k, median(rs.map((r) => r.setupBreakdown[k]))])),
      });
    }
  }
  const ratio = (caseId: string, num: ContenderName, den: ContenderName, metric: Metric = 'p50') => {
    const per: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const a = results.find((r) => r.round === round && r.caseId === caseId && r.contender === num);
      const b = results.find((r) => r.round === round && r.caseId === caseId && r.contender === den);
      if (a && b) per.push(a[metric] / b[metric]);
    }
    return median(per);
  };
  const get = (caseId: string, contender: ContenderName) => rows.find((r) => r.case === caseId && r.contender === contender)!;

  const payload = new Map(cases.map((c) => [c.id, Buffer.byteLength(c.answer)]));
  const headers = ['case', 'contender', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/s', 'CPU ms/call', 'peak RSS MB', 'heap growth MB', 'stall ms', 'sockets', 'adapter/floor', 'soap/adapter'];
  const lines: string[][] = [];
  for (const c of cases) {
    for (const contender of CONTENDERS) {
      const r = get(c.id, contender);
      const m = r.metrics;
      lines.push([
        c.id,
        contender,
        fmt(m.p50, 3),
        fmt(m.p95, 3),
        fmt(m.p99, 3),
        fmt(m.opsPerSec, 0),
        fmt(m.cpuMsPerCall, 3),
        fmt(m.peakRssMB, 1),
        fmt(m.heapGrowthMB, 2),
        fmt(m.maxStallMs, 1),
        String(r.sockets),
        contender === 'adapter' ? `${fmt(ratio(c.id, 'adapter', 'floor'))}×` : '',
        contender === 'adapter' ? `${fmt(ratio(c.id, 'soap', 'adapter'))}×` : '',
      ]);
    }
  }
  const setupRows = CONTENDERS.map((contender) => {
    const rs = results.filter((r) => r.contender === contender);
    const keys = Object.keys(rs[0]?.setupBreakdown ?? {});
    return {
      contender,
      setupMs: median(rs.map((r) => r.setupMs)),
      setupAllMs: median(rs.map((r) => r.setupAllMs)),
      importMs: median(rs.map((r) => r.importMs)),
      firstCallMs: median(rs.filter((r) => !cases.find((c) => c.id === r.caseId)?.large).map((r) => r.firstCallMs)),
      breakdown: Object.fromEntries(keys.map((k) => [k, median(rs.map((r) => r.setupBreakdown[k]))])),
    };
  });
  /** The adapter's setup over node-soap's client creation, per process pair (same round and case). */
  const setupRatioOf = (key: 'setupMs' | 'setupAllMs') => {
    const per: number[] = [];
    for (const r of results.filter((x) => x.contender === 'adapter')) {
      const s = results.find((x) => x.contender === 'soap' && x.round === r.round && x.caseId === r.caseId);
      if (s) per.push(r[key] / s.setupMs);
    }
    return median(per);
  };
  const setupRatio = setupRatioOf('setupMs');
  const setupAllRatio = setupRatioOf('setupAllMs');

  console.log('\n== results (medians of the rounds; ratios: median of the per-round ratios of p50)');
  console.log(table(headers, lines));
  console.log(
    '\n' +
      table(
        ['setup', 'contender', 'ready ms', '+ extra ms', 'import ms', 'first small call ms', 'parts'],
        setupRows.map((s) => [
          'setup',
          s.contender,
          fmt(s.setupMs, 1),
          fmt(s.setupAllMs, 1),
          fmt(s.importMs, 1),
          fmt(s.firstCallMs, 1),
          Object.entries(s.breakdown).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', '),
        ]),
      ),
  );
  console.log(`adapter ready / node-soap client creation: ${fmt(setupRatio)}×; with every action's validators compiled: ${fmt(setupAllRatio)}×`);

  // Targets (not in smoke mode: no thresholds there).
  const targets: Array<{ target: string; value: string; met: boolean }> = [];
  if (!smoke) {
    const has = (id: string) => cases.some((c) => c.id === id);
    for (const id of ['getStatistics-small', 'getStatisticsUpdate-small', 'fault', 'setSessionParameters'].filter(has)) {
      const af = ratio(id, 'adapter', 'floor');
      const sa = ratio(id, 'soap', 'adapter');
      targets.push({ target: `${id}: adapter p50 ≤ 1.5× floor`, value: `${fmt(af)}×`, met: af <= 1.5 });
      targets.push({ target: `${id}: soap/adapter ≥ 1.5`, value: `${fmt(sa)}×`, met: sa >= 1.5 });
    }
    if (has('getStatistics-large')) {
      const id = 'getStatistics-large';
      const a = get(id, 'adapter').metrics;
      const sa = ratio(id, 'soap', 'adapter');
      const af = ratio(id, 'adapter', 'floor');
      const growth = a.heapGrowthMB / (payload.get(id)! / 2 ** 20);
      targets.push({ target: `${id}: soap/adapter ≥ 4`, value: `${fmt(sa)}×`, met: sa >= 4 });
      targets.push({ target: `${id}: adapter ≤ 5× floor`, value: `${fmt(af)}×`, met: af <= 5 });
      targets.push({ target: `${id}: longest event-loop stall < 250 ms`, value: `${fmt(a.maxStallMs, 1)} ms`, met: a.maxStallMs < 250 });
      targets.push({ target: `${id}: heap growth < 3× payload`, value: `${fmt(growth)}× (${fmt(a.heapGrowthMB, 1)} MB of ${fmt(payload.get(id)! / 2 ** 20, 2)} MB)`, met: growth < 3 });
    }
    if (has('getStatisticsUpdate-large')) {
      const sa = ratio('getStatisticsUpdate-large', 'soap', 'adapter');
      targets.push({ target: 'getStatisticsUpdate-large: adapter faster than soap', value: `soap/adapter ${fmt(sa)}×`, met: sa > 1 });
    }
    targets.push({ target: 'setup: manifest load + client (validators compiled lazily) ≤ node-soap client creation', value: `${fmt(setupRatio)}×`, met: setupRatio <= 1 });
    targets.push({ target: 'setup, strict reading: + every action compiled up front ≤ node-soap client creation', value: `${fmt(setupAllRatio)}×`, met: setupAllRatio <= 1 });
    console.log('\n== targets');
    console.log(table(['target', 'value', 'met'], targets.map((t) => [t.target, t.value, t.met ? 'yes' : 'NO'])));
  }

  const pkg = (name: string) => JSON.parse(readFileSync(join(root, name === '.' ? '' : join('node_modules', name), 'package.json'), 'utf8')).version as string;
  const report = {
    date: new Date().toISOString(),
    mode: smoke ? 'smoke' : 'full',
    rounds,
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    packages: { 'five9-statistics-connector': pkg('.'), soap: pkg('soap'), undici: pkg('undici'), 'fast-xml-parser': pkg('fast-xml-parser'), ajv: pkg('ajv') },
    wsdl: { file: 'spec/wsdl/SupervisorWebService.v4.wsdl', sha256: createHash('sha256').update(readFileSync(wsdlPath())).digest('hex') },
    cases: cases.map((c) => ({ id: c.id, title: c.title, operation: c.operation, status: c.status, payloadBytes: payload.get(c.id), ...plan(c) })),
    results: rows.map((r) => ({
      ...r,
      ratios: r.contender === 'adapter' ? { adapterOverFloor: ratio(r.case, 'adapter', 'floor'), soapOverAdapter: ratio(r.case, 'soap', 'adapter') } : undefined,
    })),
    setup: { ...Object.fromEntries(setupRows.map((s) => [s.contender, s])), adapterOverSoap: setupRatio, adapterWithCompileAllOverSoap: setupAllRatio },
    targets,
    raw: results,
  };
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = smoke ? join(dir, 'smoke.json.tmp') : join(dir, `${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${file.slice(root.length + 1)} (${report.durationSeconds} s)`);
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
