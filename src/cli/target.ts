import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import { Five9Error } from '../errors';
import { type ClientEvent, Five9Client } from '../runtime';
import { Five9Simulator } from '../simulator';

export interface TargetFlags {
  dataCenter?: string;
  endpoint?: string;
  apiVersion?: string;
  timeout?: string;
  redis?: string;
}

export interface OpenTarget {
  client: Five9Client;
  label: string;
  simulator?: Five9Simulator;
  close(): Promise<void>;
}

/** What a command says when it could not read the domain's counters (it goes on, counting only what it sees). */
function noteUnseeded(e: ClientEvent): void {
  if (e.type === 'quota-unseeded') process.stderr.write(`five9: note: the domain's call counters could not be read (${e.code}: ${e.message}); calls made elsewhere are not counted against the quota\n`);
}

/**
 * Where a command sends its requests: the real service (a data centre or an endpoint, with
 * FIVE9_USERNAME / FIVE9_PASSWORD from the environment), or by default an embedded simulator
 * started for this command, so nothing needs an account or a network.
 */
export async function openTarget(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env, clock?: Clock): Promise<OpenTarget> {
  const timeoutMs = flags.timeout ? Number(flags.timeout) : undefined;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new Five9Error('FIVE9_CONFIG', `--timeout must be a positive number of milliseconds, not "${flags.timeout}"`);
  if (flags.endpoint || flags.dataCenter) {
    const username = env.FIVE9_USERNAME ?? '';
    const password = env.FIVE9_PASSWORD ?? '';
    if (!username || !password) {
      throw new Five9Error('FIVE9_CONFIG', 'set FIVE9_USERNAME and FIVE9_PASSWORD in the environment to use --endpoint or --data-center');
    }
    const client = new Five9Client({ endpoint: flags.endpoint, dataCenter: flags.dataCenter, apiVersion: flags.apiVersion, username, password, timeoutMs, redis: flags.redis ?? env.FIVE9_REDIS_URL, onEvent: noteUnseeded });
    return { client, label: client.endpoint, close: () => client.close() };
  }
  const password = randomBytes(12).toString('base64url');
  const simulator = new Five9Simulator({ users: [{ username: 'demo', password }], clock });
  const { url } = await simulator.start();
  // The embedded simulator lives and dies with this process: nothing to share with others.
  const client = new Five9Client({ endpoint: url, apiVersion: flags.apiVersion, username: 'demo', password, timeoutMs, coordinator: 'memory' });
  return {
    client,
    simulator,
    label: `embedded simulator at ${client.endpoint} (no account needed)`,
    async close() {
      await client.close();
      await simulator.stop();
    },
  };
}
