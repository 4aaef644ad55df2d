import { INDEXED_FROM, ROOT, buildRunIndex, lookupOf, runIndexOf } from '../../../lib/engine/run-index';
import type { TaskRun } from '../../../lib/model/execution';

const tr = (id: string, parentTaskRunId?: string): TaskRun => ({
  id, taskId: id, executionId: 'e', namespace: 'n', flowId: 'f', attempts: [], state: { current: 'CREATED', histories: [{ state: 'CREATED', date: 'd' }] },
  ...(parentTaskRunId ? { parentTaskRunId } : {}),
});

describe('run index', () => {
  const list = [tr('a'), tr('b', 'a'), tr('c'), tr('d', 'a')];

  it('finds runs by id and children by parent, in creation order', () => {
    const index = buildRunIndex(list);
    expect(index.pos.get('c')).toBe(2);
    expect(index.children.get(ROOT)).toEqual([0, 2]);
    expect(index.children.get('a')).toEqual([1, 3]);
    expect(lookupOf(list).get('d')?.id).toBe('d');
    expect(lookupOf(list).get('zz')).toBeUndefined();
  });

  it('scans a short list without building an index', () => {
    expect(runIndexOf(list)).toBeUndefined();
    expect(lookupOf(list).get('b')?.parentTaskRunId).toBe('a');
  });

  it('is built once per long list', () => {
    const long = Array.from({ length: INDEXED_FROM }, (_, i) => tr(`r${i}`));
    expect(runIndexOf(long)).toBeDefined();
    expect(runIndexOf(long)).toBe(runIndexOf(long));
    expect(lookupOf(long).get('r7')?.id).toBe('r7');
  });
});
