// One transaction of FirestoreStateStore: what it folds, read before it with plain reads (the
// snapshot), then the fold inside the transaction and the writes it makes: the header with version + 1,
// the changed task runs (packed when they would not fit one commit), the consumed events, the
// interrupts listing and the outbox documents.
import type { CollectionReference, DocumentReference, DocumentSnapshot, Transaction } from '@google-cloud/firestore';
import { AloftError, ErrorCode } from '../../model/errors';
import type { Execution } from '../../model/execution';
import type { OutboxEntry, PendingEvent, TransactOutcome } from '../../ports/state-store';
import { firestoreLib } from './clients';
import { MAX_COMMIT_BYTES, MAX_WRITES, docIdFor } from './firestore-constraints';
import { decodeHeader, decodeInbox, headerFields, type ExecutionHeader, type StoredHeader } from './firestore-execution-docs';
import { planOutbox } from './firestore-outbox';
import type { TaskRunDocs } from './firestore-task-run-store';
import { diffTaskRuns, type StoredRun } from './task-run-docs';

export type Fold = (execution: Execution, pending: readonly PendingEvent[]) => TransactOutcome | null;

/** Where an execution's documents are, and what of the store a transaction uses. */
export interface FoldDeps {
  header(executionId: string): DocumentReference;
  inbox(executionId: string): CollectionReference;
  interrupts(executionId: string): DocumentReference;
  outbox: CollectionReference;
  runs: TaskRunDocs;
  /** Pending events handed to one fold. */
  maxEvents: number;
  /** How long a consumed event's key keeps refusing re-appends. */
  tombstoneTtlMs: number;
}

/** Returned by a transaction that found the execution changed since its snapshot: read again. */
export const STALE = Symbol('stale');

/** What a transaction folds, as read before it. */
export interface Snapshot {
  executionId: string;
  version: number;
  header: ExecutionHeader;
  /** Some task runs live in pack documents. */
  packed: boolean;
  runs: StoredRun[];
  pendingRefs: DocumentReference[];
  /** The events were named by the caller (`keys`): one already consumed or missing is skipped, not a reason to read again. */
  named: boolean;
}

/** What a transaction wrote, for the store's caches and its caller. */
export interface Prepared {
  execution: Execution;
  outbox: OutboxEntry[];
  runs: StoredRun[];
  packed: boolean;
  headerData: string;
}

/**
 * What a transaction folds, read with plain reads, header first. The Firestore emulator locks far more
 * than the documents a query returns inside a read-write transaction (concurrent transactions on
 * *other* executions then fail with ABORTED), so the transaction itself reads documents only and
 * checks that the header's version has not moved: every change to task runs or the inbox bumps it,
 * so an unchanged version proves that these reads are still exact. Named events (`keys`) need no
 * query at all: the transaction reads their documents.
 */
export async function readSnapshot(deps: FoldDeps, executionId: string, known: StoredHeader | undefined, keys?: readonly string[]): Promise<Snapshot> {
  const headerRef = deps.header(executionId);
  const named = keys !== undefined;
  const pendingRefs = async (): Promise<DocumentReference[]> => {
    if (keys) return keys.slice(0, deps.maxEvents).map((k) => deps.inbox(executionId).doc(docIdFor(k)));
    const inbox = await deps.inbox(executionId).where('consumed', '==', false).orderBy('appendedAt').limit(deps.maxEvents).get();
    return inbox.docs.map((d) => d.ref);
  };
  const knownRuns = known && deps.runs.cached(executionId, known.version);
  if (known && knownRuns) {
    // Optimistic: the transaction checks the version; if it moved, the next attempt reads everything.
    return { executionId, ...known, runs: knownRuns, pendingRefs: await pendingRefs(), named };
  }
  const snap = await headerRef.get();
  if (!snap.exists) throw new AloftError(ErrorCode.NOT_FOUND, `execution ${executionId} not found`);
  const { version, header, packed } = decodeHeader(snap);
  const [runs, refs] = await Promise.all([deps.runs.read(null, headerRef, executionId, version, packed), pendingRefs()]);
  return { executionId, version, header, packed, runs, pendingRefs: refs, named };
}

export async function foldIn(deps: FoldDeps, tx: Transaction, snapshot: Snapshot, fold: Fold, now: Date): Promise<Prepared | null | typeof STALE> {
  const { executionId, version, header } = snapshot;
  const headerRef = deps.header(executionId);
  const extra = snapshot.named ? [deps.interrupts(executionId)] : [];
  const [snap, ...docs] = await tx.getAll(headerRef, ...extra, ...snapshot.pendingRefs);
  if (!snap.exists) throw new AloftError(ErrorCode.NOT_FOUND, `execution ${executionId} not found`);
  const read = snapshot.named ? docs.slice(1) : docs;
  if (snapshot.named && ((docs[0].get('keys') as unknown[] | undefined)?.length ?? 0) > 0) {
    throw new AloftError(ErrorCode.CONFLICT, `execution ${executionId} has an interrupting event pending: fold everything in order`);
  }
  const isPending = (d: DocumentSnapshot): boolean => d.exists && d.get('consumed') === false;
  // Named events already consumed (or never appended) are done, at whatever version the header is.
  if (snapshot.named && !read.some(isPending)) return null;
  if (snap.get('version') !== version) return STALE;
  // A queried event consumed since the query means another fold ran: read again.
  if (!snapshot.named && !read.every(isPending)) return STALE;
  const inboxDocs = snapshot.named ? read.filter(isPending) : read;
  const before = new Map(snapshot.runs.map((r) => [r.run.id, r]));
  const execution: Execution = { ...header, taskRunList: snapshot.runs.map((r) => r.run), version };
  const pending = inboxDocs.map((d) => decodeInbox(d, executionId));

  // A fold over many events can produce more writes than one commit holds: fold fewer events
  // (fold is pure, so running it again is allowed) until the commit fits; the rest stay pending.
  let take = pending.length;
  for (;;) {
    const events = pending.slice(0, take);
    const outcome = fold(execution, events);
    if (outcome === null) return null;
    const next = version + 1;
    const result: Execution = { ...outcome.execution, id: executionId, version: next };
    const diff = diffTaskRuns(before, result.taskRunList, executionId);
    const createdAt = now.toISOString();
    const outbox = planOutbox(executionId, next, outcome.effects, createdAt);
    // The header, each event, the outbox documents, and the interrupts listing when a kill is consumed.
    const fixed = 2 + events.length + outbox.docs.length;
    // Task runs as one document each, or packed when that would not fit in one commit.
    const single = fixed + diff.upserts.length + diff.deletes.length <= MAX_WRITES;
    const packs = single ? [] : deps.runs.packs(diff.upserts, next);
    const packed = snapshot.packed || packs.length > 0;
    const headerDoc = headerFields(result, next, packed);
    const writes = fixed + (single ? diff.upserts.length : packs.length) + diff.deletes.length;
    const bytes = Buffer.byteLength(headerDoc.data) + diff.upserts.reduce((n, w) => n + Buffer.byteLength(w.data), 0)
      + outbox.docs.reduce((n, d) => n + d.bytes, 0);
    if (writes > MAX_WRITES || bytes > MAX_COMMIT_BYTES) {
      if (take > 1) {
        take = Math.ceil(take / 2);
        continue;
      }
      throw new AloftError(ErrorCode.PAYLOAD_TOO_LARGE,
        `one step of execution ${executionId} writes ${diff.upserts.length} task runs and ${outcome.effects.length} effects ` +
        `(${writes} documents, ${bytes} bytes): more than one Firestore transaction holds (${MAX_WRITES} writes, 10 MiB)`,
        { flow: `${result.namespace}.${result.flowId}` },
        'lower the `concurrent` property of the Parallel or EachParallel task that starts this many task runs at once');
    }
    tx.set(headerRef, headerDoc);
    if (single) for (const w of diff.upserts) tx.set(deps.runs.ref(headerRef, w.id), deps.runs.fields(w, next));
    for (const p of packs) tx.create(deps.runs.packRef(headerRef, p.id), p.fields);
    for (const id of diff.deletes) {
      // A packed copy of a removed task run would win over nothing: outvote it with a tombstone.
      if (packed) tx.set(deps.runs.ref(headerRef, id), deps.runs.tombstone(id, next));
      else tx.delete(deps.runs.ref(headerRef, id));
    }
    const expireAt = firestoreLib().Timestamp.fromMillis(now.getTime() + deps.tombstoneTtlMs);
    const consumedInterrupts: string[] = [];
    for (const d of inboxDocs.slice(0, take)) {
      tx.update(d.ref, { consumed: true, consumedAt: createdAt, consumedVersion: next, expireAt });
      if (d.get('interrupts') === true) consumedInterrupts.push(String(d.get('key')));
    }
    if (consumedInterrupts.length > 0) {
      tx.set(deps.interrupts(executionId), { keys: firestoreLib().FieldValue.arrayRemove(...consumedInterrupts) }, { merge: true });
    }
    for (const d of outbox.docs) tx.create(deps.outbox.doc(d.id), d.fields);
    return { execution: result, outbox: outbox.entries, runs: diff.next, packed, headerData: headerDoc.data };
  }
}
