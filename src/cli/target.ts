import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import { Five9Error } from '../errors';
import { Five9Client } from '../runtime';
import { Five9Simulator } from '../simulator';

export interface TargetFlags {
  dataCenter?: string;
  endpoint?: string;
  apiVersion?: string;
  timeout?: string;
}

export interface OpenTarget {
  client: Five9Client;
  label: string;
  simulator?: Five9Simulator;
  close(): Promise<void>;
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
    const client = new Five9Client({ endpoint: flags.endpoint, dataCenter: flags.dataCenter, apiVersion: flags.apiVersion, username, password, timeoutMs, clock });
    return { client, label: client.endpoint, close: () => client.close() };
  }
  const password = randomBytes(12).toString('base64url');
  const simulator = new Five9Simulator({ users: [{ username: 'demo', password }], clock });
  const { url } = await simulator.start();
  const client = new Five9Client({ endpoint: url, apiVersion: flags.apiVersion, username: 'demo', password, timeoutMs, clock });
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
