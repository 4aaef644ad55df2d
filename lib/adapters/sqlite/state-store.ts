// StateStore on SQLite, with the in-memory store's synchronous operations (the embedded runtime's
// hot path). Live executions stay in memory as the memory store keeps them, and ended ones in a
// bounded cache; the database holds everything and is written behind: a transact changes memory,
// and the group commit (database.ts) writes what changed at the end of the turn, in the same
// SQLite transaction as every other write of that turn. So several transacts of one execution in
// a turn cost one header write, and an event appended and consumed in one turn is written once.
//
// Tables (migrations.ts): executions (the header: the execution without its task runs, with the
// columns list() filters on), task_runs (one row per run, by position; only runs whose object
// changed are written: the engine returns new objects for changed runs and keeps the others),
// inbox (every key ever appended; the event's JSON until it is consumed) and outbox.
import type Database from 'better-sqlite3';
import { AloftError, ErrorCode } from '../../model/errors';
import type { Execution, TaskRun } from '../../model/execution';
import { isTerminal } from '../../model/states';
import type {
  ExecutionFilter, ExecutionHeader, ExecutionPage, OutboxEntry, PendingEvent, StateStore, TransactOutcome,
} from '../../ports/state-store';
import type { SqliteDatabase } from './database';
import { listExecutions } from './execution-list';

type Fold = (execution: Execution, pending: readonly PendingEvent[]) => TransactOutcome | null;

interface Slot {
  execution: Execution;
  /** The execution as last written to the database; undefined until its first write. */
  stored: Execution | undefined;
  /** Events waiting to be folded, oldest first; undefined when none. */
  inbox: PendingEvent[] | undefined;
  /** Events appended since the last flush, pending or already consumed. */
  fresh: PendingEvent[] | undefined;
  /** Keys written as pending and consumed since the last flush. */
  gone: string[] | undefined;
  /** Bumped by every change, so a fold that re-entered the store is detected. */
  changes: number;
  dirty: boolean;
}

export interface SqliteStateStoreOptions {
  /** How many ended executions stay in memory besides the live ones. Default 1,000. */
  endedCacheSize?: number;
}

/** Rows written since the store opened (tests and benchmarks read these). */
export interface StateWriteCounts {
  headers: number;
  taskRuns: number;
  events: number;
}

const NONE: readonly PendingEvent[] = [];

const interrupted = (executionId: string): AloftError =>
  new AloftError(ErrorCode.CONFLICT, `execution ${executionId} has an interrupting event pending: fold everything in order`);

const startOf = (e: Execution | ExecutionHeader): string => e.state.histories[0]?.date ?? '';

function headerOf(execution: Execution): ExecutionHeader {
  const { taskRunList: _runs, ...header } = execution;
  return header;
}

export class SqliteStateStore implements StateStore {
  /** Live executions, and ended ones with writes still to flush. */
  private readonly live = new Map<string, Slot>();
  /** Ended executions, least recently used first. */
  private readonly ended = new Map<string, Slot>();
  private readonly endedCacheSize: number;
  private dirty: Slot[] = [];
  /** Outbox entries not written yet: an entry acknowledged before the commit is never written. */
  private readonly outboxFresh = new Map<string, OutboxEntry>();
  private outboxAcked: string[] = [];
  private seq: number;
  private lastCommitMs = Number.NaN;
  private lastCommitIso = '';
  readonly writes: StateWriteCounts = { headers: 0, taskRuns: 0, events: 0 };

  private readonly sql: {
    exists: Database.Statement<[string]>;
    header: Database.Statement<[string]>;
    runs: Database.Statement<[string]>;
    pending: Database.Statement<[string]>;
    hasKey: Database.Statement<[string, string]>;
    insertHeader: Database.Statement<[string, string, string, string, string, string]>;
    updateHeader: Database.Statement<[string, string, string]>;
    putRun: Database.Statement<[string, number, string, string]>;
    trimRuns: Database.Statement<[string, number]>;
    insertEvent: Database.Statement<[string, string, number, string, string | null]>;
    consumeEvent: Database.Statement<[string, string]>;
    insertOutbox: Database.Statement<[string, string, string]>;
    deleteOutbox: Database.Statement<[string]>;
    unpublished: Database.Statement<[string, number]>;
  };

  constructor(private readonly db: SqliteDatabase, opts: SqliteStateStoreOptions = {}) {
    this.endedCacheSize = opts.endedCacheSize ?? 1000;
    const raw = db.db;
    this.sql = {
      exists: raw.prepare('SELECT 1 FROM executions WHERE id = ?'),
      header: raw.prepare('SELECT header FROM executions WHERE id = ?'),
      runs: raw.prepare('SELECT json FROM task_runs WHERE execution_id = ? ORDER BY pos').pluck(),
      pending: raw.prepare('SELECT json FROM inbox WHERE execution_id = ? AND json IS NOT NULL ORDER BY seq').pluck(),
      hasKey: raw.prepare('SELECT 1 FROM inbox WHERE execution_id = ? AND key = ?'),
      insertHeader: raw.prepare('INSERT INTO executions (id, namespace, flow_id, state, start_date, header) VALUES (?, ?, ?, ?, ?, ?)'),
      updateHeader: raw.prepare('UPDATE executions SET state = ?, header = ? WHERE id = ?'),
      putRun: raw.prepare('INSERT OR REPLACE INTO task_runs (execution_id, pos, id, json) VALUES (?, ?, ?, ?)'),
      trimRuns: raw.prepare('DELETE FROM task_runs WHERE execution_id = ? AND pos >= ?'),
      insertEvent: raw.prepare('INSERT INTO inbox (execution_id, key, seq, at, json) VALUES (?, ?, ?, ?, ?)'),
      consumeEvent: raw.prepare('UPDATE inbox SET json = NULL WHERE execution_id = ? AND key = ?'),
      insertOutbox: raw.prepare('INSERT INTO outbox (id, created_at, json) VALUES (?, ?, ?)'),
      deleteOutbox: raw.prepare('DELETE FROM outbox WHERE id = ?'),
      unpublished: raw.prepare('SELECT json FROM outbox WHERE created_at < ? ORDER BY seq LIMIT ?').pluck(),
    };
    this.seq = (raw.prepare('SELECT COALESCE(MAX(seq), 0) FROM inbox').pluck().get() as number);
    db.onFlush(() => this.flush());
  }

  async create(execution: Execution, first: PendingEvent): Promise<void> {
    if (this.cached(execution.id) || this.sql.exists.get(execution.id)) {
      throw new AloftError(ErrorCode.CONFLICT, `execution ${execution.id} already exists`);
    }
    const slot: Slot = { execution, stored: undefined, inbox: [first], fresh: [first], gone: undefined, changes: 0, dirty: false };
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
    if (this.known(slot, pending.key)) return false;
    const inbox = slot.inbox;
    slot.inbox = inbox ? [...inbox, pending] : [pending];
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
      // Events appended in this batch are written once, consumed; older ones are marked consumed.
      const fresh = slot.fresh;
      for (const p of pending) if (!fresh || !fresh.includes(p)) (slot.gone ??= []).push(p.key);
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
    for (const entry of entries) if (!this.outboxFresh.delete(entry.id)) this.outboxAcked.push(entry.id);
    this.db.schedule();
  }

  async unpublished(olderThan: Date, limit: number): Promise<OutboxEntry[]> {
    this.db.flush();
    return (this.sql.unpublished.all(olderThan.toISOString(), limit) as string[]).map((json) => JSON.parse(json) as OutboxEntry);
  }

  async list(filter: ExecutionFilter): Promise<ExecutionPage> {
    this.db.flush();
    return listExecutions(this.db.db, filter, (id, header) => this.cached(id)?.execution ?? this.withRuns(header));
  }

  /** Writes what changed in memory into the open transaction (the group commit calls this). */
  private flush(): void {
    const dirty = this.dirty;
    if (dirty.length === 0 && this.outboxFresh.size === 0 && this.outboxAcked.length === 0) return;
    this.db.write();
    this.dirty = [];
    for (const slot of dirty) this.flushSlot(slot);
    for (const entry of this.outboxFresh.values()) this.sql.insertOutbox.run(entry.id, entry.createdAt, JSON.stringify(entry));
    this.outboxFresh.clear();
    for (const id of this.outboxAcked) this.sql.deleteOutbox.run(id);
    this.outboxAcked = [];
  }

  private flushSlot(slot: Slot): void {
    slot.dirty = false;
    const execution = slot.execution;
    const id = execution.id;
    const stored = slot.stored;
    if (stored !== execution) {
      const header = JSON.stringify(headerOf(execution));
      if (stored) this.sql.updateHeader.run(execution.state.current, header, id);
      else this.sql.insertHeader.run(id, execution.namespace, execution.flowId, execution.state.current, startOf(execution), header);
      this.writes.headers++;
      this.flushRuns(id, stored?.taskRunList, execution.taskRunList);
      slot.stored = execution;
    }
    const fresh = slot.fresh;
    if (fresh) {
      const inbox = slot.inbox;
      for (const p of fresh) {
        const waiting = inbox !== undefined && inbox.includes(p);
        this.sql.insertEvent.run(id, p.key, ++this.seq, p.at, waiting ? JSON.stringify(p) : null);
      }
      this.writes.events += fresh.length;
      slot.fresh = undefined;
    }
    if (slot.gone) {
      for (const key of slot.gone) this.sql.consumeEvent.run(id, key);
      slot.gone = undefined;
    }
    if (isTerminal(execution.state.current) && slot.inbox === undefined && this.live.get(id) === slot) {
      this.live.delete(id);
      this.remember(id, slot);
    }
  }

  // Only the runs whose object changed: the engine keeps unchanged runs identical, so an unchanged
  // object needs no write. A list that shrank (a replay keeps a subset) loses its tail rows.
  private flushRuns(id: string, before: readonly TaskRun[] | undefined, after: readonly TaskRun[]): void {
    if (before === after) return;
    for (let i = 0; i < after.length; i++) {
      const run = after[i];
      if (before !== undefined && before[i] === run) continue;
      this.sql.putRun.run(id, i, run.id, JSON.stringify(run));
      this.writes.taskRuns++;
    }
    if (before !== undefined && before.length > after.length) this.sql.trimRuns.run(id, after.length);
  }

  /** True when the key was ever appended to the execution (pending, consumed, or appended in this batch). */
  private known(slot: Slot, key: string): boolean {
    const fresh = slot.fresh;
    if (fresh) for (const p of fresh) if (p.key === key) return true;
    // An execution never written has no rows yet.
    return slot.stored !== undefined && this.sql.hasKey.get(slot.execution.id, key) !== undefined;
  }

  private touch(slot: Slot): void {
    slot.changes++;
    if (!slot.dirty) {
      slot.dirty = true;
      this.dirty.push(slot);
      // A changed execution stays in memory until written: the cache of ended ones may drop it.
      const id = slot.execution.id;
      if (this.ended.delete(id)) this.live.set(id, slot);
    }
    this.db.schedule();
  }

  private slot(executionId: string): Slot {
    const slot = this.find(executionId);
    if (!slot) throw new AloftError(ErrorCode.NOT_FOUND, `execution ${executionId} not found`);
    return slot;
  }

  /** The execution from memory, else read back from the database (and kept). */
  private find(executionId: string): Slot | undefined {
    const slot = this.cached(executionId);
    if (slot) return slot;
    const row = this.sql.header.get(executionId) as { header: string } | undefined;
    if (!row) return undefined;
    const execution = this.withRuns(JSON.parse(row.header) as ExecutionHeader);
    const json = this.sql.pending.all(executionId) as string[];
    const inbox = json.length > 0 ? json.map((j) => JSON.parse(j) as PendingEvent) : undefined;
    const loaded: Slot = { execution, stored: execution, inbox, fresh: undefined, gone: undefined, changes: 0, dirty: false };
    if (isTerminal(execution.state.current) && !inbox) this.remember(executionId, loaded);
    else this.live.set(executionId, loaded);
    return loaded;
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

  private withRuns(header: ExecutionHeader): Execution {
    const runs = (this.sql.runs.all(header.id) as string[]).map((j) => JSON.parse(j) as TaskRun);
    return { ...header, taskRunList: runs };
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
