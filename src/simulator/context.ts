import type { Manifest } from '../manifest';
import type { Domain } from './domain';
import type { Scenario } from './options';
import type { SimSession } from './state';
import type { Tenant } from './tenant';

/**
 * What a handler sees of one request: who asks, in which version, the user's Five9 domain (its
 * sessions, limits and seats) and, when the handler reads it, the domain's contact centre. A type
 * module of its own, so the server and the handlers do not import each other.
 */
export interface SimulatorContext {
  user: string;
  now: number;
  version: string;
  session?: SimSession;
  /** The sessions of the user's domain (other supervisors of the domain are API users too). */
  sessions: Map<string, SimSession>;
  tenant: Tenant;
  /** The manifest the simulator serves (session rules, versions). */
  manifest: Manifest;
  /** Opt-in behaviours beyond the version's WSDL (see options.ts). */
  scenarios: ReadonlySet<Scenario>;
  /** The seeded contact centre the actions read and change: built the first time a handler reads it. */
  readonly domain: Domain;
  /** Aborted when the client disconnects: a long poll ends at once. */
  signal: AbortSignal;
}

/**
 * What an operation does to the simulated domain, by SOAP operation name. Input arrives decoded and
 * validated; the output is encoded by the manifest's output schema. The generic parts
 * (authentication, session check, idle time-out, quotas, version) are done by the server first.
 */
export type Handler = (ctx: SimulatorContext, input: Record<string, any>) => unknown | Promise<unknown>;
