import { flowIndex } from '../../../lib/engine/flow-index';
import { LOG } from './helpers/catalog';
import { flow } from './helpers/harness';

const SEQ = 'io.kestra.core.tasks.flows.Sequential';
const SWITCH = 'io.kestra.plugin.core.flow.Switch';

describe('flowIndex', () => {
  const f = flow([
    { id: 'seq', type: SEQ, retry: { type: 'constant', interval: 'PT1S' }, tasks: [{ id: 'a', type: LOG }], errors: [{ id: 'seq-err', type: SEQ, tasks: [{ id: 'deep', type: LOG }] }] },
    { id: 'sw', type: SWITCH, value: 'x', cases: { x: [{ id: 'c', type: LOG }] }, defaults: [{ id: 'd', type: LOG }] },
  ], { errors: [{ id: 'global', type: LOG }] });

  it('indexes every task with its enclosing flowable, through lists and maps', () => {
    const fx = flowIndex(f);
    expect([...fx.nodes.keys()].sort()).toEqual(['a', 'c', 'd', 'deep', 'global', 'seq', 'seq-err', 'sw']);
    expect(fx.nodes.get('a')?.parentTaskId).toBe('seq');
    expect(fx.nodes.get('c')?.parentTaskId).toBe('sw');
    expect(fx.nodes.get('seq')?.parentTaskId).toBeUndefined();
    expect(fx.key).toBe('test.f');
  });

  it('marks errors branches and what lies under them', () => {
    const fx = flowIndex(f);
    expect(fx.nodes.get('seq-err')).toMatchObject({ inErrors: true, underErrors: true });
    expect(fx.nodes.get('deep')).toMatchObject({ inErrors: false, underErrors: true });
    expect(fx.nodes.get('global')).toMatchObject({ inErrors: true, underErrors: true });
    expect(fx.nodes.get('a')).toMatchObject({ inErrors: false, underErrors: false });
    expect([...fx.rootErrorIds]).toEqual(['global']);
  });

  it('resolves the nearest retry policy and the flowable behaviour, 1.x names included', () => {
    const fx = flowIndex(f);
    expect(fx.nodes.get('a')?.retry).toEqual({ type: 'constant', interval: 'PT1S' });
    expect(fx.nodes.get('c')?.retry).toBeUndefined();
    expect(fx.nodes.get('sw')?.flowable?.info.type).toBe('io.kestra.core.tasks.flows.Switch');
    expect(fx.nodes.get('a')?.flowable).toBeUndefined();
  });

  it('falls back to the flow-level retry when neither the task nor an ancestor has one', () => {
    const flowRetry = { type: 'constant' as const, interval: 'PT5S', maxAttempt: 2 };
    const fx = flowIndex({ ...f, retry: flowRetry });
    expect(fx.nodes.get('c')?.retry).toEqual(flowRetry);
    expect(fx.nodes.get('global')?.retry).toEqual(flowRetry);
    expect(fx.nodes.get('a')?.retry).toEqual({ type: 'constant', interval: 'PT1S' });
  });

  it('is built once per flow object', () => {
    expect(flowIndex(f)).toBe(flowIndex(f));
    expect(flowIndex({ ...f })).not.toBe(flowIndex(f));
  });
});
