// One Firestore document per task run (executions/{id}/taskRuns/{taskRunId}), so that an execution
// with thousands of task runs never meets the 1 MiB document limit. A transaction writes only the task
// runs that changed: the fold's objects are compared by reference to what was read, then by JSON.
//
// `taskRunList` order is kept exactly with a `seq` number per document: a task run appended at the end
// gets the next integer; one inserted between two others gets a number between theirs; if the fold
// reordered existing task runs (or numbers get too close), every task run is renumbered and rewritten.
import { AloftError, ErrorCode } from '../../model/errors';
import type { TaskRun } from '../../model/execution';
import { jsonField } from './firestore-constraints';

export interface StoredRun {
  run: TaskRun;
  seq: number;
  /** The JSON stored in the document, to skip rewriting a run the fold copied without changing. */
  data: string;
}

export interface RunWrite {
  id: string;
  seq: number;
  data: string;
  run: TaskRun;
}

export interface RunDiff {
  upserts: RunWrite[];
  deletes: string[];
  /** The stored state after the write, in list order. */
  next: StoredRun[];
}

const MIN_GAP = 1e-6;

export function orderedRuns(stored: Iterable<StoredRun>): StoredRun[] {
  return [...stored].sort((a, b) => a.seq - b.seq);
}

/** Sequence numbers for `after` that keep the stored ones where possible; null when all must be renumbered. */
function assignSeqs(before: ReadonlyMap<string, StoredRun>, after: readonly TaskRun[]): number[] | null {
  const seqs: number[] = new Array(after.length);
  let last = -Infinity;
  for (let i = 0; i < after.length; i++) {
    const s = before.get(after[i].id)?.seq;
    if (s === undefined) continue;
    if (s <= last) return null;
    seqs[i] = s;
    last = s;
  }
  let i = 0;
  while (i < after.length) {
    if (seqs[i] !== undefined) { i++; continue; }
    let j = i;
    while (j < after.length && seqs[j] === undefined) j++;
    const prev = i > 0 ? seqs[i - 1] : 0;
    const count = j - i;
    if (j === after.length) {
      for (let k = 0; k < count; k++) seqs[i + k] = Math.floor(prev) + k + 1;
    } else {
      const step = (seqs[j] - prev) / (count + 1);
      if (!(step > MIN_GAP)) return null;
      for (let k = 0; k < count; k++) seqs[i + k] = prev + step * (k + 1);
    }
    i = j;
  }
  return seqs;
}

export function diffTaskRuns(before: ReadonlyMap<string, StoredRun>, after: readonly TaskRun[], executionId: string): RunDiff {
  const ids = new Set<string>();
  for (const run of after) {
    if (ids.has(run.id)) throw new AloftError(ErrorCode.INTERNAL, `execution ${executionId}: task run ${run.id} appears twice in taskRunList`);
    ids.add(run.id);
  }
  const seqs = assignSeqs(before, after) ?? after.map((_, i) => i + 1);
  const upserts: RunWrite[] = [];
  const next: StoredRun[] = [];
  after.forEach((run, i) => {
    const seq = seqs[i];
    const old = before.get(run.id);
    if (old && old.run === run && old.seq === seq) {
      next.push(old);
      return;
    }
    const data = jsonField(run, `task run ${run.id} (task ${run.taskId}) of execution ${executionId}`);
    if (old && old.data === data && old.seq === seq) {
      next.push(old);
      return;
    }
    upserts.push({ id: run.id, seq, data, run });
    next.push({ run, seq, data });
  });
  const deletes = [...before.keys()].filter((id) => !ids.has(id));
  return { upserts, deletes, next };
}
