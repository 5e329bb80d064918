import type { Cell, ChangesMessage, PanelView, TableMessage } from '../protocol';
import { duration, el, num } from './format';
import type { Thresholds } from './options';

/** The labels and formats of the queue tile's figures; a column not named here is shown as it comes. */
const FIGURES: Record<string, { label: string; ms?: boolean }> = {
  'Calls In Queue': { label: 'in queue' },
  'Current Longest Queue Time': { label: 'longest wait', ms: true },
  'Agents Ready For Calls': { label: 'ready' },
};

interface Tile {
  key: string;
  el: HTMLElement;
  cells: Map<string, HTMLElement>;
  values: Map<string, Cell>;
}

/**
 * ACDStatus as one tile per skill (`data-key` = Skill Name): calls in queue, longest wait and
 * agents ready, each a cell with `data-column`. A tile turns amber or red when calls in queue or
 * the longest wait pass the thresholds given in the URL.
 */
export class TilesPanel {
  readonly root: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly count: HTMLElement;
  private columns: string[] = [];
  private readonly tiles = new Map<string, Tile>();

  constructor(
    readonly view: PanelView,
    private readonly thresholds: Thresholds,
  ) {
    this.root = el('section', `panel tiles t-${view.type}`);
    this.root.dataset.type = view.type;
    const h = el('h2', 'panel-title', view.title);
    this.count = el('span', 'count');
    h.append(this.count);
    this.grid = el('div', 'grid');
    this.root.append(h, this.grid);
  }

  get size(): number {
    return this.tiles.size;
  }

  setTable(m: TableMessage): void {
    this.columns = m.columns;
    this.tiles.clear();
    for (const cells of m.rows) {
      const t = this.create(cells);
      this.tiles.set(t.key, t);
    }
    this.grid.replaceChildren(...this.ordered().map((t) => t.el));
    this.count.textContent = String(this.tiles.size);
  }

  applyChanges(m: ChangesMessage): void {
    if (!this.columns.length) return;
    let reorder = false;
    for (const cells of m.added) {
      const t = this.create(cells);
      this.tiles.get(t.key)?.el.remove();
      this.tiles.set(t.key, t);
      reorder = true;
    }
    for (const [key, changes] of m.updated) {
      const t = this.tiles.get(key);
      if (!t) continue;
      for (const c in changes) if (t.cells.has(c)) this.set(t, c, changes[c]);
      this.level(t);
    }
    for (const key of m.deleted) {
      this.tiles.get(key)?.el.remove();
      reorder = this.tiles.delete(key) || reorder;
    }
    if (reorder) this.grid.replaceChildren(...this.ordered().map((t) => t.el));
    this.count.textContent = String(this.tiles.size);
  }

  private ordered(): Tile[] {
    return [...this.tiles.values()].sort((a, b) => a.key.localeCompare(b.key, undefined, { numeric: true }));
  }

  private create(cells: Cell[]): Tile {
    const keyIdx = Math.max(0, this.columns.indexOf(this.view.key));
    const key = cells[keyIdx] ?? '';
    const tile = el('article', 'tile');
    tile.dataset.key = key;
    const t: Tile = { key, el: tile, cells: new Map(), values: new Map() };
    const name = el('h3', 'cell name');
    name.dataset.column = this.view.key;
    t.cells.set(this.view.key, name);
    const figures = el('dl', 'figures');
    tile.append(name, figures);
    for (const c of this.columns) {
      if (c === this.view.key) continue;
      const f = el('div', 'figure');
      const dd = el('dd', 'cell');
      dd.dataset.column = c;
      f.append(dd, el('dt', 'label', FIGURES[c]?.label ?? c));
      figures.append(f);
      t.cells.set(c, dd);
    }
    this.columns.forEach((c, i) => this.set(t, c, cells[i] ?? null));
    this.level(t);
    return t;
  }

  private set(t: Tile, column: string, v: Cell): void {
    const c = t.cells.get(column)!;
    t.values.set(column, v);
    c.dataset.value = v ?? '';
    c.textContent = FIGURES[column]?.ms && v !== null && v !== '' ? duration(num(v)) : (v ?? '');
  }

  /** Amber or red above the thresholds: calls in queue, or the longest wait (seconds). */
  private level(t: Tile): void {
    const th = this.thresholds;
    const calls = num(t.values.get('Calls In Queue') ?? null);
    const wait = num(t.values.get('Current Longest Queue Time') ?? null) / 1000;
    const level = calls > th.queueRed || wait > th.waitRed ? 'red' : calls > th.queueAmber || wait > th.waitAmber ? 'amber' : 'ok';
    if (t.el.dataset.level !== level) {
      t.el.dataset.level = level;
      t.el.className = `tile level-${level}`;
    }
  }
}
