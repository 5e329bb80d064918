import { chmod, link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { Five9Error } from '../errors';

/** A row range of the upload (rows count from 1, as in the report). */
export interface RowRange {
  from: number;
  to: number;
}

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
  /**
   * Chunks whose request may have reached the server without an answer coming back (0-based):
   * recorded before the bytes leave, cleared when the answer is read. A run that resumes sends
   * them again with the same Idempotency-Key.
   */
  inFlight?: number[];
  /** Chunks delivered whose fate of an earlier attempt is unknown (see UploadReport.uncertain). */
  uncertain?: Array<{ chunk: number; rows: RowRange; reason: string }>;
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
  version: 1 | 2;
  /** By upload key: a hash of the target, the list, the chunk size and every valid row. */
  uploads: Record<string, CheckpointEntry>;
}

/** Who holds a checkpoint: written into `<checkpoint>.lock`. */
interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/** Files that may hold what a server said (and so anything it echoed) are readable by their owner only. */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lock of one checkpoint file: `<checkpoint>.lock`, created atomically (a temporary file
 * hard-linked to the name, which fails when it exists) with the holder's PID and host. A second
 * upload with the same checkpoint refuses, naming that PID; a lock whose process on this host no
 * longer runs (killed, crashed) is stale and taken over.
 */
class CheckpointLock {
  private constructor(readonly path: string) {}

  static async acquire(checkpoint: string): Promise<CheckpointLock> {
    const path = `${checkpoint}.lock`;
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
    const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
    await writeFile(tmp, `${JSON.stringify(me)}\n`, { mode: FILE_MODE });
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await link(tmp, path);
          return new CheckpointLock(path);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
        let holder: LockOwner | undefined;
        try {
          holder = JSON.parse(await readFile(path, 'utf8')) as LockOwner;
        } catch {
          holder = undefined; // gone meanwhile, or not ours to read: try again
        }
        if (holder && Number.isInteger(holder.pid) && (holder.host !== me.host || alive(holder.pid))) {
          throw new Five9Error(
            'FIVE9_CHECKPOINT',
            `checkpoint ${checkpoint} is in use by process ${holder.pid}${holder.host !== me.host ? ` on ${holder.host}` : ''} (since ${holder.since}): one upload at a time may use a checkpoint. Wait for it to end, or stop it; if it no longer runs, remove ${path}`,
            { details: { checkpoint, lock: path, pid: holder.pid, host: holder.host, since: holder.since } },
          );
        }
        // Stale (its process is gone) or unreadable: take it over. Two takers race on link(), one wins.
        await unlink(path).catch(() => undefined);
      }
      throw new Five9Error('FIVE9_CHECKPOINT', `cannot lock checkpoint ${checkpoint}: ${path} keeps reappearing`, { details: { checkpoint, lock: path } });
    } catch (e) {
      if (e instanceof Five9Error) throw e;
      throw new Five9Error('FIVE9_CHECKPOINT', `cannot lock checkpoint ${checkpoint}: ${(e as Error).message}`, { details: { checkpoint } });
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  async release(): Promise<void> {
    await unlink(this.path).catch(() => undefined);
  }
}

/**
 * A resumable upload's memory: a JSON file holding, per upload key, the chunks the server
 * acknowledged and the chunks in flight. It is rewritten atomically (a temporary file renamed over
 * it, mode 0600) before each chunk is sent and after each answer, so an interrupted upload, run
 * again, skips exactly the acknowledged chunks and knows which chunk's fate it must find out. One
 * file may hold several uploads; it is locked while one upload uses it.
 */
export class Checkpoint {
  private constructor(
    readonly path: string,
    readonly key: string,
    private readonly file: CheckpointFile,
    private readonly lock: CheckpointLock,
    private readonly scrub: <T>(v: T) => T,
  ) {}

  /**
   * Locks the file (FIVE9_CHECKPOINT naming the process that holds it), then reads it. `scrub`
   * masks secrets in everything written (server reasons may echo a token).
   */
  static async open(path: string, key: string, fresh: () => CheckpointEntry, scrub: <T>(v: T) => T = (v) => v): Promise<Checkpoint> {
    const lock = await CheckpointLock.acquire(path);
    try {
      let file: CheckpointFile = { format: 'five9-upload-checkpoint', version: 2, uploads: {} };
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
        if (!parsed || parsed.format !== 'five9-upload-checkpoint' || (parsed.version !== 1 && parsed.version !== 2) || typeof parsed.uploads !== 'object' || parsed.uploads === null) {
          throw new Five9Error('FIVE9_CHECKPOINT', `${path} is not an upload checkpoint (five9-upload-checkpoint version 1 or 2); name another file with --checkpoint or remove it`, { details: { checkpoint: path } });
        }
        file = { ...parsed, version: 2 };
      }
      const cp = new Checkpoint(path, key, file, lock, scrub);
      const entry = file.uploads[key];
      if (!entry || !Array.isArray(entry.done)) file.uploads[key] = fresh();
      return cp;
    } catch (e) {
      await lock.release();
      throw e;
    }
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
      await mkdir(dirname(this.path), { recursive: true, mode: DIR_MODE });
      await writeFile(tmp, `${JSON.stringify(this.scrub(this.file), null, 2)}\n`, { flush: true, mode: FILE_MODE });
      // writeFile's mode applies only to a file it creates, and the umask may narrow it: set it.
      await chmod(tmp, FILE_MODE);
      await rename(tmp, this.path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw new Five9Error('FIVE9_CHECKPOINT', `cannot write checkpoint ${this.path}: ${(e as Error).message}`, { details: { checkpoint: this.path } });
    }
  }

  /** Lets another upload use the file. */
  async close(): Promise<void> {
    await this.lock.release();
  }
}
