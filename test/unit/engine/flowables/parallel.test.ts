import { FAIL, LOG, RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const PARALLEL = 'io.kestra.core.tasks.flows.Parallel';
const SEQ = 'io.kestra.core.tasks.flows.Sequential';
const six = ['t1', 't2', 't3', 't4', 't5', 't6'].map((id) => ({ id, type: LOG }));

describe('Parallel', () => {
  it('starts every child at once when concurrent is not set', () => {
    const h = Harness.start(flow([{ id: 'parent', type: PARALLEL, tasks: six }, { id: 'last', type: RETURN }]));
    expect(h.pending().map((w) => w.taskId)).toEqual(['t1', 't2', 't3', 't4', 't5', 't6']);
    h.drive();
    expect(h.run('last').state.current).toBe('SUCCESS');
    expect(h.state).toBe('SUCCESS');
  });

  it('keeps at most `concurrent` children running', () => {
    const h = Harness.start(flow([{ id: 'parent', type: PARALLEL, concurrent: 2, tasks: six }]));
    expect(h.pending().map((w) => w.taskId)).toEqual(['t1', 't2']);
    h.succeed('t2');
    expect(h.pending().map((w) => w.taskId)).toEqual(['t1', 't3']);
    h.succeed('t1');
    h.succeed('t3');
    expect(h.pending().map((w) => w.taskId)).toEqual(['t4', 't5']);
    h.drive();
    expect(h.state).toBe('SUCCESS');
  });

  it('starts its errors branch as soon as a child failed, creates no more children and waits for the running ones', () => {
    const h = Harness.start(flow([{
      id: 'parent', type: PARALLEL, concurrent: 2, tasks: six, errors: [{ id: 'err', type: LOG }],
    }]));
    h.fail('t1');
    expect(h.pending().map((w) => w.taskId)).toEqual(['t2', 'err']);
    h.succeed('err');
    expect(h.run('parent').state.current).toBe('RUNNING');
    h.succeed('t2');
    expect(h.has('t3')).toBe(false);
    expect(h.run('parent').state.current).toBe('FAILED');
    expect(h.state).toBe('FAILED');
  });

  it('runs nested parallels in the flow-level errors branch', () => {
    const h = Harness.start(flow([{ id: 'failed', type: FAIL }], {
      errors: [
        { id: 't2', type: LOG },
        { id: 't3', type: PARALLEL, tasks: [{ id: 't3-t1', type: PARALLEL, tasks: [{ id: 't3-t1-t1', type: SEQ, tasks: [{ id: 'last', type: LOG }] }] }] },
      ],
    }));
    h.drive((wt) => ({ state: wt.taskId === 'failed' ? 'FAILED' : 'SUCCESS' }));
    expect(h.states()).toEqual({ failed: 'FAILED', t2: 'SUCCESS', t3: 'SUCCESS', 't3-t1': 'SUCCESS', 't3-t1-t1': 'SUCCESS', last: 'SUCCESS' });
    expect(h.state).toBe('FAILED');
  });

  it('ends with the worst state of its children', () => {
    const h = Harness.start(flow([{ id: 'p', type: PARALLEL, tasks: [{ id: 'a', type: LOG }, { id: 'b', type: LOG }] }]));
    h.answer('a', { state: 'WARNING' });
    h.succeed('b');
    expect(h.run('p').state.current).toBe('WARNING');
    expect(h.state).toBe('WARNING');
  });
});
