/**
 * What the page's URL says: the mode, the types shown, the queue thresholds, the agents' sort and
 * state filter. Changes made on the page are written back (replaceState), so a bookmark or the
 * wall's start-up URL keeps them.
 */
export type Mode = 'wall' | 'compact';

export interface Thresholds {
  /** Calls in queue above which a tile is amber / red. */
  queueAmber: number;
  queueRed: number;
  /** Longest wait in seconds above which a tile is amber / red. */
  waitAmber: number;
  waitRed: number;
}

export interface PageOptions {
  mode: Mode;
  types: string[];
  thresholds: Thresholds;
  sort?: string;
  dir: 1 | -1;
  states: string[];
}

const DEFAULTS: Thresholds = { queueAmber: 5, queueRed: 10, waitAmber: 60, waitRed: 180 };

function list(v: string | null): string[] {
  return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

function threshold(p: URLSearchParams, name: keyof Thresholds): number {
  const v = Number(p.get(name));
  return p.has(name) && Number.isFinite(v) && v >= 0 ? v : DEFAULTS[name];
}

export function readOptions(search: string): PageOptions {
  const p = new URLSearchParams(search);
  return {
    mode: p.get('mode') === 'wall' ? 'wall' : 'compact',
    types: list(p.get('types')),
    thresholds: { queueAmber: threshold(p, 'queueAmber'), queueRed: threshold(p, 'queueRed'), waitAmber: threshold(p, 'waitAmber'), waitRed: threshold(p, 'waitRed') },
    sort: p.get('sort') ?? undefined,
    dir: p.get('dir') === 'desc' ? -1 : 1,
    states: list(p.get('states')),
  };
}

/** Writes some parameters into the address bar (an empty value removes it). */
export function writeOptions(changes: Record<string, string | undefined>): void {
  const u = new URL(location.href);
  for (const [k, v] of Object.entries(changes)) {
    if (v) u.searchParams.set(k, v);
    else u.searchParams.delete(k);
  }
  history.replaceState(null, '', u);
}
