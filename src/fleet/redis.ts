import { Redis } from 'ioredis';
import { Five9Error } from '../errors';

/**
 * A Redis connection for BullMQ and the fleet's keys. BullMQ's workers need
 * `maxRetriesPerRequest: null` (a blocking command must outlive a reconnect); ioredis reconnects
 * on its own, so a restarted Redis is picked up again without restarting the process.
 */
export function connectRedis(url: string, name = 'five9'): Redis {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Five9Error('FIVE9_CONFIG', `--redis must be a URL such as redis://127.0.0.1:6379, not "${redisLabel(url)}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Five9Error('FIVE9_CONFIG', `--redis must be a redis:// or rediss:// URL, not ${u.protocol}//…`);
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name, retryStrategy: (n) => Math.min(200 * n, 2000) });
}

/** A Redis URL as it may be printed: scheme, host and port, never a user or password. */
export function redisLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return '(not a URL)';
  }
}
