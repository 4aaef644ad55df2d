import { newExecution } from '../../../lib/engine';
import { Draft } from '../../../lib/engine/draft';
import { INDEXED_FROM, childrenIn, runIn, runIndexOf } from '../../../lib/engine/run-index';
import type { TaskRun } from '../../../lib/model/execution';
import { LOG, testCatalog } from './helpers/catalog';
import { T0, flow } from './helpers/harness';
import { fakeIds } from './helpers/ids';

const tr = (id: string, parentTaskRunId?: string, outputs?: Record<string, unknown>): TaskRun => ({
  id, taskId: id, executionId: 'e', namespace: 'test', flowId: 'f', attempts: [], state: { current: 'CREATED', histories: [{ state: 'CREATED', date: 'd' }] },
  ...(parentTaskRunId ? { parentTaskRunId } : {}), ...(outputs ? { outputs } : {}),
});

function draft(list: TaskRun[] = []) {
  const f = flow([{ id: 'a', type: LOG }]);
  const execution = { ...newExecution({ id: 'e', flow: f, inputs: {}, now: T0 }), taskRunList: list };
  return { execution, d: new Draft({ execution, flow: f, now: T0, ids: fakeIds(), catalog: testCatalog() }) };
}

describe('Draft', () => {
  it('returns the very same execution when nothing changed', () => {
    const { execution, d } = draft([tr('a')]);
    expect(d.build()).toBe(execution);
  });

  it('copies the list on the first change and leaves the original list and its lookups intact', () => {
    const { execution, d } = draft([tr('a'), tr('b', 'a')]);
    d.add(tr('c', 'a'));
    d.update({ ...tr('a'), outputs: { x: 1 } });
    const built = d.build();
    expect(built.taskRunList.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(execution.taskRunList.map((r) => r.id)).toEqual(['a', 'b']);
    expect(execution.taskRunList[0].outputs).toBeUndefined();
    const old = execution.taskRunList;
    expect(childrenIn(old, runIndexOf(old), 'a').map((r) => r.id)).toEqual(['b']);
    expect(runIn(old, runIndexOf(old), 'c')).toBeUndefined();
    expect(childrenIn(built.taskRunList, runIndexOf(built.taskRunList), 'a').map((r) => r.id)).toEqual(['b', 'c']);
    expect(d.children('a').map((r) => r.id)).toEqual(['b', 'c']);
  });

  it('works on a copy of the index when a second step starts from the same list', () => {
    const { execution } = draft([tr('a')]);
    const f = flow([{ id: 'a', type: LOG }]);
    const one = new Draft({ execution, flow: f, now: T0, ids: fakeIds(), catalog: testCatalog() });
    one.add(tr('x', 'a'));
    const first = one.build();
    const two = new Draft({ execution, flow: f, now: T0, ids: fakeIds(), catalog: testCatalog() });
    two.add(tr('y', 'a'));
    const second = two.build();
    expect(childrenIn(first.taskRunList, runIndexOf(first.taskRunList), 'a').map((r) => r.id)).toEqual(['x']);
    expect(childrenIn(second.taskRunList, runIndexOf(second.taskRunList), 'a').map((r) => r.id)).toEqual(['y']);
    expect(runIn(second.taskRunList, runIndexOf(second.taskRunList), 'x')).toBeUndefined();
  });

  it('keeps the index off the JSON and equality of the list', () => {
    const { d } = draft([tr('a')]);
    d.add(tr('b'));
    const built = d.build();
    expect(JSON.parse(JSON.stringify(built.taskRunList))).toEqual(built.taskRunList);
    expect(Object.keys(built.taskRunList)).toEqual(['0', '1']);
  });

  it('queues each container once until it is evaluated', () => {
    const { d } = draft();
    const seen: string[] = [];
    d.enqueue('x');
    d.enqueue('x');
    d.enqueue(undefined);
    d.drain((id) => {
      seen.push(id);
      if (seen.length === 1) d.enqueue('x');
    });
    expect(seen).toEqual(['x', '', 'x']);
  });

  it('recomputes outputs only after a run with outputs changed', () => {
    const { d } = draft([tr('a', undefined, { v: 1 })]);
    const first = d.outputs();
    d.add(tr('b'));
    expect(d.outputs()).toBe(first);
    d.update({ ...tr('b'), outputs: { v: 2 } });
    expect(d.outputs()).toEqual({ a: { v: 1 }, b: { v: 2 } });
  });

  it('refuses to update a run it does not have (an engine bug)', () => {
    const { d } = draft();
    expect(() => d.update(tr('ghost'))).toThrow(/invariant/);
  });

  describe('with lists long enough to be indexed', () => {
    const many = (n: number, prefix: string, parent?: string): TaskRun[] => Array.from({ length: n }, (_, i) => tr(`${prefix}${i}`, parent));

    it('indexes the list once it grows long and finds runs and children as before', () => {
      const { d } = draft(many(INDEXED_FROM - 1, 'r'));
      expect(runIndexOf(d.runs)).toBeUndefined();
      d.add(tr('c1', 'r3'));
      d.add(tr('c2', 'r3'));
      const built = d.build();
      expect(runIndexOf(built.taskRunList)?.pos.get('c2')).toBe(INDEXED_FROM);
      expect(d.run('r0')?.id).toBe('r0');
      expect(d.children('r3').map((r) => r.id)).toEqual(['c1', 'c2']);
      expect(d.children(undefined)).toHaveLength(INDEXED_FROM - 1);
    });

    it('works on a copy of the index when a second step starts from the same list', () => {
      const { execution } = draft(many(INDEXED_FROM + 5, 'r'));
      const f = flow([{ id: 'a', type: LOG }]);
      const one = new Draft({ execution, flow: f, now: T0, ids: fakeIds(), catalog: testCatalog() });
      one.add(tr('x', 'r1'));
      const first = one.build();
      const two = new Draft({ execution, flow: f, now: T0, ids: fakeIds(), catalog: testCatalog() });
      two.add(tr('y', 'r1'));
      const second = two.build();
      expect(childrenIn(first.taskRunList, runIndexOf(first.taskRunList), 'r1').map((r) => r.id)).toEqual(['x']);
      expect(childrenIn(second.taskRunList, runIndexOf(second.taskRunList), 'r1').map((r) => r.id)).toEqual(['y']);
      expect(runIn(second.taskRunList, runIndexOf(second.taskRunList), 'x')).toBeUndefined();
      expect(runIn(execution.taskRunList, runIndexOf(execution.taskRunList), 'x')).toBeUndefined();
    });
  });

  it('queues many containers once each', () => {
    const { d } = draft();
    const seen: string[] = [];
    for (let round = 0; round < 2; round++) for (let i = 0; i < 40; i++) d.enqueue(`c${i}`);
    d.drain((id) => seen.push(id));
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => `c${i}`));
  });
});

