import { SimFault } from '../state';
import { STATISTIC_SPECS, STATISTIC_TYPES, type StatisticType } from './columns';

/** One type's table: its columns (key first), its rows by key, and its configuration version. */
export interface Table {
  columns: string[];
  rows: Map<string, Record<string, string>>;
  configVersion: number;
}

interface TypeChanges {
  cells: Map<string, Map<string, string>>;
  added: Set<string>;
  deleted: Set<string>;
}

interface Batch {
  ts: number;
  changes: Map<StatisticType, TypeChanges>;
}

/**
 * The tables and the log of batches: every change to a cell, an added or a deleted object is
 * written while a batch is open and recorded in it, so getStatisticsUpdate can merge the batches
 * after a cursor (the latest value per object and column). Batches older than the history are
 * pruned; a cursor before them can no longer be answered.
 */
export class BatchLog {
  readonly tables = new Map<StatisticType, Table>();
  private batches: Batch[] = [];
  private current?: Batch;
  /** The last time stamp handed out (a batch's or a snapshot's): each new one is later. */
  private lastStamp = 0;
  /** The time stamp of the last batch applied (0 before the first). */
  lastBatchTs = 0;
  /** Cursors at or before this time stamp point into pruned batches. */
  prunedThrough = 0;

  constructor(columnsFor: (type: StatisticType) => string[]) {
    for (const type of STATISTIC_TYPES) this.tables.set(type, { columns: columnsFor(type), rows: new Map(), configVersion: 0 });
  }

  table(type: string): Table {
    const t = this.tables.get(type as StatisticType);
    if (!t) throw new SimFault('IncorrectArgumentFault', { message: `Unknown statistic type ${type}` });
    return t;
  }

  get size(): number {
    return this.batches.length;
  }

  /** A snapshot's time stamp: now, or just after the last one handed out. */
  stampSnapshot(now: number): number {
    this.lastStamp = Math.max(now, this.lastStamp);
    return this.lastStamp;
  }

  open(t: number): void {
    this.current = { ts: Math.max(t, this.lastStamp + 1), changes: new Map() };
  }

  /** Closes the open batch; true when it changed anything (and so was kept). */
  close(): boolean {
    const b = this.current!;
    this.current = undefined;
    if (!b.changes.size) return false;
    this.lastStamp = b.ts;
    this.lastBatchTs = b.ts;
    this.batches.push(b);
    return true;
  }

  prune(before: number): void {
    let k = 0;
    while (k < this.batches.length && this.batches[k].ts < before) k++;
    if (k) {
      this.prunedThrough = this.batches[k - 1].ts;
      this.batches = this.batches.slice(k);
    }
  }

  /** The dataUpdate items each kept batch produced for a type (for tests of batch sizes). */
  sizes(type: StatisticType): Array<{ ts: number; items: number; added: number; deleted: number }> {
    return this.batches
      .filter((b) => b.changes.has(type))
      .map((b) => {
        const tc = b.changes.get(type)!;
        let items = 0;
        for (const m of tc.cells.values()) items += m.size;
        return { ts: b.ts, items, added: tc.added.size, deleted: tc.deleted.size };
      });
  }

  private changes(type: StatisticType): TypeChanges | undefined {
    const b = this.current;
    if (!b) return undefined;
    let tc = b.changes.get(type);
    if (!tc) b.changes.set(type, (tc = { cells: new Map(), added: new Set(), deleted: new Set() }));
    return tc;
  }

  setCell(type: StatisticType, key: string, column: string, value: string): void {
    const row = this.tables.get(type)!.rows.get(key);
    if (!row || !(column in row) || row[column] === value) return;
    row[column] = value;
    const tc = this.changes(type);
    if (!tc) return;
    let m = tc.cells.get(key);
    if (!m) tc.cells.set(key, (m = new Map()));
    m.set(column, value);
  }

  writeRow(type: StatisticType, key: string, values: Record<string, string>): void {
    for (const col in values) this.setCell(type, key, col, values[col]);
  }

  /** A row with every column of the type (the key column holds the key). */
  fullRow(type: StatisticType, key: string, values: Record<string, string>): Record<string, string> {
    const keyCol = STATISTIC_SPECS[type].key;
    const row: Record<string, string> = {};
    for (const c of this.tables.get(type)!.columns) row[c] = c === keyCol ? key : (values[c] ?? '');
    return row;
  }

  /** Puts a row in place without recording it (the tables as they are before the first batch). */
  seedRow(type: StatisticType, key: string, values: Record<string, string>): void {
    this.tables.get(type)!.rows.set(key, this.fullRow(type, key, values));
  }

  addRow(type: StatisticType, key: string, values: Record<string, string>): void {
    const t = this.tables.get(type)!;
    const keyCol = STATISTIC_SPECS[type].key;
    const row = this.fullRow(type, key, values);
    t.rows.set(key, row);
    const tc = this.changes(type);
    if (!tc) return;
    tc.deleted.delete(key);
    tc.added.add(key);
    tc.cells.set(key, new Map(t.columns.filter((c) => c !== keyCol).map((c) => [c, row[c]])));
  }

  deleteRow(type: StatisticType, key: string): void {
    const t = this.tables.get(type)!;
    if (!t.rows.delete(key)) return;
    const tc = this.changes(type);
    if (!tc) return;
    tc.cells.delete(key);
    if (tc.added.has(key)) tc.added.delete(key);
    else tc.deleted.add(key);
  }

  /** The merged changes of the batches after `previous` for a type and the session's columns, or null if none. */
  collect(type: StatisticType, previous: number, columns: Set<string> | null, withAdded: boolean): Record<string, unknown> | null {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.batches[mid].ts <= previous) lo = mid + 1;
      else hi = mid;
    }
    // 'added': new since previous; 'readded': deleted and added again; 'deleted': gone.
    const status = new Map<string, 'added' | 'readded' | 'deleted'>();
    const cells = new Map<string, Map<string, string>>();
    for (let i = lo; i < this.batches.length; i++) {
      const tc = this.batches[i].changes.get(type);
      if (!tc) continue;
      for (const obj of tc.added) {
        status.set(obj, status.get(obj) === 'deleted' ? 'readded' : 'added');
        cells.set(obj, new Map());
      }
      for (const [obj, m] of tc.cells) {
        let x = cells.get(obj);
        for (const [col, v] of m) {
          if (columns && !columns.has(col)) continue;
          if (!x) cells.set(obj, (x = new Map()));
          x.set(col, v);
        }
      }
      for (const obj of tc.deleted) {
        cells.delete(obj);
        const s = status.get(obj);
        if (s === 'added') status.delete(obj);
        else status.set(obj, 'deleted');
      }
    }
    const dataUpdate: Array<{ columnName: string; columnValue: string; objectName: string }> = [];
    for (const [objectName, m] of cells) for (const [columnName, columnValue] of m) dataUpdate.push({ columnName, columnValue, objectName });
    const added = [...status].filter(([, s]) => s !== 'deleted').map(([o]) => o);
    const deleted = [...status].filter(([, s]) => s === 'deleted').map(([o]) => o);
    if (!dataUpdate.length && !added.length && !deleted.length) return null;
    return {
      ...(withAdded ? { addedObjects: { values: { data: added } } } : {}),
      dataUpdate,
      deletedObjects: { values: { data: deleted } },
      lastTimestamp: this.lastBatchTs,
      previousTimestamp: previous,
      type,
    };
  }
}
