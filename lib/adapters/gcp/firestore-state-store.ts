// StateStore on Firestore. Layout (docs/cloud-model.md has the whole picture):
//   executions/{id}                      header: typed query fields + `data` (the execution minus its task runs) + `version`
//   executions/{id}/taskRuns/{taskRunId} one document per task run (see task-run-docs.ts)
//   executions/{id}/inbox/{key}          pending events; the document id is the idempotency key, so create()
//                                        refuses a duplicate. Consumed events stay as tombstones (consumed: true)
//                                        so a redelivered key is still refused; a TTL policy on `expireAt` drops them.
//   executions/{id}/control/interrupts  keys of pending events that must not be overtaken (a kill): a fold
//                                        of named events reads it and refuses while any is listed
//   outbox/{executionId}:{version}:{part} the effects of one transaction, until published (firestore-outbox.ts)
// Every change is one transaction (firestore-fold.ts) that reads the header, checks nothing moved, and writes the header with
// version + 1, the changed task runs, the consumed events and the outbox document. A step that changes
// more task runs than 500 writes allow packs them (firestore-task-run-store.ts) instead of failing.
import type { Firestore } from '@google-cloud/firestore';
import { LRUCache } from 'lru-cache';
import type { SlotClaim, SlotHolder, SlotOutcome, SlotRelease } from '../../model/concurrency-slots';
import { AloftError, ErrorCode } from '../../model/errors';
import { Execution } from '../../model/execution';
import {
  assertDeletable, type ExecutionFilter, type ExecutionHeader as HeaderOf, type ExecutionPage, type FlowSlots, type OutboxEntry,
  type PendingEvent, type StateStore,
} from '../../ports/state-store';
import { FirestoreConcurrencySlots } from './firestore-concurrency-slots';
import { MAX_WRITES, docIdFor, isAlreadyExists, isFailedPrecondition, parseJsonField, toAloftError } from './firestore-constraints';
import { firestoreLib } from './clients';
import {
  ExecutionHeader, decodeHeader, headerFields, inboxFields, interrupts, type StoredHeader,
} from './firestore-execution-docs';
import { countExecutions, listExecutions, tokenAfterExecutions } from './firestore-execution-list';
import { foldIn, readSnapshot, STALE, type Fold, type FoldDeps, type Prepared } from './firestore-fold';
import { groupCommit } from './firestore-group-commit';
import { ackOutbox, unpublishedEntries } from './firestore-outbox';
import { CACHE_BYTES, TaskRunDocs } from './firestore-task-run-store';
import { diffTaskRuns } from './task-run-docs';

export interface FirestoreStateStoreOptions {
  firestore: Firestore;
  /** Prepended to the top-level collections (`executions`, `outbox`): isolates tests in one emulator. */
  collectionPrefix?: string;
  /** Pending events handed to one fold; the rest wait for the next transaction. Default 100. */
  maxEventsPerFold?: number;
  /** How long a consumed event's key keeps refusing re-appends (the `expireAt` TTL field). Default 7 days. */
  tombstoneTtlMs?: number;
  /** Attempts of one transaction inside the client before CONFLICT is reported. Default 5. */
  maxTransactionAttempts?: number;
  /**
   * Executions whose last header and task runs this instance remembers (a pass on one of them then reads
   * only its events). Default 2000, and never more than CACHE_BYTES of stored JSON for headers and as
   * much for task runs. Fewer than the executions in flight makes every pass read the header and query
   * the task runs again (measured with bench:cloud: 400 executions in flight and a cache of 200).
   */
  cachedExecutions?: number;
}

const DAY_MS = 24 * 3600 * 1000;

export class FirestoreStateStore implements StateStore {
  private readonly db: Firestore;
  private readonly prefix: string;
  private readonly maxAttempts: number;
  private readonly runs: TaskRunDocs;
  /** The last header seen per execution; with the cached task runs, a transaction then reads only its inbox. */
  private readonly headers: LRUCache<string, StoredHeader>;
  private readonly concurrency: FirestoreConcurrencySlots;
  /** What a transaction (firestore-fold.ts) uses of the store. */
  private readonly docs: FoldDeps;

  constructor(opts: FirestoreStateStoreOptions) {
    this.db = opts.firestore;
    this.prefix = opts.collectionPrefix ?? '';
    this.maxAttempts = opts.maxTransactionAttempts ?? 5;
    const cached = Math.max(1, opts.cachedExecutions ?? 2000);
    this.runs = new TaskRunDocs(cached);
    this.docs = {
      header: (id) => this.header(id), inbox: (id) => this.inbox(id), interrupts: (id) => this.interrupts(id),
      outbox: this.outboxCol, runs: this.runs,
      maxEvents: Math.max(1, Math.min(opts.maxEventsPerFold ?? 100, MAX_WRITES - 10)),
      tombstoneTtlMs: opts.tombstoneTtlMs ?? 7 * DAY_MS,
    };
    this.headers = new LRUCache<string, StoredHeader>({ max: cached, maxSize: CACHE_BYTES, sizeCalculation: (h) => Math.max(1, h.bytes) });
    this.concurrency = new FirestoreConcurrencySlots({ firestore: this.db, collectionPrefix: this.prefix });
  }

  // Flow concurrency: one document per flow (firestore-concurrency-slots.ts).

  claimSlot(claim: SlotClaim): Promise<SlotOutcome> {
    return this.concurrency.claim(claim);
  }

  releaseSlot(release: SlotRelease): Promise<SlotHolder[]> {
    return this.concurrency.release(release);
  }

  flowSlots(namespace: string, flowId: string): Promise<FlowSlots> {
    return this.concurrency.slots(namespace, flowId);
  }

  private get executions() {
    return this.db.collection(`${this.prefix}executions`);
  }

  private get outboxCol() {
    return this.db.collection(`${this.prefix}outbox`);
  }

  private header(id: string) {
    return this.executions.doc(id);
  }

  private inbox(id: string) {
    return this.header(id).collection('inbox');
  }

  private interrupts(id: string) {
    return this.header(id).collection('control').doc('interrupts');
  }

  async create(execution: Execution, first: PendingEvent): Promise<void> {
    const parsed = Execution.parse(execution);
    const diff = diffTaskRuns(new Map(), parsed.taskRunList, parsed.id);
    if (diff.upserts.length + 2 > MAX_WRITES) {
      throw new AloftError(ErrorCode.PAYLOAD_TOO_LARGE, `execution ${parsed.id} starts with ${diff.upserts.length} task runs, more than one Firestore commit holds`);
    }
    const batch = this.db.batch();
    const headerDoc = headerFields(parsed, parsed.version);
    batch.create(this.header(parsed.id), headerDoc);
    for (const w of diff.upserts) batch.create(this.runs.ref(this.header(parsed.id), w.id), this.runs.fields(w, parsed.version));
    // A new execution's first event is lone: nothing else of it is in flight yet.
    batch.create(this.inbox(parsed.id).doc(docIdFor(first.key)), inboxFields(first, true));
    try {
      await batch.commit();
    } catch (err) {
      if (isAlreadyExists(err)) throw new AloftError(ErrorCode.CONFLICT, `execution ${parsed.id} already exists`);
      throw toAloftError(err, `creating execution ${parsed.id}`);
    }
    this.runs.remember(parsed.id, parsed.version, diff.next);
    this.rememberHeader(parsed.id, {
      version: parsed.version, header: parseJsonField(ExecutionHeader, headerDoc.data, `executions/${parsed.id}`), packed: false, bytes: headerDoc.data.length,
    });
  }

  async get(executionId: string): Promise<Execution | null> {
    try {
      // A read-only transaction reads the header and the task runs at one point in time.
      return await this.db.runTransaction(async (tx) => {
        const snap = await tx.get(this.header(executionId));
        if (!snap.exists) return null;
        const stored = decodeHeader(snap);
        const { version, header, packed } = stored;
        const runs = await this.runs.read(tx, this.header(executionId), executionId, version, packed);
        this.rememberHeader(executionId, stored);
        return { ...header, taskRunList: runs.map((r) => r.run), version };
      }, { readOnly: true });
    } catch (err) {
      throw toAloftError(err, `reading execution ${executionId}`);
    }
  }

  async getHeader(executionId: string): Promise<HeaderOf | null> {
    // A header this instance wrote or read is as good as a read for what never changes (flow, revision);
    // its state may be a step behind, as any read is once returned.
    const known = this.headers.get(executionId);
    if (known) return { ...known.header, version: known.version };
    try {
      const snap = await groupCommit(this.db).get(this.header(executionId));
      if (!snap.exists) return null;
      const stored = decodeHeader(snap);
      this.rememberHeader(executionId, stored);
      return { ...stored.header, version: stored.version };
    } catch (err) {
      throw toAloftError(err, `reading execution ${executionId}`);
    }
  }

  append(executionId: string, pending: PendingEvent): Promise<boolean> {
    return this.appendEvent(executionId, pending, false);
  }

  /** LoneEventStore (lib/runtime/cloud/lone-events.ts): an event the executor may fold by name. */
  appendAlone(executionId: string, pending: PendingEvent): Promise<boolean> {
    return this.appendEvent(executionId, pending, true);
  }

  private async appendEvent(executionId: string, pending: PendingEvent, alone: boolean): Promise<boolean> {
    try {
      // One this process has seen exists: executions are deleted only once ended, and an ended one
      // hears of nothing that matters (a late event for one deleted since lands in an inbox nobody reads). Otherwise
      // a plain read (a transaction here would lock the header that the executor is folding).
      // Both go through the group commit: concurrent appends (a fan-in, many workers) share requests.
      const group = groupCommit(this.db);
      if (!this.headers.has(executionId)) {
        const snap = await group.get(this.header(executionId), { fieldMask: ['version'] });
        if (!snap.exists) throw new AloftError(ErrorCode.NOT_FOUND, `execution ${executionId} not found`);
      }
      const event = this.inbox(executionId).doc(docIdFor(pending.key));
      if (interrupts(pending)) {
        // Rare (a kill): the event and its listing land together, or neither does.
        const batch = this.db.batch();
        batch.create(event, inboxFields(pending, alone));
        batch.set(this.interrupts(executionId), { keys: firestoreLib().FieldValue.arrayUnion(pending.key) }, { merge: true });
        await batch.commit();
        return true;
      }
      await group.create(event, inboxFields(pending, alone));
      return true;
    } catch (err) {
      if (isAlreadyExists(err)) return false;
      throw toAloftError(err, `appending event ${pending.key} to execution ${executionId}`);
    }
  }

  async hasPending(executionId: string): Promise<boolean> {
    try {
      const snap = await this.inbox(executionId).where('consumed', '==', false).limit(1).select().get();
      return !snap.empty;
    } catch (err) {
      throw toAloftError(err, `reading the inbox of execution ${executionId}`);
    }
  }

  async transact(
    executionId: string,
    fold: Fold,
    now: Date,
  ): Promise<{ execution: Execution; outbox: OutboxEntry[] } | null> {
    return this.transactOver(executionId, fold, now);
  }

  /** LoneEventStore: `transact` over the named pending events only; CONFLICT while a kill is pending. */
  transactNamed(
    executionId: string, keys: readonly string[],
    fold: Fold, now: Date,
  ): Promise<{ execution: Execution; outbox: OutboxEntry[] } | null> {
    return this.transactOver(executionId, fold, now, { keys });
  }

  private async transactOver(
    executionId: string,
    fold: Fold,
    now: Date,
    opts?: { keys?: readonly string[] },
  ): Promise<{ execution: Execution; outbox: OutboxEntry[] } | null> {
    for (let attempt = 1; ; attempt++) {
      let prepared: Prepared | null | typeof STALE;
      try {
        const snapshot = await readSnapshot(this.docs, executionId, attempt === 1 ? this.headers.get(executionId) : undefined, opts?.keys);
        prepared = await this.db.runTransaction((tx) => foldIn(this.docs, tx, snapshot, fold, now), { maxAttempts: this.maxAttempts });
      } catch (err) {
        throw toAloftError(err, `transaction on execution ${executionId}`, { abortedIsConflict: true });
      }
      if (prepared === STALE) {
        if (attempt < this.maxAttempts) continue;
        throw new AloftError(ErrorCode.CONFLICT, `execution ${executionId} kept changing during the transaction (${attempt} attempts)`);
      }
      if (!prepared) return null;
      this.runs.remember(executionId, prepared.execution.version, prepared.runs);
      // Cached as a later read would see it: parsed back from the JSON that was written.
      const header = parseJsonField(ExecutionHeader, prepared.headerData, `executions/${executionId}`);
      this.rememberHeader(executionId, { version: prepared.execution.version, header, packed: prepared.packed, bytes: prepared.headerData.length });
      return { execution: prepared.execution, outbox: prepared.outbox };
    }
  }

  async ackOutbox(entries: readonly OutboxEntry[]): Promise<void> {
    try {
      await ackOutbox(this.db, this.outboxCol, entries);
    } catch (err) {
      throw toAloftError(err, 'acknowledging outbox entries');
    }
  }

  async unpublished(olderThan: Date, limit: number): Promise<OutboxEntry[]> {
    try {
      return await unpublishedEntries(this.outboxCol, olderThan, limit);
    } catch (err) {
      throw toAloftError(err, 'reading the outbox');
    }
  }

  list(filter: ExecutionFilter): Promise<ExecutionPage> {
    return listExecutions(this.executions, filter, (id) => this.get(id));
  }

  tokenAfter(filter: ExecutionFilter, n: number): Promise<string | undefined> {
    return tokenAfterExecutions(this.executions, filter, n);
  }

  count(filter: ExecutionFilter): Promise<number> {
    return countExecutions(this.executions, filter);
  }

  async delete(executionId: string): Promise<boolean> {
    const ref = this.header(executionId);
    try {
      const [snap, pending] = await Promise.all([ref.get(), this.inbox(executionId).where('consumed', '==', false).limit(1).select().get()]);
      if (!snap.exists) return false;
      assertDeletable({ id: executionId, state: decodeHeader(snap).header.state }, !pending.empty);
      // The header first, on the condition that nothing changed it since it was read; then what lies
      // under it that this store wrote (logs under it belong to the LogStore).
      await ref.delete({ lastUpdateTime: snap.updateTime });
      for (const sub of ['taskRuns', 'taskRunPacks', 'inbox', 'control']) await this.db.recursiveDelete(ref.collection(sub));
    } catch (err) {
      if (isFailedPrecondition(err)) throw new AloftError(ErrorCode.CONFLICT, `execution ${executionId} changed while being deleted; try again`);
      throw toAloftError(err, `deleting execution ${executionId}`);
    } finally {
      this.headers.delete(executionId);
      this.runs.forget(executionId);
    }
    return true;
  }

  private rememberHeader(executionId: string, stored: StoredHeader): void {
    const known = this.headers.peek(executionId);
    if (known && known.version > stored.version) return;
    this.headers.set(executionId, stored);
  }
}
