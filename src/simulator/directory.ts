/**
 * The seeded directory's vocabulary: the types of its users, campaigns and chat messages, and the
 * names every simulated domain shares. The domain (domain.ts), the handlers and the statistics
 * engine read it from here, so none of them imports another for it.
 */

export interface DomainSize {
  agents?: number;
  supervisors?: number;
  campaigns?: number;
  skills?: number;
  groups?: number;
  /** Custom dispositions besides the system and the three domain ones (each adds a count column to AgentStatistics and the campaign statistics). */
  dispositions?: number;
}

export type Role = 'Agent' | 'DomainSupervisor' | 'DomainAdmin';
export interface RoledId {
  role?: Role;
  userId: number;
}

export interface DomainUser {
  id: number;
  name: string;
  fullName: string;
  role: Role;
  loggedIn: boolean;
  skills: number[];
  groups: number[];
}

export interface Campaign {
  name: string;
  type: 'INBOUND' | 'OUTBOUND' | 'AUTODIAL';
  state: 'NOT_RUNNING' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'RESETTING';
  stateSince: number;
}

export interface ChatMessage {
  chatId?: string;
  from?: RoledId;
  participants?: RoledId[];
  text?: string;
  timestamp: number;
  type: string;
}

export const DOMAIN_SUFFIX = '@example-domain.com';

/** System dispositions seen in real data, then the domain's own. */
export const DISPOSITIONS = [
  'Abandon', 'Answering Machine', 'Busy', 'Declined', 'Dial Error', 'Fax', 'Hangup', 'No Answer', 'No Disposition',
  'Operator Intercept', 'Recycle', 'Resource Unavailable', 'Sent To Voicemail', 'System Error', 'Timeout',
  'Transferred To 3rd Party', 'Voicemail Dump', 'Caller Disconnected', 'Do Not Call', 'Queue Callback Timeout',
  'Sale', 'Not Interested', 'Call Back',
];

/** Permission types newer servers send that the WSDL's enum does not list. */
export const NEWER_PERMISSIONS = ['CanMonitorIdleAgents'];

/** What the statistics engine reads and changes of a domain (its directory), as domain.ts holds it. */
export interface Directory {
  readonly users: DomainUser[];
  readonly skills: Array<{ id: number; name: string }>;
  readonly groups: Array<{ id: number; name: string }>;
  readonly campaigns: Map<string, Campaign>;
  readonly dispositions: string[];
}
