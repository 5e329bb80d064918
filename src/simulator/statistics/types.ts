import type { Campaign, DomainUser } from '../directory';
import type { AgentStateName, StatisticType } from './columns';

export interface StatisticsOptions {
  /** Shortest and longest gap between two batches (simulated ms); default 1,000 and 6,000. */
  batchMinMs?: number;
  batchMaxMs?: number;
  /** How long batches are kept for getStatisticsUpdate (simulated ms); an older cursor answers UnknownTimestampFault. Default 1 h. */
  historyMs?: number;
  /** Multiplies the pace of everything (call arrivals, state changes, dialing); default 1. */
  activity?: number;
  /** Agents hired and leaving over time (addedObjects / deletedObjects); default true. */
  staffing?: boolean;
  /** The domain's time zone for `State Since` (ms east of UTC); default 0 (UTC). */
  timeZoneOffsetMs?: number;
  /** Every this many batches each agent's `State Duration` / `Reason Duration` is refreshed; default 8. */
  durationRefreshBatches?: number;
}

/** One statistic type's table as the engine holds it: the truth clients must converge to. */
export interface StatisticsTable {
  type: StatisticType;
  keyColumn: string;
  columns: string[];
  /** Rows keyed by the key column's value; every cell a string. */
  rows: Record<string, Record<string, string>>;
  /** The time stamp of the last batch applied (0 before the first). */
  timestamp: number;
}

/** A minute in ms. */
export const MIN = 60_000;

// ---- the simulated contact centre's people, calls, queues and campaigns ----

export interface Call {
  campaign: string;
  kind: 'Inbound' | 'Outbound' | 'Manual';
  talk: number;
  hold: number;
  wrap: number;
  customer: string;
}

export interface Agent {
  user: DomainUser;
  fixed: boolean;
  vm: boolean;
  skillSet: Set<number>;
  state: AgentStateName;
  since: number;
  reason: string;
  reasonSince: number;
  callType: string;
  campaign: string;
  customer: string;
  nextAt: number;
  call?: Call;
  vmSkill?: number;
  phase: number;
  stateDirty: boolean;
  statsDirty: boolean;
  calls: number;
  inbound: number;
  manual: number;
  handleSum: number;
  talkSum: number;
  holdSum: number;
  wrapSum: number;
  idleSum: number;
  idleN: number;
  nrSum: number;
  nrN: number;
  disp: Map<string, number>;
}

export interface QueueItem {
  at: number;
  campaign: string;
  patience: number;
  customer: string;
}

export interface Skill {
  id: number;
  name: string;
  calls: QueueItem[];
  callbacks: QueueItem[];
  vms: QueueItem[];
  longest: number;
  totalVMs: number;
}

export interface CampaignSim {
  c: Campaign;
  skill?: number;
  phase: number;
  ratio: number;
  total: number;
  handled: number;
  abandoned: number;
  rejected: number;
  attempts: number;
  contacted: number;
  dispositioned: number;
  completed: number;
  totalRecords: number;
  availableRecords: number;
  asaSum: number;
  withinSL: number;
  longest: number;
  doneN: number;
  handleSum: number;
  talkSum: number;
  wrapSum: number;
  callTimeSum: number;
  disp: Map<string, number>;
  dirty: boolean;
}

/** Agents per state in one skill, and the voicemail-capable ones ready and busy. */
export type SkillCounts = Record<AgentStateName, number> & { vmReady: number; vmBusy: number };
