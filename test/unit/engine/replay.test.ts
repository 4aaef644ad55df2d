import { replay } from '../../../lib/engine';
import { LOG } from './helpers/catalog';
import { Harness, flow } from './helpers/harness';
import { fakeIds } from './helpers/ids';

const SEQ = 'io.kestra.core.tasks.flows.Sequential';
const PARALLEL = 'io.kestra.core.tasks.flows.Parallel';
const NOW = new Date('2024-02-01T00:00:00.000Z');

function finished(f = flow([{ id: 'a', type: LOG }, { id: 'seq', type: SEQ, tasks: [{ id: 'b', type: LOG }, { id: 'c', type: LOG }] }, { id: 'd', type: LOG }])) {
  const h = Harness.start(f);
  h.drive((wt) => ({ state: 'SUCCESS', outputs: { v: wt.taskId } }));
  return h;
}

describe('replay', () => {
  it('copies the execution under a new id and re-runs from the chosen run, keeping earlier runs and outputs', () => {
    const h = finished();
    const from = h.run('b');
    const copy = replay(h.execution, h.flow, from.id, 'e2', NOW, fakeIds('n'));
    expect(copy).toMatchObject({ id: 'e2', originalId: 'e1', version: 0, state: { current: 'RESTARTED' } });
    expect(copy.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([['a', 'SUCCESS'], ['seq', 'RUNNING'], ['b', 'RESTARTED']]);
    expect(copy.taskRunList.every((r) => r.executionId === 'e2' && r.id.startsWith('n'))).toBe(true);
    expect(copy.taskRunList[2].parentTaskRunId).toBe(copy.taskRunList[1].id);
    expect(copy.taskRunList[0].outputs).toEqual({ v: 'a' });
    expect(copy.taskRunList[2].outputs).toBeUndefined();
    expect(h.execution.taskRunList.map((r) => r.executionId)).toEqual(Array(5).fill('e1'));

    const r = new Harness(copy, h.flow);
    r.send({ type: 'ExecutionCreated' });
    expect(r.state).toBe('RUNNING');
    expect(r.pending().map((w) => [w.taskId, w.attempt, w.executionId])).toEqual([['b', 1, 'e2']]);
    r.drive();
    expect(r.execution.taskRunList.map((x) => x.taskId)).toEqual(['a', 'seq', 'b', 'c', 'd']);
    expect(r.state).toBe('SUCCESS');
  });

  it('keeps parallel siblings of the chosen run', () => {
    const h = finished(flow([{ id: 'p', type: PARALLEL, tasks: [{ id: 'x', type: LOG }, { id: 'y', type: LOG }] }, { id: 'z', type: LOG }]));
    const copy = replay(h.execution, h.flow, h.run('x').id, 'e2', NOW, fakeIds('n'));
    expect(copy.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([['p', 'RUNNING'], ['x', 'RESTARTED'], ['y', 'SUCCESS']]);
  });

  it('starts a chosen flowable over without its children', () => {
    const h = finished();
    const copy = replay(h.execution, h.flow, h.run('seq').id, 'e2', NOW, fakeIds('n'));
    expect(copy.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([['a', 'SUCCESS'], ['seq', 'RESTARTED']]);
    const r = new Harness(copy, h.flow);
    r.send({ type: 'ExecutionCreated' });
    expect(r.pending().map((w) => w.taskId)).toEqual(['b']);
  });

  it('removes the errors branch runs of a failed execution', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG }, { id: 'b', type: LOG }], { errors: [{ id: 'e', type: LOG }] }));
    h.drive((wt) => ({ state: wt.taskId === 'b' ? 'FAILED' : 'SUCCESS' }));
    const copy = replay(h.execution, h.flow, h.run('a').id, 'e2', NOW, fakeIds('n'));
    expect(copy.taskRunList.map((r) => r.taskId)).toEqual(['a']);
  });

  it('refuses a task run that is not in the execution', () => {
    const h = finished();
    expect(() => replay(h.execution, h.flow, 'nope', 'e2', NOW, fakeIds())).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});

describe('replay with the Kestra 1.x flowables', () => {
  const DAG = 'io.kestra.plugin.core.flow.Dag';
  const FOR_EACH = 'io.kestra.plugin.core.flow.ForEach';

  it('in a Dag, re-runs the chosen task and the tasks that depend on it, and keeps the others', () => {
    const h = finished(flow([{ id: 'dag', type: DAG, tasks: [
      { task: { id: 'a', type: LOG } },
      { task: { id: 'b', type: LOG }, dependsOn: ['a'] },
      { task: { id: 'c', type: LOG }, dependsOn: ['a'] },
      { task: { id: 'd', type: LOG }, dependsOn: ['b'] },
    ] }]));
    const copy = replay(h.execution, h.flow, h.run('b').id, 'e2', NOW, fakeIds('n'));
    expect(copy.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([['dag', 'RUNNING'], ['a', 'SUCCESS'], ['b', 'RESTARTED'], ['c', 'SUCCESS']]);
    const r = new Harness(copy, h.flow);
    r.send({ type: 'ExecutionCreated' });
    expect(r.pending().map((w) => w.taskId)).toEqual(['b']);
    r.drive();
    expect(r.execution.taskRunList.map((x) => x.taskId)).toEqual(['dag', 'a', 'b', 'c', 'd']);
    expect(r.state).toBe('SUCCESS');
  });

  it('in a ForEach, re-runs the chosen run and every run after it', () => {
    const h = finished(flow([{ id: 'loop', type: FOR_EACH, values: ['x', 'y'], tasks: [{ id: 'one', type: LOG }, { id: 'two', type: LOG }] }]));
    const copy = replay(h.execution, h.flow, h.run('two', 'x').id, 'e2', NOW, fakeIds('n'));
    expect(copy.taskRunList.map((r) => `${r.taskId}[${r.value ?? ''}] ${r.state.current}`)).toEqual(['loop[] RUNNING', 'one[x] SUCCESS', 'two[x] RESTARTED']);
    const r = new Harness(copy, h.flow);
    r.send({ type: 'ExecutionCreated' });
    r.drive();
    expect(r.execution.taskRunList.map((x) => `${x.taskId}[${x.value ?? ''}]`)).toEqual(['loop[]', 'one[x]', 'two[x]', 'one[y]', 'two[y]']);
    expect(r.state).toBe('SUCCESS');
  });
});

describe('replay from inside a LoopUntil', () => {
  it('runs the whole loop again from its first iteration', () => {
    const LOOP = 'io.kestra.plugin.core.flow.LoopUntil';
    const f = flow([{ id: 'loop', type: LOOP, condition: '{{ outputs.loop.iterationCount >= 2 }}', tasks: [{ id: 't', type: LOG }] }, { id: 'after', type: LOG }]);
    const h = Harness.start(f);
    h.drive();
    h.fireWakeUps();
    h.drive();
    expect(h.runs('t')).toHaveLength(2);
    const copy = replay(h.execution, h.flow, h.runs('t')[1].id, 'e2', NOW, fakeIds('n'));
    expect(copy.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([['loop', 'RESTARTED']]);
    const r = new Harness(copy, h.flow);
    r.send({ type: 'ExecutionCreated' });
    r.drive();
    r.fireWakeUps();
    r.drive();
    expect(r.runs('t')).toHaveLength(2);
    expect(r.run('loop').outputs).toEqual({ iterationCount: 2 });
    expect(r.state).toBe('SUCCESS');
  });
});

describe('replay with If and Sleep', () => {
  it('from a task in an If branch keeps the chosen branch and re-runs the tasks after it', () => {
    const IF = 'io.kestra.plugin.core.flow.If';
    const h = finished(flow([{ id: 'check', type: IF, condition: 'true', then: [{ id: 'x', type: LOG }, { id: 'y', type: LOG }] }]));
    const copy = replay(h.execution, h.flow, h.run('x').id, 'e2', NOW, fakeIds('n'));
    expect(copy.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([['check', 'RUNNING'], ['x', 'RESTARTED']]);
    const r = new Harness(copy, h.flow);
    r.send({ type: 'ExecutionCreated' });
    r.drive();
    expect(r.states()).toEqual({ check: 'SUCCESS', x: 'SUCCESS', y: 'SUCCESS' });
    expect(r.run('check').outputs).toEqual({ evaluationResult: true });
  });

  it('from a Sleep sleeps again', () => {
    const SLEEP = 'io.kestra.plugin.core.flow.Sleep';
    const h = Harness.start(flow([{ id: 'nap', type: SLEEP, duration: 'PT1M' }, { id: 'after', type: LOG }]));
    h.fireWakeUps();
    h.drive();
    const copy = replay(h.execution, h.flow, h.run('nap').id, 'e2', NOW, fakeIds('n'));
    const r = new Harness(copy, h.flow);
    r.now = NOW;
    r.send({ type: 'ExecutionCreated' });
    expect(r.effectsOf('ScheduleWakeUp', r.last)).toEqual([expect.objectContaining({ at: '2024-02-01T00:01:00.000Z' })]);
    r.fireWakeUps();
    r.drive();
    expect(r.states()).toEqual({ nap: 'SUCCESS', after: 'SUCCESS' });
  });
});

describe('replay with the execution tasks (1.x)', () => {
  it('from a task after SetVariables keeps the variables it set, and the SetVariables run is not replayed', () => {
    const h = Harness.start(flow([
      { id: 'set', type: 'io.kestra.plugin.core.execution.SetVariables', variables: { v: '{{ 20 + 1 }}' } },
      { id: 'use', type: LOG },
    ]));
    h.drive();
    const copy = replay(h.execution, h.flow, h.run('use').id, 'e2', NOW, fakeIds('n'));
    const r = new Harness(copy, h.flow);
    r.send({ type: 'ExecutionCreated' });
    expect(r.pending().map((w) => [w.taskId, w.variables.vars])).toEqual([['use', { v: 21 }]]);
    expect(r.history('set')).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
  });
});
