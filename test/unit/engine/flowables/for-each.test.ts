import { RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const FOR_EACH = 'io.kestra.plugin.core.flow.ForEach';
const IF = 'io.kestra.plugin.core.flow.If';

const order = (h: Harness): string[] => h.execution.taskRunList.map((r) => (r.value ? `${r.taskId}[${r.value}]` : r.taskId));

describe('ForEach', () => {
  it('runs every value one after the other by default, each value\'s tasks in order', () => {
    const h = Harness.start(flow([
      { id: 'loop', type: FOR_EACH, values: ['a', 'b'], tasks: [{ id: 'one', type: RETURN }, { id: 'two', type: RETURN }] },
      { id: 'end', type: RETURN },
    ]));
    expect(h.pending().map((w) => `${w.taskId}[${(w.variables.taskrun as any).value}]`)).toEqual(['one[a]']);
    h.drive();
    expect(order(h)).toEqual(['loop', 'one[a]', 'two[a]', 'one[b]', 'two[b]', 'end']);
    expect(h.state).toBe('SUCCESS');
  });

  it('accepts its values as a JSON string and deduplicates them', () => {
    const h = Harness.start(flow([{ id: 'loop', type: FOR_EACH, values: '["x", "y", "x", 3]', tasks: [{ id: 't', type: RETURN }] }]));
    h.drive();
    expect(h.runs('t').map((r) => r.value)).toEqual(['x', 'y', '3']);
  });

  it('starts up to concurrencyLimit values at once, and a value\'s next task only after its previous one', () => {
    const h = Harness.start(flow([
      { id: 'loop', type: FOR_EACH, values: ['a', 'b', 'c'], concurrencyLimit: 2, tasks: [{ id: 'one', type: RETURN }, { id: 'two', type: RETURN }] },
    ]));
    expect(h.pending().map((w) => `${w.taskId}[${(w.variables.taskrun as any).value}]`)).toEqual(['one[a]', 'one[b]']);
    h.succeed('one', undefined, 'a');
    // Group a goes on with its second task; group c waits for a free slot.
    expect(h.pending().map((w) => `${w.taskId}[${(w.variables.taskrun as any).value}]`)).toEqual(['one[b]', 'two[a]']);
    h.succeed('two', undefined, 'a');
    expect(h.pending().map((w) => `${w.taskId}[${(w.variables.taskrun as any).value}]`)).toEqual(['one[b]', 'one[c]']);
    h.drive();
    expect(h.state).toBe('SUCCESS');
    expect(h.runs('two').map((r) => r.value).sort()).toEqual(['a', 'b', 'c']);
  });

  it('starts every value at once with concurrencyLimit 0', () => {
    const h = Harness.start(flow([
      { id: 'loop', type: FOR_EACH, values: ['a', 'b', 'c'], concurrencyLimit: 0, tasks: [{ id: 'one', type: RETURN }, { id: 'two', type: RETURN }] },
    ]));
    expect(h.pending().map((w) => `${w.taskId}[${(w.variables.taskrun as any).value}]`)).toEqual(['one[a]', 'one[b]', 'one[c]']);
    h.drive();
    expect(h.state).toBe('SUCCESS');
  });

  it('ends SUCCESS with no child on empty values', () => {
    const h = Harness.start(flow([{ id: 'loop', type: FOR_EACH, values: '[]', tasks: [{ id: 't', type: RETURN }] }, { id: 'end', type: RETURN }]));
    expect(h.states()).toEqual({ loop: 'SUCCESS', end: 'CREATED' });
  });

  it('gives nested loops their own value, the outer one through parent and parents', () => {
    const h = Harness.start(flow([
      { id: 'outer', type: FOR_EACH, values: ['1', '2'], tasks: [
        { id: 'inner', type: FOR_EACH, values: ['x'], tasks: [{ id: 't', type: RETURN }] },
      ] },
    ]));
    const seen = new Map<string, string>();
    h.drive((wt) => {
      const v = wt.variables as any;
      seen.set(wt.taskRunId, `${v.parent.taskrun.value}/${v.taskrun.value}/${v.parents.map((p: any) => p.taskrun?.value ?? '-').join(',')}`);
      return { state: 'SUCCESS' };
    });
    expect([...seen.values()]).toEqual(['1/x/1', '2/x/2']);
    expect(h.state).toBe('SUCCESS');
  });

  it('stops starting values after a failure, runs its errors and fails', () => {
    const h = Harness.start(flow([
      { id: 'loop', type: FOR_EACH, values: ['a', 'b'], tasks: [{ id: 't', type: RETURN }], errors: [{ id: 'alert', type: RETURN }] },
    ]));
    h.fail('t', 'a');
    expect(h.pending().map((w) => w.taskId)).toEqual(['alert']);
    h.drive();
    expect(h.runs('t')).toHaveLength(1);
    expect(h.states()).toMatchObject({ loop: 'FAILED', alert: 'SUCCESS' });
    expect(h.state).toBe('FAILED');
  });

  it('fails naming values when they render to something that is not a list', () => {
    const h = Harness.start(flow([{ id: 'loop', type: FOR_EACH, values: '{"a": 1}', tasks: [{ id: 't', type: RETURN }] }]));
    expect(h.run('loop').error).toMatchObject({ task: 'loop', property: 'values', message: expect.stringContaining('values must be a list') });
    expect(h.state).toBe('FAILED');
  });

  it('runs an If inside each value with the value of its parent', () => {
    const h = Harness.start(flow([
      { id: 'loop', type: FOR_EACH, values: ['keep', 'drop'], tasks: [
        { id: 'check', type: IF, condition: '{{ taskrun.value == "keep" }}', then: [{ id: 'kept', type: RETURN }] },
      ] },
    ]));
    h.drive();
    expect(h.runs('kept')).toHaveLength(1);
    expect(h.runs('check').map((r) => r.outputs)).toEqual([{ evaluationResult: true }, { evaluationResult: false }]);
    expect(h.state).toBe('SUCCESS');
  });
});
