import type { Domain, DomainUser } from './domain';

/** Columns per statistic type (five9-statistics.md); the key column first. Unknown sets are a sensible default. */
export function columnsOf(domain: Domain, type: string): string[] {
  switch (type) {
    case 'AgentState':
      return ['Username', 'Full Name', 'State', 'State Since', 'State Duration', 'Reason Code', 'Reason Since', 'Reason Duration', 'Call Type'];
    case 'AgentStatistics':
      return ['Username', 'Full Name', 'Total Calls', 'Avg Handle Time', 'Avg Wrap Time', 'Avg Idle Time', 'Avg Not Ready Time', ...domain.dispositions];
    case 'ACDStatus':
      return [
        'Skill Name', 'Agents Logged In', 'Agents Not Ready For Calls', 'Agents On Call', 'Agents Ready For Calls', 'Agents Ready For VMs',
        'Calls In Queue', 'Current Longest Queue Time', 'Longest Queue Time', 'Queue Callbacks', 'Total VMs', 'VMs In Progress', 'VMs In Queue',
      ];
    case 'CampaignState':
      return ['Campaign Name', 'State', 'State Since'];
    case 'OutboundCampaignManager':
      return ['Campaign Name', 'State', 'Agents Ready For Calls', 'Dialing Attempts', 'Contacted', 'Dispositioned', 'Total Records', 'Available Records', 'Abandoned Calls'];
    case 'InboundCampaignStatistics':
      return ['Campaign Name', 'Total Calls', 'Handled Calls', 'Abandoned Calls', 'Rejected Calls', 'Average Speed Of Answer', 'Average Handle Time', 'Longest Queue Time', 'Service Level'];
    case 'OutboundCampaignStatistics':
    case 'AutodialCampaignStatistics':
      return ['Campaign Name', 'Total Calls', 'Dialing Attempts', 'Contacted', 'Abandoned Calls', ...domain.dispositions];
    default:
      return ['Name'];
  }
}

function fmt(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** One row per object of the type, as a map from column name to string value. */
export function rowsOf(domain: Domain, type: string, now: number): Array<Record<string, string>> {
  const agents = domain.users.filter((u) => u.role === 'Agent');
  const agentState = (a: DomainUser) => (a.loggedIn ? (a.id % 3 === 0 ? 'On Call' : a.id % 3 === 1 ? 'Ready' : 'Not Ready') : 'Logged Out');
  switch (type) {
    case 'AgentState':
    case 'AgentStatistics':
      return agents.map((a) => ({
        Username: a.name,
        'Full Name': a.fullName,
        State: agentState(a),
        'State Since': fmt(now - (a.id % 3600) * 1000),
        'State Duration': String((a.id % 3600) * 1000),
        'Call Type': agentState(a) === 'On Call' ? 'Inbound' : '',
        'Total Calls': String(a.id % 40),
      }));
    case 'ACDStatus':
      return domain.skills.map((s) => {
        const n = agents.filter((a) => a.loggedIn && a.skills.includes(s.id)).length;
        return { 'Skill Name': s.name, 'Agents Logged In': `${n} (${n})` };
      });
    default: {
      const wanted: Record<string, string[]> = {
        OutboundCampaignManager: ['OUTBOUND'],
        OutboundCampaignStatistics: ['OUTBOUND'],
        InboundCampaignStatistics: ['INBOUND'],
        AutodialCampaignStatistics: ['AUTODIAL'],
      };
      return [...domain.campaigns.values()]
        .filter((c) => !wanted[type] || wanted[type].includes(c.type))
        .filter((c) => type !== 'OutboundCampaignManager' || c.state === 'RUNNING')
        .map((c) => ({ 'Campaign Name': c.name, Name: c.name, State: c.state, 'State Since': fmt(c.stateSince) }));
    }
  }
}

/** A cell's value: the row's own, else empty for text-like columns and 0 for counts. */
export function cell(row: Record<string, string>, column: string): string {
  if (row[column] !== undefined) return row[column];
  return /Code|Since|Reason|Type/.test(column) ? '' : '0';
}
