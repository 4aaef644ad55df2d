import { loopValues } from '../../../../lib/engine/flowables/each';
import { LOG, RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const EACH_SEQ = 'io.kestra.core.tasks.flows.EachSequential';
const EACH_PAR = 'io.kestra.core.tasks.flows.EachParallel';
const SEQ = 'io.kestra.core.tasks.flows.Sequential';

describe('loopValues', () => {
  it('parses a JSON string of a list', () => {
    expect(loopValues('["value 1", "value 2"]')).toEqual({ values: ['value 1', 'value 2'] });
  });

  it('turns numbers into strings and objects into JSON strings', () => {
    expect(loopValues([1, 2.5, true, { key: 'my-key', value: { sub: 1 } }])).toEqual({
      values: ['1', '2.5', 'true', '{"key":"my-key","value":{"sub":1}}'],
    });
  });

  it('deduplicates values, keeping the first occurrence order', () => {
    expect(loopValues('["a", "b", "a", 1, "1"]')).toEqual({ values: ['a', 'b', '1'] });
  });

  it('refuses null values', () => {
    expect(loopValues('[1, null, {"key": "my-key"}]')).toEqual({ error: expect.stringContaining('1 null value') });
  });

  it('refuses a value that is not a list', () => {
    expect(loopValues('{"a": 1}')).toEqual({ error: expect.stringContaining('must be a list') });
    expect(loopValues('not json')).toEqual({ error: expect.stringContaining('must be a list') });
  });
});

describe('EachSequential', () => {
  it('runs its tasks once per value, one after the other, with the value on direct children only', () => {
    const h = Harness.start(flow([
      { id: '1_each', type: EACH_SEQ, value: '["value 1", "value 2", "value 3", "value 1"]', tasks: [
        { id: '1-1', type: RETURN },
        { id: 'seq', type: SEQ, tasks: [{ id: 'inner', type: LOG }] },
      ] },
      { id: '2_end', type: RETURN },
    ]));
    expect(h.pending().map((w) => w.taskId)).toEqual(['1-1']);
    h.drive();
    expect(h.runs('1-1').map((r) => r.value)).toEqual(['value 1', 'value 2', 'value 3']);
    expect(h.runs('seq').map((r) => r.value)).toEqual(['value 1', 'value 2', 'value 3']);
    expect(h.runs('inner').map((r) => r.value)).toEqual([undefined, undefined, undefined]);
    const order = h.execution.taskRunList.map((r) => (r.value ? `${r.taskId}[${r.value}]` : r.taskId));
    expect(order).toEqual(['1_each', '1-1[value 1]', 'seq[value 1]', 'inner', '1-1[value 2]', 'seq[value 2]', 'inner', '1-1[value 3]', 'seq[value 3]', 'inner', '2_end']);
    expect(h.state).toBe('SUCCESS');
  });

  it('fails before any child runs when a value is null', () => {
    const h = Harness.start(flow([
      { id: '1_each', type: EACH_SEQ, value: '[1, null, {"key": "my-key", "value": "my-value"}]', tasks: [{ id: '1-1', type: RETURN }] },
      { id: '2_end', type: RETURN },
    ]));
    expect(h.states()).toEqual({ '1_each': 'FAILED' });
    expect(h.run('1_each').error).toMatchObject({ code: 'EXPRESSION', task: '1_each', property: 'value' });
    expect(h.state).toBe('FAILED');
  });

  it('succeeds at once on an empty list', () => {
    const h = Harness.start(flow([{ id: 'e', type: EACH_SEQ, value: '[]', tasks: [{ id: 'a', type: LOG }] }]));
    expect(h.states()).toEqual({ e: 'SUCCESS' });
    expect(h.state).toBe('SUCCESS');
  });

  it('addresses outputs of tasks inside loops by their loop values, outermost first', () => {
    const h = Harness.start(flow([
      { id: '1_each', type: EACH_SEQ, value: ['s1', 's2'], tasks: [
        { id: '1-2_each', type: EACH_SEQ, value: '["a a", "b b"]', tasks: [{ id: '1-2-1_return', type: RETURN }] },
      ] },
      { id: '2_return', type: RETURN },
    ]));
    h.drive((wt) => ({ state: 'SUCCESS', outputs: wt.taskId === '1-2-1_return' ? { value: `${(wt.variables.parent as any).taskrun.value}/${(wt.variables.taskrun as any).value}` } : undefined }));
    const last = h.effectsOf('DispatchWorkerTask').map((e) => e.workerTask).find((w) => w.taskId === '2_return')!;
    const outputs = last.variables.outputs as any;
    expect(outputs['1-2-1_return'].s1['a a'].value).toBe('s1/a a');
    expect(outputs['1-2-1_return'].s2['b b'].value).toBe('s2/b b');
    expect(h.state).toBe('SUCCESS');
  });

  it('renders a list given as a single expression', () => {
    const h = Harness.start(flow([{ id: 'e', type: EACH_SEQ, value: '{{ inputs.items }}', tasks: [{ id: 'a', type: LOG }] }]), { inputs: { items: ['x', 2] } });
    h.drive();
    expect(h.runs('a').map((r) => r.value)).toEqual(['x', '2']);
  });
});

describe('EachParallel', () => {
  it('starts every (value, task) pair at once', () => {
    const h = Harness.start(flow([
      { id: '1_each', type: EACH_PAR, value: '["value 1", "value 2", "value 3"]', tasks: [{ id: '1-1', type: LOG }, { id: '1-2', type: LOG }] },
      { id: '2_end', type: RETURN },
    ]));
    expect(h.pending().map((w) => `${w.taskId}:${h.execution.taskRunList.find((r) => r.id === w.taskRunId)!.value}`)).toEqual([
      '1-1:value 1', '1-2:value 1', '1-1:value 2', '1-2:value 2', '1-1:value 3', '1-2:value 3',
    ]);
    h.drive();
    expect(h.state).toBe('SUCCESS');
  });

  it('honours concurrent', () => {
    const h = Harness.start(flow([{ id: 'e', type: EACH_PAR, concurrent: 2, value: ['a', 'b', 'c'], tasks: [{ id: 't', type: LOG }] }]));
    expect(h.pending()).toHaveLength(2);
    h.succeed('t', undefined, 'a');
    expect(h.pending().map((w) => w.taskRunId)).toEqual([h.run('t', 'b').id, h.run('t', 'c').id]);
  });

  it('gives nested tasks their loop value through parents[0]', () => {
    const h = Harness.start(flow([{ id: '1_each', type: EACH_PAR, value: ['value 1'], tasks: [
      { id: '2-1_seq', type: SEQ, tasks: [{ id: '2-1-1_t1', type: LOG }] },
    ] }]));
    const wt = h.pending()[0];
    expect((wt.variables.parents as any)[0].taskrun.value).toBe('value 1');
    expect((wt.variables.parent as any).taskrun.value).toBe('value 1');
    expect((wt.variables.taskrun as any).value).toBeUndefined();
  });
});
