import type { ParsedTriggerOf } from '../../../lib/triggers/catalog';
import { FALLBACK_KEY, FlowTriggerIndex, flowTriggerIndexKeys } from '../../../lib/triggers/flow-index';
import { flowWith, parsed } from './fixtures';

const T = 'io.kestra.core.models.conditions.types.';
const FLOW = 'io.kestra.core.models.triggers.types.Flow';
const onFlow = (namespace: string, flowId: string) => ({ type: `${T}ExecutionFlowCondition`, namespace, flowId });
const status = (...states: string[]) => ({ type: `${T}ExecutionStatusCondition`, in: states });

function flowTrigger(conditions: unknown[], id = 'listen'): ParsedTriggerOf<'Flow'> {
  return parsed({ id, type: FLOW, conditions }) as ParsedTriggerOf<'Flow'>;
}

describe('flowTriggerIndexKeys', () => {
  it('files a trigger under the flow it listens to, the most selective of its conditions', () => {
    expect(flowTriggerIndexKeys(flowTrigger([status('SUCCESS'), onFlow('io.aloft', 'up')]))).toEqual(['flow:io.aloft/up']);
  });

  it('files a namespace condition under the namespace or its prefix', () => {
    expect(flowTriggerIndexKeys(flowTrigger([{ type: `${T}ExecutionNamespaceCondition`, namespace: 'io.aloft' }]))).toEqual(['ns:io.aloft']);
    expect(flowTriggerIndexKeys(flowTrigger([{ type: `${T}ExecutionNamespaceCondition`, namespace: 'io.al', prefix: true }]))).toEqual(['nsp:io.al']);
  });

  it('files a status-only trigger under each state it accepts', () => {
    expect(flowTriggerIndexKeys(flowTrigger([status('FAILED', 'KILLED')]))).toEqual(['state:FAILED', 'state:KILLED']);
  });

  it('files an OrCondition under the union of its branches', () => {
    expect(flowTriggerIndexKeys(flowTrigger([{ type: `${T}OrCondition`, conditions: [onFlow('n', 'a'), onFlow('n', 'b')] }]))).toEqual(['flow:n/a', 'flow:n/b']);
  });

  it('files a MultipleCondition under every flow it waits for', () => {
    const multiple = { type: `${T}MultipleCondition`, id: 'm', window: 'P1D', windowAdvance: 'P0D', conditions: { a: onFlow('n', 'a'), b: onFlow('n', 'b') } };
    expect(flowTriggerIndexKeys(flowTrigger([status('SUCCESS'), multiple]))).toEqual(['flow:n/a', 'flow:n/b']);
  });

  it('falls back to the bucket every execution reads when nothing narrows the trigger', () => {
    expect(flowTriggerIndexKeys(flowTrigger([]))).toEqual([FALLBACK_KEY]);
    expect(flowTriggerIndexKeys(flowTrigger([{ type: `${T}VariableCondition`, expression: '{{ true }}' }]))).toEqual([FALLBACK_KEY]);
    const multiple = { type: `${T}MultipleCondition`, conditions: { a: onFlow('n', 'a'), any: { type: `${T}VariableCondition`, expression: 'x' } } };
    expect(flowTriggerIndexKeys(flowTrigger([multiple]))).toEqual([FALLBACK_KEY]);
  });
});

describe('FlowTriggerIndex', () => {
  const ended = (namespace: string, flowId: string, state = 'SUCCESS' as const) => ({ namespace, flowId, state });
  const ids = (index: FlowTriggerIndex, e: ReturnType<typeof ended>) => index.candidates(e).map((c) => c.key).sort();

  it('returns the triggers filed under the ended execution flow, namespace, prefix, state and the fallback', () => {
    const index = new FlowTriggerIndex();
    index.set(flowWith('d', 'byFlow'), [flowTrigger([onFlow('io.aloft.sales', 'orders')])]);
    index.set(flowWith('d', 'byNs'), [flowTrigger([{ type: `${T}ExecutionNamespaceCondition`, namespace: 'io.aloft.sales' }])]);
    index.set(flowWith('d', 'byPrefix'), [flowTrigger([{ type: `${T}ExecutionNamespaceCondition`, namespace: 'io.al', prefix: true }])]);
    index.set(flowWith('d', 'byState'), [flowTrigger([status('FAILED')])]);
    index.set(flowWith('d', 'any'), [flowTrigger([])]);
    index.set(flowWith('d', 'other'), [flowTrigger([onFlow('io.aloft.sales', 'refunds')])]);
    expect(ids(index, ended('io.aloft.sales', 'orders'))).toEqual(['d:any:listen', 'd:byFlow:listen', 'd:byNs:listen', 'd:byPrefix:listen']);
    expect(ids(index, { namespace: 'io.other', flowId: 'x', state: 'FAILED' } as never)).toEqual(['d:any:listen', 'd:byState:listen']);
  });

  it('returns a trigger filed under two matching keys once', () => {
    const index = new FlowTriggerIndex();
    index.set(flowWith('d', 'f'), [flowTrigger([{ type: `${T}OrCondition`, conditions: [onFlow('n', 'a'), { type: `${T}ExecutionNamespaceCondition`, namespace: 'n' }] }])]);
    expect(ids(index, ended('n', 'a'))).toEqual(['d:f:listen']);
  });

  it('replaces a flow triggers on a new revision and forgets them on removal', () => {
    const index = new FlowTriggerIndex();
    index.set(flowWith('d', 'f'), [flowTrigger([onFlow('n', 'a')])]);
    index.set(flowWith('d', 'f'), [flowTrigger([onFlow('n', 'b')])]);
    expect(ids(index, ended('n', 'a'))).toEqual([]);
    expect(ids(index, ended('n', 'b'))).toEqual(['d:f:listen']);
    expect(index.size()).toBe(1);
    index.remove('d', 'f');
    expect(ids(index, ended('n', 'b'))).toEqual([]);
    expect(index.size()).toBe(0);
  });

  it('does not file disabled triggers', () => {
    const index = new FlowTriggerIndex();
    index.set(flowWith('d', 'f'), [parsed({ id: 'off', type: FLOW, disabled: true, conditions: [onFlow('n', 'a')] }) as ParsedTriggerOf<'Flow'>]);
    expect(ids(index, ended('n', 'a'))).toEqual([]);
  });

  it('looks at the same few buckets whatever the number of flows', () => {
    const index = new FlowTriggerIndex();
    for (let i = 0; i < 5000; i++) index.set(flowWith('d', `f${i}`), [flowTrigger([onFlow('up', `u${i}`)])]);
    expect(ids(index, ended('up', 'u42'))).toEqual(['d:f42:listen']);
    expect(index.size()).toBe(5000);
  });
});
