// Group commit: the single-document writes and reads that concurrent invocations of one process issue
// (a gen2 instance runs up to 20 at once, infra/locals.tf) go to Firestore together, one RPC per group
// instead of one each. On the emulator and in production a request's fixed cost dominates a small
// write, so a write sent with others is nearly free.
//
// Writes use the non-atomic BatchWrite RPC (through the client's BulkWriter), so every write keeps its
// own outcome: a duplicate create fails with ALREADY_EXISTS for its caller only. Reads of single
// documents become one BatchGetDocuments (getAll). A window is one event-loop turn: what is enqueued
// before the next setImmediate goes out together. Callers see the client's own errors (numeric gRPC
// `code`), so the adapters map them as before (isAlreadyExists, isNotFound, toAloftError).
import type { BulkWriter, DocumentData, DocumentReference, DocumentSnapshot, Firestore, UpdateData } from '@google-cloud/firestore';
import { Grpc, grpcCode } from './firestore-constraints';

/** BatchWrite takes writes to distinct documents; BulkWriter sends at most 20 per request. */
const MAX_WRITES_PER_RPC = 20;
/** Documents per BatchGetDocuments request. */
const MAX_READS_PER_RPC = 100;
/** Codes that mean this write was not applied and may be sent again (BatchWrite's own retry codes). */
const RETRY_CODES = new Set<number>([Grpc.ABORTED, 8 /* RESOURCE_EXHAUSTED */, 14 /* UNAVAILABLE */]);
const MAX_WRITE_ATTEMPTS = 5;

export type GroupedWrite =
  | { kind: 'create'; ref: DocumentReference; data: DocumentData }
  | { kind: 'set'; ref: DocumentReference; data: DocumentData; merge?: boolean }
  | { kind: 'update'; ref: DocumentReference; data: UpdateData<DocumentData> }
  | { kind: 'delete'; ref: DocumentReference };

export interface ReadOptions {
  /** Only these fields are read (a field mask); reads with the same mask share a request. */
  fieldMask?: string[];
}

/** What went out, for benchmarks and tests: requests against the operations they carried. */
export interface GroupCommitStats {
  writes: number;
  writeRpcs: number;
  /** Writes sent again after a transient failure (each retry is part of a further request). */
  writeRetries: number;
  reads: number;
  readRpcs: number;
  /** Event-loop turns that sent anything. */
  windows: number;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: unknown): void;
}

type QueuedWrite = GroupedWrite & Waiter<void>;
type QueuedRead = { ref: DocumentReference; mask?: string[] } & Waiter<DocumentSnapshot>;

const totals: GroupCommitStats = { writes: 0, writeRpcs: 0, writeRetries: 0, reads: 0, readRpcs: 0, windows: 0 };

export class FirestoreGroupCommit {
  private writes: QueuedWrite[] = [];
  private reads: QueuedRead[] = [];
  private scheduled = false;
  /** Set by closeGroupCommit: the client is about to be terminated, and a call into it then rejects out of reach. */
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly counts: GroupCommitStats = { writes: 0, writeRpcs: 0, writeRetries: 0, reads: 0, readRpcs: 0, windows: 0 };

  constructor(private readonly db: Firestore) {}

  create(ref: DocumentReference, data: DocumentData): Promise<void> {
    return this.write({ kind: 'create', ref, data });
  }

  set(ref: DocumentReference, data: DocumentData, opts: { merge?: boolean } = {}): Promise<void> {
    return this.write({ kind: 'set', ref, data, merge: opts.merge });
  }

  update(ref: DocumentReference, data: UpdateData<DocumentData>): Promise<void> {
    return this.write({ kind: 'update', ref, data });
  }

  delete(ref: DocumentReference): Promise<void> {
    return this.write({ kind: 'delete', ref });
  }

  write(w: GroupedWrite): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise<void>((resolve, reject) => {
      this.writes.push({ ...w, resolve, reject });
      this.schedule();
    });
  }

  get(ref: DocumentReference, opts: ReadOptions = {}): Promise<DocumentSnapshot> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise<DocumentSnapshot>((resolve, reject) => {
      this.reads.push({ ref, mask: opts.fieldMask, resolve, reject });
      this.schedule();
    });
  }

  /** Sends what is queued now and waits for every request in flight. */
  /** Sends what is queued, waits for it, and refuses anything after (closeGroupCommit). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  async flush(): Promise<void> {
    this.send();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  stats(): GroupCommitStats {
    return { ...this.counts };
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.send());
  }

  private send(): void {
    this.scheduled = false;
    const writes = this.writes;
    const reads = this.reads;
    if (writes.length === 0 && reads.length === 0) return;
    this.writes = [];
    this.reads = [];
    this.count('windows', 1);
    for (const group of writeGroups(writes)) this.track(this.sendWrites(group));
    for (const group of readGroups(reads)) this.track(this.sendReads(group));
  }

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    const done = (): void => { this.inFlight.delete(p); };
    // Not p.finally(): its promise would carry p's rejection, and nobody awaits it.
    p.then(done, done);
  }

  /** One BulkWriter per group: its close() sends the group as one BatchWrite request. */
  private async sendWrites(group: QueuedWrite[], again = false): Promise<void> {
    if (!again) this.count('writes', group.length);
    this.count('writeRpcs', 1);
    const bw = this.db.bulkWriter({ throttling: false });
    // ALREADY_EXISTS, NOT_FOUND and the like are answers, not failures: only what was not applied is retried.
    bw.onWriteError((e) => {
      const retry = RETRY_CODES.has(e.code as number) && e.failedAttempts < MAX_WRITE_ATTEMPTS;
      if (retry) this.count('writeRetries', 1);
      return retry;
    });
    const outcomes: Array<Promise<void>> = [];
    for (const w of group) {
      try {
        outcomes.push(enqueue(bw, w).then(() => w.resolve(), (err: unknown) => {
          // An error without a gRPC code comes from the client before the request left (a value it
          // cannot encode fails the whole group): each write goes again alone, to fail on its own.
          if (group.length > 1 && grpcCode(err) === undefined) return this.sendWrites([w], true);
          w.reject(err);
        }));
      } catch (err) {
        w.reject(err);
      }
    }
    // close() flushes; its own promise is not awaited because a write refused above never settles in it.
    void bw.close().catch(() => undefined);
    await Promise.all(outcomes);
  }

  private async sendReads(group: QueuedRead[]): Promise<void> {
    this.count('reads', group.length);
    this.count('readRpcs', 1);
    const refs = new Map<string, DocumentReference>();
    for (const r of group) refs.set(r.ref.path, r.ref);
    const mask = group[0].mask;
    try {
      const snaps = await this.db.getAll(...refs.values(), ...(mask ? [{ fieldMask: mask }] : []));
      const byPath = new Map(snaps.map((s) => [s.ref.path, s]));
      for (const r of group) {
        const snap = byPath.get(r.ref.path);
        if (snap) r.resolve(snap);
        else r.reject(new Error(`BatchGetDocuments returned no result for ${r.ref.path}`));
      }
    } catch (err) {
      for (const r of group) r.reject(err);
    }
  }

  private count(key: keyof GroupCommitStats, n: number): void {
    this.counts[key] += n;
    totals[key] += n;
  }
}

function enqueue(bw: BulkWriter, w: GroupedWrite): Promise<unknown> {
  switch (w.kind) {
    case 'create': return bw.create(w.ref, w.data);
    case 'set': return w.merge ? bw.set(w.ref, w.data, { merge: true }) : bw.set(w.ref, w.data);
    case 'update': return bw.update(w.ref, w.data);
    case 'delete': return bw.delete(w.ref);
  }
}

/** Groups of at most MAX_WRITES_PER_RPC writes to distinct documents (BatchWrite refuses two writes to one). */
function writeGroups(writes: QueuedWrite[]): QueuedWrite[][] {
  const groups: Array<{ writes: QueuedWrite[]; paths: Set<string> }> = [];
  for (const w of writes) {
    let g = groups.find((x) => x.writes.length < MAX_WRITES_PER_RPC && !x.paths.has(w.ref.path));
    if (!g) groups.push(g = { writes: [], paths: new Set() });
    g.writes.push(w);
    g.paths.add(w.ref.path);
  }
  return groups.map((g) => g.writes);
}

function readGroups(reads: QueuedRead[]): QueuedRead[][] {
  const byMask = new Map<string, QueuedRead[]>();
  for (const r of reads) {
    const key = r.mask ? JSON.stringify(r.mask) : '';
    const list = byMask.get(key) ?? [];
    list.push(r);
    byMask.set(key, list);
  }
  const groups: QueuedRead[][] = [];
  for (const list of byMask.values()) {
    for (let i = 0; i < list.length; i += MAX_READS_PER_RPC) groups.push(list.slice(i, i + MAX_READS_PER_RPC));
  }
  return groups;
}

const batchers = new WeakMap<Firestore, FirestoreGroupCommit>();

/** The group commit of this Firestore client, created on first use. */
export function groupCommit(db: Firestore): FirestoreGroupCommit {
  let g = batchers.get(db);
  if (!g) batchers.set(db, g = new FirestoreGroupCommit(db));
  return g;
}

/** Sends what is queued for this client and waits for it; call before terminating the client. */
export async function closeGroupCommit(db: Firestore): Promise<void> {
  let g = batchers.get(db);
  // Kept, closed, in the map: a request still running after close gets an error of its own instead of
  // a call into the terminated client (whose refusal then rejects inside the client, out of reach).
  if (!g) batchers.set(db, g = new FirestoreGroupCommit(db));
  await g.close();
}

function closedError(): Error {
  // UNAVAILABLE, as the client's own refusal: the adapters map it to a retryable infrastructure error.
  return Object.assign(new Error('the Firestore client is closing: request refused'), { code: 14 });
}

/** Everything sent by every group commit of this process (benchmarks report requests per task). */
export function groupCommitTotals(): GroupCommitStats {
  return { ...totals };
}

