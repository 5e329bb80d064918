import type { Cell, ChangesMessage, PanelView, TableMessage } from '../protocol';
import { duration, el, num, stateClass } from './format';

interface Entry {
  key: string;
  el: HTMLElement;
  cells: Cell[];
  cellEls: HTMLElement[];
  /** Ticking column: the local time at which its value was 0. */
  since: number;
  /** The text the ticking cell shows now (to skip writes that change nothing). */
  shown: string;
}

export interface RowsOptions {
  sort?: string;
  dir: 1 | -1;
  states: string[];
  /** Told when the user sorts or filters, to keep the URL in step. */
  onChange?: (o: { sort: string; dir: 1 | -1; states: string[] }) => void;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Rows are laid out in blocks of this many, each block `content-visibility: auto`: a block off
 * screen is neither laid out nor painted, and Chromium watches 50 blocks instead of 5,000 rows.
 */
const BLOCK = 100;

/**
 * A statistic type as rows (agents, campaigns, any other type): one element per row keyed by the
 * type's key column (`data-key`), one cell per column (`data-column`, the raw value in
 * `data-value`). Updates touch only the cells that changed; rows move only when the sort order
 * changes. Sortable by any column, filterable by the chip column's values; a ticking column (time
 * in state) counts on between updates.
 */
export class RowsPanel {
  readonly root: HTMLElement;
  private readonly head: HTMLElement;
  private readonly body: HTMLElement;
  private readonly filters: HTMLElement;
  private readonly count: HTMLElement;
  private columns: string[] = [];
  private index = new Map<string, number>();
  private keyIdx = 0;
  private chipIdx = -1;
  private filterIdx = -1;
  private tickIdx = -1;
  private readonly rows = new Map<string, Entry>();
  private sortColumn: string;
  private dir: 1 | -1;
  private readonly states: Set<string>;
  /** A row with its cells, cloned for each new row (cheaper than building 7 elements each time). */
  private template?: HTMLElement;
  /** The rows in display order; row i is in block floor(i / BLOCK). */
  private order: Entry[] = [];
  private blocks: HTMLElement[] = [];
  private readonly table: HTMLElement;

  constructor(
    readonly view: PanelView,
    private readonly options: RowsOptions,
  ) {
    this.sortColumn = options.sort ?? view.key;
    this.dir = options.dir;
    this.states = new Set(options.states);
    this.root = el('section', `panel rows t-${view.type}`);
    this.root.dataset.type = view.type;
    const h = el('h2', 'panel-title', view.title);
    this.count = el('span', 'count');
    h.append(this.count);
    this.filters = el('div', 'filters');
    this.filters.setAttribute('role', 'toolbar');
    this.filters.setAttribute('aria-label', `Filter ${view.title} by ${view.filter ?? ''}`);
    const table = (this.table = el('div', 'table'));
    table.setAttribute('role', 'table');
    this.head = el('div', 'row head');
    this.head.setAttribute('role', 'row');
    this.body = el('div', 'body');
    this.body.setAttribute('role', 'rowgroup');
    table.append(this.head, this.body);
    this.root.append(h, this.filters, table);
    this.head.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest<HTMLElement>('[data-sort]');
      if (b) this.sortBy(b.dataset.sort!);
    });
    this.filters.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest<HTMLElement>('[data-state]');
      if (!b) return;
      const s = b.dataset.state!;
      if (this.states.has(s)) this.states.delete(s);
      else this.states.add(s);
      this.applyFilter();
      this.renderFilters();
      this.changed();
    });
  }

  get size(): number {
    return this.rows.size;
  }

  /** Replaces everything with a whole table (first load, resync, reconnect). */
  setTable(m: TableMessage, offset: number): void {
    this.setColumns(m.columns);
    this.rows.clear();
    m.rows.forEach((cells, i) => {
      const at = (m.at?.[i] ?? m.time) + offset;
      const e = this.create(cells, at);
      this.rows.set(e.key, e);
      this.hide(e);
    });
    this.body.replaceChildren();
    this.blocks = [];
    this.reorder();
    this.renderFilters();
  }

  /** Applies one poll's changes. */
  applyChanges(m: ChangesMessage, offset: number): void {
    if (!this.columns.length) return;
    const at = m.time + offset;
    let reorder = false;
    let recount = false;
    const sortIdx = this.index.get(this.sortColumn) ?? -1;
    for (const cells of m.added) {
      const key = cells[this.keyIdx] ?? '';
      const old = this.rows.get(key);
      if (old) this.forget(old);
      const e = this.create(cells, at);
      this.rows.set(key, e);
      this.hide(e);
      reorder = recount = true;
    }
    for (const [key, changes] of m.updated) {
      const e = this.rows.get(key);
      if (!e) continue;
      for (const column in changes) {
        const i = this.index.get(column);
        if (i === undefined) continue;
        e.cells[i] = changes[column];
        if (i === this.tickIdx) e.since = at - num(changes[column]);
        this.render(e, i, Date.now());
        if (i === sortIdx) reorder = true;
        if (i === this.filterIdx) {
          recount = true;
          this.hide(e);
        }
      }
    }
    for (const key of m.deleted) {
      const e = this.rows.get(key);
      if (!e) continue;
      this.forget(e);
      this.rows.delete(key);
      recount = true;
    }
    // Added and deleted rows shift the rows after them from block to block.
    if (reorder || m.deleted.length) this.reorder();
    if (recount) this.renderFilters();
  }

  /**
   * Moves the ticking column on (once a second) in the blocks on screen only: with 5,000 agents one
   * or two blocks are visible. A block scrolled into view is brought up to date at the next tick
   * (or scroll).
   */
  tick(now: number): void {
    if (this.tickIdx < 0 || !this.order.length) return;
    const box = this.table.getBoundingClientRect();
    const top = Math.max(0, box.top);
    const bottom = Math.min(window.innerHeight, box.bottom);
    if (bottom <= top) return;
    this.blocks.forEach((b, k) => {
      const r = b.getBoundingClientRect();
      if (r.bottom < top || r.top > bottom) return;
      for (let i = k * BLOCK; i < Math.min(this.order.length, (k + 1) * BLOCK); i++) {
        const e = this.order[i];
        if (!e.el.hidden) this.renderTick(e, now);
      }
    });
  }

  private forget(e: Entry): void {
    e.el.remove();
  }

  private setColumns(columns: string[]): void {
    if (columns.join('\n') === this.columns.join('\n')) return;
    this.columns = columns;
    this.index = new Map(columns.map((c, i) => [c, i]));
    this.keyIdx = Math.max(0, columns.indexOf(this.view.key));
    this.chipIdx = this.view.chip ? columns.indexOf(this.view.chip) : -1;
    this.filterIdx = this.view.filter ? columns.indexOf(this.view.filter) : -1;
    this.tickIdx = this.view.ticking ? columns.indexOf(this.view.ticking) : -1;
    if (!this.index.has(this.sortColumn)) this.sortColumn = this.view.key;
    this.root.style.setProperty('--columns', String(columns.length));
    this.template = el('div', 'row');
    this.template.setAttribute('role', 'row');
    for (const c of columns) {
      const d = el('div', 'cell');
      d.setAttribute('role', 'cell');
      d.dataset.column = c;
      this.template.append(d);
    }
    this.head.replaceChildren(
      ...columns.map((c) => {
        const b = el('button', 'cell', c);
        b.type = 'button';
        b.dataset.column = c;
        b.dataset.sort = c;
        b.setAttribute('role', 'columnheader');
        return b;
      }),
    );
    this.markSort();
  }

  private create(cells: Cell[], at: number): Entry {
    const row = this.template!.cloneNode(true) as HTMLElement;
    const key = cells[this.keyIdx] ?? '';
    row.dataset.key = key;
    const cellEls = Array.from(row.children) as HTMLElement[];
    const e: Entry = { key, el: row, cells: this.columns.map((_, i) => cells[i] ?? null), cellEls, since: this.tickIdx >= 0 ? at - num(cells[this.tickIdx]) : 0, shown: '' };
    const now = Date.now();
    for (let i = 0; i < this.columns.length; i++) this.render(e, i, now);
    return e;
  }

  private render(e: Entry, i: number, now: number): void {
    const v = e.cells[i];
    const c = e.cellEls[i];
    c.dataset.value = v ?? '';
    if (i === this.tickIdx) {
      e.shown = '';
      this.renderTick(e, now);
    } else if (i === this.chipIdx) {
      let chip = c.firstElementChild as HTMLElement | null;
      if (!chip) c.append((chip = el('span')));
      chip.className = `chip ${stateClass(v)}`;
      chip.textContent = v ?? '';
      e.el.dataset.chip = v ?? '';
    } else c.textContent = v ?? '';
  }

  private renderTick(e: Entry, now: number): void {
    const text = e.cells[this.tickIdx] === null || e.cells[this.tickIdx] === '' || Number.isNaN(e.since) ? '' : duration(now - e.since);
    if (text !== e.shown) {
      e.shown = text;
      e.cellEls[this.tickIdx].textContent = text;
    }
  }

  private sortBy(column: string): void {
    if (this.sortColumn === column) this.dir = this.dir === 1 ? -1 : 1;
    else {
      this.sortColumn = column;
      this.dir = 1;
    }
    this.markSort();
    this.reorder();
    this.changed();
  }

  private markSort(): void {
    for (const b of this.head.children) {
      const h = b as HTMLElement;
      if (h.dataset.sort === this.sortColumn) h.setAttribute('aria-sort', this.dir === 1 ? 'ascending' : 'descending');
      else h.removeAttribute('aria-sort');
    }
  }

  /** Rows in the current order: numbers as numbers, text by a numeric-aware collator, the key breaking ties. */
  private sorted(): Entry[] {
    const i = this.index.get(this.sortColumn) ?? this.keyIdx;
    const now = Date.now();
    const keyed = [...this.rows.values()].map((e) => {
      const n = i === this.tickIdx ? now - e.since : num(e.cells[i]);
      return { e, n, s: e.cells[i] ?? '' };
    });
    const dir = this.dir;
    keyed.sort((a, b) => {
      let d: number;
      if (!Number.isNaN(a.n) && !Number.isNaN(b.n)) d = a.n - b.n;
      else if (Number.isNaN(a.n) !== Number.isNaN(b.n)) d = Number.isNaN(a.n) ? 1 : -1;
      else d = collator.compare(a.s, b.s);
      return d * dir || collator.compare(a.e.key, b.e.key);
    });
    return keyed.map((k) => k.e);
  }

  /** Puts rows in order, block by block, moving only those out of place (new rows are inserted here too). */
  private reorder(): void {
    this.order = this.sorted();
    const need = Math.ceil(this.order.length / BLOCK);
    while (this.blocks.length < need) {
      const b = el('div', 'block');
      b.setAttribute('role', 'presentation');
      this.body.append(b);
      this.blocks.push(b);
    }
    for (let k = 0; k < need; k++) {
      const block = this.blocks[k];
      let cursor = block.firstElementChild;
      for (let i = k * BLOCK; i < Math.min(this.order.length, (k + 1) * BLOCK); i++) {
        const row = this.order[i].el;
        if (row === cursor) cursor = cursor.nextElementSibling;
        else block.insertBefore(row, cursor);
      }
    }
    // Every row now sits in its block; blocks past the last row are empty.
    for (const b of this.blocks.splice(need)) b.remove();
  }

  private hide(e: Entry): void {
    const hidden = this.filterIdx >= 0 && this.states.size > 0 && !this.states.has(e.cells[this.filterIdx] ?? '');
    if (e.el.hidden !== hidden) e.el.hidden = hidden;
  }

  private applyFilter(): void {
    for (const e of this.rows.values()) this.hide(e);
    this.tick(Date.now());
  }

  /** One toggle per value of the filter column, with its count. */
  private renderFilters(): void {
    let shown = this.rows.size;
    if (this.filterIdx >= 0) {
      const counts = new Map<string, number>();
      for (const e of this.rows.values()) {
        const v = e.cells[this.filterIdx] ?? '';
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      for (const s of this.states) if (!counts.has(s)) counts.set(s, 0);
      const values = [...counts.keys()].sort(collator.compare);
      const buttons = values.map((v) => {
        const b = el('button', `chip ${stateClass(v)}`);
        b.type = 'button';
        b.dataset.state = v;
        b.setAttribute('aria-pressed', String(this.states.has(v)));
        b.append(el('span', 'label', v || '(none)'), el('span', 'n', String(counts.get(v))));
        return b;
      });
      this.filters.replaceChildren(...buttons);
      if (this.states.size) shown = [...this.states].reduce((n, s) => n + (counts.get(s) ?? 0), 0);
    }
    this.count.textContent = shown === this.rows.size ? String(this.rows.size) : `${shown} of ${this.rows.size}`;
  }

  private changed(): void {
    this.options.onChange?.({ sort: this.sortColumn, dir: this.dir, states: [...this.states] });
  }
}
