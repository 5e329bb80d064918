/**
 * The benchmark's cases: each request input, the exact answer the fixture server sends (prepared
 * once, as Five9 writes it: env:/ns2: prefixes, unqualified children, no indentation), and the
 * result every contender must come to, in one contender-neutral shape. Built by hand from seeded
 * data, never with the adapter's own encoder, so the adapter is not checked against itself.
 */
import { mulberry32 } from '../src/simulator/random';

export const NS = 'http://service.supervisor.ws.five9.com/';
export const ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
export const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
export const USER = 'bench-user@example.com';
export const PASSWORD = 'bench-secret';

/** A contender's result reduced to what the checks compare: every cell as a string (or null). */
export type Normalized =
  | { kind: 'statistics'; columns: string[]; rows: (string | null)[][]; timestamp: string; type: string }
  | {
      kind: 'update';
      added: string[];
      items: { columnName: string; columnValue: string | null; objectName: string }[];
      deleted: string[];
      lastTimestamp: string;
      previousTimestamp: string;
      type: string;
    }
  | { kind: 'fault'; name: string; fields: Record<string, string> }
  | { kind: 'empty' };

export interface BenchCase {
  id: string;
  title: string;
  /** The SOAP operation, which is also the adapter's action id and node-soap's method name. */
  operation: string;
  input: Record<string, unknown>;
  status: number;
  answer: string;
  expected: Normalized;
  /** Part of the smoke run (the small cases). */
  smoke: boolean;
  large: boolean;
}

// ----- seeded data ------------------------------------------------------------------------------

// The simulator's seeded PRNG, so fixtures are the same in every run.
const rng = mulberry32;

const FIRST = ['John', 'Mary', 'Ana', 'Luis', 'Wei', 'Priya', 'Omar', 'Chloé', 'Sean', 'Fatima', 'Kenji', 'Olga', 'Pat', 'Zoë', 'Tomás', 'Grace'];
const LAST = ['Smith', 'Jones', "O'Neil", 'García', 'Chen', 'Patel', 'Haddad', 'Dubois', 'Murphy', 'Khan', 'Sato', 'Ivanova', 'Nguyen', 'Müller', 'Silva', 'Brown'];
const GROUPS = ['Sales & Retention', 'Billing & Collections', 'Support Tier 1', 'Support Tier 2', 'Spanish <ES>', 'Outbound'];
const DISPOSITIONS = [
  'Abandon', 'Answering Machine', 'Busy', 'Declined', 'Dial Error', 'Fax', 'Hangup', 'No Answer', 'No Disposition', 'Operator Intercept', 'Recycle',
  'Resource Unavailable', 'Sent To Voicemail', 'System Error', 'Timeout', 'Transferred To 3rd Party', 'Voicemail Dump', 'Caller Disconnected',
  'Do Not Call', 'Queue Callback Timeout', 'Sale', 'Not Interested', 'Call Back',
];

/**
 * 60 AgentStatistics columns: the confirmed and one-source ones of five9-statistics.md, an agent
 * group, one count per disposition (system and domain ones), and further totals named the way the
 * Supervisor desktop names its columns (illustrative: no public list has all of a domain's columns).
 */
export const LARGE_COLUMNS: string[] = [
  'Username', 'Full Name', 'Agent Group', 'State', 'Total Calls', 'Avg Handle Time', 'Avg Wrap Time', 'Avg Idle Time', 'Avg Not Ready Time', 'Avg Talk Time',
  'Avg Hold Time', 'Avg Call Time', 'First Call Resolution', 'Total Inbound Calls', 'Total Manual Calls', 'Total Outbound Calls', 'Total Internal Calls',
  'Total Preview Calls', 'Total Autodial Calls', 'Total Voicemails', 'Total Callbacks', 'Total Transfers', 'Total Conferences', 'Total Holds',
  'Total Talk Time', 'Total Wrap Time', 'Total Idle Time', 'Total Not Ready Time', 'Total Handle Time', 'Total Logged In Time', 'Longest Talk Time',
  'Longest Hold Time', 'Avg Speed Of Answer', 'Calls Rejected', 'Calls Missed', 'Service Level', 'Last Login',
  ...DISPOSITIONS,
];
if (LARGE_COLUMNS.length !== 60) throw new Error(`LARGE_COLUMNS has ${LARGE_COLUMNS.length} columns, not 60`);

const STATES = ['Logged Out', 'Ready', 'Not Ready', 'On Call', 'After Call Work'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function stamp(r: () => number): string {
  const d = new Date(Date.UTC(2026, 0, 5, 8) + Math.floor(r() * 10 * 3600_000));
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** One agent's row; null is a nil cell (a logged-out agent has no rates). */
function agentRow(r: () => number, i: number): (string | null)[] {
  const first = pick(r, FIRST);
  const last = pick(r, LAST);
  const loggedOut = r() < 0.15;
  const calls = loggedOut ? 0 : Math.floor(r() * 180);
  const ms = (max: number) => String(calls ? Math.floor(r() * max) : 0);
  const row: (string | null)[] = [
    `${first.toLowerCase().replace(/[^a-z]/g, '')}.${last.toLowerCase().replace(/[^a-z]/g, '')}${i}@example.com`,
    `${first} ${last}`,
    pick(r, GROUPS),
    loggedOut ? 'Logged Out' : pick(r, STATES),
    String(calls),
  ];
  for (let c = 5; c < 12; c++) row.push(ms(400_000));
  row.push(loggedOut ? null : `${Math.floor(r() * 100)}`);
  for (let c = 13; c < 24; c++) row.push(String(Math.floor(r() * (calls + 1) * (c < 17 ? 1 : 0.1))));
  for (let c = 24; c < 32; c++) row.push(ms(9_000_000));
  row.push(ms(60_000), String(Math.floor(r() * 3)), String(Math.floor(r() * 3)), loggedOut ? null : `${Math.floor(r() * 100)}%`, stamp(r));
  for (let d = 0; d < DISPOSITIONS.length; d++) row.push(String(Math.floor(r() * (calls / 8 + 1))));
  return row;
}

// ----- XML, as Five9 writes it -------------------------------------------------------------------

/** JAXB escapes &, < and > in text (quotes stay as they are). */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function dataList(values: (string | null)[]): string {
  let out = '<values>';
  for (const v of values) out += v === null ? '<data xsi:nil="true"/>' : `<data>${esc(v)}</data>`;
  return out + '</values>';
}

function answer(operation: string, inner: string): string {
  // JAX-WS declares xsi only where a nil is written.
  const xsi = inner.includes('xsi:nil') ? ` xmlns:xsi="${XSI}"` : '';
  return `<env:Envelope xmlns:env="${ENV}"><env:Header/><env:Body><ns2:${operation}Response xmlns:ns2="${NS}"${xsi}>${inner}</ns2:${operation}Response></env:Body></env:Envelope>`;
}

function statisticsCase(id: string, title: string, input: Record<string, unknown>, columns: string[], rows: (string | null)[][], timestamp: number, smoke: boolean, large: boolean): BenchCase {
  let inner = `<return><columns>${dataList(columns)}</columns>`;
  for (const row of rows) inner += `<rows>${dataList(row)}</rows>`;
  inner += `<timestamp>${timestamp}</timestamp><type>AgentStatistics</type></return>`;
  return {
    id,
    title,
    operation: 'getStatistics',
    input,
    status: 200,
    answer: answer('getStatistics', inner),
    expected: { kind: 'statistics', columns, rows, timestamp: String(timestamp), type: 'AgentStatistics' },
    smoke,
    large,
  };
}

interface Item {
  columnName: string;
  columnValue: string | null;
  objectName: string;
}

function updateCase(id: string, title: string, items: Item[], added: string[], deleted: string[], previous: number, last: number, smoke: boolean, large: boolean): BenchCase {
  let inner = '<return>';
  if (added.length) inner += `<addedObjects>${dataList(added)}</addedObjects>`;
  for (const it of items) {
    const value = it.columnValue === null ? '<columnValue xsi:nil="true"/>' : `<columnValue>${esc(it.columnValue)}</columnValue>`;
    inner += `<dataUpdate><columnName>${esc(it.columnName)}</columnName>${value}<objectName>${esc(it.objectName)}</objectName></dataUpdate>`;
  }
  inner += `<deletedObjects>${dataList(deleted)}</deletedObjects><lastTimestamp>${last}</lastTimestamp><previousTimestamp>${previous}</previousTimestamp><type>AgentStatistics</type></return>`;
  return {
    id,
    title,
    operation: 'getStatisticsUpdate',
    input: { statisticType: 'AgentStatistics', previousTimestamp: previous, longPollingTimeout: 5000 },
    status: 200,
    answer: answer('getStatisticsUpdate', inner),
    expected: { kind: 'update', added, items, deleted, lastTimestamp: String(last), previousTimestamp: String(previous), type: 'AgentStatistics' },
    smoke,
    large,
  };
}

const APPENDIX_A_COLUMNS = ['Username', 'Full Name', 'Total Calls'];

/** Every case, built once (the large ones take a few hundred ms). */
export function buildCases(): BenchCase[] {
  const cases: BenchCase[] = [];

  // getStatistics, the guide's Appendix A exchange.
  cases.push(
    statisticsCase(
      'getStatistics-small',
      'getStatistics, Appendix A (1 row × 3 columns)',
      { statisticType: 'AgentStatistics', columnNames: { values: { data: APPENDIX_A_COLUMNS } } },
      APPENDIX_A_COLUMNS,
      [['jsmith', 'John Smith', '12']],
      1295893918397,
      true,
      false,
    ),
  );

  // getStatistics, a 5,000-agent domain's every column.
  const r = rng(5000);
  const rows: (string | null)[][] = [];
  for (let i = 0; i < 5000; i++) rows.push(agentRow(r, i));
  cases.push(statisticsCase('getStatistics-large', 'getStatistics, 5,000 rows × 60 columns', { statisticType: 'AgentStatistics' }, LARGE_COLUMNS, rows, 1767600000000, false, true));

  // getStatisticsUpdate, Appendix A's answer as the WSDL shapes it (well-formed, no elided items).
  cases.push(
    updateCase(
      'getStatisticsUpdate-small',
      'getStatisticsUpdate, Appendix A (3 items)',
      [
        { columnName: 'averageWrapTime', columnValue: '24981', objectName: 'updatedObject' },
        { columnName: 'totalAgentCalls', columnValue: '1', objectName: 'updatedObject' },
        { columnName: 'No Dispositions', columnValue: '1', objectName: 'updatedObject' },
      ],
      [],
      ['deleted10', 'deleted11', 'deleted12'],
      1295893918397,
      1295894116286,
      true,
      false,
    ),
  );

  // getStatisticsUpdate, a busy batch: 2,000 changed cells of the large snapshot's agents.
  const u = rng(2000);
  const items: Item[] = [];
  for (let i = 0; i < 2000; i++) {
    const row = rows[Math.floor(u() * rows.length)];
    const c = 3 + Math.floor(u() * (LARGE_COLUMNS.length - 3));
    items.push({ columnName: LARGE_COLUMNS[c], columnValue: u() < 0.03 ? null : (row[c] ?? '0'), objectName: row[0] as string });
  }
  cases.push(
    updateCase(
      'getStatisticsUpdate-large',
      'getStatisticsUpdate, 2,000 dataUpdate items',
      items,
      ['new.agent1@example.com', 'new.agent2@example.com'],
      ['gone.agent7@example.com'],
      1767600000000,
      1767600004211,
      false,
      true,
    ),
  );

  // A SOAP fault as JAX-WS sends it: HTTP 500, detail element named after the fault.
  const message = 'Operations limit exceeded: 2 QueryStatistics requests per 60 s';
  cases.push({
    id: 'fault',
    title: 'OperationsLimitExceededFault (HTTP 500)',
    operation: 'getStatistics',
    input: { statisticType: 'AgentStatistics', columnNames: { values: { data: APPENDIX_A_COLUMNS } } },
    status: 500,
    answer:
      `<env:Envelope xmlns:env="${ENV}"><env:Header/><env:Body><env:Fault><faultcode>env:Server</faultcode><faultstring>${message}</faultstring>` +
      `<detail><ns2:OperationsLimitExceededFault xmlns:ns2="${NS}"><limit>2</limit><message>${message}</message><operationType>QueryStatistics</operationType></ns2:OperationsLimitExceededFault></detail>` +
      '</env:Fault></env:Body></env:Envelope>',
    expected: { kind: 'fault', name: 'OperationsLimitExceededFault', fields: { limit: '2', message, operationType: 'QueryStatistics' } },
    smoke: true,
    large: false,
  });

  // setSessionParameters, Appendix A's request with the WSDL's boolean; the answer is empty.
  cases.push({
    id: 'setSessionParameters',
    title: 'setSessionParameters (empty answer)',
    operation: 'setSessionParameters',
    input: { viewSettings: { forceLogoutSession: true, rollingPeriod: 'Minutes30', shiftStart: 28800000, statisticsRange: 'CurrentWeek', timeZone: -25200000 } },
    status: 200,
    answer: `<env:Envelope xmlns:env="${ENV}"><env:Header/><env:Body><ns2:setSessionParametersResponse xmlns:ns2="${NS}"/></env:Body></env:Envelope>`,
    expected: { kind: 'empty' },
    smoke: true,
    large: false,
  });
  return cases;
}

/** The path the fixture server answers a case on (a v4 endpoint, so the adapter's version is v4). */
export function casePath(id: string): string {
  return `/case/${id}/wssupervisor/v4/SupervisorWebService`;
}
