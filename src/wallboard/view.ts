import { Five9Error } from '../errors';
import type { Manifest } from '../manifest';
import type { PanelView } from './protocol';

/** The statistic types a wallboard shows when none are named. */
export const DEFAULT_TYPES = ['AgentState', 'ACDStatus', 'CampaignState'];

/**
 * How the three wallboard types are drawn, and so which columns are asked for: the feed requests
 * only these (a 5,000-agent AgentState snapshot with 6 of its 11 columns is about half the bytes).
 * Any other type is a plain table of every column. The key column is the manifest's.
 */
const VIEWS: Record<string, Omit<PanelView, 'type' | 'key'>> = {
  AgentState: {
    title: 'Agents',
    columns: ['Username', 'Full Name', 'State', 'State Duration', 'Reason Code', 'Campaign Name'],
    chip: 'State',
    filter: 'State',
    ticking: 'State Duration',
    layout: 'rows',
  },
  ACDStatus: {
    title: 'Queues',
    columns: ['Skill Name', 'Calls In Queue', 'Current Longest Queue Time', 'Agents Ready For Calls'],
    layout: 'tiles',
  },
  CampaignState: {
    title: 'Campaigns',
    columns: ['Campaign Name', 'State'],
    chip: 'State',
    layout: 'rows',
  },
};

/** The panels for the types asked for, in that order; an unknown type is refused by name. */
export function panelsFor(manifest: Manifest, types: string[]): PanelView[] {
  const keys = manifest.registry.resolve({ $ref: 'statisticType.json' })['x-keyColumns'] as Record<string, string>;
  const seen = new Set<string>();
  return types.map((type) => {
    const key = keys[type];
    if (!key) throw new Five9Error('FIVE9_CONFIG', `unknown statistic type "${type}": use ${Object.keys(keys).join(', ')}`);
    if (seen.has(type)) throw new Five9Error('FIVE9_CONFIG', `statistic type "${type}" is named twice`);
    seen.add(type);
    const view = VIEWS[type];
    if (!view) return { type, title: type, key, columns: [], layout: 'rows' };
    return { type, key, ...view, columns: [key, ...view.columns.filter((c) => c !== key)] };
  });
}
