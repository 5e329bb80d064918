import type { Command } from 'commander';
import { Five9Error } from '../errors';
import { StatisticsFeed, type FeedEvent, type StatsTable } from '../stats';
import { table as textTable } from './format';
import type { Redactor } from '../util/redact';
import { openTarget, type TargetFlags } from './target';

interface StatsCliContext {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** Writes to the terminal without a newline (the live table redraws in place). */
  write: (s: string) => void;
  setJson: (on: boolean) => void;
  targetOptions: (cmd: Command) => Command;
  redactor: Redactor;
  /**
   * Subscribes to the end of standard output (its reader went away: `| head -1`); returns the
   * unsubscribe. Absent when output cannot close (tests capturing it).
   */
  onOutputClosed?: (listener: () => void) => () => void;
}

function parseColumns(types: string[], columns?: string): Record<string, string[]> | undefined {
  if (!columns) return undefined;
  const list = columns.split(',').map((c) => c.trim()).filter(Boolean);
  return Object.fromEntries(types.map((t) => [t, list]));
}

/** A cell a spreadsheet would run as a formula: it begins with =, +, -, @, a tab or a carriage return (a plain number excepted). */
const FORMULA = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * One CSV cell (RFC 4180 quoting), neutralised as OWASP advises against CSV injection: a cell that
 * a spreadsheet would run as a formula gets a leading single quote, so it is shown as text.
 */
export function csvCell(v: string | null): string {
  let s = v ?? '';
  if (FORMULA.test(s) && !NUMBER.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderTable(t: StatsTable, maxRows = Infinity): string {
  const rows = t.sortedRows();
  const shown = rows.slice(0, maxRows).map((r) => r.map((c) => (c ?? '').slice(0, 30)));
  const more = rows.length > shown.length ? `\n  … ${rows.length - shown.length} more row(s)` : '';
  return `${t.type}: ${t.rows.size} row(s), as of ${new Date(t.timestamp).toISOString().replace('T', ' ').slice(0, 19)} UTC\n${textTable([t.columns.map((c) => c.slice(0, 30)), ...shown])}${more}`;
}

function eventLine(e: FeedEvent): string | undefined {
  switch (e.type) {
    case 'updated':
      return `${e.statisticType} ${e.key}: ${Object.entries(e.changes).map(([k, v]) => `${k}=${v ?? 'null'}`).join(', ')}`;
    case 'added':
      return `${e.statisticType} + ${e.key}`;
    case 'deleted':
      return `${e.statisticType} - ${e.key}`;
    case 'snapshot':
      return `${e.statisticType}: snapshot of ${e.rows} row(s)${e.reason ? ` (resynchronised after ${e.reason})` : ''}`;
    case 'pacing':
      return e.message;
    case 'session':
      return `session ${e.action}`;
    case 'waiting':
      return `waiting until ${new Date(e.until).toISOString()}: ${e.reason}`;
    default:
      return undefined;
  }
}

/** `five9 stats get` and `five9 stats watch`: real-time statistics in the terminal. */
export function registerStats(program: Command, ctx: StatsCliContext): void {
  const stats = program.command('stats').description('real-time statistics: one snapshot, or a live table');

  ctx.targetOptions(
    stats
      .command('get')
      .argument('<type>', 'statistic type, e.g. ACDStatus, AgentState')
      .description('print one snapshot of a statistic type')
      .option('--columns <list>', 'comma-separated columns (the key column is always included)')
      .addHelpText('after', "\nFormats: table (default), csv, json.\nCSV: cells that begin with =, +, -, @, a tab or a carriage return (other than plain numbers) get a\nleading ' so that a spreadsheet shows them as text instead of running them as formulas (OWASP's\nadvice against CSV injection); table and json output show every value as it is.")
      .option('--format <format>', 'table, csv or json', 'table'),
  ).action(async (type: string, o: TargetFlags & { columns?: string; format: string }) => {
    if (!['table', 'csv', 'json'].includes(o.format)) throw new Five9Error('FIVE9_CONFIG', `--format must be table, csv or json, not "${o.format}"`);
    ctx.setJson(o.format === 'json');
    const target = await openTarget(o, ctx.env, { redactor: ctx.redactor });
    try {
      const feed = new StatisticsFeed(target.client, { types: [type], columns: parseColumns([type], o.columns) });
      await feed.start();
      const t = feed.table(type);
      if (o.format === 'json') ctx.out(JSON.stringify({ type, timestamp: t.timestamp, columns: t.columns, rows: t.sortedRows() }));
      else if (o.format === 'csv') for (const r of [t.columns, ...t.sortedRows()]) ctx.out(r.map(csvCell).join(','));
      else ctx.out(renderTable(t));
      await feed.close();
    } finally {
      await target.close();
    }
  });

  ctx.targetOptions(
    stats
      .command('watch')
      .argument('<types...>', 'one or more statistic types, e.g. AgentState ACDStatus')
      .description('a live table that updates in place (Ctrl-C closes the session if this command started it); --json prints NDJSON events')
      .option('--columns <list>', 'comma-separated columns (the key column is always included)')
      .option('--long-poll <ms>', "the server's long-poll wait, at least 5000", '5000')
      .option('--json', 'print NDJSON events (snapshot, then added / updated / deleted rows)')
      .option('--polls <n>', 'stop after N polls (for scripts; default: until Ctrl-C)'),
  ).action(async (types: string[], o: TargetFlags & { columns?: string; longPoll: string; json?: boolean; polls?: string }) => {
    ctx.setJson(!!o.json);
    const longPollingTimeout = Number(o.longPoll);
    if (!Number.isInteger(longPollingTimeout) || longPollingTimeout < 5000) {
      throw new Five9Error('FIVE9_CONFIG', `--long-poll must be at least 5000 ms, not "${o.longPoll}"`);
    }
    const target = await openTarget(o, ctx.env, { redactor: ctx.redactor });
    // When the reader of our output goes away (`| head -1`), stop quietly: no more output, and the
    // feed ends after the poll in flight, closing what it opened, as Ctrl-C does.
    let closed = false;
    const print = (s: string) => {
      if (!closed) ctx.out(s);
    };
    const feed = new StatisticsFeed(target.client, {
      types,
      columns: parseColumns(types, o.columns),
      longPollingTimeout,
      onWait: (e) => (o.json ? print(JSON.stringify(e)) : print(eventLine(e)!)),
    });
    const stop = () => feed.stop();
    process.once('SIGINT', stop);
    const unsubscribe = ctx.onOutputClosed?.(() => {
      closed = true;
      feed.stop();
    });
    const live = ctx.isTTY && !o.json;
    const draw = (note?: string) => {
      const body = types.map((t) => renderTable(feed.table(t), Math.max(5, Math.floor(30 / types.length)))).join('\n\n');
      // Clip to the terminal's width so a wide table redraws in place instead of wrapping.
      const width = process.stderr.columns || 200;
      const clipped = body.split('\n').map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l)).join('\n');
      ctx.write(`\x1b[H\x1b[2J${clipped}\n\n${note ?? ''}\n(Ctrl-C stops; a session this command started is closed)\n`);
    };
    try {
      let polls = 0;
      const limit = o.polls ? Number(o.polls) : Infinity;
      for await (const e of feed.events()) {
        if (closed) continue;
        if (o.json) print(JSON.stringify(e));
        else if (live) {
          if (e.type === 'session' && e.action === 'closed') print('session closed');
          else if (e.type === 'session' && e.action === 'left-open') print('session left open (it was not started by this command)');
          else if (e.type !== 'pacing' && e.type !== 'session') draw(eventLine(e));
        } else {
          const line = eventLine(e);
          if (line) print(line);
        }
        if (e.type === 'unchanged' || e.type === 'updated' || e.type === 'snapshot') polls++;
        if (polls >= limit) feed.stop();
      }
    } finally {
      process.removeListener('SIGINT', stop);
      unsubscribe?.();
      await target.close();
    }
  });
}
