import { MemoryFlowRepository } from '../../../../lib/adapters/local';
import type { Flow } from '../../../../lib/model/flow';

const flow = (namespace: string, id: string): Flow => ({ id, namespace, tasks: [] });
const now = new Date('2024-01-01T00:00:00Z');

describe('MemoryFlowRepository', () => {
  it('lists sub-namespaces under a namespace filter, as Kestra does', async () => {
    const repo = new MemoryFlowRepository();
    await repo.save(flow('io.a', 'x'), 'x', now);
    await repo.save(flow('io.a.b', 'y'), 'y', now);
    await repo.save(flow('io.ab', 'z'), 'z', now);
    expect((await repo.list({ namespace: 'io.a' })).map((f) => f.flow.id)).toEqual(['x', 'y']);
  });

  it('keeps counting revisions after a flow was deleted and saved again', async () => {
    const repo = new MemoryFlowRepository();
    await repo.save(flow('n', 'f'), 'one', now);
    await repo.delete('n', 'f');
    expect((await repo.save(flow('n', 'f'), 'two', now)).revision).toBe(2);
  });

  it('sets the revision on the stored flow', async () => {
    const repo = new MemoryFlowRepository();
    expect((await repo.save(flow('n', 'f'), 'one', now)).flow.revision).toBe(1);
  });
});
