// Attempt claims on SQLite. The first claim of an attempt wins; every later one, or one after a
// finish or a refusal, is refused. A finished attempt keeps only its key: the ledger outlives its
// executions, so that a late duplicate delivery is still refused.
//
// Claims and finishes are appended to `attempt_journal` and kept in memory (`recent`): one row per
// attempt per commit, its last state, since a commit is applied whole (a claim and its finish in
// one commit, the usual short task, write one row). The `attempts` table is written from memory in
// one sorted pass once many have gathered, and the journal is then emptied. Attempts are keyed by random execution ids, so writing each claim and
// finish to the table would make every commit rewrite most of its pages; a batch writes each page
// once. Opening the ledger reads the journal back into memory.
import type Database from 'better-sqlite3';
import type { AttemptClaim, AttemptKey, AttemptLedger } from '../../ports/attempt-ledger';
import type { SqliteDatabase, WriteStatement } from './database';
import { IdFilter } from './id-filter';

/** An attempt in memory: a running claim, or DONE (finished or refused). */
interface Claim {
  executionId: string;
  taskRunId: string;
  attempt: number;
  workerId: string;
  claimedAt: number;
  heartbeat: number;
  timeoutMs: number | null;
}
const DONE = 0;
type Entry = Claim | typeof DONE;

interface Row {
  execution_id: string;
  task_run_id: string;
  attempt: number;
  running: number;
  worker_id: string | null;
  claimed_at: number | null;
  heartbeat: number | null;
  timeout_ms: number | null;
}

export interface SqliteAttemptLedgerOptions {
  /** Attempts gathered in memory before they are written to the table. Default 20,000. */
  attemptBatchSize?: number;
}

// Ids are built from ids and numbers; none contains this character.
const SEP = '\u0000';
const keyOf = (k: AttemptKey): string => `${k.executionId}${SEP}${k.taskRunId}${SEP}${k.attempt}`;

function fromRow(r: Row): Entry {
  if (r.running !== 1) return DONE;
  return {
    executionId: r.execution_id, taskRunId: r.task_run_id, attempt: r.attempt, workerId: r.worker_id ?? '', claimedAt: r.claimed_at ?? 0,
    heartbeat: r.heartbeat ?? 0, timeoutMs: r.timeout_ms,
  };
}

export class SqliteAttemptLedger implements AttemptLedger {
  /** Attempts changed since the table was last written, by key. */
  private recent = new Map<string, Entry>();
  /** Attempts changed since the last commit, to append to the journal at the next one. */
  private unjournaled = new Map<string, AttemptKey>();
  /** Attempts written to the table in a batch not committed yet (reads of the table miss them), oldest first. */
  private writing: Array<{ seq: number; entries: Map<string, Entry> }> = [];
  /**
   * Suspicions of sweeps, by key, in memory only: the embedded runtime never needs them (it knows
   * every claim not of its own process is dead), and a lost suspicion only delays a declaration.
   */
  private readonly suspicions = new Map<string, { heartbeat: string; at: string }>();
  private readonly batchSize: number;
  /** The executions the table holds attempts of (maybe): a claim of any other's attempt reads nothing. */
  private tabled: IdFilter;
  private readonly sql: {
    get: Database.Statement<[string, string, number]>;
    journal: WriteStatement<[string, string, number, number, string | null, number | null, number | null, number | null]>;
    put: WriteStatement<[string, string, number, number, string | null, number | null, number | null, number | null]>;
    clearJournal: WriteStatement<[]>;
    stale: Database.Statement<[number, number]>;
  };

  constructor(private readonly db: SqliteDatabase, opts: SqliteAttemptLedgerOptions = {}) {
    this.batchSize = opts.attemptBatchSize ?? 20_000;
    const raw = db.db;
    const columns = 'execution_id, task_run_id, attempt, running, worker_id, claimed_at, heartbeat, timeout_ms';
    this.sql = {
      get: raw.prepare(`SELECT ${columns} FROM attempts WHERE execution_id = ? AND task_run_id = ? AND attempt = ?`),
      journal: db.statement(`INSERT INTO attempt_journal (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      put: db.statement(`INSERT INTO attempts (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET
        running = excluded.running, worker_id = excluded.worker_id, claimed_at = excluded.claimed_at, heartbeat = excluded.heartbeat,
        timeout_ms = excluded.timeout_ms`),
      clearJournal: db.statement('DELETE FROM attempt_journal'),
      stale: raw.prepare(`SELECT ${columns} FROM attempts WHERE running = 1 AND heartbeat < ? ORDER BY heartbeat LIMIT ?`),
    };
    for (const row of raw.prepare(`SELECT ${columns} FROM attempt_journal ORDER BY seq`).iterate() as Iterable<Row>) {
      this.recent.set(keyOf({ executionId: row.execution_id, taskRunId: row.task_run_id, attempt: row.attempt }), fromRow(row));
    }
    this.tabled = this.filterOfTable();
    db.onFlush(() => {
      if (this.recent.size >= this.batchSize) this.writeTable();
      else this.journal();
    });
    db.onAcked((acked) => {
      while (this.writing.length > 0 && this.writing[0].seq <= acked) this.writing.shift();
    });
  }

  async claim(key: AttemptKey, workerId: string, now: Date, timeoutMs?: number): Promise<boolean> {
    const claimed = this.claimNow(key, workerId, now, timeoutMs);
    if (claimed) await this.db.durable();
    return claimed;
  }

  /** `claim`, synchronously (the embedded runtime's hot path); committed at the end of the turn. */
  claimNow(key: AttemptKey, workerId: string, now: Date, timeoutMs?: number): boolean {
    const k = keyOf(key);
    if (this.entry(k, key) !== undefined) return false;
    const at = now.getTime();
    this.set(k, key, { executionId: key.executionId, taskRunId: key.taskRunId, attempt: key.attempt, workerId, claimedAt: at, heartbeat: at, timeoutMs: timeoutMs ?? null });
    return true;
  }

  async heartbeat(key: AttemptKey, now: Date): Promise<void> {
    const k = keyOf(key);
    const entry = this.entry(k, key);
    if (!entry) return;
    this.set(k, key, { ...entry, heartbeat: now.getTime() });
    await this.db.durable();
  }

  /** Finishing an unclaimed attempt still records it, so a late duplicate delivery cannot claim it. */
  async finish(key: AttemptKey, now: Date): Promise<void> {
    this.finishNow(key, now);
    await this.db.durable();
  }

  /** `finish`, synchronously. */
  finishNow(key: AttemptKey, _now?: Date): void {
    this.set(keyOf(key), key, DONE);
  }

  async refuse(key: AttemptKey): Promise<void> {
    const k = keyOf(key);
    if (this.entry(k, key) !== undefined) return;
    this.set(k, key, DONE);
    await this.db.durable();
  }

  async suspect(key: AttemptKey, heartbeat: string, now: Date): Promise<void> {
    const k = keyOf(key);
    if (this.entry(k, key)) this.suspicions.set(k, { heartbeat, at: now.toISOString() });
  }

  async stale(olderThan: Date, limit: number): Promise<AttemptClaim[]> {
    // The table answers once it holds everything, committed.
    this.db.flush();
    this.writeTable();
    await this.db.durable();
    return (this.sql.stale.all(olderThan.getTime(), limit) as Row[]).map((r) => {
      const suspected = this.suspicions.get(keyOf({ executionId: r.execution_id, taskRunId: r.task_run_id, attempt: r.attempt }));
      return {
        executionId: r.execution_id, taskRunId: r.task_run_id, attempt: r.attempt, workerId: r.worker_id ?? '',
        claimedAt: new Date(r.claimed_at ?? 0).toISOString(), heartbeat: new Date(r.heartbeat ?? 0).toISOString(),
        ...(r.timeout_ms !== null ? { timeoutMs: r.timeout_ms } : {}), state: 'RUNNING' as const, ...(suspected ? { suspected: { ...suspected } } : {}),
      };
    });
  }

  /** The attempt from memory, else from the table; undefined when nobody claimed, finished or refused it. */
  private entry(k: string, key: AttemptKey): Entry | undefined {
    const recent = this.recent.get(k);
    if (recent !== undefined) return recent;
    for (let i = this.writing.length - 1; i >= 0; i--) {
      const written = this.writing[i].entries.get(k);
      if (written !== undefined) return written;
    }
    if (!this.tabled.mightHave(key.executionId)) return undefined;
    const row = this.sql.get.get(key.executionId, key.taskRunId, key.attempt) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  private set(k: string, key: AttemptKey, entry: Entry): void {
    if (entry === DONE) this.suspicions.delete(k);
    this.db.write();
    this.recent.set(k, entry);
    this.unjournaled.set(k, key);
  }

  /** Appends each attempt changed since the last commit to the journal, as it is now. */
  private journal(): void {
    if (this.unjournaled.size === 0) return;
    for (const [k, key] of this.unjournaled) this.sql.journal.run(...rowOf(key, this.recent.get(k)!));
    this.unjournaled.clear();
  }

  /**
   * A filter of the executions the table holds attempts of, read from its index, and of those in
   * batches not committed yet; sized for twice as many, so that it is rebuilt rarely.
   */
  private filterOfTable(): IdFilter {
    const ids = this.db.db.prepare('SELECT DISTINCT execution_id FROM attempts').pluck().all() as string[];
    const filter = new IdFilter(Math.max(2 * ids.length, 100_000));
    for (const id of ids) filter.add(id);
    for (const { entries } of this.writing) for (const k of entries.keys()) filter.add(k.slice(0, k.indexOf(SEP)));
    return filter;
  }

  /** Writes the attempts gathered in memory to the table, in key order, and empties the journal. */
  private writeTable(): void {
    if (this.recent.size === 0) return;
    this.db.write();
    // The table gets them all, in this commit: the journal need not.
    this.unjournaled.clear();
    const keys = [...this.recent.keys()].sort();
    let last = '';
    for (const k of keys) {
      const entry = this.recent.get(k)!;
      const [executionId, taskRunId, attempt] = k.split(SEP);
      this.sql.put.run(...rowOf({ executionId, taskRunId, attempt: Number(attempt) }, entry));
      if (executionId !== last) this.tabled.add((last = executionId));
    }
    this.sql.clearJournal.run();
    this.writing.push({ seq: this.db.writeSeq, entries: this.recent });
    this.recent = new Map();
    if (this.tabled.full) this.tabled = this.filterOfTable();
  }
}

function rowOf(key: AttemptKey, entry: Entry): [string, string, number, number, string | null, number | null, number | null, number | null] {
  if (entry === DONE) return [key.executionId, key.taskRunId, key.attempt, 0, null, null, null, null];
  return [key.executionId, key.taskRunId, key.attempt, 1, entry.workerId, entry.claimedAt, entry.heartbeat, entry.timeoutMs];
}
