import type { Hello, ServerMessage, Status } from '../protocol';
import { ago, clock, el } from './format';
import { type PageOptions, writeOptions } from './options';
import { RowsPanel } from './rows';
import { TilesPanel } from './tiles';

/** The page's own verdict, shown in the banner (`data-state`). */
export type PageState = 'connecting' | 'live' | 'waiting' | 'stale';

/** Dispatched on window after each table or batch of changes reached the DOM (the benchmark listens). */
export interface AppliedDetail {
  type: string;
  kind: 'table' | 'changes';
  /** When the feed produced it (server epoch ms). */
  time: number;
  /** When the message arrived and when the DOM held it (this page's epoch ms, sub-ms). */
  receivedAt: number;
  appliedAt: number;
  rows: number;
}

/** Silence from the server (its heartbeat is every 5 s) after which the connection is presumed dead. */
const SILENT_MS = 15_000;

const now = () => performance.timeOrigin + performance.now();

/**
 * The wallboard page: header (title, domain user, target, last update, mode), the stale / waiting
 * banner, and a panel per statistic type. Every message from the server goes through handle(); the
 * page keeps no state the server cannot resend, so a reconnect simply starts over with full tables.
 */
export class Board {
  private readonly title: HTMLElement;
  private readonly where: HTMLElement;
  private readonly updated: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly main: HTMLElement;
  private readonly modeButton: HTMLButtonElement;
  private hello?: Hello;
  private status?: Status;
  private connected = false;
  private lastMessage = 0;
  /** Local minus server time, from the `now` of the latest message. */
  private offset = 0;
  private readonly panels = new Map<string, RowsPanel | TilesPanel>();
  private readonly placeholders = new Map<string, HTMLElement>();
  /** Latest poll result per type, local time. */
  private readonly polled = new Map<string, number>();
  private signature = '';
  state: PageState = 'connecting';

  constructor(
    root: HTMLElement,
    private readonly options: PageOptions,
  ) {
    const header = el('header', 'top');
    this.title = el('h1', 'title', 'Five9 wallboard');
    const meta = el('div', 'meta');
    this.where = el('span', 'where');
    this.updated = el('span', 'updated');
    meta.append(this.where, this.updated);
    const actions = el('div', 'actions');
    this.modeButton = el('button', 'action');
    this.modeButton.type = 'button';
    this.modeButton.addEventListener('click', () => this.setMode(this.options.mode === 'wall' ? 'compact' : 'wall'));
    const full = el('button', 'action', 'Full screen');
    full.type = 'button';
    full.addEventListener('click', () => void document.documentElement.requestFullscreen?.().catch(() => undefined));
    actions.append(this.modeButton, full);
    header.append(this.title, meta, actions);
    this.banner = el('div', 'banner');
    this.banner.setAttribute('role', 'status');
    this.banner.setAttribute('aria-live', 'polite');
    this.main = el('main', 'panels');
    root.replaceChildren(header, this.banner, this.main);
    // Rows scrolled into view count on at once, not at the next second.
    let pending = 0;
    document.addEventListener(
      'scroll',
      () => {
        pending ||= requestAnimationFrame(() => {
          pending = 0;
          const t = Date.now();
          for (const p of this.panels.values()) if (p instanceof RowsPanel) p.tick(t);
        });
      },
      { capture: true, passive: true },
    );
    this.setMode(options.mode);
    this.render();
  }

  setConnected(on: boolean): void {
    this.connected = on;
    if (on) this.lastMessage = Date.now();
    this.render();
  }

  handle(m: ServerMessage): void {
    const receivedAt = now();
    this.lastMessage = Date.now();
    this.offset = this.lastMessage - m.now;
    switch (m.t) {
      case 'hello':
        this.hello = m;
        this.build(m);
        break;
      case 'status':
        this.status = m;
        this.renderPlaceholders();
        break;
      case 'table': {
        const p = this.panels.get(m.type);
        if (!p) break;
        if (p instanceof RowsPanel) p.setTable(m, this.offset);
        else p.setTable(m);
        this.placeholders.get(m.type)?.remove();
        this.placeholders.delete(m.type);
        this.polled.set(m.type, m.time + this.offset);
        this.applied({ type: m.type, kind: 'table', time: m.time, receivedAt, appliedAt: now(), rows: m.rows.length });
        break;
      }
      case 'changes': {
        const p = this.panels.get(m.type);
        if (!p) break;
        if (p instanceof RowsPanel) p.applyChanges(m, this.offset);
        else p.applyChanges(m);
        this.polled.set(m.type, m.time + this.offset);
        this.applied({ type: m.type, kind: 'changes', time: m.time, receivedAt, appliedAt: now(), rows: m.added.length + m.updated.length + m.deleted.length });
        break;
      }
      case 'polled':
        this.polled.set(m.type, m.time + this.offset);
        break;
      case 'beat':
        break;
    }
    this.render();
  }

  /** Once a second: the ticking durations, "updated N s ago" and the staleness checks. */
  tick(): void {
    const t = Date.now();
    for (const p of this.panels.values()) if (p instanceof RowsPanel) p.tick(t);
    this.render();
  }

  private applied(detail: AppliedDetail): void {
    window.dispatchEvent(new CustomEvent('wallboard:applied', { detail }));
  }

  private setMode(mode: PageOptions['mode']): void {
    this.options.mode = mode;
    document.body.classList.toggle('mode-wall', mode === 'wall');
    document.body.classList.toggle('mode-compact', mode !== 'wall');
    this.modeButton.textContent = mode === 'wall' ? 'Compact mode' : 'Wall mode';
    writeOptions({ mode: mode === 'wall' ? 'wall' : undefined });
  }

  /** (Re)builds the panels when the server's set of panels differs from the one shown. */
  private build(h: Hello): void {
    this.title.textContent = h.title;
    document.title = h.title;
    this.where.textContent = `${h.user} · ${h.target}`;
    this.where.title = `Five9 user ${h.user} (the domain it belongs to), polling ${h.target}; each statistic type every ${Math.round(h.perTypeEveryMs / 100) / 10} s`;
    const signature = JSON.stringify(h.panels);
    if (signature === this.signature) return;
    this.signature = signature;
    this.panels.clear();
    this.placeholders.clear();
    this.polled.clear();
    const nodes: HTMLElement[] = [];
    for (const view of h.panels) {
      const panel =
        view.layout === 'tiles'
          ? new TilesPanel(view, this.options.thresholds)
          : new RowsPanel(view, {
              ...(view.filter ? { sort: this.options.sort, dir: this.options.dir, states: this.options.states } : { dir: 1, states: [] }),
              onChange: view.filter ? (o) => writeOptions({ sort: o.sort, dir: o.dir === -1 ? 'desc' : undefined, states: o.states.join(',') || undefined }) : undefined,
            });
      this.panels.set(view.type, panel);
      nodes.push(panel.root);
      const ph = el('p', 'placeholder', 'Waiting for the first snapshot…');
      panel.root.insertBefore(ph, panel.root.children[1] ?? null);
      this.placeholders.set(view.type, ph);
    }
    this.main.replaceChildren(...nodes);
    this.main.dataset.panels = String(nodes.length);
    this.renderPlaceholders();
  }

  private renderPlaceholders(): void {
    const s = this.status;
    for (const [type, ph] of this.placeholders) {
      const why = s?.state === 'waiting' && s.reason ? ` ${s.reason}` : s?.state === 'stale' && s.reason ? ` ${s.reason}` : '';
      ph.textContent = `Waiting for the first snapshot of ${type}.${why}`;
    }
  }

  /** The page's verdict: live, waiting (a quota window), connecting, or stale and why. */
  private verdict(t: number): { state: PageState; text: string } {
    const newest = Math.max(0, ...this.polled.values());
    const last = newest ? ` Last update ${clock(newest)} (${ago(t - newest)}).` : '';
    if (!this.connected) return { state: this.hello ? 'stale' : 'connecting', text: this.hello ? `Stale: the connection to the wallboard server is lost; reconnecting…${last}` : 'Connecting to the wallboard server…' };
    if (t - this.lastMessage > SILENT_MS) return { state: 'stale', text: `Stale: no word from the wallboard server for ${ago(t - this.lastMessage).replace(' ago', '')}.${last}` };
    const s = this.status;
    if (!s || !this.hello) return { state: 'connecting', text: 'Connecting…' };
    const until = s.until ? ` (until ${clock(s.until + this.offset)})` : '';
    if (s.state === 'stale') return { state: 'stale', text: `Stale: ${s.reason ?? 'the feed stopped'}; retrying${until}.${last}` };
    if (s.state === 'stopping') return { state: 'stale', text: `Stale: ${s.reason ?? 'the server is stopping'}.${last}` };
    if (s.state === 'waiting') {
      const what = (s.pending ?? []).map((t) => this.hello!.panels.find((p) => p.type === t)?.title ?? t).join(', ') || 'The next request';
      return { state: 'waiting', text: `Waiting: ${what} load${until.replace('(until', 'at').replace(')', '')} (${(s.reason ?? 'a Five9 domain limit').split(';')[0]}).${last}` };
    }
    if (s.state === 'starting' || s.pending?.length) return { state: 'connecting', text: `Loading ${(s.pending ?? []).join(', ') || 'the tables'}…${last}` };
    if (newest && t - newest > this.hello.stallMs) return { state: 'stale', text: `Stale: no update for ${ago(t - newest).replace(' ago', '')} (each type is polled every ${Math.round(this.hello.perTypeEveryMs / 1000)} s).${last}` };
    return { state: 'live', text: '' };
  }

  private render(): void {
    const t = Date.now();
    const v = this.verdict(t);
    if (this.state !== v.state || this.banner.textContent !== v.text) {
      this.state = v.state;
      this.banner.dataset.state = v.state;
      this.banner.textContent = v.text;
      this.banner.hidden = v.state === 'live';
      document.body.classList.toggle('is-stale', v.state === 'stale');
    }
    const newest = Math.max(0, ...this.polled.values());
    const text = newest ? `updated ${clock(newest)} · ${ago(t - newest)}` : 'no data yet';
    if (this.updated.textContent !== text) this.updated.textContent = text;
  }
}
