import type { Campaign } from '../directory';
import type { StatisticType } from './columns';
import type { Agent, CampaignSim, Skill, SkillCounts } from './types';

/**
 * How the contact centre's state reads as rows of each statistic type: every cell a string, in the
 * formats Five9 uses (durations in ms, averages rounded, rates with two decimals and a %).
 */

/** The statistic types that list a campaign of each type. */
export const ROWS_OF_CAMPAIGN: Record<Campaign['type'], StatisticType[]> = {
  INBOUND: ['CampaignState', 'InboundCampaignStatistics'],
  OUTBOUND: ['CampaignState', 'OutboundCampaignManager', 'OutboundCampaignStatistics'],
  AUTODIAL: ['CampaignState', 'OutboundCampaignManager', 'AutodialCampaignStatistics'],
};

/** A time as `State Since` shows it: `YYYY-MM-DD hh:mm:ss` in the domain's time zone. */
export function formatTime(ms: number, timeZoneOffsetMs: number): string {
  return new Date(ms + timeZoneOffsetMs).toISOString().replace('T', ' ').slice(0, 19);
}

const avg = (sum: number, n: number) => String(n ? Math.round(sum / n) : 0);
const pct = (x: number, n: number) => `${(n ? (100 * x) / n : 0).toFixed(2)}%`;

export function agentStateRow(a: Agent, t: number, fmt: (ms: number) => string): Record<string, string> {
  return {
    'Full Name': a.user.fullName,
    State: a.state,
    'State Since': fmt(a.since),
    'State Duration': String(Math.max(0, t - a.since)),
    'Reason Code': a.reason,
    'Reason Since': a.reason ? fmt(a.reasonSince) : '',
    'Reason Duration': a.reason ? String(Math.max(0, t - a.reasonSince)) : '',
    'Call Type': a.callType,
    'Campaign Name': a.campaign,
    Customer: a.customer,
  };
}

export function agentStatsRow(a: Agent, dispositions: string[]): Record<string, string> {
  const row: Record<string, string> = {
    'Full Name': a.user.fullName,
    'Total Calls': String(a.calls),
    'Avg Handle Time': avg(a.handleSum, a.calls),
    'Avg Wrap Time': avg(a.wrapSum, a.calls),
    'Avg Idle Time': avg(a.idleSum, a.idleN),
    'Avg Not Ready Time': avg(a.nrSum, a.nrN),
    'Avg Talk Time': avg(a.talkSum, a.calls),
    'Avg Hold Time': avg(a.holdSum, a.calls),
    'Avg Call Time': avg(a.talkSum + a.holdSum, a.calls),
    'Total Inbound Calls': String(a.inbound),
    'Total Manual Calls': String(a.manual),
  };
  for (const d of dispositions) row[d] = String(a.disp.get(d) ?? 0);
  return row;
}

export function acdRow(s: Skill, t: number, c?: SkillCounts): Record<string, string> {
  const n = (x?: number) => String(x ?? 0);
  const logged = c ? c.Ready + c['Not Ready'] + c['On Call'] + c['After Call Work'] + c['On Voicemail'] : 0;
  const available = c ? logged - c['Not Ready'] : 0;
  const oldest = s.calls.length ? t - s.calls[0].at : 0;
  return {
    'Agents Logged In': `${logged} (${available})`,
    'Agents Not Ready For Calls': n(c ? c['Not Ready'] + c['After Call Work'] + c['On Voicemail'] : 0),
    'Agents On Call': n(c?.['On Call']),
    'Agents Ready For Calls': n(c?.Ready),
    'Agents Ready For VMs': n(c?.vmReady),
    'Calls In Queue': n(s.calls.length),
    'Current Longest Queue Time': n(oldest),
    'Longest Queue Time': n(Math.max(s.longest, oldest)),
    'Queue Callbacks': n(s.callbacks.length),
    'Total VMs': n(s.totalVMs),
    'VMs In Progress': n(c?.vmBusy),
    'VMs In Queue': n(s.vms.length),
  };
}

/** A campaign's row of one type; `readyAgents` counts the agents Ready now (the dialer's pool). */
export function campaignRow(type: StatisticType, cs: CampaignSim, dispositions: string[], readyAgents: () => number, fmt: (ms: number) => string): Record<string, string> {
  const disp = () => Object.fromEntries(dispositions.map((d) => [d, String(cs.disp.get(d) ?? 0)]));
  switch (type) {
    case 'CampaignState':
      return { State: cs.c.state, 'State Since': fmt(cs.c.stateSince) };
    case 'OutboundCampaignManager':
      return {
        State: cs.c.state,
        'Agents Ready For Calls': cs.c.type === 'OUTBOUND' && cs.c.state === 'RUNNING' ? String(readyAgents()) : '0',
        'Dialing Attempts': String(cs.attempts),
        Contacted: String(cs.contacted),
        Dispositioned: String(cs.dispositioned),
        'Total Records': String(cs.totalRecords),
        'Available Records': String(cs.availableRecords),
        'Calls To Agent Ratio': cs.c.type === 'OUTBOUND' ? cs.ratio.toFixed(2) : '0.00',
        'Abandoned Calls': String(cs.abandoned),
      };
    case 'OutboundCampaignStatistics':
      return {
        'Total Calls': String(cs.total),
        'Dialing Attempts': String(cs.attempts),
        Contacted: String(cs.contacted),
        'Abandoned Calls': String(cs.abandoned),
        'Abandon Rate': pct(cs.abandoned, cs.contacted),
        'Avg Handle Time': avg(cs.handleSum, cs.doneN),
        'Avg Talk Time': avg(cs.talkSum, cs.doneN),
        'Avg Wrap Time': avg(cs.wrapSum, cs.doneN),
        ...disp(),
      };
    case 'InboundCampaignStatistics':
      return {
        'Total Calls': String(cs.total),
        'Handled Calls': String(cs.handled),
        'Abandoned Calls': String(cs.abandoned),
        'Rejected Calls': String(cs.rejected),
        'Abandon Rate': pct(cs.abandoned, cs.total),
        'Avg Speed Of Answer': avg(cs.asaSum, cs.handled),
        'Avg Handle Time': avg(cs.handleSum, cs.doneN),
        'Avg Talk Time': avg(cs.talkSum, cs.doneN),
        'Avg Wrap Time': avg(cs.wrapSum, cs.doneN),
        'Longest Queue Time': String(cs.longest),
        'Service Level': pct(cs.withinSL, cs.handled + cs.abandoned),
        ...disp(),
      };
    case 'AutodialCampaignStatistics':
      return {
        'Total Calls': String(cs.total),
        'Dialing Attempts': String(cs.attempts),
        Contacted: String(cs.contacted),
        Completed: String(cs.completed),
        'Abandoned Calls': String(cs.abandoned),
        'Avg Call Time': avg(cs.callTimeSum, cs.contacted),
        ...disp(),
      };
    default:
      return {};
  }
}
