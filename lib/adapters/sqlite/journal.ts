// The journal of the SQLite state store: one row per live execution per commit, holding only what
// changed in that commit (its header or version, the task runs whose object changed, its events).
// A `settled` row makes the execution's earlier rows obsolete; the journal is cut from the front up
// to the oldest live execution's first row. Opening the store replays it.
import { AloftError, ErrorCode } from '../../model/errors';
import type { Execution, TaskRun } from '../../model/execution';
import type { ExecutionHeader, PendingEvent } from '../../ports/state-store';
import type { SqliteDatabase, WriteStatement } from './database';
import { headerOf, type JsonOf, type Slot } from './execution-slot';
import type { StateWriteCounts } from './execution-tables';

/** The kinds of journal rows (migrations.ts). */
const Journal = { CHANGE: 1, SETTLED: 2 } as const;

/** What one commit changed in one execution: a CHANGE row's JSON. */
interface Change {
  /** The header, when it changed. */
  h?: ExecutionHeader;
  /** The new version, when nothing else of the header changed. */
  v?: number;
  /** Task runs whose object changed, by position. */
  r?: Array<[number, TaskRun]>;
  /** The task run list's new length, when it shrank. */
  n?: number;
  /** Events appended: key, and the event while it is pending (null when consumed in the same commit). */
  a?: Array<[string, PendingEvent | null]>;
  /** Keys of events appended before and consumed now. */
  c?: string[];
}

export interface JournalRow {
  seq: number;
  execution_id: string;
  kind: number;
  json: string | null;
}

/** Cut the journal by at least this many rows at a time: a DELETE per commit would cost more than it frees. */
const CUT_STEP = 10_000;

/** True when the two differ in their version and task runs only (the engine keeps unchanged fields identical). */
function sameButVersion(a: Execution, b: Execution): boolean {
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  let count = 0;
  for (const key in x) {
    count++;
    if (key !== 'version' && key !== 'taskRunList' && x[key] !== y[key]) return false;
  }
  for (const _key in y) count--;
  return count === 0;
}

export class ExecutionJournal {
  /** Executions with journal rows since their tables were written, oldest first row first. */
  readonly journaled = new Map<string, Slot>();
  private seq: number;
  /** The journal holds no row before this seq. */
  private head: number;
  private readonly sql: {
    insert: WriteStatement<[number, string, number, string | null]>;
    cut: WriteStatement<[number]>;
  };

  constructor(private readonly db: SqliteDatabase, private readonly writes: StateWriteCounts, private readonly json: JsonOf) {
    this.sql = {
      insert: db.statement('INSERT INTO journal (seq, execution_id, kind, json) VALUES (?, ?, ?, ?)'),
      cut: db.statement('DELETE FROM journal WHERE seq < ?'),
    };
    const raw = db.db;
    this.seq = raw.prepare('SELECT COALESCE(MAX(seq), 0) FROM journal').pluck().get() as number;
    this.head = (raw.prepare('SELECT MIN(seq) FROM journal').pluck().get() as number | null) ?? this.seq + 1;
  }

  /** Journals what changed in the slot since it was last written. */
  change(slot: Slot): void {
    const execution = slot.execution;
    const stored = slot.stored;
    const parts: string[] = [];
    if (stored !== execution && slot.rowState !== undefined) {
      if (stored && sameButVersion(stored, execution)) {
        // The usual transact changes task runs only: the header's JSON need not be written again.
        parts.push(`"v":${execution.version}`);
      } else {
        parts.push(`"h":${this.json.header(execution)}`);
      }
    }
    if (stored !== execution) {
      const before = stored ? stored.taskRunList : slot.tableRuns;
      const after = execution.taskRunList;
      if (before !== after) {
        // Only the runs whose object changed: the engine keeps unchanged runs identical.
        const runs: string[] = [];
        for (let i = 0; i < after.length; i++) {
          const run = after[i];
          if (before[i] === run) continue;
          runs.push(`[${i},${this.json.run(run)}]`);
        }
        if (runs.length > 0) parts.push(`"r":[${runs.join(',')}]`);
        if (before.length > after.length) parts.push(`"n":${after.length}`);
        this.writes.taskRuns += runs.length;
      }
    }
    if (slot.fresh) {
      const inbox = slot.inbox;
      const appended = slot.fresh.map((p) => `[${JSON.stringify(p.key)},${inbox !== undefined && inbox.includes(p) ? JSON.stringify(p) : 'null'}]`);
      parts.push(`"a":[${appended.join(',')}]`);
      this.writes.events += appended.length;
      slot.fresh = undefined;
    }
    if (slot.consumed) {
      parts.push(`"c":${JSON.stringify(slot.consumed)}`);
      slot.consumed = undefined;
    }
    if (parts.length > 0) this.row(slot, Journal.CHANGE, `{${parts.join(',')}}`);
  }

  /** The slot was written to the tables: its journal rows are obsolete. */
  settled(slot: Slot): void {
    if (slot.firstSeq === 0) return;
    this.sql.insert.run(++this.seq, slot.execution.id, Journal.SETTLED, null);
    this.writes.journal++;
    slot.firstSeq = 0;
    this.journaled.delete(slot.execution.id);
  }

  forget(executionId: string): void {
    this.journaled.delete(executionId);
  }

  /**
   * Rows before the oldest live execution's first row are obsolete. An execution that holds the
   * journal for `span` rows or more is checkpointed (written to the tables), at most `max` per call;
   * one whose task runs do not fit in its row (`unfit`) holds the journal until it ends.
   */
  cut(closing: boolean, span: number, max: number, checkpoint: (slot: Slot) => void): void {
    let checkpoints = 0;
    for (const slot of this.journaled.values()) {
      if (this.seq - slot.firstSeq < span || checkpoints >= max) break;
      if (slot.unfit) continue;
      checkpoint(slot);
      checkpoints++;
    }
    const oldest = this.journaled.values().next().value;
    const keepFrom = oldest ? oldest.firstSeq : this.seq + 1;
    if (keepFrom > this.head && (closing || keepFrom - this.head >= Math.min(CUT_STEP, span))) {
      this.sql.cut.run(keepFrom);
      this.head = keepFrom;
    }
  }

  /** Each execution's rows after its last `settled` row, in order. */
  live(): Map<string, JournalRow[]> {
    const byExecution = new Map<string, JournalRow[]>();
    for (const row of this.db.db.prepare('SELECT seq, execution_id, kind, json FROM journal ORDER BY seq').iterate() as Iterable<JournalRow>) {
      if (row.kind === Journal.SETTLED) {
        byExecution.delete(row.execution_id);
        continue;
      }
      const rows = byExecution.get(row.execution_id);
      if (rows) rows.push(row);
      else byExecution.set(row.execution_id, [row]);
    }
    return byExecution;
  }

  /** Applies an execution's live rows to its state read from the tables, and tracks it. */
  replay(slot: Slot, rows: readonly JournalRow[]): void {
    applyJournal(slot, rows);
    this.journaled.set(slot.execution.id, slot);
  }

  private row(slot: Slot, kind: number, json: string | null): void {
    const seq = ++this.seq;
    this.sql.insert.run(seq, slot.execution.id, kind, json);
    this.writes.journal++;
    if (slot.firstSeq === 0) {
      slot.firstSeq = seq;
      this.journaled.set(slot.execution.id, slot);
    }
  }
}

function applyJournal(slot: Slot, rows: readonly JournalRow[]): void {
  let header: ExecutionHeader = headerOf(slot.execution);
  const runs = slot.execution.taskRunList.slice();
  const inbox = slot.inbox ? slot.inbox.slice() : [];
  const keys = new Set<string>();
  for (const row of rows) {
    if (row.kind !== Journal.CHANGE || row.json === null) throw new AloftError(ErrorCode.INTERNAL, `journal row ${row.seq} has an unknown kind ${row.kind}`);
    const change = JSON.parse(row.json) as Change;
    if (change.h) header = change.h;
    else if (change.v !== undefined) header = { ...header, version: change.v };
    if (change.r) for (const [pos, run] of change.r) runs[pos] = run;
    if (change.n !== undefined) runs.length = change.n;
    if (change.a) {
      for (const [key, event] of change.a) {
        keys.add(key);
        if (event) inbox.push(event);
      }
    }
    if (change.c) {
      for (const key of change.c) {
        const at = inbox.findIndex((p) => p.key === key);
        if (at >= 0) inbox.splice(at, 1);
        if (!keys.has(key)) (slot.gone ??= []).push(key);
      }
    }
  }
  const execution: Execution = { ...header, taskRunList: runs };
  slot.execution = execution;
  slot.stored = execution;
  slot.inbox = inbox.length > 0 ? inbox : undefined;
  slot.keys = keys.size > 0 ? keys : undefined;
  slot.firstSeq = rows[0].seq;
}
