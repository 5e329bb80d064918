import type { Command } from 'commander';
import { Five9Error } from '../errors';
import { loadManifest } from '../manifest';
import { Redactor } from '../util/redact';
import { DEFAULT_TYPES, FeedHub, WallboardServer, describeTarget, panelsFor } from '../wallboard';
import { openTarget, type TargetFlags } from './target';

interface WallboardCliContext {
  out: (s: string) => void;
  /** Progress lines (sessions, stalls, recoveries); already redacted. */
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  targetOptions: (cmd: Command) => Command;
}

function integer(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Five9Error('FIVE9_CONFIG', `${flag} must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}

/** Resolves on the first SIGINT or SIGTERM. */
function interrupted(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => {
      process.removeListener('SIGINT', on);
      process.removeListener('SIGTERM', on);
      resolve(signal);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

/** `five9 wallboard`: the live statistics as a web page on 127.0.0.1, one feed for every tab. */
export function registerWallboard(program: Command, ctx: WallboardCliContext): void {
  ctx.targetOptions(
    program
      .command('wallboard')
      .argument('[types...]', `statistic types to show (default: ${DEFAULT_TYPES.join(' ')})`)
      .description('serve a live wallboard page on 127.0.0.1 until Ctrl-C (default target: an embedded simulator whose contact centre moves on its own)')
      .option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)', '5959')
      .option('--title <text>', "the board's heading", 'Five9 wallboard')
      .option('--long-poll <ms>', "the server's long-poll wait, at least 5000", '5000')
      .addHelpText(
        'after',
        '\nThe page: ?mode=wall (full screen, large type, dark) or ?mode=compact; ?types=AgentState,ACDStatus shows some of the types;' +
          '\n?queueAmber=N&queueRed=N (calls in queue) and ?waitAmber=S&waitRed=S (longest wait, seconds) colour the queue tiles;' +
          '\n?sort=COLUMN&dir=desc and ?states=Ready,On%20Call sort and filter the agents.',
      ),
  ).action(async (types: string[], o: TargetFlags & { port: string; title: string; longPoll: string }) => {
    const port = integer(o.port, '--port', 0, 65535);
    const longPollingTimeout = Number(o.longPoll);
    if (!Number.isInteger(longPollingTimeout) || longPollingTimeout < 5000) throw new Five9Error('FIVE9_CONFIG', `--long-poll must be at least 5000 ms, not "${o.longPoll}"`);
    // Checked before anything starts: an unknown or repeated type is refused by name.
    const panels = panelsFor(loadManifest(), types.length ? types : DEFAULT_TYPES);
    const target = await openTarget(o, ctx.env);
    let hub: FeedHub | undefined;
    let server: WallboardServer | undefined;
    try {
      // The client's redactor knows the password, its URL and Basic forms; messages are JSON, so its JSON-escaped form too.
      const json = new Redactor();
      const password = ctx.env.FIVE9_PASSWORD;
      if (password) json.add(JSON.stringify(password).slice(1, -1)).add(Buffer.from(password).toString('base64'));
      const redactor = { text: (s: string) => json.text(target.client.redactor.text(s)) };
      hub = new FeedHub(target.client, {
        panels,
        target: target.simulator ? `embedded simulator at ${describeTarget(target.client.endpoint)}` : describeTarget(target.client.endpoint),
        title: o.title,
        redactor,
        longPollingTimeout,
        log: (line) => ctx.err(line),
      });
      server = new WallboardServer(hub, { port });
      const { url } = await server.start();
      ctx.out(`wallboard on ${url}`);
      ctx.err(`following ${panels.map((p) => p.type).join(', ')} at ${target.label} as ${target.client.username}; Ctrl-C stops`);
      await interrupted();
      ctx.err('stopping (the poll in flight ends first)');
    } finally {
      const closing = hub?.close();
      await server?.stop();
      const closed = await closing;
      if (hub?.ownsSession) ctx.err(closed ? 'session closed' : 'the session could not be closed');
      else if (hub) ctx.err('no session of this wallboard to close');
      await target.close();
    }
  });
}
