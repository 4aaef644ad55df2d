import { sequentialInfo } from '../../../../lib/engine/flowables/sequential';
import { FAIL, LOG, RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const SEQ = 'io.kestra.core.tasks.flows.Sequential';

describe('Sequential', () => {
  it('starts the next task only after the last one finished', () => {
    const h = Harness.start(flow([{ id: 'seq', type: SEQ, tasks: [{ id: 'a', type: LOG }, { id: 'b', type: LOG }, { id: 'c', type: LOG }] }]));
    expect(h.pending().map((w) => w.taskId)).toEqual(['a']);
    expect(h.run('seq').state.current).toBe('RUNNING');
    h.succeed('a');
    expect(h.pending().map((w) => w.taskId)).toEqual(['b']);
    h.succeed('b');
    h.succeed('c');
    expect(h.states()).toEqual({ seq: 'SUCCESS', a: 'SUCCESS', b: 'SUCCESS', c: 'SUCCESS' });
    expect(h.state).toBe('SUCCESS');
    expect(h.run('a').parentTaskRunId).toBe(h.run('seq').id);
  });

  it('runs its local errors branch once a child failed and gives the later siblings no run', () => {
    const h = Harness.start(flow([{
      id: 'parent-seq', type: SEQ, tasks: [
        { id: 't1', type: RETURN },
        { id: 't2_seq', type: SEQ, tasks: [{ id: 't2-t1', type: FAIL }, { id: 't2-t2', type: RETURN }, { id: 't2-t3', type: RETURN }],
          errors: [{ id: 'error-t1', type: RETURN }, { id: 'error-t2', type: RETURN }] },
      ],
    }]));
    h.drive((wt) => (wt.taskId === 't2-t1' ? { state: 'FAILED' } : { state: 'SUCCESS' }));
    expect(h.has('t2-t2')).toBe(false);
    expect(h.has('t2-t3')).toBe(false);
    expect(h.run('error-t1').state.current).toBe('SUCCESS');
    expect(h.run('error-t2').state.current).toBe('SUCCESS');
    expect(h.run('error-t1').parentTaskRunId).toBe(h.run('t2_seq').id);
    expect(h.run('t2_seq').state.current).toBe('FAILED');
    expect(h.run('parent-seq').state.current).toBe('FAILED');
    expect(h.state).toBe('FAILED');
  });

  it('skips disabled tasks', () => {
    const h = Harness.start(flow([{ id: 'seq', type: SEQ, tasks: [{ id: 'a', type: LOG, disabled: true }, { id: 'b', type: LOG }] }]));
    expect(h.pending().map((w) => w.taskId)).toEqual(['b']);
    h.succeed('b');
    expect(h.has('a')).toBe(false);
    expect(h.state).toBe('SUCCESS');
  });

  it('succeeds at once when every child is disabled', () => {
    const h = Harness.start(flow([{ id: 'seq', type: SEQ, tasks: [{ id: 'a', type: LOG, disabled: true }] }]));
    expect(h.run('seq').state.current).toBe('SUCCESS');
    expect(h.state).toBe('SUCCESS');
  });

  it('declares a strict property schema with its child lists', () => {
    expect(sequentialInfo.childLists).toEqual(['tasks', 'errors', 'finally']);
    expect(sequentialInfo.properties.safeParse({ tasks: [{ id: 'a', type: LOG }] }).success).toBe(true);
    expect(sequentialInfo.properties.safeParse({ tasks: [] }).success).toBe(false);
    expect(sequentialInfo.properties.safeParse({ tasks: [{ id: 'a', type: LOG }], tasksx: 1 }).success).toBe(false);
    expect(sequentialInfo.aliases).toContain('io.kestra.plugin.core.flow.Sequential');
  });
});
