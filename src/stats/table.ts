import type { Row, Statistics, StatisticsUpdate } from '../generated/five9-types';

export type Cell = string | null;

/** The changes one update made to a table, in the order they were applied. */
export type TableChange =
  | { kind: 'added'; key: string; row: Record<string, Cell> }
  | { kind: 'updated'; key: string; changes: Record<string, Cell>; row: Record<string, Cell> }
  | { kind: 'deleted'; key: string };

/** Raised when an update names a column the snapshot did not have: the client must resynchronise. */
export class UnknownColumnInUpdate extends Error {}

export function rowData(row: Row | null | undefined): Cell[] {
  return row?.values?.data ?? [];
}

/**
 * One statistic type's table as a supervisor sees it: rows keyed by the type's key column
 * (Username, Skill Name, Campaign Name), built from a getStatistics snapshot and kept current by
 * applying getStatisticsUpdate answers.
 */
export class StatsTable {
  columns: string[] = [];
  readonly rows = new Map<string, Record<string, Cell>>();
  timestamp = 0;

  constructor(
    readonly type: string,
    readonly keyColumn: string,
  ) {}

  /** Replaces the table with a snapshot. */
  load(snapshot: Statistics): void {
    this.columns = rowData(snapshot.columns).map((c) => c ?? '');
    this.rows.clear();
    const key = this.columns.indexOf(this.keyColumn);
    if (key < 0) throw new UnknownColumnInUpdate(`the ${this.type} snapshot has no key column "${this.keyColumn}"`);
    for (const r of snapshot.rows ?? []) {
      const cells = rowData(r);
      const row: Record<string, Cell> = {};
      this.columns.forEach((c, i) => (row[c] = cells[i] ?? ''));
      this.rows.set(String(cells[key] ?? ''), row);
    }
    this.timestamp = snapshot.timestamp;
  }

  /**
   * Applies an update: added objects first (empty cells but the key), then the changed values
   * (the latest per object and column), then deleted objects. Returns what changed.
   */
  apply(update: StatisticsUpdate): TableChange[] {
    const out: TableChange[] = [];
    for (const key of rowData(update.addedObjects)) {
      if (key === null || this.rows.has(key)) continue;
      this.rows.set(key, this.emptyRow(key));
      out.push({ kind: 'added', key, row: this.rows.get(key)! });
    }
    const changed = new Map<string, Record<string, Cell>>();
    for (const item of update.dataUpdate ?? []) {
      const key = item.objectName ?? '';
      const column = item.columnName ?? '';
      if (!this.columns.includes(column)) throw new UnknownColumnInUpdate(`an update of ${this.type} names column "${column}", which the snapshot does not have`);
      let row = this.rows.get(key);
      if (!row) {
        row = this.emptyRow(key);
        this.rows.set(key, row);
        out.push({ kind: 'added', key, row });
      }
      const value = item.columnValue ?? null;
      if (row[column] === value) continue;
      row[column] = value;
      const c = changed.get(key) ?? {};
      c[column] = value;
      changed.set(key, c);
    }
    for (const [key, changes] of changed) if (this.rows.has(key)) out.push({ kind: 'updated', key, changes, row: this.rows.get(key)! });
    for (const key of rowData(update.deletedObjects)) {
      if (key !== null && this.rows.delete(key)) out.push({ kind: 'deleted', key });
    }
    this.timestamp = update.lastTimestamp;
    return out;
  }

  private emptyRow(key: string): Record<string, Cell> {
    const row: Record<string, Cell> = {};
    for (const c of this.columns) row[c] = '';
    row[this.keyColumn] = key;
    return row;
  }

  /** Rows sorted by key, as arrays in column order (for printing). */
  sortedRows(columns = this.columns): Cell[][] {
    return [...this.rows.keys()].sort().map((k) => columns.map((c) => this.rows.get(k)![c] ?? ''));
  }
}
