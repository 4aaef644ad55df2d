// The keyed tables of the SQLite state store: `executions` (one row per execution: its header, and
// its task runs as one JSON array), `inbox` (events still pending) and `event_keys` (every key
// appended, for deduplication). A settled execution is written here whole, its rows side by side.
import type Database from 'better-sqlite3';
import type { Execution, TaskRun } from '../../model/execution';
import { isTerminal } from '../../model/states';
import type { ExecutionHeader, PendingEvent } from '../../ports/state-store';
import type { SqliteDatabase, WriteStatement } from './database';
import { type JsonOf, newSlot, type Slot, startOf } from './execution-slot';
import { failedTooLarge, MAX_RUNS_CHARS, runsJsonWithin } from './runs-limit';

// Event keys are built from ids and event names; none contains this character.
const SEP = '\u0000';
/** The runs of a row written before its execution's tables (a live execution's are in the journal). */
const NO_RUNS = '[]';

/** Rows written since the store opened (tests and benchmarks read these). */
export interface StateWriteCounts {
  journal: number;
  headers: number;
  taskRuns: number;
  events: number;
}

export class ExecutionTables {
  private inboxSeq: number;
  private readonly sql: {
    exists: Database.Statement<[string]>;
    header: Database.Statement<[string]>;
    whole: Database.Statement<[string]>;
    runs: Database.Statement<[string]>;
    pending: Database.Statement<[string]>;
    keys: Database.Statement<[string]>;
    putKeys: WriteStatement<[string, string]>;
    insertHeader: WriteStatement<[string, string, string, string, string, string, string]>;
    updateHeader: WriteStatement<[string, string, string]>;
    updateWhole: WriteStatement<[string, string, string, string]>;
    updateRuns: WriteStatement<[string, string]>;
    insertEvent: WriteStatement<[string, string, number, string]>;
    consumeEvent: WriteStatement<[string, string]>;
    remove: Array<WriteStatement<[string]>>;
  };

  constructor(
    private readonly db: SqliteDatabase, private readonly writes: StateWriteCounts, private readonly json: JsonOf,
    /** The longest task runs' JSON a row takes (V8's longest string; tests give less). */
    private readonly maxRunsChars = MAX_RUNS_CHARS,
  ) {
    const raw = db.db;
    this.sql = {
      exists: raw.prepare('SELECT 1 FROM executions WHERE id = ?'),
      header: raw.prepare('SELECT header FROM executions WHERE id = ?'),
      whole: raw.prepare('SELECT header, runs FROM executions WHERE id = ?'),
      runs: raw.prepare('SELECT runs FROM executions WHERE id = ?').pluck(),
      pending: raw.prepare('SELECT json FROM inbox WHERE execution_id = ? ORDER BY seq').pluck(),
      keys: raw.prepare('SELECT keys FROM event_keys WHERE execution_id = ?').pluck(),
      putKeys: db.statement('INSERT INTO event_keys (execution_id, keys) VALUES (?, ?) ON CONFLICT DO UPDATE SET keys = excluded.keys'),
      insertHeader: db.statement('INSERT INTO executions (id, namespace, flow_id, state, start_date, header, runs) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      updateHeader: db.statement('UPDATE executions SET state = ?, header = ? WHERE id = ?'),
      updateWhole: db.statement('UPDATE executions SET state = ?, header = ?, runs = ? WHERE id = ?'),
      updateRuns: db.statement('UPDATE executions SET runs = ? WHERE id = ?'),
      insertEvent: db.statement('INSERT INTO inbox (execution_id, key, seq, json) VALUES (?, ?, ?, ?)'),
      consumeEvent: db.statement('DELETE FROM inbox WHERE execution_id = ? AND key = ?'),
      remove: ['executions WHERE id', 'inbox WHERE execution_id', 'event_keys WHERE execution_id']
        .map((t) => db.statement<[string]>(`DELETE FROM ${t} = ?`)),
    };
    this.inboxSeq = raw.prepare('SELECT COALESCE(MAX(seq), 0) FROM inbox').pluck().get() as number;
  }

  exists(executionId: string): boolean {
    return this.sql.exists.get(executionId) !== undefined;
  }

  /** The header in the execution's row (complete for a settled execution). */
  header(executionId: string): ExecutionHeader | null {
    const row = this.sql.header.get(executionId) as { header: string } | undefined;
    return row ? (JSON.parse(row.header) as ExecutionHeader) : null;
  }

  /**
   * The execution's row, created with its first header, and its task runs' JSON when given (else
   * none: a live execution's runs are in the journal until its tables are written).
   */
  insertRow(slot: Slot, runs = NO_RUNS): void {
    const execution = slot.execution;
    this.sql.insertHeader.run(execution.id, execution.namespace, execution.flowId, execution.state.current, startOf(execution), this.json.header(execution), runs);
    this.rowWritten(slot);
  }

  /** The execution's row, with its current state (list() filters on it) and header, and its task runs' JSON when given. */
  updateRow(slot: Slot, runs?: string): void {
    const execution = slot.execution;
    if (runs !== undefined) this.sql.updateWhole.run(execution.state.current, this.json.header(execution), runs, execution.id);
    else this.sql.updateHeader.run(execution.state.current, this.json.header(execution), execution.id);
    this.rowWritten(slot);
  }

  /** True when the key was appended to the execution and its tables were written since (or are being). */
  hasKey(slot: Slot, key: string): boolean {
    if (slot.sent) {
      if (slot.sent.has(key)) return true;
      if (slot.sentSeq <= this.db.acked) slot.sent = undefined;
    }
    return this.keysOf(slot.execution.id).includes(`${SEP}${key}${SEP}`);
  }

  /**
   * Writes the execution's whole state to the keyed tables: its row once, with its task runs if they
   * changed. False, writing nothing, for a live execution whose task runs do not fit in its row: it
   * stays in the journal until it ends. An ended one is written FAILED then (runs-limit.ts).
   */
  write(slot: Slot): boolean {
    let runs: string | undefined;
    if (slot.rowState === undefined || slot.tableRuns !== slot.execution.taskRunList) {
      runs = this.runsJson(slot);
      if (runs === undefined) return false;
    }
    const execution = slot.execution;
    const id = execution.id;
    // A row that already holds this very execution (it ended in a commit that wrote the row) keeps its header.
    if (slot.rowState === undefined) this.insertRow(slot, runs);
    else if (slot.rowOf !== execution) this.updateRow(slot, runs);
    else if (runs !== undefined) this.sql.updateRuns.run(runs, id);
    if (slot.keys) {
      this.sql.putKeys.run(id, `${this.storedKeys(slot)}${[...slot.keys].join(SEP)}${SEP}`);
      // Events still pending (a long-lived execution written to the tables) keep their JSON.
      if (slot.inbox) for (const p of slot.inbox) if (slot.keys.has(p.key)) this.sql.insertEvent.run(id, p.key, ++this.inboxSeq, JSON.stringify(p));
      this.writes.events += slot.keys.size;
      // Until that batch is committed, reads of event_keys miss them: memory answers meanwhile.
      if (slot.sent && slot.sentSeq > this.db.acked) for (const key of slot.keys) slot.sent.add(key);
      else slot.sent = slot.keys;
      slot.sentSeq = this.db.writeSeq;
      slot.keys = undefined;
      slot.tableKeys = true;
    }
    if (slot.gone) {
      for (const key of slot.gone) this.sql.consumeEvent.run(id, key);
      slot.gone = undefined;
    }
    return true;
  }

  /** The execution as the tables hold it, with its pending events; undefined when it has no row. */
  read(executionId: string): Slot | undefined {
    const row = this.sql.whole.get(executionId) as { header: string; runs: string } | undefined;
    if (!row) return undefined;
    const execution: Execution = { ...(JSON.parse(row.header) as ExecutionHeader), taskRunList: JSON.parse(row.runs) as TaskRun[] };
    const slot = newSlot(execution, execution);
    slot.rowState = execution.state.current;
    slot.rowOf = execution;
    slot.tableRuns = execution.taskRunList;
    slot.tableKeys = true;
    const json = this.sql.pending.all(executionId) as string[];
    if (json.length > 0) slot.inbox = json.map((j) => JSON.parse(j) as PendingEvent);
    return slot;
  }

  /**
   * The task runs' JSON, now in the row. When it does not fit: undefined for a live execution, and
   * for an ended one the JSON of the runs of its FAILED replacement, which becomes the slot's execution.
   */
  private runsJson(slot: Slot): string | undefined {
    let json = runsJsonWithin(slot.execution.taskRunList, this.maxRunsChars);
    if (json === undefined) {
      if (!isTerminal(slot.execution.state.current)) return undefined;
      // Stored FAILED at the time it is written (the store has no engine clock here).
      const failed = failedTooLarge(slot.execution, this.maxRunsChars, new Date());
      slot.execution = failed.execution;
      json = failed.runs;
    }
    const runs = slot.execution.taskRunList;
    slot.tableRuns = runs;
    this.writes.taskRuns += runs.length;
    return json;
  }

  private rowWritten(slot: Slot): void {
    slot.rowState = slot.execution.state.current;
    slot.rowOf = slot.execution;
    this.writes.headers++;
  }

  withRuns(header: ExecutionHeader): Execution {
    const runs = this.sql.runs.get(header.id) as string | undefined;
    return { ...header, taskRunList: runs === undefined ? [] : (JSON.parse(runs) as TaskRun[]) };
  }

  remove(executionId: string): void {
    for (const remove of this.sql.remove) remove.run(executionId);
  }

  /**
   * What event_keys holds for the execution, as `SEP key SEP ... SEP`, with the keys of batches not
   * committed yet (the main connection reads only what is committed). SQLite's string functions stop
   * at NUL, so the row cannot be appended to in SQL.
   */
  private storedKeys(slot: Slot): string {
    if (!slot.tableKeys) return SEP;
    const stored = this.keysOf(slot.execution.id);
    if (!slot.sent || slot.sentSeq <= this.db.acked) return stored;
    const missing = [...slot.sent].filter((key) => !stored.includes(`${SEP}${key}${SEP}`));
    return missing.length === 0 ? stored : `${stored}${missing.join(SEP)}${SEP}`;
  }

  /** The execution's keys in event_keys, as `SEP key SEP key ... SEP` (just SEP when none). */
  private keysOf(executionId: string): string {
    return (this.sql.keys.get(executionId) as string | undefined) ?? SEP;
  }
}
