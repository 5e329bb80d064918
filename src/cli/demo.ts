import { VirtualClock } from '../clock';
import { type RunEvent, readTemplate, runOnce, runSchedule } from '../cycles';
import { Five9Client } from '../runtime';
import { Five9Simulator } from '../simulator';
import { formatEvent, hhmm } from './format';

export interface DemoOptions {
  /** Real milliseconds per simulated minute (default 30: two simulated hours in about 4 s). */
  realMsPerSimMinute?: number;
  /** Simulated hours of scheduled runs (default 2). */
  hours?: number;
  out?: (line: string) => void;
}

export interface DemoSummary {
  runs: number;
  exits: Record<string, Record<string, number>>;
  expiries: number;
  expiriesWhileCycleRan: number;
  requests: number;
  errors: number;
  problems: string[];
}

/**
 * `npm start`: the Maintain session template on its 15-minute schedule against the embedded
 * simulator, on a fast-forwarded simulated clock, then the same session left alone until it
 * expires, and the template restoring it. Returns the summary; problems is empty when every
 * expectation of the story held.
 */
export async function demo(options: DemoOptions = {}): Promise<DemoSummary> {
  const out = options.out ?? ((l: string) => console.log(l));
  const msPerMin = options.realMsPerSimMinute ?? 30;
  const hours = options.hours ?? 2;
  const clock = new VirtualClock(Date.UTC(2026, 0, 5, 8, 0, 0), msPerMin);
  const simulator = new Five9Simulator({ users: [{ username: 'demo', password: 'demo-secret' }], clock });
  const { url } = await simulator.start();
  const client = new Five9Client({ endpoint: url, username: 'demo', password: 'demo-secret', clock });
  const template = readTemplate('maintain-session');
  const events: RunEvent[] = [];
  const onEvent = (e: RunEvent) => {
    events.push(e);
    const line = formatEvent(e);
    if (line) out(line);
  };
  const problems: string[] = [];
  try {
    out('Five9 Statistics connector: the Maintain session cycle against the embedded Five9 simulator');
    out(`  simulator: ${client.endpoint} (user demo; no Five9 account, no network)`);
    out(`  simulated clock: starts ${new Date(clock.now()).toISOString().slice(0, 16).replace('T', ' ')} UTC, fast-forwarded so that ${hours} simulated hours pass in about ${Math.round((hours * 60 * msPerMin) / 1000)} s`);
    out('');
    out(`Part 1. "${template.name}" every ${template.schedule.everyMinutes} minutes for ${hours} simulated hours`);
    out(`  ${template.description}`);
    const runs = Math.floor((hours * 60) / template.schedule.everyMinutes) + 1;
    await runSchedule(template, { executor: client, clock, onEvent, runs });
    const expiriesWhileCycleRan = simulator.expiries;

    out('');
    out('Part 2. Why the cycle exists: the same session with nobody calling');
    const idle = (await client.run('List Session Parameters')).output as { idleTimeOut: number };
    const waitMin = Math.ceil(idle.idleTimeOut / 60) + 1;
    out(`[${hhmm(clock.now())}] the session is active (Idle Time Out ${idle.idleTimeOut} s); no request for ${waitMin} minutes…`);
    await clock.sleep(waitMin * 60_000);
    const after = await client.run('List Session Parameters');
    out(`[${hhmm(clock.now())}] List Session Parameters → ${after.exit}: ${after.fault ? `${after.fault.name}, the session expired after its Idle Time Out` : 'still active'}`);
    if (after.exit !== 'false') problems.push('the idle session did not expire');
    out(`[${hhmm(clock.now())}] the template runs once and restores it:`);
    const restore = await runOnce(template, { executor: client, clock, onEvent }, runs + 1);
    const check = await client.run('List Session Parameters');
    out(`[${hhmm(clock.now())}] List Session Parameters → ${check.exit}: session active again`);
    if (restore.outcome !== 'ok' || check.exit !== 'true') problems.push('the template did not restore the session');

    const steps = events.filter((e): e is Extract<RunEvent, { type: 'step' }> => e.type === 'step');
    const exits: Record<string, Record<string, number>> = {};
    for (const s of steps) (exits[s.action] ??= {})[s.exit] = (exits[s.action]?.[s.exit] ?? 0) + 1;
    const scheduled = steps.filter((s) => s.run <= runs);
    const first = scheduled.filter((s) => s.run === 1).map((s) => `${s.action}:${s.exit}`).join(' ');
    if (first !== 'List Session Parameters:false Set Session Parameters:success') problems.push(`run 1 went ${first}`);
    if (scheduled.some((s) => s.run > 1 && s.exit !== 'true')) problems.push('a later scheduled run did not leave List Session Parameters by true');
    if (expiriesWhileCycleRan !== 0) problems.push('the session expired while the cycle was running');
    const errors = events.filter((e) => e.type === 'step-error').length;
    if (errors) problems.push(`${errors} step error(s)`);
    const summary: DemoSummary = {
      runs: runs + 1,
      exits,
      expiries: simulator.expiries,
      expiriesWhileCycleRan,
      requests: simulator.requests.length,
      errors,
      problems,
    };
    out('');
    out('Summary');
    out(`  runs: ${summary.runs} (${runs} scheduled every ${template.schedule.everyMinutes} min, 1 after the expiry)`);
    out(`  exits taken: ${Object.entries(exits).map(([a, x]) => `${a}: ${Object.entries(x).map(([k, n]) => `${k} ×${n}`).join(', ')}`).join('; ')}`);
    out(`  session expiries seen: ${summary.expiries} (${expiriesWhileCycleRan} while the cycle ran)`);
    out(`  requests to the simulator: ${summary.requests}, step errors: ${errors}`);
    out(problems.length ? `  NOT AS EXPECTED: ${problems.join('; ')}` : '  as expected: the cycle kept the session alive; without it the session expired.');
    return summary;
  } finally {
    await client.close();
    await simulator.stop();
  }
}
