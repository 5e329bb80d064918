import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Five9Error } from '../errors';

/** What a checkpoint remembers of one upload: which chunks the server acknowledged and what it said. */
export interface CheckpointEntry {
  list: string;
  /** The REST base URL and domain the chunks went to. */
  target: string;
  rows: number;
  chunkSize: number;
  chunks: number;
  /** Acknowledged chunks (0-based), in the order they were acknowledged. */
  done: number[];
  /** Contacts in acknowledged chunks. */
  sent: number;
  accepted: number;
  rejected: Array<{ row: number; reason: string }>;
  requests: number;
  startedAt: string;
  updatedAt: string;
  complete: boolean;
}

interface CheckpointFile {
  format: 'five9-upload-checkpoint';
  version: 1;
  /** By upload key: a hash of the target, the list, the chunk size and every valid row. */
  uploads: Record<string, CheckpointEntry>;
}

/**
 * A resumable upload's memory: a JSON file holding, per upload key, the chunks the server
 * acknowledged. It is rewritten atomically (a temporary file renamed over it) after every
 * acknowledged chunk, so an interrupted upload, run again, skips exactly those chunks. One file may
 * hold several uploads; one upload at a time should write to it.
 */
export class Checkpoint {
  private constructor(
    readonly path: string,
    readonly key: string,
    private readonly file: CheckpointFile,
  ) {}

  static async open(path: string, key: string, fresh: () => CheckpointEntry): Promise<Checkpoint> {
    let file: CheckpointFile = { format: 'five9-upload-checkpoint', version: 1, uploads: {} };
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Five9Error('FIVE9_CHECKPOINT', `cannot read checkpoint ${path}: ${(e as Error).message}`, { details: { checkpoint: path } });
    }
    if (text !== undefined) {
      let parsed: any;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (!parsed || parsed.format !== 'five9-upload-checkpoint' || parsed.version !== 1 || typeof parsed.uploads !== 'object' || parsed.uploads === null) {
        throw new Five9Error('FIVE9_CHECKPOINT', `${path} is not an upload checkpoint (five9-upload-checkpoint version 1); name another file with --checkpoint or remove it`, { details: { checkpoint: path } });
      }
      file = parsed;
    }
    const cp = new Checkpoint(path, key, file);
    const entry = file.uploads[key];
    if (!entry || !Array.isArray(entry.done)) file.uploads[key] = fresh();
    return cp;
  }

  get entry(): CheckpointEntry {
    return this.file.uploads[this.key];
  }

  /** Unfinished uploads of other rows to the same list and target that the file also holds. */
  others(): Array<{ key: string; entry: CheckpointEntry }> {
    return Object.entries(this.file.uploads)
      .filter(([k, e]) => k !== this.key && e.list === this.entry.list && e.target === this.entry.target && !e.complete)
      .map(([key, entry]) => ({ key, entry }));
  }

  async save(): Promise<void> {
    const tmp = `${this.path}.${process.pid}.${Date.now().toString(36)}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(tmp, `${JSON.stringify(this.file, null, 2)}\n`, { flush: true });
      await rename(tmp, this.path);
    } catch (e) {
      throw new Five9Error('FIVE9_CHECKPOINT', `cannot write checkpoint ${this.path}: ${(e as Error).message}`, { details: { checkpoint: this.path } });
    }
  }
}
