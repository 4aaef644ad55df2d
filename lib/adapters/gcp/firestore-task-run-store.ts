// Reading and writing the task run documents of executions, with a small cache: every change to an
// execution bumps its header's `version`, so task runs read at version V are still exact at version V.
// The executor reads an execution, then transacts on it; with the cache the task runs are read once.
import type { DocumentReference, Transaction } from '@google-cloud/firestore';
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import { TaskRun } from '../../model/execution';
import { docIdFor, parseJsonField } from './firestore-support';
import { orderedRuns, type RunWrite, type StoredRun } from './task-run-docs';

const RunDoc = z.object({ seq: z.number(), data: z.string() });

export class TaskRunDocs {
  private readonly cache = new Map<string, { version: number; runs: StoredRun[] }>();

  constructor(private readonly cacheSize = 200) {}

  ref(header: DocumentReference, taskRunId: string): DocumentReference {
    return header.collection('taskRuns').doc(docIdFor(taskRunId));
  }

  fields(w: RunWrite, version: number): Record<string, unknown> {
    return { seq: w.seq, v: version, taskId: w.run.taskId, state: w.run.state.current, data: w.data };
  }

  /**
   * The execution's task runs in list order, as of the header version just read (in `tx`, or with a
   * plain read when `tx` is null: the caller then checks that the version did not move).
   */
  async read(tx: Transaction | null, header: DocumentReference, executionId: string, version: number): Promise<StoredRun[]> {
    const hit = this.cache.get(executionId);
    if (hit && hit.version === version) {
      // Refresh its place in the LRU order.
      this.cache.delete(executionId);
      this.cache.set(executionId, hit);
      return hit.runs;
    }
    const snap = await (tx ? tx.get(header.collection('taskRuns')) : header.collection('taskRuns').get());
    const runs = orderedRuns(snap.docs.map((d) => {
      const where = d.ref.path;
      const doc = RunDoc.safeParse(d.data());
      if (!doc.success) throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${where} (execution ${executionId})`);
      return { run: parseJsonField(TaskRun, doc.data.data, where), seq: doc.data.seq, data: doc.data.data };
    }));
    // A plain read is not proven to match `version` yet, so only a transactional one is cached.
    if (tx) this.remember(executionId, version, runs);
    return runs;
  }

  remember(executionId: string, version: number, runs: StoredRun[]): void {
    const hit = this.cache.get(executionId);
    if (hit && hit.version > version) return;
    this.cache.delete(executionId);
    this.cache.set(executionId, { version, runs });
    while (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }
}
