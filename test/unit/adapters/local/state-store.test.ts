import { MemoryStateStore } from '../../../../lib/adapters/local';
import type { Execution } from '../../../../lib/model/execution';
import { newStateRecord } from '../../../../lib/model/states';

const exec = (id: string): Execution => ({
  id, namespace: 'n', flowId: 'f', flowRevision: 1, state: newStateRecord('CREATED', new Date(0)), inputs: {}, taskRunList: [], version: 0,
});
const now = new Date('2024-01-01T00:00:00Z');

describe('MemoryStateStore', () => {
  it('shares the stored execution instead of copying it', async () => {
    const store = new MemoryStateStore();
    await store.create(exec('a'), { key: 'c', event: { type: 'ExecutionCreated' }, at: '' });
    const out = await store.transact('a', (e) => ({ execution: e, effects: [] }), now);
    expect(await store.get('a')).toBe(out!.execution);
  });

  it('rejects with CONFLICT when the fold wrote to the same execution itself', async () => {
    const store = new MemoryStateStore();
    await store.create(exec('a'), { key: 'c', event: { type: 'ExecutionCreated' }, at: '' });
    let inner: Promise<unknown> | undefined;
    const outer = store.transact('a', (e) => {
      inner ??= store.transact('a', (x) => ({ execution: x, effects: [] }), now);
      return { execution: e, effects: [] };
    }, now);
    await expect(inner).resolves.toMatchObject({ execution: { version: 1 } });
    await expect(outer).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('rejects a page token it did not issue', async () => {
    await expect(new MemoryStateStore().list({ pageToken: 'garbage' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  it('still refuses a consumed key once the execution ended, and takes new keys (a restart)', async () => {
    const store = new MemoryStateStore();
    await store.create(exec('a'), { key: 'created', event: { type: 'ExecutionCreated' }, at: '' });
    expect(await store.append('a', { key: 'k1', event: { type: 'Kill' }, at: '' })).toBe(true);
    const ended = (e: Execution): Execution => ({ ...e, state: { current: 'SUCCESS', histories: [...e.state.histories, { state: 'SUCCESS', date: '' }] } });
    await store.transact('a', (e) => ({ execution: ended(e), effects: [] }), now);
    for (const key of ['created', 'k1']) expect(await store.append('a', { key, event: { type: 'Kill' }, at: '' })).toBe(false);
    expect(await store.hasPending('a')).toBe(false);
    expect(await store.append('a', { key: 'restart', event: { type: 'Restart' }, at: '' })).toBe(true);
    expect(await store.append('a', { key: 'restart', event: { type: 'Restart' }, at: '' })).toBe(false);
    expect(await store.append('a', { key: 'k1', event: { type: 'Kill' }, at: '' })).toBe(false);
    expect(await store.hasPending('a')).toBe(true);
  });

  it('does the same synchronously as asynchronously', async () => {
    const store = new MemoryStateStore();
    await store.create(exec('a'), { key: 'c', event: { type: 'ExecutionCreated' }, at: '' });
    expect(store.hasPendingNow('a')).toBe(true);
    const out = store.transactNow('a', (e, pending) => ({ execution: e, effects: pending.map(() => ({ type: 'ExecutionEnded' as const, executionId: 'a', namespace: 'n', flowId: 'f', flowRevision: 1, state: 'SUCCESS' as const })) }), now);
    expect(out!.execution.version).toBe(1);
    expect(store.getNow('a')).toBe(out!.execution);
    expect(await store.unpublished(new Date(now.getTime() + 1), 10)).toEqual(out!.outbox);
    store.ackOutboxNow(out!.outbox);
    expect(await store.unpublished(new Date(now.getTime() + 1), 10)).toEqual([]);
    expect(store.appendNow('a', { key: 'k', event: { type: 'Kill' }, at: '' })).toBe(true);
    expect(store.appendNow('a', { key: 'k', event: { type: 'Kill' }, at: '' })).toBe(false);
  });
});

