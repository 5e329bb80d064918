/**
 * The statistics data of the simulator, as data: the eight statistic types, the key column of each
 * (the objectName of getStatisticsUpdate), their columns in Five9's order and the value vocabularies.
 *
 * Sources (from public clients of the real service, see the project's reference notes):
 * - `confirmed`: several independent clients agree.
 * - `one source`: a single client shows it.
 * - `chosen`: no public source shows it; the simulator's own sensible choice, kept here so it is
 *   easy to change when a real answer is seen.
 */

export const STATISTIC_TYPES = [
  'AgentState',
  'AgentStatistics',
  'ACDStatus',
  'CampaignState',
  'OutboundCampaignManager',
  'OutboundCampaignStatistics',
  'InboundCampaignStatistics',
  'AutodialCampaignStatistics',
] as const;

export type StatisticType = (typeof STATISTIC_TYPES)[number];

export type ColumnSource = 'confirmed' | 'one source' | 'chosen';

export interface StatisticTypeSpec {
  /** The key column: first in every answer, its value is the objectName of updates. */
  key: string;
  keySource: ColumnSource;
  /** The fixed columns, key first, in the order getColumnNames gives them. */
  columns: Array<{ name: string; source: ColumnSource }>;
  /** One count column per disposition of the domain follows the fixed columns. */
  dispositionColumns: boolean;
  /** Which objects are rows. */
  rows: 'agents' | 'skills' | 'campaigns' | 'inbound campaigns' | 'outbound campaigns' | 'autodial campaigns' | 'dialer campaigns';
}

const c = (source: ColumnSource, ...names: string[]) => names.map((name) => ({ name, source }));

export const STATISTIC_SPECS: Record<StatisticType, StatisticTypeSpec> = {
  AgentState: {
    key: 'Username',
    keySource: 'confirmed',
    columns: [
      ...c('confirmed', 'Username', 'Full Name', 'State', 'State Since', 'State Duration', 'Reason Code', 'Reason Since', 'Reason Duration', 'Call Type'),
      ...c('one source', 'Campaign Name', 'Customer'),
    ],
    dispositionColumns: false,
    rows: 'agents',
  },
  AgentStatistics: {
    key: 'Username',
    keySource: 'confirmed',
    columns: [
      ...c('confirmed', 'Username', 'Full Name', 'Total Calls', 'Avg Handle Time', 'Avg Wrap Time', 'Avg Idle Time', 'Avg Not Ready Time'),
      ...c('one source', 'Avg Talk Time', 'Avg Hold Time', 'Avg Call Time', 'Total Inbound Calls', 'Total Manual Calls'),
    ],
    dispositionColumns: true,
    rows: 'agents',
  },
  ACDStatus: {
    key: 'Skill Name',
    keySource: 'confirmed',
    // Key first, the rest alphabetical (confirmed). `Calls In Queue (Visual IVR)` of newer servers is left out.
    columns: c(
      'confirmed',
      'Skill Name', 'Agents Logged In', 'Agents Not Ready For Calls', 'Agents On Call', 'Agents Ready For Calls', 'Agents Ready For VMs',
      'Calls In Queue', 'Current Longest Queue Time', 'Longest Queue Time', 'Queue Callbacks', 'Total VMs', 'VMs In Progress', 'VMs In Queue',
    ),
    dispositionColumns: false,
    rows: 'skills',
  },
  CampaignState: {
    key: 'Campaign Name',
    keySource: 'confirmed',
    columns: c('one source', 'Campaign Name', 'State', 'State Since'),
    dispositionColumns: false,
    rows: 'campaigns',
  },
  OutboundCampaignManager: {
    key: 'Campaign Name',
    keySource: 'one source',
    columns: [
      ...c('one source', 'Campaign Name'),
      ...c('chosen', 'State', 'Agents Ready For Calls', 'Dialing Attempts', 'Contacted', 'Dispositioned', 'Total Records', 'Available Records', 'Calls To Agent Ratio', 'Abandoned Calls'),
    ],
    dispositionColumns: false,
    rows: 'dialer campaigns',
  },
  OutboundCampaignStatistics: {
    key: 'Campaign Name',
    keySource: 'one source',
    columns: [
      ...c('one source', 'Campaign Name'),
      ...c('chosen', 'Total Calls', 'Dialing Attempts', 'Contacted', 'Abandoned Calls', 'Abandon Rate', 'Avg Handle Time', 'Avg Talk Time', 'Avg Wrap Time'),
    ],
    dispositionColumns: true,
    rows: 'outbound campaigns',
  },
  InboundCampaignStatistics: {
    key: 'Campaign Name',
    keySource: 'confirmed',
    columns: [
      ...c('confirmed', 'Campaign Name'),
      ...c(
        'chosen',
        'Total Calls', 'Handled Calls', 'Abandoned Calls', 'Rejected Calls', 'Abandon Rate', 'Avg Speed Of Answer', 'Avg Handle Time', 'Avg Talk Time',
        'Avg Wrap Time', 'Longest Queue Time', 'Service Level',
      ),
    ],
    dispositionColumns: true,
    rows: 'inbound campaigns',
  },
  AutodialCampaignStatistics: {
    key: 'Campaign Name',
    keySource: 'one source',
    columns: [
      ...c('one source', 'Campaign Name'),
      ...c('chosen', 'Total Calls', 'Dialing Attempts', 'Contacted', 'Completed', 'Abandoned Calls', 'Avg Call Time'),
    ],
    dispositionColumns: true,
    rows: 'autodial campaigns',
  },
};

/** AgentState `State` values (confirmed, plus `On Voicemail` whose exact case is unknown). */
export const AGENT_STATES = ['Logged Out', 'Ready', 'Not Ready', 'On Call', 'After Call Work', 'On Voicemail'] as const;
export type AgentStateName = (typeof AGENT_STATES)[number];

/** Not Ready reason codes of the simulated domain (chosen), with their weights. */
export const NOT_READY_REASONS: Array<[string, number]> = [['Break', 40], ['Lunch', 15], ['Meeting', 12], ['Training', 10], ['Personal', 13], ['Coaching', 10]];
/** Logout reason codes (chosen). */
export const LOGOUT_REASONS: Array<[string, number]> = [['End Of Shift', 80], ['System', 20]];

/** `Call Type` values (chosen: `Inbound`, `Outbound`, `Manual`; a queue callback is `Outbound`). */
export const CALL_TYPES = { inbound: 'Inbound', outbound: 'Outbound', manual: 'Manual' } as const;

/** Dispositions an agent sets after a call, with weights (system dispositions are set by the dialer). */
export const AGENT_DISPOSITIONS: Array<[string, number]> = [
  ['No Disposition', 8], ['Sale', 14], ['Not Interested', 16], ['Call Back', 10], ['Transferred To 3rd Party', 5], ['Hangup', 4],
  ['Caller Disconnected', 5], ['Do Not Call', 2],
];

/** Dialer outcomes of an attempt that reached nobody, with weights. */
export const DIALER_DISPOSITIONS: Array<[string, number]> = [
  ['No Answer', 45], ['Busy', 15], ['Answering Machine', 22], ['Fax', 3], ['Dial Error', 5], ['Operator Intercept', 4], ['Sent To Voicemail', 6],
];

/** Custom dispositions a larger domain defines (size.dispositions), then numbered ones. */
export const CUSTOM_DISPOSITION_NAMES = [
  'Appointment Set', 'Wrong Number', 'Left Message', 'Escalated', 'Payment Taken', 'Promise To Pay', 'Refund Issued', 'Order Placed',
  'Order Status', 'Technical Issue Resolved', 'Technical Issue Open', 'Billing Question', 'Address Changed', 'Cancelled Service',
  'Upgrade Accepted', 'Upgrade Declined', 'Survey Completed', 'Survey Declined', 'Language Barrier', 'Deceased', 'Duplicate Record',
  'Information Sent', 'Warm Transfer', 'Complaint Logged', 'Retention Offer Accepted', 'Retention Offer Declined', 'Spanish Callback',
  'Supervisor Requested', 'Verified', 'Not Verified',
];

export function customDispositionName(i: number): string {
  return i < CUSTOM_DISPOSITION_NAMES.length ? CUSTOM_DISPOSITION_NAMES[i] : `Custom Disposition ${i + 1}`;
}

/**
 * Value formats (confirmed unless said): every cell a string; durations and queue times whole
 * milliseconds; counts integers; `State Since`/`Reason Since` `YYYY-MM-DD HH:MM:SS` in the domain's
 * time zone; empty cells empty strings. Chosen: rates (`Abandon Rate`, `Service Level`) as a percent
 * with two decimals and a `%` sign (`4.17%`), `Calls To Agent Ratio` with two decimals (`1.50`);
 * `Agents Logged In` is `"N (M)"` (confirmed) where the simulator's M is the logged-in agents of the
 * skill who are not Not Ready (chosen: the real meaning of M is undocumented).
 */
export const SERVICE_LEVEL_SECONDS = 20;
