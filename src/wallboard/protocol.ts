/**
 * What the wallboard server sends the page over Server-Sent Events: one JSON object per message,
 * told apart by `t`. Shared by the server (src/wallboard) and the page (src/wallboard/web), which
 * imports these types only. Times are the server's epoch ms; the page turns them into its own time
 * with the `now` every message carries, so a skewed clock does not skew "updated 3 s ago".
 *
 * Never in any message: a password, an Authorization value, the credential in any encoding. The
 * target is described by its host and path only.
 */

export type Cell = string | null;

/** How one statistic type is shown. */
export interface PanelView {
  type: string;
  title: string;
  /** The type's key column (from the manifest): the row's `data-key`. */
  key: string;
  /** Columns shown, key first; empty: every column the table has. */
  columns: string[];
  /** The column drawn as a coloured chip (a state). */
  chip?: string;
  /** The column the state filter works on. */
  filter?: string;
  /** A duration in ms that keeps counting on the page between updates. */
  ticking?: string;
  /** How the page lays it out. */
  layout: 'rows' | 'tiles';
}

export interface Hello {
  t: 'hello';
  now: number;
  /** The host and path polled ("api.five9.com/wssupervisor/v4/SupervisorWebService"), or the embedded simulator. */
  target: string;
  /**
   * The Five9 user whose session feeds the board. The Statistics API has no call that names the
   * domain; a user belongs to exactly one, so the user is what identifies it.
   */
  user: string;
  /** The board's heading (`--title`). */
  title: string;
  panels: PanelView[];
  /** Each statistic type is polled this often (ms): the page calls data older than its stall time stale. */
  perTypeEveryMs: number;
  stallMs: number;
}

export type FeedState = 'starting' | 'live' | 'waiting' | 'stale' | 'stopping';

export interface Status {
  t: 'status';
  now: number;
  state: FeedState;
  /** Why: the error, the quota window, the retry. Never a credential. */
  reason?: string;
  /** waiting / stale: when the feed tries again (server ms). */
  until?: number;
  /** Types whose first snapshot has not arrived yet, and why (e.g. a QueryStatistics window). */
  pending?: string[];
}

/** A whole table: on connect, at each snapshot and at every resynchronisation. */
export interface TableMessage {
  t: 'table';
  now: number;
  type: string;
  /** When the feed took it (server ms). */
  time: number;
  columns: string[];
  rows: Cell[][];
  /** For a ticking column: the server time at which each row's value was current. */
  at?: number[];
  /** Why it was taken again (ConfigurationChangedFault, …); absent for the first. */
  reason?: string;
}

/** What one poll of a type changed. */
export interface ChangesMessage {
  t: 'changes';
  now: number;
  type: string;
  time: number;
  /** Whole rows, in the table's column order. */
  added: Cell[][];
  /** [key, { column: value }] */
  updated: Array<[string, Record<string, Cell>]>;
  deleted: string[];
}

/** A poll that found nothing new: the data is current as of `time`. */
export interface PolledMessage {
  t: 'polled';
  now: number;
  type: string;
  time: number;
}

/** Sent every few seconds so the page can tell a silent connection from a quiet floor. */
export interface Beat {
  t: 'beat';
  now: number;
}

export type ServerMessage = Hello | Status | TableMessage | ChangesMessage | PolledMessage | Beat;
