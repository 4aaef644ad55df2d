import { newExecution } from '../../../lib/engine';
import { evaluateBranches } from '../../../lib/engine/container';
import { Draft } from '../../../lib/engine/draft';
import type { TaskRun } from '../../../lib/model/execution';
import type { State } from '../../../lib/model/states';
import { LOG, testCatalog } from './helpers/catalog';
import { Harness, T0, flow } from './helpers/harness';
import { fakeIds } from './helpers/ids';

const a = { id: 'a', type: LOG };
const b = { id: 'b', type: LOG };
const err = { id: 'err', type: LOG };
const f = flow([a, b], { errors: [err] });

const tr = (taskId: string, state: State, value?: string): TaskRun => ({
  id: `${taskId}${value ?? ''}`, taskId, executionId: 'e', namespace: 'test', flowId: 'f', attempts: [], state: { current: state, histories: [{ state, date: 'd' }] },
  ...(value !== undefined ? { value } : {}),
});

function draft(list: TaskRun[]) {
  const execution = { ...newExecution({ id: 'e', flow: f, inputs: {}, now: T0 }), state: { current: 'RUNNING' as const, histories: [] }, taskRunList: list };
  return new Draft({ execution, flow: f, now: T0, ids: fakeIds('n'), catalog: testCatalog() });
}

const created = (d: Draft) => d.runs.filter((r) => r.id.startsWith('n')).map((r) => `${r.taskId}${r.value ?? ''}`);

describe('evaluateBranches', () => {
  it('creates the first task of an empty sequential branch', () => {
    const d = draft([]);
    expect(evaluateBranches(d, undefined, { main: [{ task: a }, { task: b }], errors: [err] }, false)).toBeUndefined();
    expect(created(d)).toEqual(['a']);
  });

  it('waits while a child is active and concludes with the worst main state', () => {
    expect(evaluateBranches(draft([tr('a', 'RUNNING')]), undefined, { main: [{ task: a }, { task: b }], errors: [] }, false)).toBeUndefined();
    expect(evaluateBranches(draft([tr('a', 'SUCCESS'), tr('b', 'WARNING')]), undefined, { main: [{ task: a }, { task: b }], errors: [] }, false)).toBe('WARNING');
  });

  it('switches to the errors branch after a failure and ends FAILED after it', () => {
    const d = draft([tr('a', 'FAILED')]);
    expect(evaluateBranches(d, undefined, { main: [{ task: a }, { task: b }], errors: [err] }, false)).toBeUndefined();
    expect(created(d)).toEqual(['err']);
    expect(evaluateBranches(draft([tr('a', 'FAILED'), tr('err', 'SUCCESS')]), undefined, { main: [{ task: a }, { task: b }], errors: [err] }, false)).toBe('FAILED');
  });

  it('matches children by task and loop value', () => {
    const d = draft([tr('a', 'SUCCESS', 'x')]);
    evaluateBranches(d, undefined, { main: [{ task: a, value: 'x' }, { task: a, value: 'y' }], errors: [] }, false);
    expect(created(d)).toEqual(['ay']);
  });

  it('fills parallel room up to concurrent', () => {
    const d = draft([tr('a', 'RUNNING', '1')]);
    const main = ['1', '2', '3', '4'].map((value) => ({ task: a, value }));
    evaluateBranches(d, undefined, { main, errors: [], concurrent: 3 }, false);
    expect(created(d)).toEqual(['a2', 'a3']);
  });

  it('creates nothing while killing and ends KILLED once nothing is active', () => {
    const d = draft([tr('a', 'RUNNING')]);
    expect(evaluateBranches(d, undefined, { main: [{ task: a }, { task: b }], errors: [] }, true)).toBeUndefined();
    expect(created(d)).toEqual([]);
    expect(evaluateBranches(draft([tr('a', 'KILLED')]), undefined, { main: [{ task: a }, { task: b }], errors: [] }, true)).toBe('KILLED');
  });
});

describe('finally (Kestra 1.x)', () => {
  // Through the whole step: finally is about the order of runs over several events.
  const SEQ = 'io.kestra.core.tasks.flows.Sequential';
  const order = (h: Harness): string[] => h.execution.taskRunList.map((r) => `${r.taskId}:${r.state.current}`);

  it('runs the flow\'s finally tasks in order after its tasks, and the flow ends as its tasks did', () => {
    const h = Harness.start(flow([a, b], { finally: [{ id: 'f1', type: LOG }, { id: 'f2', type: LOG }] }));
    h.drive();
    expect(order(h)).toEqual(['a:SUCCESS', 'b:SUCCESS', 'f1:SUCCESS', 'f2:SUCCESS']);
    expect(h.state).toBe('SUCCESS');
  });

  it('after a failure runs errors, then finally, and ends FAILED', () => {
    const h = Harness.start(flow([a, b], { errors: [err], finally: [{ id: 'f1', type: LOG }] }));
    h.fail('a');
    h.drive();
    expect(order(h)).toEqual(['a:FAILED', 'err:SUCCESS', 'f1:SUCCESS']);
    expect(h.state).toBe('FAILED');
  });

  it('a failing finally task neither starts errors nor changes the state', () => {
    const h = Harness.start(flow([a], { errors: [err], finally: [{ id: 'f1', type: LOG }, { id: 'f2', type: LOG }] }));
    h.succeed('a');
    h.fail('f1');
    h.drive();
    expect(order(h)).toEqual(['a:SUCCESS', 'f1:FAILED', 'f2:SUCCESS']);
    expect(h.state).toBe('SUCCESS');
  });

  it('runs a flowable\'s finally before the flowable ends', () => {
    const h = Harness.start(flow([{ id: 'seq', type: SEQ, tasks: [a], finally: [{ id: 'f1', type: LOG }] }, b]));
    h.drive();
    expect(order(h)).toEqual(['seq:SUCCESS', 'a:SUCCESS', 'f1:SUCCESS', 'b:SUCCESS']);
  });

  it('does not run while killing', () => {
    const h = Harness.start(flow([a], { finally: [{ id: 'f1', type: LOG }] }));
    h.started('a');
    h.send({ type: 'Kill' });
    h.answer('a', { state: 'KILLED' });
    expect(order(h)).toEqual(['a:KILLED']);
    expect(h.state).toBe('KILLED');
  });

  it('runs again after a restart', () => {
    const h = Harness.start(flow([a], { finally: [{ id: 'f1', type: LOG }] }));
    h.fail('a');
    h.drive();
    expect(order(h)).toEqual(['a:FAILED', 'f1:SUCCESS']);
    h.send({ type: 'Restart' });
    h.drive();
    expect(order(h)).toEqual(['a:SUCCESS', 'f1:SUCCESS']);
    expect(h.runs('f1')).toHaveLength(1);
    expect(h.state).toBe('SUCCESS');
  });
});
