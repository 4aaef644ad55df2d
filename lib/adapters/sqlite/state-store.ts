// StateStore on SQLite, with the in-memory store's synchronous operations (the embedded runtime's
// hot path). Live executions stay in memory as the memory store keeps them, and ended ones in a
// bounded cache. The database is written behind (write-behind.ts): a transact changes memory, and the
// group commit (database.ts) writes what changed at the end of the turn, in the same SQLite transaction
// as every other write of that turn.
//
// Where it is written: a live execution's changes are appended to the journal (journal.ts), which
// costs a commit only the bytes that changed. The keyed tables (execution-tables.ts) would cost a
// page per row: the rows of thousands of live executions lie all over their B-trees, and WAL commits
// whole pages. When an execution settles (ended, nothing pending) its final state goes to the keyed
// tables, many executions at a time, their rows side by side, and its journal rows become obsolete.
// One that stays live for long is written to the tables the same way, so that it does not hold the
// journal. Opening the store replays the journal. The `executions` row is also written at create and
// whenever the state changes, so that list() filters on a current state.
import type { SlotClaim, SlotHolder, SlotOutcome, SlotRelease } from '../../model/concurrency-slots';
import { AloftError, ErrorCode } from '../../model/errors';
import type { Execution } from '../../model/execution';
import { isTerminal, STATES } from '../../model/states';
import {
  assertDeletable, type ExecutionFilter, type ExecutionHeader, type ExecutionPage, type FlowSlots, type OutboxEntry, type PendingEvent,
  type StateStore, type TransactOutcome,
} from '../../ports/state-store';
import { SqliteConcurrencySlots } from './concurrency-slots';
import type { SqliteDatabase } from './database';
import { headerOf, JsonOf, newSlot, settled, type Slot } from './execution-slot';
import { countExecutions, listExecutions, tokenAfterExecutions } from './execution-list';
import { ExecutionTables, type StateWriteCounts } from './execution-tables';
import { ExecutionJournal } from './journal';
import { OutboxRows } from './outbox-rows';
import { SlotCache } from './slot-cache';
import { WriteBehind } from './write-behind';

export type { StateWriteCounts } from './execution-tables';

type Fold = (execution: Execution, pending: readonly PendingEvent[]) => TransactOutcome | null;

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
  /** The longest task runs' JSON one execution's row takes. Default and most: V8's longest string (tests give less). */
  maxRunsChars?: number;
}

const NONE: readonly PendingEvent[] = [];

const interrupted = (executionId: string): AloftError =>
  new AloftError(ErrorCode.CONFLICT, `execution ${executionId} has an interrupting event pending: fold everything in order`);

export class SqliteStateStore implements StateStore {
  private readonly slots: SlotCache;
  private lastCommitMs = Number.NaN;
  private lastCommitIso = '';
  /** Executions deleted, with the batch that deletes their rows, until it is committed. */
  private readonly deleting = new Map<string, number>();
  readonly writes: StateWriteCounts = { journal: 0, headers: 0, taskRuns: 0, events: 0 };
  private readonly tables: ExecutionTables;
  private readonly journal: ExecutionJournal;
  private readonly outbox: OutboxRows;
  private readonly behind: WriteBehind;
  private readonly concurrency: SqliteConcurrencySlots;

  constructor(private readonly db: SqliteDatabase, opts: SqliteStateStoreOptions = {}) {
    this.slots = new SlotCache(opts.endedCacheSize ?? 1000);
    const json = new JsonOf();
    this.tables = new ExecutionTables(db, this.writes, json, opts.maxRunsChars);
    this.journal = new ExecutionJournal(db, this.writes, json);
    this.outbox = new OutboxRows(db);
    this.behind = new WriteBehind({
      db, slots: this.slots, tables: this.tables, journal: this.journal, outbox: this.outbox,
      journalSpan: opts.journalSpan ?? 200_000, settleBatch: opts.settleBatch ?? 512,
    });
    this.replay();
    db.onFlush((closing) => this.behind.flush(closing));
    db.onAcked((acked) => this.acked(acked));
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
    if (this.slots.get(execution.id) || (!this.isDeleting(execution.id) && this.tables.exists(execution.id))) {
      throw new AloftError(ErrorCode.CONFLICT, `execution ${execution.id} already exists`);
    }
    const slot = newSlot(execution, undefined);
    slot.inbox = [first];
    slot.fresh = [first];
    slot.keys = new Set([first.key]);
    this.slots.setLive(execution.id, slot);
    this.behind.touch(slot);
    await this.db.durable();
  }

  async get(executionId: string): Promise<Execution | null> {
    return this.getNow(executionId);
  }

  async getHeader(executionId: string): Promise<ExecutionHeader | null> {
    const slot = this.slots.get(executionId);
    // Not in memory: settled, so its row is complete.
    if (slot) return headerOf(slot.execution);
    return this.isDeleting(executionId) ? null : this.tables.header(executionId);
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
    if (slot.keys?.has(key) || (slot.tableKeys && this.tables.hasKey(slot, key))) return false;
    (slot.keys ??= new Set()).add(key);
    // Exact sizes for the usual one or two events (a worker's start and result), as the memory store does.
    const inbox = slot.inbox;
    if (!inbox) slot.inbox = [pending];
    else if (inbox.length === 1) slot.inbox = [inbox[0], pending];
    else inbox.push(pending);
    if (slot.fresh) slot.fresh.push(pending);
    else slot.fresh = [pending];
    this.behind.touch(slot);
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
    this.behind.touch(slot);
    const effects = outcome.effects;
    if (effects.length === 0) return { execution, outbox: [] };
    const entries = new Array<OutboxEntry>(effects.length);
    const createdAt = this.iso(now);
    for (let i = 0; i < effects.length; i++) {
      const entry: OutboxEntry = { id: `${executionId}:${version}:${i}`, executionId, effect: effects[i], createdAt };
      entries[i] = entry;
      this.outbox.add(entry);
    }
    return { execution, outbox: entries };
  }

  ackOutboxNow(entries: readonly OutboxEntry[]): void {
    if (entries.length === 0) return;
    this.outbox.ack(entries);
    this.db.schedule();
  }

  async unpublished(olderThan: Date, limit: number): Promise<OutboxEntry[]> {
    await this.db.caughtUp();
    return this.outbox.unpublished(olderThan, limit);
  }

  async list(filter: ExecutionFilter): Promise<ExecutionPage> {
    await this.db.caughtUp();
    return listExecutions(this.db.db, filter, (id, header) => this.slots.get(id)?.execution ?? this.tables.withRuns(header));
  }

  async tokenAfter(filter: ExecutionFilter, n: number): Promise<string | undefined> {
    await this.db.caughtUp();
    return tokenAfterExecutions(this.db.db, filter, n);
  }

  async count(filter: ExecutionFilter): Promise<number> {
    await this.db.caughtUp();
    return countExecutions(this.db.db, filter);
  }

  async delete(executionId: string): Promise<boolean> {
    // Written first, so that its rows exist and it is in no queue of writes still to make.
    this.db.flush(true);
    const slot = this.find(executionId);
    if (!slot) return false;
    assertDeletable(slot.execution, slot.inbox !== undefined);
    this.slots.forget(executionId);
    this.journal.forget(executionId);
    // Journal rows it left are skipped at open (their execution has no row) and cut with the others.
    this.tables.remove(executionId);
    this.deleting.set(executionId, this.db.writeSeq);
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
    for (const [id, slot] of this.slots.liveSlots()) {
      if (out.length >= limit) break;
      if (slot.inbox?.some((p) => p.at < cutoff)) out.push(id);
    }
    return out;
  }

  private acked(acked: number): void {
    this.slots.acked(acked);
    for (const [id, seq] of this.deleting) if (seq <= acked) this.deleting.delete(id);
  }

  private isDeleting(executionId: string): boolean {
    return this.deleting.size > 0 && this.deleting.has(executionId);
  }

  // ---- reading ----

  private slot(executionId: string): Slot {
    const slot = this.find(executionId);
    if (!slot) throw new AloftError(ErrorCode.NOT_FOUND, `execution ${executionId} not found`);
    return slot;
  }

  /** The execution from memory, else (settled, so complete in the tables) read back and kept. */
  private find(executionId: string): Slot | undefined {
    const slot = this.slots.get(executionId);
    if (slot) return slot;
    if (this.isDeleting(executionId)) return undefined;
    const loaded = this.tables.read(executionId);
    if (!loaded) return undefined;
    if (settled(loaded)) this.slots.remember(executionId, loaded);
    else this.slots.setLive(executionId, loaded);
    return loaded;
  }

  /**
   * Brings back every execution that is live: those with journal rows after their last `settled`
   * row (their tables plus those rows), those whose row is not in an ended state, and those with
   * pending events in the inbox table.
   */
  private replay(): void {
    for (const [id, rows] of this.journal.live()) {
      const slot = this.tables.read(id);
      if (!slot) continue;
      this.journal.replay(slot, rows);
      this.slots.setLive(id, slot);
      // One that ended before the crash is written to the tables with the next batch.
      if (settled(slot)) this.behind.settleLater(slot);
    }
    const ended = STATES.filter(isTerminal);
    const live = this.db.db.prepare(`SELECT id FROM executions WHERE state NOT IN (${ended.map(() => '?').join(', ')})
      UNION SELECT DISTINCT execution_id FROM inbox`).pluck().all(...ended) as string[];
    for (const id of live) {
      if (this.slots.hasLive(id)) continue;
      const slot = this.tables.read(id);
      if (slot) this.slots.setLive(id, slot);
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
