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
});
