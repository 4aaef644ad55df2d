// Reading and writing the task run documents of executions.
//
// Normally each task run is one document, executions/{id}/taskRuns/{taskRunId}, written only when it
// changed. A step that changes more task runs than one commit may write (a 2,000-value EachParallel
// creating its children at once) writes them packed instead, a few hundred per document, in
// executions/{id}/taskRunPacks/{version}-{part}. Every record carries the version that wrote it, and
// the newest record of a task run wins, so a later single update overrides its packed copy; removed
// task runs are then written as tombstones, since a packed copy cannot be deleted alone.
//
// A small cache keeps the last task runs read or written per execution: every change bumps the
// header's `version`, so task runs known at version V are still exact at version V. The executor
// reads an execution and then transacts on it; with the cache, its task runs are read once.
import type { CollectionReference, DocumentReference, Transaction } from '@google-cloud/firestore';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import { TaskRun } from '../../model/execution';
import { docIdFor, parseJsonField } from './firestore-constraints';
import { orderedRuns, type RunWrite, type StoredRun } from './task-run-docs';

const RunDoc = z.union([
  z.object({ seq: z.number(), v: z.number().int().optional(), data: z.string() }),
  z.object({ v: z.number().int(), deleted: z.literal(true), id: z.string() }),
]);
const PackDoc = z.object({ v: z.number().int(), runs: z.string() });
const PackedRuns = z.array(z.object({ id: z.string(), seq: z.number(), data: z.string() }));

/** Bytes of task runs per pack document, well below the 1 MiB document limit. */
export const PACK_BYTES = 900_000;

export interface PackWrite {
  id: string;
  fields: Record<string, unknown>;
  bytes: number;
}

/** What the caches may hold, as stored JSON text (the parsed objects take a few times more). */
export const CACHE_BYTES = 16 * 1024 * 1024;

interface CachedRuns {
  version: number;
  runs: StoredRun[];
}

export class TaskRunDocs {
  private readonly cache: LRUCache<string, CachedRuns>;

  /** Bounded both by executions and by bytes: a few executions with thousands of task runs must not exhaust the heap. */
  constructor(cacheSize = 200, cacheBytes = CACHE_BYTES) {
    this.cache = new LRUCache<string, CachedRuns>({
      max: Math.max(1, cacheSize), maxSize: Math.max(1, cacheBytes),
      // One byte for an execution without task runs: lru-cache refuses a size of zero.
      sizeCalculation: (c) => Math.max(1, c.runs.reduce((n, r) => n + r.data.length, 0)),
    });
  }

  /** Drops what is cached of a deleted execution. */
  forget(executionId: string): void {
    this.cache.delete(executionId);
  }

  ref(header: DocumentReference, taskRunId: string): DocumentReference {
    return header.collection('taskRuns').doc(docIdFor(taskRunId));
  }

  packRef(header: DocumentReference, id: string): DocumentReference {
    return header.collection('taskRunPacks').doc(id);
  }

  fields(w: RunWrite, version: number): Record<string, unknown> {
    return { seq: w.seq, v: version, taskId: w.run.taskId, state: w.run.state.current, data: w.data };
  }

  tombstone(taskRunId: string, version: number): Record<string, unknown> {
    return { id: taskRunId, v: version, deleted: true };
  }

  /** Task runs packed into as few documents as fit. */
  packs(writes: readonly RunWrite[], version: number): PackWrite[] {
    const out: PackWrite[] = [];
    let part: string[] = [];
    let bytes = 0;
    const flush = () => {
      const runs = `[${part.join(',')}]`;
      out.push({ id: `${String(version).padStart(10, '0')}-${String(out.length).padStart(5, '0')}`, fields: { v: version, count: part.length, runs }, bytes: Buffer.byteLength(runs) });
      part = [];
      bytes = 0;
    };
    for (const w of writes) {
      const text = JSON.stringify({ id: w.id, seq: w.seq, data: w.data });
      const size = Buffer.byteLength(text) + 1;
      if (part.length > 0 && bytes + size > PACK_BYTES) flush();
      part.push(text);
      bytes += size;
    }
    if (part.length > 0) flush();
    return out;
  }

  /**
   * The execution's task runs in list order, as of the header version just read (in `tx`, or with
   * plain reads when `tx` is null: the caller then checks that the version did not move).
   */
  async read(tx: Transaction | null, header: DocumentReference, executionId: string, version: number, packed: boolean): Promise<StoredRun[]> {
    const hit = this.cache.get(executionId);
    if (hit && hit.version === version) {
      // Refresh its place in the LRU order.
      this.cache.delete(executionId);
      this.cache.set(executionId, hit);
      return hit.runs;
    }
    const get = (ref: CollectionReference) => (tx ? tx.get(ref) : ref.get());
    const [runSnap, packSnap] = await Promise.all([get(header.collection('taskRuns')), packed ? get(header.collection('taskRunPacks')) : null]);
    const newest = new Map<string, { v: number; stored: StoredRun | null }>();
    const offer = (id: string, v: number, stored: StoredRun | null) => {
      const known = newest.get(id);
      if (!known || v > known.v) newest.set(id, { v, stored });
    };
    for (const d of packSnap?.docs ?? []) {
      const where = d.ref.path;
      const doc = PackDoc.safeParse(d.data());
      if (!doc.success) throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${where} (execution ${executionId})`);
      for (const r of parseJsonField(PackedRuns, doc.data.runs, where)) {
        offer(r.id, doc.data.v, { run: parseJsonField(TaskRun, r.data, `${where} (${r.id})`), seq: r.seq, data: r.data });
      }
    }
    for (const d of runSnap.docs) {
      const where = d.ref.path;
      const doc = RunDoc.safeParse(d.data());
      if (!doc.success) throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${where} (execution ${executionId})`);
      const v = doc.data.v ?? 0;
      if ('deleted' in doc.data) {
        offer(doc.data.id, v, null);
        continue;
      }
      const run = parseJsonField(TaskRun, doc.data.data, where);
      offer(run.id, v, { run, seq: doc.data.seq, data: doc.data.data });
    }
    const runs = orderedRuns([...newest.values()].flatMap((n) => (n.stored ? [n.stored] : [])));
    // A plain read is not proven to match `version` yet, so only a transactional one is cached.
    if (tx) this.remember(executionId, version, runs);
    return runs;
  }

  /** The task runs known for exactly this version, if any. */
  cached(executionId: string, version: number): StoredRun[] | undefined {
    const hit = this.cache.get(executionId);
    return hit && hit.version === version ? hit.runs : undefined;
  }

  remember(executionId: string, version: number, runs: StoredRun[]): void {
    const hit = this.cache.peek(executionId);
    if (hit && hit.version > version) return;
    // An entry larger than the whole budget is not kept (lru-cache drops it).
    this.cache.set(executionId, { version, runs });
  }
}
