import { switchInfo } from '../../../../lib/engine/flowables/switch';
import { FAIL, RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const SWITCH = 'io.kestra.core.tasks.flows.Switch';
const SEQ = 'io.kestra.core.tasks.flows.Sequential';

const switchFlow = flow([{
  id: 'parent-seq', type: SWITCH, value: '{{ inputs.string }}',
  cases: {
    FIRST: [{ id: 't1', type: RETURN }],
    SECOND: [{ id: 't2', type: RETURN }, { id: 't2_sub', type: RETURN }],
    THIRD: [{ id: 't3', type: SEQ, tasks: [{ id: 'failed', type: FAIL }], errors: [{ id: 'error-t1', type: RETURN }] }],
  },
  defaults: [{ id: 'default', type: RETURN }],
}]);

describe('Switch', () => {
  it('runs the tasks of the case matching the rendered value, in order', () => {
    const h = Harness.start(switchFlow, { inputs: { string: 'SECOND' } });
    expect(h.pending().map((w) => w.taskId)).toEqual(['t2']);
    h.drive();
    expect(Object.keys(h.states())).toEqual(['parent-seq', 't2', 't2_sub']);
    expect(h.run('parent-seq').outputs).toEqual({ value: 'SECOND', defaults: false });
    expect(h.state).toBe('SUCCESS');
  });

  it('runs defaults when no case matches', () => {
    const h = Harness.start(switchFlow, { inputs: { string: 'OTHER' } });
    h.drive();
    expect(Object.keys(h.states())).toEqual(['parent-seq', 'default']);
    expect(h.run('parent-seq').outputs).toEqual({ value: 'OTHER', defaults: true });
  });

  it('fails when a case fails, after the case local errors ran', () => {
    const h = Harness.start(switchFlow, { inputs: { string: 'THIRD' } });
    h.drive((wt) => ({ state: wt.taskId === 'failed' ? 'FAILED' : 'SUCCESS' }));
    expect(h.states()).toEqual({ 'parent-seq': 'FAILED', t3: 'FAILED', failed: 'FAILED', 'error-t1': 'SUCCESS' });
    expect(h.state).toBe('FAILED');
  });

  it('fails and creates no child when no case matches and there are no defaults', () => {
    const h = Harness.start(flow([{ id: 'impossible', type: SWITCH, value: '{{ inputs.string }}', cases: { NO: [{ id: 'date', type: RETURN }] }, defaults: null }]),
      { inputs: { string: 'YES' } });
    expect(h.run('impossible').state.current).toBe('FAILED');
    expect(h.run('impossible').error?.message).toContain("'YES'");
    expect(h.run('impossible').error).toMatchObject({ flow: 'test.f', task: 'impossible', property: 'value' });
    expect(h.execution.taskRunList).toHaveLength(1);
    expect(h.state).toBe('FAILED');
    expect(h.effectsOf('ExecutionEnded')).toHaveLength(1);
  });

  it('fails the run with the expression error when the value does not render', () => {
    const h = Harness.start(flow([{ id: 's', type: SWITCH, value: '{{ inputs.nope }}', cases: { A: [{ id: 'a', type: RETURN }] } }]));
    const run = h.run('s');
    expect(run.state.current).toBe('FAILED');
    expect(run.error).toMatchObject({ code: 'EXPRESSION', task: 's', property: 'value' });
    expect(run.error?.message).toContain('inputs.nope');
    expect(h.state).toBe('FAILED');
  });

  it('declares cases as a child map and defaults/errors as child lists', () => {
    expect(switchInfo.childMaps).toEqual(['cases']);
    expect(switchInfo.childLists).toEqual(['defaults', 'errors', 'finally']);
    expect(switchInfo.properties.safeParse({ value: 'x', cases: { a: [] }, defaults: null }).success).toBe(true);
    expect(switchInfo.properties.safeParse({ value: 'x', case: {} }).success).toBe(false);
  });
});
