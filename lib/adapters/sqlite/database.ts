// The data directory's database: opened by one process at a time, migrated on open, and written
// through a group commit on a writer thread (writer-thread.ts) that owns the write connection. The
// writes of one event-loop turn, and of the turn after it, form one batch: at the end of that next
// turn the stores' flushers turn what changed in memory into statements, and the batch goes to the
// writer as one message, run in one transaction and acknowledged after its COMMIT. A caller that
// needs its writes on disk awaits `durable()`, which resolves on that acknowledgement. The main
// thread goes on meanwhile: it keeps a second connection for reads, which see what is committed.
// Waiting one more turn lets the executor fold the events a turn appended (its passes run on the next
// turn) before they are written: they are then written consumed, as their key only, instead of whole
// and then consumed. The embedded runtime runs tens of thousands of tiny transactions a second: one
// COMMIT each would cost more than the work.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AloftError, ErrorCode } from '../../model/errors';
import { migrate } from './migrations';
import { WriterThread, type WriterAnswer } from './writer-thread';

export const SYNCHRONOUS_MODES = ['NORMAL', 'FULL'] as const;
export type SynchronousMode = (typeof SYNCHRONOUS_MODES)[number];

export interface SqliteOptions {
  /**
   * SQLite's `synchronous` setting. NORMAL (default): a commit survives a process crash; the last
   * commits before a power loss may be lost. FULL: every commit is fsynced, so it survives both.
   */
  synchronous?: SynchronousMode;
}

/** A write statement: `run` adds it to the open batch; the writer thread runs it at the batch's commit. */
export interface WriteStatement<P extends unknown[]> {
  run(...params: P): void;
}

/** What the row classes write through: the main connection for reads, and write statements. */
export interface SqlWriter {
  readonly db: Database.Database;
  statement<P extends unknown[]>(sql: string): WriteStatement<P>;
}

interface Batch {
  seq: number;
  promise: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
}

const DB_FILE = 'aloft.db';
const LOCK_FILE = 'aloft.lock';
const PID_FILE = 'aloft.pid';
const noop = (): void => undefined;
/** A batch goes to the writer in parts of about this many values, */
const PART_OPS = 8192;
/** or of about this many characters of strings, whichever comes first (a settled execution's row holds all its task runs). */
const PART_CHARS = 1 << 17;
/** Batches handed to the writer and not committed yet, at most (3 cost bench:burst 10-15 MB more peak RSS). */
const MAX_IN_FLIGHT = 2;
/** Reads on the main connection wait this long for SQLite's own short locks (a checkpoint's). */
const BUSY_MS = 5_000;

export class SqliteDatabase implements SqlWriter {
  private readonly flushers: Array<(closing: boolean) => void> = [];
  private readonly ackListeners: Array<(acked: number) => void> = [];
  /** SQL of every write statement, by index; those from `sent` on are not known to the writer yet. */
  private readonly sqls: string[] = [];
  private sent = 0;
  private ops: unknown[] = [];
  /** Characters of the strings in `ops`. */
  private opsChars = 0;
  private batch: Batch | undefined;
  /** Batches handed to the writer, oldest first, until acknowledged. */
  private readonly inFlight: Batch[] = [];
  private seq = 0;
  private failure: AloftError | undefined;
  private closed = false;
  private flushing = false;
  private writer: WriterThread | undefined;

  private constructor(
    /** The main thread's connection: reads (and the migrations at open). Writes go through `statement`. */
    readonly db: Database.Database,
    private readonly lock: Database.Database,
    /** The data directory, as the caller named it (for messages). */
    readonly dir: string,
  ) {}

  /**
   * Opens (creating it if needed) the database of a data directory and takes its lock for the life
   * of this process: a second process is refused with DATA_DIR_LOCKED. The lock is SQLite's own on
   * `aloft.lock` (locking_mode=EXCLUSIVE), so the OS releases it when the process dies, even by
   * SIGKILL. Migrations run on the main connection before the writer thread opens its own.
   */
  static open(dir: string, opts: SqliteOptions = {}): SqliteDatabase {
    const file = join(dir, DB_FILE);
    const lock = takeLock(dir);
    let db: Database.Database | undefined;
    const synchronous = `synchronous = ${opts.synchronous ?? 'NORMAL'}`;
    try {
      db = new Database(file, { timeout: BUSY_MS });
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new AloftError(ErrorCode.CONFIG_INVALID, `${file}: SQLite cannot use WAL mode here (it reports ${String(mode)})`);
      db.pragma(synchronous);
      migrate(db, `data directory ${dir}`);
    } catch (err) {
      db?.close();
      lock.close();
      throw openError(err, dir, file);
    }
    const data = new SqliteDatabase(db, lock, dir);
    try {
      data.writer = new WriterThread({
        file,
        pragmas: [
          synchronous,
          'temp_store = MEMORY',
          // Checkpoint every 32 MiB of WAL rather than 4 MiB: a checkpoint copies each page once,
          // however often it changed since the last one.
          'wal_autocheckpoint = 8192',
          // 8 MiB of page cache (negative: in KiB): the hot pages of the journal and of the tables'
          // indexes. 16 MiB cost bench:burst 10 MB more peak RSS for no less CPU once the writer had a
          // thread of its own; the main connection keeps SQLite's default (2 MiB) for its reads.
          'cache_size = -8192',
        ],
        timeoutMs: BUSY_MS,
        onAnswer: (answer) => data.answered(answer),
        onExit: (message) => data.fail(message),
      });
    } catch (err) {
      db.close();
      lock.close();
      throw openError(err, dir, file);
    }
    writeFileSync(join(dir, PID_FILE), `${process.pid}\n`);
    return data;
  }

  /**
   * Registers work that writes what a store holds in memory: run before each commit and before SQL
   * reads; `closing` on the last one, before the database closes.
   */
  onFlush(flusher: (closing: boolean) => void): void {
    this.flushers.push(flusher);
  }

  /** Registers work to do once batches are committed (with the last committed batch's number). */
  onAcked(listener: (acked: number) => void): void {
    this.ackListeners.push(listener);
  }

  /** A write statement, prepared on the writer's connection; each `run` joins the open batch. */
  statement<P extends unknown[]>(sql: string): WriteStatement<P> {
    const index = this.sqls.push(sql) - 1;
    return {
      run: (...params: P): void => {
        this.write();
        this.ops.push(index, params.length, ...params);
        for (const param of params) if (typeof param === 'string') this.opsChars += param.length;
        // Handed over in parts: the writer starts on them at once, and the strings built for them
        // die young instead of outliving a scavenge in one big array.
        if (this.ops.length >= PART_OPS || this.opsChars >= PART_CHARS) this.post(false);
      },
    };
  }

  /** Opens the batch if none is open: its commit is scheduled at the end of the next turn. */
  write(): void {
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
    this.batch = { seq: ++this.seq, promise, resolve, reject };
    setImmediate(() => setImmediate(() => this.commit()));
  }

  /** The number of the open batch (or of the next one): what a write made now is committed with. */
  get writeSeq(): number {
    return this.batch ? this.batch.seq : this.seq + 1;
  }

  /** The last batch the writer committed: what the main connection's reads see. */
  get acked(): number {
    return this.writer ? this.writer.acked : this.seq;
  }

  /** Writes what the stores hold in memory into the open batch. */
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
    const last = this.batch ?? this.inFlight[this.inFlight.length - 1];
    return last ? last.promise : Promise.resolve();
  }

  /** Resolves once batch `seq` (a store's last write) is committed, so that reads see it. */
  async seen(seq: number): Promise<void> {
    if (seq > this.acked) await this.durable();
  }

  /** Resolves once what the stores hold in memory, and every write made so far, is committed: reads then see it. */
  caughtUp(): Promise<void> {
    this.flush();
    return this.durable();
  }

  /** Hands the open batch to the writer (the scheduled commit does this at the end of the turn). */
  commit(closing = false): void {
    if (closing && !this.batch && !this.failure) this.schedule();
    const batch = this.batch;
    if (!batch || this.closed || !this.writer) return;
    try {
      this.flush(closing);
    } catch (err) {
      this.batch = undefined;
      this.inFlight.push(batch);
      this.fail(`a commit failed (${(err as Error).message})`);
      return;
    }
    this.batch = undefined;
    this.inFlight.push(batch);
    this.post(true, batch.seq);
    // Backpressure: when the writer falls behind (a loaded machine, a slow disk), this thread waits
    // for it rather than queue batches without bound in memory.
    const queued = this.inFlight.length;
    if (queued > MAX_IN_FLIGHT && !this.writer.waitFor(this.inFlight[queued - MAX_IN_FLIGHT].seq)) {
      this.fail('the writer did not answer within 60 s');
    }
  }

  /** Hands the writer what the open batch holds so far (all of it, with its commit, when `commit`). */
  private post(commit: boolean, seq = this.writeSeq): void {
    if (!this.writer) return;
    const ops = this.ops;
    this.ops = [];
    this.opsChars = 0;
    const sql = this.sent < this.sqls.length ? this.sqls.slice(this.sent) : [];
    this.sent = this.sqls.length;
    this.writer.post({ seq, sql, ops, commit });
  }

  /** Commits what is pending, waits for the writer, then closes both connections and releases the directory. Idempotent. */
  close(): void {
    if (this.closed) return;
    try {
      this.commit(true);
      const last = this.inFlight[this.inFlight.length - 1];
      if (last && this.writer && !this.writer.waitFor(last.seq)) this.fail('the writer did not answer within 60 s');
    } finally {
      this.closed = true;
      this.writer?.close();
      this.db.close();
      this.lock.close();
      rmSync(join(this.dir, PID_FILE), { force: true });
      if (this.inFlight.length > 0) this.fail('the directory was closed before its last writes were committed');
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private usable(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new AloftError(ErrorCode.INTERNAL, `the database of data directory ${this.dir} is closed`);
  }

  private answered(answer: WriterAnswer): void {
    if (!('seq' in answer)) return;
    if ('error' in answer) {
      const sqlite = answer.error.code ? `${answer.error.code}: ` : '';
      this.fail(`a commit failed (${sqlite}${answer.error.message})`);
      return;
    }
    while (this.inFlight.length > 0 && this.inFlight[0].seq <= answer.seq) this.inFlight.shift()!.resolve();
    for (const listener of this.ackListeners) listener(answer.seq);
  }

  // What is in memory is now ahead of the disk: refuse every later write rather than commit a state
  // that skips the lost batch, and fail every waiter. A restart recovers from the last commit.
  private fail(reason: string): void {
    this.failure ??= new AloftError(
      ErrorCode.INTERNAL,
      `data directory ${this.dir}: ${reason}; nothing more is written until Aloft restarts`,
    );
    const waiting = this.inFlight.splice(0);
    if (this.batch) waiting.push(this.batch);
    this.batch = undefined;
    for (const batch of waiting) batch.reject(this.failure);
  }
}

/**
 * The directory's lock: a small SQLite file held with locking_mode=EXCLUSIVE by a first write
 * transaction, until this process closes it or dies. A second holder, in this process or another,
 * gets SQLITE_BUSY at once.
 */
function takeLock(dir: string): Database.Database {
  const file = join(dir, LOCK_FILE);
  let lock: Database.Database | undefined;
  try {
    mkdirSync(dir, { recursive: true });
    lock = new Database(file, { timeout: 0 });
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.pragma('journal_mode = WAL');
    lock.exec('BEGIN IMMEDIATE; COMMIT');
    return lock;
  } catch (err) {
    lock?.close();
    throw openError(err, dir, file);
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
