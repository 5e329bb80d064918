/**
 * The library as a TypeScript developer gets it: an `exports` map with a light main entry (the
 * client without the simulator, the WSDL generator, the cycle runner and its diagram renderer, or
 * the REST side) and subpaths; `run` typed from the generated action map, by id, operation or
 * display name, input and output. Checked against the built package (dist/, as npm ships it),
 * resolved by its name from another directory, in other processes (node, and tsc).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
let dir: string;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'index.d.ts'))) throw new Error('run `npm run build` first');
  dir = mkdtempSync(join(tmpdir(), 'five9-consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'five9-statistics-connector'), 'dir');
  symlinkSync(join(ROOT, 'node_modules', '@types'), join(dir, 'node_modules', '@types'), 'dir');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: dir, timeout: 110_000 }, (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe('the exports map', () => {
  test('the main entry loads the client and none of the simulator, WSDL generator, diagram renderer, cycles or REST side', async () => {
    const script = `
      const { Five9Client, StatisticsFeed, Redactor } = require('five9-statistics-connector');
      if (typeof Five9Client !== 'function' || typeof StatisticsFeed !== 'function' || typeof Redactor !== 'function') throw new Error('missing exports');
      const own = Object.keys(require.cache).filter((m) => m.includes('/dist/src/')).map((m) => m.split('/dist/src/')[1]);
      const pkgs = Object.keys(require.cache).filter((m) => m.includes('node_modules/')).map((m) => m.split('node_modules/').pop().split('/').slice(0, 2)).map((p) => (p[0].startsWith('@') ? p.join('/') : p[0]));
      const heavy = [...new Set(pkgs)].filter((p) => ['ioredis', 'bullmq', 'better-sqlite3', 'prom-client', 'csv-parse', 'esbuild'].includes(p));
      console.log(JSON.stringify({ own, heavy, all: Object.keys(require.cache).length }));`;
    const r = await run(process.execPath, ['-e', script]);
    expect(r.stderr).toBe('');
    const { own, heavy, all } = JSON.parse(r.stdout) as { own: string[]; heavy: string[]; all: number };
    process.stdout.write(`require('five9-statistics-connector'): ${own.length} modules of the package, ${all} in all\n`);
    expect(own.filter((m) => /^(simulator|wsdl|cycles|rest|cli|docs|fleet)\//.test(m))).toEqual([]);
    expect(own).toContain('runtime/index.js');
    // Redis, SQLite, BullMQ and metrics load only when a command or a caller uses them.
    expect(heavy).toEqual([]);
    expect(own.length).toBeLessThan(40);
  });

  test('the subpaths /simulator, /cycles, /rest and /fleet, and nothing else inside', async () => {
    const script = `
      const sim = require('five9-statistics-connector/simulator');
      const cycles = require('five9-statistics-connector/cycles');
      const rest = require('five9-statistics-connector/rest');
      const fleet = require('five9-statistics-connector/fleet');
      const out = [typeof sim.Five9Simulator, typeof sim.generateWsdl, typeof cycles.runOnce, typeof cycles.ConnectorExecutor, typeof cycles.renderTemplateDiagram, typeof rest.RestClient, typeof rest.uploadContacts, typeof fleet.EmbeddedFleet, typeof fleet.FleetWorker, typeof fleet.loadFleetConfig];
      let deep = 'resolved';
      try { require('five9-statistics-connector/dist/src/cli/index.js'); } catch (e) { deep = e.code; }
      console.log(JSON.stringify({ out, deep, version: require('five9-statistics-connector/package.json').version }));`;
    const r = await run(process.execPath, ['-e', script]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ out: Array(10).fill('function'), deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED', version: require('../package.json').version });
  });
});

describe('run() typed from the generated action map', () => {
  const consumer = (extra: string) => `
import { Five9Client, type ActionResult, type Statistics, type ViewSettings } from 'five9-statistics-connector';
import { RestClient } from 'five9-statistics-connector/rest';
import { runOnce } from 'five9-statistics-connector/cycles';
import { Five9Simulator } from 'five9-statistics-connector/simulator';

export async function use(client: Five9Client, rest: RestClient): Promise<number> {
  // By id and by display name: the input and the output are typed, no cast.
  const a = await client.run('getStatistics', { statisticType: 'AgentState' });
  const stats: Statistics = a.output;
  const b = await client.run('Get Statistics', { statisticType: 'ACDStatus', columnNames: { values: { data: ['Skill Name'] } } });
  const rows: number = b.output.rows?.length ?? 0;
  const session = await client.run('List Session Parameters');
  const exit: 'true' | 'false' = session.exit;
  const settings: ViewSettings | null = session.output;
  const update = await client.run('getStatisticsUpdate', { statisticType: 'AgentState', previousTimestamp: stats.timestamp, longPollingTimeout: 5000 });
  const last: number | undefined = update.output?.lastTimestamp;
  const lists = await rest.run('List Dialing Lists');
  const size: number | undefined = lists.output[0]?.size;
  // A name built at run time is accepted and checked at run time.
  const name: string = 'getApiVersions';
  const any: ActionResult = await client.run(name, {});
  void [exit, settings, last, size, any, runOnce, Five9Simulator];
  return rows;
}
${extra}`;

  test('a consumer compiles against the built package with tsc (node16 resolution, strict)', async () => {
    writeFileSync(join(dir, 'good.ts'), consumer(''));
    const r = await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node', 'good.ts']);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 120_000);

  test('wrong inputs and wrong uses of outputs are compile errors', async () => {
    const bad = consumer(`
export async function wrong(client: Five9Client): Promise<void> {
  await client.run('Set Session Parameters', { viewSettings: { shiftStart: 0, timeZone: 0, idleTimeOut: '1800' } });
  await client.run('Set Session Parameters');
  await client.run('getStatistics', { statisticType: 'AgentState', colour: 'red' });
  const s: string = (await client.run('getStatistics', { statisticType: 'AgentState' })).output.timestamp;
  const e: 'success' = (await client.run('List Session Parameters')).exit;
  void [s, e];
}`);
    writeFileSync(join(dir, 'bad.ts'), bad);
    const lines = bad.split('\n');
    const wrongLines = ["idleTimeOut: '1800'", "run('Set Session Parameters');", 'colour', 'const s: string', "const e: 'success'"].map((t) => lines.findIndex((l) => l.includes(t)) + 1);
    const r = await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node', 'bad.ts']);
    const errors = (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('bad.ts('));
    expect(r.code).not.toBe(0);
    // Exactly the five wrong lines, and nothing in the typed uses above them.
    expect(errors.map((l) => Number(/^bad\.ts\((\d+),/.exec(l)![1])).sort((x, y) => x - y)).toEqual(wrongLines);
    expect(errors.join('\n')).toMatch(/idleTimeOut|'string' is not assignable to type 'number'/);
    expect(errors.join('\n')).toMatch(/colour/);
  }, 120_000);
});
