// Which task run documents a transaction writes, and how list order survives the round trip.
import { diffTaskRuns, orderedRuns, type StoredRun } from '../../../lib/adapters/gcp/task-run-docs';
import type { TaskRun } from '../../../lib/model/execution';
import { newStateRecord } from '../../../lib/model/states';

const T0 = new Date('2024-03-14T10:00:00.000Z');
const run = (id: string): TaskRun => ({ id, executionId: 'e', namespace: 'n', flowId: 'f', taskId: id, attempts: [], state: newStateRecord('CREATED', T0) });

/** Stores `runs` as a first transaction would and returns the stored map. */
function stored(runs: TaskRun[]): Map<string, StoredRun> {
  return new Map(diffTaskRuns(new Map(), runs, 'e').next.map((s) => [s.run.id, s]));
}
const order = (m: Map<string, StoredRun>, after: TaskRun[]): string[] => {
  const diff = diffTaskRuns(m, after, 'e');
  const next = new Map(m);
  for (const id of diff.deletes) next.delete(id);
  for (const w of diff.upserts) next.set(w.id, { run: w.run, seq: w.seq, data: w.data });
  return orderedRuns(next.values()).map((s) => s.run.id);
};

describe('diffTaskRuns', () => {
  it('writes nothing for task runs the fold passed through unchanged', () => {
    const runs = [run('a'), run('b')];
    const before = stored(runs);
    const same = [before.get('a')!.run, before.get('b')!.run];
    expect(diffTaskRuns(before, same, 'e').upserts).toEqual([]);
  });

  it('writes nothing for a task run copied without a change', () => {
    const before = stored([run('a')]);
    expect(diffTaskRuns(before, [{ ...before.get('a')!.run }], 'e').upserts).toEqual([]);
  });

  it('writes only the changed and the new task runs, appended with the next numbers', () => {
    const before = stored([run('a'), run('b')]);
    const changed = { ...before.get('b')!.run, state: newStateRecord('RUNNING', T0) };
    const diff = diffTaskRuns(before, [before.get('a')!.run, changed, run('c')], 'e');
    expect(diff.upserts.map((w) => [w.id, w.seq])).toEqual([['b', 2], ['c', 3]]);
    expect(diff.deletes).toEqual([]);
  });

  it('keeps a task run inserted in the middle in its place without rewriting its neighbours', () => {
    const before = stored([run('a'), run('b')]);
    const after = [before.get('a')!.run, run('x'), run('y'), before.get('b')!.run];
    expect(diffTaskRuns(before, after, 'e').upserts.map((w) => w.id)).toEqual(['x', 'y']);
    expect(order(before, after)).toEqual(['a', 'x', 'y', 'b']);
  });

  it('renumbers every task run when the fold reordered them', () => {
    const before = stored([run('a'), run('b'), run('c')]);
    const after = [before.get('c')!.run, before.get('a')!.run, before.get('b')!.run];
    expect(diffTaskRuns(before, after, 'e').upserts.map((w) => w.id)).toEqual(['c', 'a', 'b']);
    expect(order(before, after)).toEqual(['c', 'a', 'b']);
  });

  it('deletes the documents of task runs that left the list', () => {
    const before = stored([run('a'), run('b')]);
    expect(diffTaskRuns(before, [before.get('a')!.run], 'e').deletes).toEqual(['b']);
  });

  it('refuses a list that holds one task run twice', () => {
    expect(() => diffTaskRuns(new Map(), [run('a'), run('a')], 'e')).toThrow(/appears twice/);
  });

  it('refuses a task run larger than a Firestore document', () => {
    const huge = { ...run('a'), outputs: { v: 'x'.repeat(1_100_000) } };
    expect(() => diffTaskRuns(new Map(), [huge], 'e')).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
  });
});
