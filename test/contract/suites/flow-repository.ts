// The FlowRepository contract, run against every adapter.
import type { Flow } from '../../../lib/model/flow';
import type { FlowRepository } from '../../../lib/ports/flow-repository';
import { unique } from './helpers';

export interface FlowRepositoryFixture {
  repo: FlowRepository;
  cleanup(): Promise<void>;
}

const T0 = new Date('2024-03-14T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

function flow(namespace: string, id: string, format = 'hello'): { flow: Flow; source: string } {
  const f: Flow = { id, namespace, tasks: [{ id: 'ret', type: 'io.kestra.core.tasks.debugs.Return', format }] };
  const source = `id: ${id}\nnamespace: ${namespace}\ntasks:\n  - id: ret\n    type: io.kestra.core.tasks.debugs.Return\n    format: ${format}\n`;
  return { flow: f, source };
}

export function flowRepositoryContract(name: string, make: () => Promise<FlowRepositoryFixture>): void {
  describe(`FlowRepository contract: ${name}`, () => {
    let fx: FlowRepositoryFixture;
    let repo: FlowRepository;
    let ns: string;
    beforeEach(async () => {
      fx = await make();
      repo = fx.repo;
      ns = `io.aloft.${unique('ns').replace('-', '')}`;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('saves a new flow as revision 1', async () => {
      const { flow: f, source } = flow(ns, 'hello');
      const stored = await repo.save(f, source, at(1));
      expect(stored).toMatchObject({ revision: 1, source, updated: at(1).toISOString(), flow: { id: 'hello', namespace: ns } });
      expect((await repo.get(ns, 'hello'))?.flow.tasks).toEqual(f.tasks);
    });

    it('keeps the revision when the source is unchanged', async () => {
      const { flow: f, source } = flow(ns, 'hello');
      await repo.save(f, source, at(1));
      const again = await repo.save(f, source, at(2));
      expect(again.revision).toBe(1);
      expect((await repo.get(ns, 'hello'))?.revision).toBe(1);
    });

    it('makes a new revision when the source changes and keeps the old ones', async () => {
      const v1 = flow(ns, 'hello', 'one');
      const v2 = flow(ns, 'hello', 'two');
      await repo.save(v1.flow, v1.source, at(1));
      const second = await repo.save(v2.flow, v2.source, at(2));
      expect(second.revision).toBe(2);
      expect((await repo.get(ns, 'hello'))).toMatchObject({ revision: 2, source: v2.source });
      expect((await repo.get(ns, 'hello', 1))).toMatchObject({ revision: 1, source: v1.source });
      expect((await repo.get(ns, 'hello', 2))?.source).toBe(v2.source);
      expect(await repo.get(ns, 'hello', 3)).toBeNull();
    });

    it('returns null for a flow that does not exist', async () => {
      expect(await repo.get(ns, 'nope')).toBeNull();
    });

    it('lists the latest revision of each flow of a namespace', async () => {
      const a1 = flow(ns, 'a', 'one');
      const a2 = flow(ns, 'a', 'two');
      const b = flow(ns, 'b');
      const other = flow(`${ns}x`, 'c');
      await repo.save(a1.flow, a1.source, at(1));
      await repo.save(a2.flow, a2.source, at(2));
      await repo.save(b.flow, b.source, at(3));
      await repo.save(other.flow, other.source, at(4));
      const listed = await repo.list({ namespace: ns });
      expect(listed.map((s) => [s.flow.id, s.revision]).sort()).toEqual([['a', 2], ['b', 1]]);
    });

    it('deletes a flow with its revisions, and says when there was nothing to delete', async () => {
      const v1 = flow(ns, 'gone', 'one');
      const v2 = flow(ns, 'gone', 'two');
      await repo.save(v1.flow, v1.source, at(1));
      await repo.save(v2.flow, v2.source, at(2));
      expect(await repo.delete(ns, 'gone')).toBe(true);
      expect(await repo.get(ns, 'gone')).toBeNull();
      expect(await repo.get(ns, 'gone', 1)).toBeNull();
      expect(await repo.list({ namespace: ns })).toEqual([]);
      expect(await repo.delete(ns, 'gone')).toBe(false);
    });
  });
}
