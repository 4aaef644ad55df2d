// StateStore on SQLite, with the in-memory store's synchronous operations (the embedded runtime's
// hot path). Live executions stay in memory as the memory store keeps them, and ended ones in a
// bounded cache. The database is written behind: a transact changes memory, and the group commit
// (database.ts) writes what changed at the end of the turn, in the same SQLite transaction as every
// other write of that turn.
//
// Where it is written: a live execution's changes are appended to `journal` (its header, the task
// runs whose object changed, its events), which costs a commit only the bytes that changed. Keyed
// tables (executions, task_runs, inbox, event_keys) would cost a page per row: the rows of thousands of live
// executions lie all over their B-trees, and WAL commits whole pages. When an execution settles
// (ended, nothing pending) its final state goes to the keyed tables at once, its rows side by side,
// and a `settled` journal row makes its earlier journal rows obsolete. The journal is cut from the
// front up to the oldest live execution's first row; one that stays live for long is written to the
// tables the same way, so that it does not hold the journal. Opening the store replays the journal.
// The `executions` row is also written at create and whenever the state changes, so that list()
// filters on a current state.
import type Database from 'better-sqlite3';
import type { SlotClaim, SlotHolder, SlotOutcome, SlotRelease } from '../../model/concurrency-slots';
import { AloftError, ErrorCode } from '../../model/errors';
import type { Execution, TaskRun } from '../../model/execution';
import { isTerminal, STATES } from '../../model/states';
import {
  assertDeletable, type ExecutionFilter, type ExecutionHeader, type ExecutionPage, type FlowSlots, type OutboxEntry, type PendingEvent,
  type StateStore, type TransactOutcome,
} from '../../ports/state-store';
import { SqliteConcurrencySlots } from './concurrency-slots';
import type { SqliteDatabase } from './database';
import { countExecutions, listExecutions } from './execution-list';

type Fold = (execution: Execution, pending: readonly PendingEvent[]) => TransactOutcome | null;

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

interface Slot {
  execution: Execution;
  /** The execution as last written (journal or tables); undefined before its first write. */
  stored: Execution | undefined;
  /** The state in its `executions` row; undefined before the row exists. */
  rowState: string | undefined;
  /** The task runs the task_runs table holds for it. */
  tableRuns: readonly TaskRun[];
  /** True when event_keys may hold keys of it (it was written to the tables, or read from them). */
  tableKeys: boolean;
  /** Events waiting to be folded, oldest first; undefined when none. */
  inbox: PendingEvent[] | undefined;
  /** Keys appended since its tables were written: still to add to event_keys. */
  keys: Set<string> | undefined;
  /** Keys the inbox table holds as pending, consumed since: their rows are still to delete. */
  gone: string[] | undefined;
  /** Appended since the last flush. */
  fresh: PendingEvent[] | undefined;
  /** Keys consumed since the last flush (of events appended before it). */
  consumed: string[] | undefined;
  /** Seq of its first journal row since its tables were written; 0 when none. */
  firstSeq: number;
  /** Bumped by every change, so a fold that re-entered the store is detected. */
  changes: number;
  dirty: boolean;
  /** Waiting in `settling` to be written to the tables. */
  settling: boolean;
}

export interface SqliteStateStoreOptions {
  /** How many ended executions stay in memory besides the live ones. Default 1,000. */
  endedCacheSize?: number;
  /**
   * A live execution whose first journal row is this many rows old is written to the tables, so
   * that the journal can be cut. Default 200,000.
   */
  journalSpan?: number;
  /** Settled executions are written to the tables this many at a time. Default 512. */
  settleBatch?: number;
}

/** Rows written since the store opened (tests and benchmarks read these). */
export interface StateWriteCounts {
  journal: number;
  headers: number;
  taskRuns: number;
  events: number;
}

interface JournalRow {
  seq: number;
  execution_id: string;
  kind: number;
  json: string | null;
}

const NONE: readonly PendingEvent[] = [];
// Event keys are built from ids and event names; none contains this character.
const SEP = '\u0000';
const NO_RUNS: readonly TaskRun[] = [];
/** Cut the journal by at least this many rows at a time: a DELETE per commit would cost more than it frees. */
const CUT_STEP = 10_000;
/** At most this many long-lived executions are written to the tables per commit. */
const CHECKPOINTS_PER_COMMIT = 100;

const interrupted = (executionId: string): AloftError =>
  new AloftError(ErrorCode.CONFLICT, `execution ${executionId} has an interrupting event pending: fold everything in order`);

const startOf = (e: Execution | ExecutionHeader): string => e.state.histories[0]?.date ?? '';

function headerOf(execution: Execution): ExecutionHeader {
  const { taskRunList: _runs, ...header } = execution;
  return header;
}

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

const settled = (slot: Slot): boolean => slot.inbox === undefined && isTerminal(slot.execution.state.current);

export class SqliteStateStore implements StateStore {
  /** Live executions, and ended ones with writes still to flush. */
  private readonly live = new Map<string, Slot>();
  /** Ended executions, least recently used first. */
  private readonly ended = new Map<string, Slot>();
  /** Executions with journal rows since their tables were written, oldest first row first. */
  private readonly journaled = new Map<string, Slot>();
  private readonly endedCacheSize: number;
  private readonly journalSpan: number;
  private readonly settleBatch: number;
  private dirty: Slot[] = [];
  /** Settled executions whose tables are still to write (their journal rows hold them until then). */
  private settling: Slot[] = [];
  /** Outbox entries not written yet: an entry acknowledged before the commit is never written. */
  private readonly outboxFresh = new Map<string, OutboxEntry>();
  /** Seqs of outbox rows written and not acknowledged yet, by entry id. */
  private readonly outboxRows = new Map<string, number>();
  /** Outbox rows acknowledged since the last flush: their seqs, or ids when the seq is unknown. */
  private outboxAcked: number[] = [];
  private outboxAckedIds: string[] = [];
  private outboxSeq: number;
  private seq: number;
  private inboxSeq: number;
  /** The journal holds no row before this seq. */
  private journalHead: number;
  private lastCommitMs = Number.NaN;
  private lastCommitIso = '';
  readonly writes: StateWriteCounts = { journal: 0, headers: 0, taskRuns: 0, events: 0 };
  private readonly concurrency: SqliteConcurrencySlots;

  private readonly sql: {
    exists: Database.Statement<[string]>;
    header: Database.Statement<[string]>;
    runs: Database.Statement<[string]>;
    pending: Database.Statement<[string]>;
    keys: Database.Statement<[string]>;
    putKeys: Database.Statement<[string, string]>;
    insertHeader: Database.Statement<[string, string, string, string, string, string]>;
    updateHeader: Database.Statement<[string, string, string]>;
    putRun: Database.Statement<[string, number, string, string]>;
    cutRuns: Database.Statement<[string, number]>;
    insertEvent: Database.Statement<[string, string, number, string]>;
    consumeEvent: Database.Statement<[string, string]>;
    journal: Database.Statement<[number, string, number, string | null]>;
    cutJournal: Database.Statement<[number]>;
    insertOutbox: Database.Statement<[number, string, string, string]>;
    deleteOutbox: Database.Statement<[number, number]>;
    deleteOutboxId: Database.Statement<[string]>;
    unpublished: Database.Statement<[string, number]>;
    remove: Array<Database.Statement<[string]>>;
  };

  constructor(private readonly db: SqliteDatabase, opts: SqliteStateStoreOptions = {}) {
    this.endedCacheSize = opts.endedCacheSize ?? 1000;
    this.journalSpan = opts.journalSpan ?? 200_000;
    this.settleBatch = opts.settleBatch ?? 512;
    const raw = db.db;
    this.sql = {
      exists: raw.prepare('SELECT 1 FROM executions WHERE id = ?'),
      header: raw.prepare('SELECT header FROM executions WHERE id = ?'),
      runs: raw.prepare('SELECT json FROM task_runs WHERE execution_id = ? ORDER BY pos').pluck(),
      pending: raw.prepare('SELECT json FROM inbox WHERE execution_id = ? ORDER BY seq').pluck(),
      keys: raw.prepare('SELECT keys FROM event_keys WHERE execution_id = ?').pluck(),
      putKeys: raw.prepare('INSERT INTO event_keys (execution_id, keys) VALUES (?, ?) ON CONFLICT DO UPDATE SET keys = excluded.keys'),
      insertHeader: raw.prepare('INSERT INTO executions (id, namespace, flow_id, state, start_date, header) VALUES (?, ?, ?, ?, ?, ?)'),
      updateHeader: raw.prepare('UPDATE executions SET state = ?, header = ? WHERE id = ?'),
      putRun: raw.prepare('INSERT INTO task_runs (execution_id, pos, id, json) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET id = excluded.id, json = excluded.json'),
      cutRuns: raw.prepare('DELETE FROM task_runs WHERE execution_id = ? AND pos >= ?'),
      insertEvent: raw.prepare('INSERT INTO inbox (execution_id, key, seq, json) VALUES (?, ?, ?, ?)'),
      consumeEvent: raw.prepare('DELETE FROM inbox WHERE execution_id = ? AND key = ?'),
      journal: raw.prepare('INSERT INTO journal (seq, execution_id, kind, json) VALUES (?, ?, ?, ?)'),
      cutJournal: raw.prepare('DELETE FROM journal WHERE seq < ?'),
      insertOutbox: raw.prepare('INSERT INTO outbox (seq, id, created_at, json) VALUES (?, ?, ?, ?)'),
      deleteOutbox: raw.prepare('DELETE FROM outbox WHERE seq BETWEEN ? AND ?'),
      // Not indexed: only for an entry acknowledged twice, or one the store never saw.
      deleteOutboxId: raw.prepare('DELETE FROM outbox WHERE id = ?'),
      unpublished: raw.prepare('SELECT seq, json FROM outbox WHERE created_at < ? ORDER BY seq LIMIT ?'),
      remove: ['executions WHERE id', 'task_runs WHERE execution_id', 'inbox WHERE execution_id', 'event_keys WHERE execution_id']
        .map((t) => raw.prepare(`DELETE FROM ${t} = ?`)),
    };
    this.seq = raw.prepare('SELECT COALESCE(MAX(seq), 0) FROM journal').pluck().get() as number;
    this.journalHead = (raw.prepare('SELECT MIN(seq) FROM journal').pluck().get() as number | null) ?? this.seq + 1;
    this.inboxSeq = raw.prepare('SELECT COALESCE(MAX(seq), 0) FROM inbox').pluck().get() as number;
    this.outboxSeq = raw.prepare('SELECT COALESCE(MAX(seq), 0) FROM outbox').pluck().get() as number;
    this.replay(raw);
    db.onFlush((closing) => this.flush(closing));
    this.concurrency = new SqliteConcurrencySlots(db);
  }

  // Flow concurrency: its own table and file, beside the executions.

  claimSlot(claim: SlotClaim): Promise<SlotOutcome> {
    return this.concurrency.claim(claim);
  }

  releaseSlot(release: SlotRelease): Promise<SlotHolder[]> {
    return this.concurrency.release(release);
  }

  flowSlots(namespace: string, flowId: string): Promise<FlowSlots> {
    return this.concurrency.slots(namespace, flowId);
  }

  async create(execution: Execution, first: PendingEvent): Promise<void> {
    if (this.cached(execution.id) || this.sql.exists.get(execution.id)) {
      throw new AloftError(ErrorCode.CONFLICT, `execution ${execution.id} already exists`);
    }
    const slot = newSlot(execution, undefined);
    slot.inbox = [first];
    slot.fresh = [first];
    slot.keys = new Set([first.key]);
    this.live.set(execution.id, slot);
    this.touch(slot);
    await this.db.durable();
  }

  async get(executionId: string): Promise<Execution | null> {
    return this.getNow(executionId);
  }

  async getHeader(executionId: string): Promise<ExecutionHeader | null> {
    const slot = this.cached(executionId);
    if (slot) return headerOf(slot.execution);
    // Not in memory: settled, so its row is complete.
    const row = this.sql.header.get(executionId) as { header: string } | undefined;
    return row ? (JSON.parse(row.header) as ExecutionHeader) : null;
  }

  async append(executionId: string, pending: PendingEvent): Promise<boolean> {
    const queued = this.appendNow(executionId, pending);
    if (queued) await this.db.durable();
    return queued;
  }

  async hasPending(executionId: string): Promise<boolean> {
    return this.hasPendingNow(executionId);
  }

  async transact(executionId: string, fold: Fold, now: Date): Promise<{ execution: Execution; outbox: OutboxEntry[] } | null> {
    const out = this.transactNow(executionId, fold, now);
    if (out) await this.db.durable();
    return out;
  }

  async ackOutbox(entries: readonly OutboxEntry[]): Promise<void> {
    this.ackOutboxNow(entries);
    await this.db.durable();
  }

  // The same operations, synchronously (the embedded runtime's hot path). Their writes are
  // committed at the end of the turn; `durable()` of the data says when.

  getNow(executionId: string): Execution | null {
    return this.find(executionId)?.execution ?? null;
  }

  appendNow(executionId: string, pending: PendingEvent): boolean {
    const slot = this.slot(executionId);
    const key = pending.key;
    if (slot.keys?.has(key) || (slot.tableKeys && this.tableKeysOf(executionId).includes(`${SEP}${key}${SEP}`))) return false;
    (slot.keys ??= new Set()).add(key);
    // Exact sizes for the usual one or two events (a worker's start and result), as the memory store does.
    const inbox = slot.inbox;
    if (!inbox) slot.inbox = [pending];
    else if (inbox.length === 1) slot.inbox = [inbox[0], pending];
    else inbox.push(pending);
    if (slot.fresh) slot.fresh.push(pending);
    else slot.fresh = [pending];
    this.touch(slot);
    return true;
  }

  hasPendingNow(executionId: string): boolean {
    return this.find(executionId)?.inbox !== undefined;
  }

  transactNow(executionId: string, fold: Fold, now: Date, keys?: readonly string[]): { execution: Execution; outbox: OutboxEntry[] } | null {
    const slot = this.slot(executionId);
    const before = slot.execution;
    const changes = slot.changes;
    const inbox = slot.inbox;
    let pending = inbox;
    let rest: PendingEvent[] | undefined;
    if (keys && inbox) {
      if (inbox.some((p) => p.event.type === 'Kill')) throw interrupted(executionId);
      const wanted = new Set(keys);
      pending = inbox.filter((p) => wanted.has(p.key));
      rest = inbox.filter((p) => !wanted.has(p.key));
    }
    const outcome = fold(before, pending ?? NONE);
    if (outcome === null) return null;
    if (slot.changes !== changes) {
      throw new AloftError(ErrorCode.CONFLICT, `execution ${executionId} changed during the transaction`);
    }
    const version = before.version + 1;
    const execution: Execution = { ...outcome.execution, version };
    slot.execution = execution;
    slot.inbox = rest && rest.length > 0 ? rest : undefined;
    if (pending) {
      const fresh = slot.fresh;
      for (const p of pending) {
        // An event appended in this batch is journaled once, as consumed.
        if (!fresh || !fresh.includes(p)) (slot.consumed ??= []).push(p.key);
        if (!slot.keys?.has(p.key)) (slot.gone ??= []).push(p.key);
      }
    }
    this.touch(slot);
    const effects = outcome.effects;
    if (effects.length === 0) return { execution, outbox: [] };
    const entries = new Array<OutboxEntry>(effects.length);
    const createdAt = this.iso(now);
    for (let i = 0; i < effects.length; i++) {
      const entry: OutboxEntry = { id: `${executionId}:${version}:${i}`, executionId, effect: effects[i], createdAt };
      entries[i] = entry;
      this.outboxFresh.set(entry.id, entry);
    }
    return { execution, outbox: entries };
  }

  ackOutboxNow(entries: readonly OutboxEntry[]): void {
    if (entries.length === 0) return;
    for (const entry of entries) {
      if (this.outboxFresh.delete(entry.id)) continue;
      const seq = this.outboxRows.get(entry.id);
      if (seq === undefined) this.outboxAckedIds.push(entry.id);
      else {
        this.outboxRows.delete(entry.id);
        this.outboxAcked.push(seq);
      }
    }
    this.db.schedule();
  }

  async unpublished(olderThan: Date, limit: number): Promise<OutboxEntry[]> {
    this.db.flush();
    const rows = this.sql.unpublished.all(olderThan.toISOString(), limit) as Array<{ seq: number; json: string }>;
    return rows.map((row) => {
      const entry = JSON.parse(row.json) as OutboxEntry;
      this.outboxRows.set(entry.id, row.seq);
      return entry;
    });
  }

  async list(filter: ExecutionFilter): Promise<ExecutionPage> {
    this.db.flush();
    return listExecutions(this.db.db, filter, (id, header) => this.cached(id)?.execution ?? this.withRuns(header));
  }

  async count(filter: ExecutionFilter): Promise<number> {
    this.db.flush();
    return countExecutions(this.db.db, filter);
  }

  async delete(executionId: string): Promise<boolean> {
    // Written first, so that its rows exist and it is in no queue of writes still to make.
    this.db.flush(true);
    const slot = this.find(executionId);
    if (!slot) return false;
    assertDeletable(slot.execution, slot.inbox !== undefined);
    this.live.delete(executionId);
    this.ended.delete(executionId);
    this.journaled.delete(executionId);
    // Journal rows it left are skipped at open (their execution has no row) and cut with the others.
    this.db.write();
    for (const remove of this.sql.remove) remove.run(executionId);
    await this.db.durable();
    return true;
  }

  /**
   * Executions with an event appended before `olderThan` (its `at`) and still pending. Every
   * execution with pending events is in memory (read back from the journal and tables at open).
   */
  strandedNow(olderThan: Date, limit: number): string[] {
    const cutoff = olderThan.toISOString();
    const out: string[] = [];
    for (const [id, slot] of this.live) {
      if (out.length >= limit) break;
      if (slot.inbox?.some((p) => p.at < cutoff)) out.push(id);
    }
    return out;
  }

  // ---- writing ----

  /** Writes what changed in memory into the open transaction (the group commit calls this). */
  private flush(closing = false): void {
    const dirty = this.dirty;
    if (dirty.length === 0 && this.outboxFresh.size === 0 && this.outboxAcked.length === 0 && this.outboxAckedIds.length === 0
      && !(closing && this.settling.length > 0)) return;
    this.db.write();
    this.dirty = [];
    for (const slot of dirty) this.flushSlot(slot);
    for (const entry of this.outboxFresh.values()) {
      const seq = ++this.outboxSeq;
      this.sql.insertOutbox.run(seq, entry.id, entry.createdAt, JSON.stringify(entry));
      this.outboxRows.set(entry.id, seq);
    }
    this.outboxFresh.clear();
    this.deleteAcked();
    // On close, everything settled goes to the tables, so that the next open replays less.
    this.settle(closing);
    this.cutJournal(closing);
  }

  /** Deletes acknowledged outbox rows, a range of consecutive seqs per statement (acks come mostly in order). */
  private deleteAcked(): void {
    const seqs = this.outboxAcked.sort((a, b) => a - b);
    for (let i = 0; i < seqs.length;) {
      let j = i;
      while (j + 1 < seqs.length && seqs[j + 1] === seqs[j] + 1) j++;
      this.sql.deleteOutbox.run(seqs[i], seqs[j]);
      i = j + 1;
    }
    this.outboxAcked = [];
    for (const id of this.outboxAckedIds) this.sql.deleteOutboxId.run(id);
    this.outboxAckedIds = [];
  }

  private flushSlot(slot: Slot): void {
    slot.dirty = false;
    const execution = slot.execution;
    const id = execution.id;
    if (settled(slot) && slot.firstSeq === 0 && slot.fresh === undefined && slot.consumed === undefined) {
      // Nothing journaled (created and ended in one commit, or a settled one folded again).
      this.writeTables(slot);
      slot.stored = execution;
      this.release(slot);
      return;
    }
    // One journal row per execution per commit, its JSON built from the parts that changed.
    const parts: string[] = [];
    const stored = slot.stored;
    if (slot.rowState === undefined) {
      // A new execution: its row carries its first header.
      this.sql.insertHeader.run(id, execution.namespace, execution.flowId, execution.state.current, startOf(execution), JSON.stringify(headerOf(execution)));
      slot.rowState = execution.state.current;
      this.writes.headers++;
    } else if (stored !== execution) {
      let header: string | undefined;
      if (stored && sameButVersion(stored, execution)) {
        // The usual transact changes task runs only: the header's JSON need not be written again.
        parts.push(`"v":${execution.version}`);
      } else {
        header = JSON.stringify(headerOf(execution));
        parts.push(`"h":${header}`);
      }
      if (execution.state.current !== slot.rowState) {
        this.sql.updateHeader.run(execution.state.current, header ?? JSON.stringify(headerOf(execution)), id);
        slot.rowState = execution.state.current;
        this.writes.headers++;
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
          runs.push(`[${i},${JSON.stringify(run)}]`);
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
    if (parts.length > 0) this.journal(slot, Journal.CHANGE, `{${parts.join(',')}}`);
    slot.stored = execution;
    if (settled(slot) && !slot.settling) {
      slot.settling = true;
      this.settling.push(slot);
    }
  }

  /**
   * Writes settled executions to the tables, many at a time and in id order: their rows share the
   * pages of the tables' B-trees, which one commit then writes once.
   */
  private settle(all: boolean): void {
    if (this.settling.length === 0 || (!all && this.settling.length < this.settleBatch)) return;
    const slots = this.settling.sort((a, b) => (a.execution.id < b.execution.id ? -1 : 1));
    this.settling = [];
    for (const slot of slots) {
      slot.settling = false;
      // Written as it is now, settled or live again (a restart): either way its journal rows are obsolete.
      this.writeTables(slot);
      if (settled(slot) && !slot.dirty) this.release(slot);
    }
  }

  /** A settled execution written to the tables moves to the bounded cache of ended ones. */
  private release(slot: Slot): void {
    const id = slot.execution.id;
    if (this.live.get(id) === slot) {
      this.live.delete(id);
      this.remember(id, slot);
    }
  }

  /** Writes the execution's whole state to the keyed tables; its journal rows become obsolete. */
  private writeTables(slot: Slot): void {
    const execution = slot.execution;
    const id = execution.id;
    const header = JSON.stringify(headerOf(execution));
    if (slot.rowState === undefined) {
      this.sql.insertHeader.run(id, execution.namespace, execution.flowId, execution.state.current, startOf(execution), header);
    } else {
      this.sql.updateHeader.run(execution.state.current, header, id);
    }
    this.writes.headers++;
    slot.rowState = execution.state.current;
    const before = slot.tableRuns;
    const after = execution.taskRunList;
    if (before !== after) {
      for (let i = 0; i < after.length; i++) {
        const run = after[i];
        if (before[i] === run) continue;
        this.sql.putRun.run(id, i, run.id, JSON.stringify(run));
        this.writes.taskRuns++;
      }
      if (before.length > after.length) this.sql.cutRuns.run(id, after.length);
      slot.tableRuns = after;
    }
    if (slot.keys) {
      const old = slot.tableKeys ? this.tableKeysOf(id) : SEP;
      this.sql.putKeys.run(id, `${old}${[...slot.keys].join(SEP)}${SEP}`);
      // Events still pending (a long-lived execution written to the tables) keep their JSON.
      if (slot.inbox) for (const p of slot.inbox) if (slot.keys.has(p.key)) this.sql.insertEvent.run(id, p.key, ++this.inboxSeq, JSON.stringify(p));
      this.writes.events += slot.keys.size;
      slot.keys = undefined;
      slot.tableKeys = true;
    }
    if (slot.gone) {
      for (const key of slot.gone) this.sql.consumeEvent.run(id, key);
      slot.gone = undefined;
    }
    if (slot.firstSeq !== 0) {
      this.sql.journal.run(++this.seq, id, Journal.SETTLED, null);
      this.writes.journal++;
      slot.firstSeq = 0;
      this.journaled.delete(id);
    }
  }

  private journal(slot: Slot, kind: number, json: string | null): void {
    const seq = ++this.seq;
    this.sql.journal.run(seq, slot.execution.id, kind, json);
    this.writes.journal++;
    if (slot.firstSeq === 0) {
      slot.firstSeq = seq;
      this.journaled.set(slot.execution.id, slot);
    }
  }

  // Rows before the oldest live execution's first row are obsolete. An execution that holds the
  // journal for too long is written to the tables, so the journal stays bounded.
  private cutJournal(closing: boolean): void {
    let checkpoints = 0;
    for (const slot of this.journaled.values()) {
      if (this.seq - slot.firstSeq < this.journalSpan || checkpoints >= CHECKPOINTS_PER_COMMIT) break;
      this.writeTables(slot);
      checkpoints++;
    }
    const oldest = this.journaled.values().next().value;
    const keepFrom = oldest ? oldest.firstSeq : this.seq + 1;
    if (keepFrom > this.journalHead && (closing || keepFrom - this.journalHead >= Math.min(CUT_STEP, this.journalSpan))) {
      this.sql.cutJournal.run(keepFrom);
      this.journalHead = keepFrom;
    }
  }

  private touch(slot: Slot): void {
    slot.changes++;
    if (!slot.dirty) {
      slot.dirty = true;
      this.dirty.push(slot);
      // A changed execution stays in memory until written: the cache of ended ones may drop it (or
      // have dropped it already, when it was read back into a full cache).
      const id = slot.execution.id;
      if (this.live.get(id) !== slot) {
        this.ended.delete(id);
        this.live.set(id, slot);
      }
    }
    this.db.schedule();
  }

  // ---- reading ----

  private slot(executionId: string): Slot {
    const slot = this.find(executionId);
    if (!slot) throw new AloftError(ErrorCode.NOT_FOUND, `execution ${executionId} not found`);
    return slot;
  }

  /** The execution from memory, else (settled, so complete in the tables) read back and kept. */
  private find(executionId: string): Slot | undefined {
    const slot = this.cached(executionId);
    if (slot) return slot;
    const loaded = this.fromTables(executionId);
    if (!loaded) return undefined;
    if (settled(loaded)) this.remember(executionId, loaded);
    else this.live.set(executionId, loaded);
    return loaded;
  }

  private fromTables(executionId: string): Slot | undefined {
    const row = this.sql.header.get(executionId) as { header: string } | undefined;
    if (!row) return undefined;
    const execution = this.withRuns(JSON.parse(row.header) as ExecutionHeader);
    const slot = newSlot(execution, execution);
    slot.rowState = execution.state.current;
    slot.tableRuns = execution.taskRunList;
    slot.tableKeys = true;
    const json = this.sql.pending.all(executionId) as string[];
    if (json.length > 0) slot.inbox = json.map((j) => JSON.parse(j) as PendingEvent);
    return slot;
  }

  private cached(executionId: string): Slot | undefined {
    const live = this.live.get(executionId);
    if (live) return live;
    const ended = this.ended.get(executionId);
    if (ended) {
      // Most recently used last.
      this.ended.delete(executionId);
      this.ended.set(executionId, ended);
    }
    return ended;
  }

  private remember(executionId: string, slot: Slot): void {
    this.ended.set(executionId, slot);
    if (this.ended.size > this.endedCacheSize) {
      const oldest = this.ended.keys().next().value;
      if (oldest !== undefined) this.ended.delete(oldest);
    }
  }

  /** The execution's keys in event_keys, as `SEP key SEP key ... SEP` (just SEP when none). */
  private tableKeysOf(executionId: string): string {
    return (this.sql.keys.get(executionId) as string | undefined) ?? SEP;
  }

  private withRuns(header: ExecutionHeader): Execution {
    const runs = (this.sql.runs.all(header.id) as string[]).map((j) => JSON.parse(j) as TaskRun);
    return { ...header, taskRunList: runs };
  }

  /**
   * Brings back every execution that is live: those with journal rows after their last `settled`
   * row (their tables plus those rows), those whose row is not in an ended state, and those with
   * pending events in the inbox table.
   */
  private replay(raw: Database.Database): void {
    const byExecution = new Map<string, JournalRow[]>();
    for (const row of raw.prepare('SELECT seq, execution_id, kind, json FROM journal ORDER BY seq').iterate() as Iterable<JournalRow>) {
      if (row.kind === Journal.SETTLED) {
        byExecution.delete(row.execution_id);
        continue;
      }
      const rows = byExecution.get(row.execution_id);
      if (rows) rows.push(row);
      else byExecution.set(row.execution_id, [row]);
    }
    for (const [id, rows] of byExecution) {
      const slot = this.fromTables(id);
      if (!slot) continue;
      applyJournal(slot, rows);
      this.journaled.set(id, slot);
      this.live.set(id, slot);
      // One that ended before the crash is written to the tables with the next batch.
      if (settled(slot)) {
        slot.settling = true;
        this.settling.push(slot);
      }
    }
    const ended = STATES.filter(isTerminal);
    const live = raw.prepare(`SELECT id FROM executions WHERE state NOT IN (${ended.map(() => '?').join(', ')})
      UNION SELECT DISTINCT execution_id FROM inbox`).pluck().all(...ended) as string[];
    for (const id of live) {
      if (this.live.has(id)) continue;
      const slot = this.fromTables(id);
      if (slot) this.live.set(id, slot);
    }
  }

  // Many commits share a millisecond in a burst; formatting the date once is enough.
  private iso(now: Date): string {
    if (now.getTime() !== this.lastCommitMs) {
      this.lastCommitMs = now.getTime();
      this.lastCommitIso = now.toISOString();
    }
    return this.lastCommitIso;
  }
}

function newSlot(execution: Execution, stored: Execution | undefined): Slot {
  return {
    execution, stored, rowState: undefined, tableRuns: NO_RUNS, tableKeys: false, inbox: undefined, keys: undefined, gone: undefined,
    fresh: undefined, consumed: undefined, firstSeq: 0, changes: 0, dirty: false, settling: false,
  };
}

/** Applies an execution's journal rows (after its last `settled` row) to its state read from the tables. */
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
