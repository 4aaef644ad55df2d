import { RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const SET = 'io.kestra.plugin.core.execution.SetVariables';
const UNSET = 'io.kestra.plugin.core.execution.UnsetVariables';

const varsOf = (h: Harness, taskId: string): unknown => h.pending().find((w) => w.taskId === taskId)?.variables.vars;

describe('SetVariables', () => {
  it('merges rendered variables over the flow\'s, deeply, and later tasks see them as vars (Kestra\'s example)', () => {
    const h = Harness.start(flow([
      { id: 'set_vars', type: SET, variables: { message: 'Hello', name: '{{ inputs.who }}', nested: { b: 2 } } },
      { id: 'hello', type: RETURN, format: '{{ vars.message }} {{ vars.name }}' },
    ], { variables: { name: 'World', nested: { a: 1 } } }), { inputs: { who: 'Loïc' } });
    expect(h.run('set_vars').state.current).toBe('SUCCESS');
    expect(h.run('set_vars').attempts).toEqual([]);
    expect(varsOf(h, 'hello')).toEqual({ name: 'Loïc', message: 'Hello', nested: { a: 1, b: 2 } });
  });

  it('with overwrite false, fails naming the variables that already exist', () => {
    const h = Harness.start(flow([{ id: 'set', type: SET, overwrite: false, variables: { name: 'x', fresh: 1 } }], { variables: { name: 'World' } }));
    expect(h.run('set').error).toMatchObject({
      task: 'set', property: 'variables', message: '`overwrite` is set to false and the following variables already exist: name',
    });
    expect(h.execution.variables).toBeUndefined();
    expect(h.state).toBe('FAILED');
  });
});

describe('UnsetVariables', () => {
  it('removes names and dotted paths, from the flow\'s variables too', () => {
    const h = Harness.start(flow([
      { id: 'set', type: SET, variables: { message: 'Hello' } },
      { id: 'unset', type: UNSET, variables: ['message', 'deep.a'] },
      { id: 'after', type: RETURN },
    ], { variables: { keep: 1, deep: { a: 1, b: 2 } } }));
    expect(h.states()).toEqual({ set: 'SUCCESS', unset: 'SUCCESS', after: 'CREATED' });
    expect(varsOf(h, 'after')).toEqual({ keep: 1, deep: { b: 2 } });
  });

  it('fails naming variables for a missing one, unless ignoreMissing', () => {
    const bad = Harness.start(flow([{ id: 'unset', type: UNSET, variables: ['nope'] }]));
    expect(bad.run('unset').error).toMatchObject({ property: 'variables', message: expect.stringContaining("'nope' is not set") });
    const ok = Harness.start(flow([{ id: 'unset', type: UNSET, variables: ['nope'], ignoreMissing: true }]));
    expect(ok.state).toBe('SUCCESS');
  });
});
