// The API service's flow dependencies over a shared flow repository and dependency store: two services
// stand for two instances of the cloud `api` function, which share only the store.
import { MemoryFlowDependencyStore, MemoryFlowRepository, MemoryLogStore, MemoryStateStore, RandomIds, SystemClock } from '../../../lib/adapters/local';
import type { AloftError } from '../../../lib/model/errors';
import { FlowHasDependentsError } from '../../../lib/api/dependencies';
import { createApiService, type ApiServiceDeps } from '../../../lib/api/port-service';
import { checkSyntax, referencedPaths } from '../../../lib/expr';
import { catalog } from '../../../lib/plugins/catalog';
import { exprRenderer } from '../../../lib/triggers/expr-renderer';
import { startExecution, type StartDeps } from '../../../lib/runtime/core/start-execution';
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

describe('the API service\'s execution start', () => {
  const guarded = (behavior: string) => `id: guarded\nnamespace: n\ninputs:\n  - id: ok\n    type: BOOLEAN\nchecks:\n  - condition: "{{ inputs.ok }}"\n    message: ok must be true\n    behavior: ${behavior}\ntasks:\n  - id: r\n    type: io.kestra.core.tasks.debugs.Return\n    format: x\n`;

  function started() {
    const clock = new SystemClock();
    const ids = new RandomIds();
    const store = new MemoryStateStore();
    const start: ApiServiceDeps['start'] = (req) => startExecution({ store, blobs: { put: unused } as unknown as StartDeps['blobs'], clock, ids, wake: () => undefined }, req);
    const deps: ApiServiceDeps = {
      flows: new MemoryFlowRepository(), dependencies: new MemoryFlowDependencyStore(), executions: store, logs: new MemoryLogStore(), blobs: { get: unused, put: unused } as unknown as ApiServiceDeps['blobs'],
      clock, ids, catalog: cat, renderer: exprRenderer(clock),
      parse: (source) => parseFlowWithTriggers(source, { catalog: cat, expressions: { referencedPaths, checkSyntax } }),
      start, kill: unused, restart: unused, resume: unused, replay: unused,
    };
    return { api: createApiService(deps), store, start };
  }

  it('applies the flow\'s checks, as Kestra\'s execution controller does: a blocking one that fails creates nothing', async () => {
    const { api, store } = started();
    await api.flows.save(guarded('BLOCK_EXECUTION'));
    const refused = await api.executions.start('n', 'guarded', { inputs: { ok: false }, files: {}, labels: {} }).then(() => undefined, (err: AloftError) => err.toJSON());
    expect(refused).toEqual({
      code: 'CHECK_FAILED', flow: 'n.guarded',
      message: 'Flow execution blocked: one or more condition checks evaluated to false.\nFailed checks: ok must be true',
    });
    expect(await store.count({})).toBe(0);
    expect((await api.executions.start('n', 'guarded', { inputs: { ok: true }, files: {}, labels: {} })).state.current).toBe('CREATED');
  });

  it('creates the execution with the checks\' error when their behavior is FAIL_EXECUTION', async () => {
    const { api } = started();
    await api.flows.save(guarded('FAIL_EXECUTION'));
    const e = await api.executions.start('n', 'guarded', { inputs: { ok: false }, files: {}, labels: {} });
    expect(e.error).toMatchObject({ code: 'CHECK_FAILED', message: expect.stringContaining('Failed checks: ok must be true') });
  });

  it('leaves the checks out for a start that is not a person\'s (a trigger, a subflow)', async () => {
    const { api, start } = started();
    const { flow } = await api.flows.save(guarded('BLOCK_EXECUTION'));
    const e = await start({ flow, inputs: { ok: false }, trigger: { id: 'schedule', type: 'io.kestra.plugin.core.trigger.Schedule', variables: {} } });
    expect(e.state.current).toBe('CREATED');
    expect(e.error).toBeUndefined();
  });
});
