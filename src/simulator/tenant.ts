import type { Clock } from '../clock';
import type { DomainSize } from './directory';
import { Domain } from './domain';
import type { StatisticsOptions } from './statistics';
import { QuotaCounters, type QuotaWindow, type SimSession } from './state';

export interface TenantOptions {
  id: string;
  clock: Clock;
  quotas: Record<string, QuotaWindow[]>;
  supervisorSeats?: number;
  seed?: number;
  size?: DomainSize;
  longPollMaxMs?: number;
  statistics?: StatisticsOptions;
}

/**
 * One Five9 domain as the service holds it: its API sessions (one per user), its limits (counted per
 * domain, as Five9 does), its supervisor seats and its contact centre. The contact centre (the
 * seeded directory, campaigns and the statistics engine) is the heavy part and is built only when a
 * request reads it: a keep-alive needs sessions and limits only, so ten thousand domains that only
 * keep sessions alive stay light. It is built as of the domain's creation, so it is the same
 * whenever it is first read.
 */
export class Tenant {
  readonly id: string;
  readonly sessions = new Map<string, SimSession>();
  readonly quotas: QuotaCounters;
  /** Seats for supervisors, API sessions included; undefined: the contact centre's own (its supervisors + 5). */
  supervisorSeats?: number;
  private readonly options: TenantOptions;
  private readonly createdAt: number;
  private centre?: Domain;
  /** The directory's supervisors (total, logged in), kept as two numbers while the contact centre is not built. */
  private directory?: { supervisors: number; loggedIn: number };

  constructor(options: TenantOptions) {
    this.options = options;
    this.id = options.id;
    this.supervisorSeats = options.supervisorSeats;
    this.quotas = new QuotaCounters(options.quotas, options.clock);
    this.createdAt = options.clock.now();
  }

  get built(): boolean {
    return this.centre !== undefined;
  }

  /** The contact centre, built on first use. */
  get contactCentre(): Domain {
    this.centre ??= this.newDomain();
    return this.centre;
  }

  /** getUserLimits' seats: the domain's supervisors logged in (the directory's and the API sessions). */
  seats(): { supervisorLimit: number; supervisorsLoggedin: number } {
    let facts = this.directory;
    if (this.centre) {
      const supervisors = this.centre.users.filter((u) => u.role !== 'Agent');
      facts = { supervisors: supervisors.length, loggedIn: supervisors.filter((u) => u.loggedIn).length };
    } else if (!facts) {
      // Only the counts are needed: read them from a directory built and dropped at once.
      const d = this.newDomain();
      const supervisors = d.users.filter((u) => u.role !== 'Agent');
      facts = this.directory = { supervisors: supervisors.length, loggedIn: supervisors.filter((u) => u.loggedIn).length };
      d.dispose();
    }
    return { supervisorLimit: this.supervisorSeats ?? facts.supervisors + 5, supervisorsLoggedin: facts.loggedIn + this.sessions.size };
  }

  dispose(): void {
    this.centre?.dispose();
  }

  private newDomain(): Domain {
    const o = this.options;
    return new Domain({ seed: o.seed, size: o.size, clock: o.clock, origin: this.createdAt, longPollMaxMs: o.longPollMaxMs, statistics: o.statistics });
  }
}
