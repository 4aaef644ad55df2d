// The data directory's database: opened by one process at a time, migrated on open, and written
// through a group commit. The writes of one event-loop turn, and of the turn after it, go into one
// SQLite transaction (BEGIN IMMEDIATE at the first write), committed at the end of that next turn; a
// caller that needs its writes on disk awaits `durable()`, which resolves after that COMMIT.
// Waiting one more turn lets the executor fold the events a turn appended (its passes run on the next
// turn) before they are written: they are then written consumed, as their key only, instead of whole
// and then consumed. That is about a sixth less work for the same burst.
// The embedded runtime runs tens of thousands of tiny transactions a second: one COMMIT each
// would cost more than the work.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AloftError, ErrorCode } from '../../model/errors';
import { migrate } from './migrations';

export const SYNCHRONOUS_MODES = ['NORMAL', 'FULL'] as const;
export type SynchronousMode = (typeof SYNCHRONOUS_MODES)[number];

export interface SqliteOptions {
  /**
   * SQLite's `synchronous` setting. NORMAL (default): a commit survives a process crash; the last
   * commits before a power loss may be lost. FULL: every commit is fsynced, so it survives both.
   */
  synchronous?: SynchronousMode;
}

interface Batch {
  promise: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
}

const DB_FILE = 'aloft.db';
const PID_FILE = 'aloft.pid';
const noop = (): void => undefined;


export class SqliteDatabase {
  private readonly begin: Database.Statement;
  private readonly commitStmt: Database.Statement;
  private readonly flushers: Array<(closing: boolean) => void> = [];
  private inTransaction = false;
  private batch: Batch | undefined;
  private failure: AloftError | undefined;
  private closed = false;
  private flushing = false;

  private constructor(
    readonly db: Database.Database,
    /** The data directory, as the caller named it (for messages). */
    readonly dir: string,
  ) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commitStmt = db.prepare('COMMIT');
  }

  /**
   * Opens (creating it if needed) the database of a data directory and takes its lock for the life
   * of this process: a second process is refused with DATA_DIR_LOCKED. The lock is SQLite's own
   * (WAL with locking_mode=EXCLUSIVE), so the OS releases it when the process dies, even by SIGKILL.
   */
  static open(dir: string, opts: SqliteOptions = {}): SqliteDatabase {
    const file = join(dir, DB_FILE);
    // No busy wait: another owner holds the lock for its whole life, so waiting would not help.
    let db: Database.Database;
    try {
      mkdirSync(dir, { recursive: true });
      db = new Database(file, { timeout: 0 });
    } catch (err) {
      throw openError(err, dir, file);
    }
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new AloftError(ErrorCode.CONFIG_INVALID, `${file}: SQLite cannot use WAL mode here (it reports ${String(mode)})`);
      // The first write transaction takes the exclusive lock, which locking_mode keeps until close.
      db.exec('BEGIN IMMEDIATE; COMMIT');
      db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
      db.pragma('temp_store = MEMORY');
      // Checkpoint every 32 MiB of WAL rather than 4 MiB: a checkpoint copies each page once,
      // however often it changed since the last one.
      db.pragma('wal_autocheckpoint = 8192');
      // 16 MiB of page cache (negative: in KiB): the hot pages of the journal and of the tables'
      // indexes. The burst ran no faster with 32 MiB, and the memory counts against the server's.
      db.pragma('cache_size = -16384');
      migrate(db, `data directory ${dir}`);
    } catch (err) {
      db.close();
      throw openError(err, dir, file);
    }
    writeFileSync(join(dir, PID_FILE), `${process.pid}\n`);
    return new SqliteDatabase(db, dir);
  }

  /**
   * Registers work that writes what a store holds in memory: run before each COMMIT and before SQL
   * reads; `closing` on the last one, before the database closes.
   */
  onFlush(flusher: (closing: boolean) => void): void {
    this.flushers.push(flusher);
  }

  /** Every write statement is preceded by this: opens the batch's transaction and schedules its commit. */
  write(): void {
    this.usable();
    if (!this.inTransaction) {
      this.begin.run();
      this.inTransaction = true;
    }
    this.schedule();
  }

  /** Schedules a commit for writes that a flusher still holds in memory. */
  schedule(): void {
    this.usable();
    if (this.batch) return;
    let resolve = noop;
    let reject: (err: Error) => void = noop;
    const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
    // Nobody may await a batch: its failure is reported by every later write, not as an unhandled rejection.
    promise.catch(noop);
    this.batch = { promise, resolve, reject };
    setImmediate(() => setImmediate(() => this.commit()));
  }

  /** Writes what the stores hold in memory into the open transaction, so that SQL reads see it. */
  flush(closing = false): void {
    if (this.flushing || this.closed) return;
    this.flushing = true;
    try {
      for (const flush of this.flushers) flush(closing);
    } finally {
      this.flushing = false;
    }
  }

  /** Resolves once every write made so far is committed. */
  durable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.batch ? this.batch.promise : Promise.resolve();
  }

  /** Commits the open batch now (the scheduled commit does this at the end of the turn). */
  commit(closing = false): void {
    if (closing && !this.batch && !this.failure) this.schedule();
    const batch = this.batch;
    if (!batch || this.closed) return;
    try {
      this.flush(closing);
      this.batch = undefined;
      if (this.inTransaction) {
        this.commitStmt.run();
        this.inTransaction = false;
      }
      batch.resolve();
    } catch (err) {
      this.batch = undefined;
      this.fail(err, batch);
    }
  }

  /** Commits what is pending, then closes the database and releases the directory. Idempotent. */
  close(): void {
    if (this.closed) return;
    try {
      this.commit(true);
    } finally {
      this.closed = true;
      this.db.close();
      rmSync(join(this.dir, PID_FILE), { force: true });
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private usable(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new AloftError(ErrorCode.INTERNAL, `the database of data directory ${this.dir} is closed`);
  }

  // What is in memory is now ahead of the disk: refuse every later write rather than commit a state
  // that skips the lost batch. A restart recovers from the last commit.
  private fail(err: unknown, batch: Batch): void {
    if (this.inTransaction) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // The transaction may already be gone (SQLite rolls back on some errors).
      }
      this.inTransaction = false;
    }
    this.failure = new AloftError(
      ErrorCode.INTERNAL,
      `data directory ${this.dir}: a commit failed (${(err as Error).message}); nothing more is written until Aloft restarts`,
    );
    batch.reject(this.failure);
  }
}

function openError(err: unknown, dir: string, file: string): Error {
  if (err instanceof AloftError) return err;
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    const pid = ownerPid(dir);
    return new AloftError(
      ErrorCode.DATA_DIR_LOCKED,
      `data directory ${dir} is in use by another Aloft process${pid ? ` (pid ${pid})` : ''}`,
      {}, 'stop the other process, or give this one another data directory',
    );
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new AloftError(ErrorCode.CONFIG_INVALID, `${file} is not a readable Aloft database (SQLite: ${(err as Error).message})`);
  }
  return new AloftError(ErrorCode.CONFIG_INVALID, `cannot open data directory ${dir}: ${(err as Error).message}`);
}

/** The pid the owner wrote beside the database, for the message only; undefined when unknown. */
function ownerPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, PID_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
