import { type UserCounters, newCounters } from './report';
import type { SimUser } from './state';
import type { Tenant } from './tenant';

/** A user the simulator lets in: its password, account state, domain and counters. */
export interface UserEntry {
  name: string;
  password: string;
  account: NonNullable<SimUser['account']>;
  tenant: Tenant;
  counters: UserCounters;
  /** Requests of the user being answered now (Five9 allows one). */
  inFlight: number;
  /** Another login closed the user's session: the next request answers SessionClosedFault. */
  closedElsewhere: boolean;
}

/** The users of every domain, by name (Five9's user names are unique across domains). */
export class UserRegistry {
  private readonly entries = new Map<string, UserEntry>();
  /** Sessions that ended because their Idle Time Out passed, over every user. */
  expiries = 0;

  add(user: SimUser, tenant: Tenant): void {
    if (this.entries.has(user.username)) throw new Error(`simulator: user "${user.username}" is in two domains (user names are unique across Five9)`);
    this.entries.set(user.username, { name: user.username, password: user.password, account: user.account ?? 'active', tenant, counters: newCounters(), inFlight: 0, closedElsewhere: false });
  }

  get(name: string): UserEntry | undefined {
    return this.entries.get(name);
  }

  all(): IterableIterator<UserEntry> {
    return this.entries.values();
  }

  /** The user an HTTP Basic Authorization header names with the right password. */
  authenticate(header: string | undefined): UserEntry | undefined {
    const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
    if (!m) return undefined;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return undefined;
    const entry = this.entries.get(decoded.slice(0, i));
    return entry && entry.password === decoded.slice(i + 1) ? entry : undefined;
  }

  /** Ends the user's session if its idle time-out has passed by `now`, and counts it. */
  expire(entry: UserEntry, now: number): void {
    const s = entry.tenant.sessions.get(entry.name);
    if (s && now - s.lastActivity > s.idleTimeOutMs) {
      entry.tenant.sessions.delete(entry.name);
      entry.counters.expiries++;
      this.expiries++;
    }
  }
}
