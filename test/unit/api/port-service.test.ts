// The API service's flow dependencies over a shared flow repository and dependency store: two services
// stand for two instances of the cloud `api` function, which share only the store.
import { MemoryFlowDependencyStore, MemoryFlowRepository, MemoryLogStore, MemoryStateStore, RandomIds, SystemClock } from '../../../lib/adapters/local';
import { FlowHasDependentsError } from '../../../lib/api/dependencies';
import { createApiService, type ApiServiceDeps } from '../../../lib/api/port-service';
import { checkSyntax, referencedPaths } from '../../../lib/expr';
import { catalog } from '../../../lib/plugins/catalog';
import { exprRenderer } from '../../../lib/triggers/expr-renderer';
import { parseFlowWithTriggers } from '../../../lib/triggers/validate';

const cat = catalog();
const unused = (): never => { throw new Error('not used here'); };

function service(flows: MemoryFlowRepository, dependencies = new MemoryFlowDependencyStore()) {
  const clock = new SystemClock();
  const deps: ApiServiceDeps = {
    flows, executions: new MemoryStateStore(), logs: new MemoryLogStore(), blobs: { get: unused, put: unused } as unknown as ApiServiceDeps['blobs'],
    clock, ids: new RandomIds(), catalog: cat, renderer: exprRenderer(clock),
    parse: (source) => parseFlowWithTriggers(source, { catalog: cat, expressions: { referencedPaths, checkSyntax } }),
    start: unused, kill: unused, restart: unused, resume: unused, replay: unused,
    dependencies,
  };
  return createApiService(deps);
}

const child = 'id: child\nnamespace: n\ntasks:\n  - id: r\n    type: io.kestra.core.tasks.debugs.Return\n    format: x\n';
const parent = 'id: parent\nnamespace: n\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: n\n    flowId: child\n';

describe('the API service\'s flow dependencies', () => {
  it('sees the flows another instance saved, through the shared store', async () => {
    const repo = new MemoryFlowRepository();
    const refs = new MemoryFlowDependencyStore();
    const [a, b] = [service(repo, refs), service(repo, refs)];
    await a.flows.save(child);
    expect(await b.flows.dependents('n', 'child')).toEqual([]);
    await a.flows.save(parent);
    expect(await b.flows.dependents('n', 'child')).toEqual(['n.parent']);
    await expect(b.flows.delete('n', 'child', { force: false })).rejects.toEqual(expect.objectContaining({ code: 'CONFLICT', dependents: ['n.parent'] }));
    await expect(b.flows.delete('n', 'child', { force: false })).rejects.toBeInstanceOf(FlowHasDependentsError);
    await b.flows.delete('n', 'parent', { force: false });
    expect(await a.flows.dependents('n', 'child')).toEqual([]);
  });

  it('files a flow\'s references in the store as it saves the flow and forgets them as it deletes it', async () => {
    const refs = new MemoryFlowDependencyStore();
    const s = service(new MemoryFlowRepository(), refs);
    await s.flows.save(child);
    await s.flows.save(parent);
    expect((await refs.callersOf('n', 'child')).map((r) => r.uid)).toEqual(['n.parent']);
    await s.flows.delete('n', 'parent', { force: false });
    expect(await refs.get('n', 'parent')).toBeNull();
    expect(await refs.callersOf('n', 'child')).toEqual([]);
  });

  it('names a flow that does not exist', async () => {
    await expect(service(new MemoryFlowRepository()).flows.dependencies('n', 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'flow n.nope not found' });
  });
});
