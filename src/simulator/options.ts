import type { Clock } from '../clock';
import type { Manifest } from '../manifest';
import type { DomainSize } from './directory';
import type { RestSimOptions, SimConsumer } from './rest';
import type { QuotaWindow, SimUser } from './state';
import type { StatisticsOptions } from './statistics';

/**
 * Opt-in behaviours beyond Five9's WSDL of the version:
 * - `newer-values`: answers carry enumeration values newer servers send that no Supervisor WSDL
 *   lists (getMyPermissions' `CanMonitorIdleAgents`), to test a client's tolerance. Off by default:
 *   a strict toolkit rejects the whole answer.
 */
export const SCENARIOS = ['newer-values'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface SimulatorOptions {
  port?: number;
  /** Users allowed in (HTTP Basic); any other credential gets Five9's HTTP 401 HTML page. */
  users?: SimUser[];
  clock?: Clock;
  /** Domain limits by quota class; defaults to the manifest's (2/15/240 and 30/1200/24000). */
  quotas?: Record<string, QuotaWindow[]>;
  /** Extra time each request is held (real ms), to make overlaps observable in tests. */
  latencyMs?: number;
  /**
   * Told of every HTTP request as it arrives, before authentication (`five9 simulator
   * --log-requests`, a test aid: it shows that a refused input sent nothing). It gets the method and
   * the path cut at 200 characters, never a header or a credential, and nothing is kept.
   */
  onRequest?: (request: { method: string; path: string }) => void;
  /** Answer gzip-compressed when the client accepts it (default true, as Five9 may). */
  gzip?: boolean;
  manifest?: Manifest;
  /** Seed of the simulated contact centre (default 1): the same seed gives the same domain. */
  seed?: number;
  /** How many generated objects the domain holds besides its fixed ones. */
  size?: DomainSize;
  /** Caps the real wait of every long poll (ms), so tests need not wait the requested time-out. */
  longPollMaxMs?: number;
  /** The statistics engine's pace and batching (batches every 1–6 s by default). */
  statistics?: StatisticsOptions;
  /** Supervisor seats of the domain (getUserLimits' supervisorLimit); a session beyond them gets UserLimitReachedFault. */
  supervisorSeats?: number;
  /** REST side: API Access Control consumers (key, secret, granted scopes) the token endpoint accepts. */
  consumers?: SimConsumer[];
  /** REST side: domain id, token lifetime, dialing lists, do-not-call numbers. */
  rest?: RestSimOptions;
  /**
   * More Five9 domains besides the first (whose users are `users`): each with its own users,
   * sessions, limits, seats, contact centre and counters. `numberedDomains(n, password)` makes a
   * fleet's test bed. User names are unique across the simulator (Five9's are global).
   */
  domains?: SimDomainOptions[];
  /** How many request records `requests` keeps (the newest; default 10,000). */
  requestLogLimit?: number;
  /** Largest request body in bytes (default 2 MiB); a larger one answers 413. */
  maxBodyBytes?: number;
  /** Opt-in behaviours (see SCENARIOS). */
  scenarios?: Scenario[];
  /** Check every answer against the version's WSDL before sending it; problems go to `answerProblems` (for tests). */
  checkAnswers?: boolean;
}

/** One Five9 domain of the simulator beyond the first. */
export interface SimDomainOptions {
  users: SimUser[];
  /** Limits by quota class, over the simulator's (`quotas`) and the manifest's. */
  quotas?: Record<string, QuotaWindow[]>;
  supervisorSeats?: number;
  /** Seed of its contact centre (default: the simulator's seed + the domain's position). */
  seed?: number;
  size?: DomainSize;
}

/** `count` domains, each with one supervisor user `user1` … `userN` with this password. */
export function numberedDomains(count: number, password: string): SimDomainOptions[] {
  return Array.from({ length: count }, (_, i) => ({ users: [{ username: `user${i + 1}`, password }] }));
}

/** One request as the simulator saw it, for tests: the user's name, never a credential or a path. */
export interface SimRequestRecord {
  user: string;
  operation: string;
  version: string;
  startedAt: number;
  endedAt: number;
  outcome: string;
}
