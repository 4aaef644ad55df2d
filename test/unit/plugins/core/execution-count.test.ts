import { MemoryStateStore } from '../../../../lib/adapters/local/state-store';
import { newExecution } from '../../../../lib/engine';
import type { Flow } from '../../../../lib/model/flow';
import { newStateRecord, type State } from '../../../../lib/model/states';
import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };
const COUNT = 'io.kestra.plugin.core.execution.Count';
const flowOf = (namespace: string, id: string): Flow => ({ id, namespace, revision: 1, tasks: [{ id: 't', type: 'io.kestra.plugin.core.debug.Return' }] });

describe('execution.Count', () => {
  let w: Awaited<ReturnType<typeof fakeWorker>>;
  let n = 0;
  const store = new MemoryStateStore();

  async function add(namespace: string, flowId: string, state: State, start: string): Promise<void> {
    const e = { ...newExecution({ id: `e${++n}`, flow: flowOf(namespace, flowId), inputs: {}, now: new Date(start) }), state: newStateRecord(state, new Date(start)) };
    await store.create(e, { key: 'created', event: { type: 'ExecutionCreated' }, at: start });
  }

  beforeAll(async () => {
    await add('company.team', 'logs', 'SUCCESS', '2024-03-14T09:00:00.000Z');
    await add('company.team', 'logs', 'FAILED', '2024-03-14T09:30:00.000Z');
    await add('company.team', 'etl', 'SUCCESS', '2024-03-14T09:10:00.000Z');
    await add('company.team', 'logs', 'SUCCESS', '2024-03-10T00:00:00.000Z');
    await add('company.other', 'report', 'SUCCESS', '2024-03-14T09:20:00.000Z');
  });
  beforeEach(async () => {
    w = await fakeWorker({ executions: store });
  });
  afterEach(() => w.cleanup());

  async function run(task: Record<string, unknown>) {
    const out = await runAttempt(w.task(COUNT, { id: 'counts', ...task }), w.deps, opts);
    if (out.kind !== 'result') throw new Error('expected a result');
    return out.result;
  }

  it('counts each listed flow in the date range, an empty one as 0, keeping the rows whose expression is true', async () => {
    const r = await run({
      flows: [{ namespace: 'company.team', flowId: 'logs' }, { namespace: 'company.team', flowId: 'nothing' }],
      startDate: '2024-03-14T00:00:00Z', endDate: '2024-03-15T00:00:00Z', expression: '{{ count >= 0 }}',
    });
    expect(r.state).toBe('SUCCESS');
    expect(r.outputs).toEqual({
      results: [{ namespace: 'company.team', flowId: 'logs', count: 2 }, { namespace: 'company.team', flowId: 'nothing', count: 0 }],
      total: 2,
    });
  });

  it('keeps only the rows for which the expression renders "true" (Kestra\'s example: flows with no execution)', async () => {
    const r = await run({
      flows: [{ namespace: 'company.team', flowId: 'logs' }, { namespace: 'company.team', flowId: 'nothing' }],
      startDate: '2024-03-14T00:00:00Z', endDate: '2024-03-15T00:00:00Z', expression: '{{ count == 0 }}',
    });
    expect(r.outputs).toEqual({ results: [{ namespace: 'company.team', flowId: 'nothing', count: 0 }], total: 0 });
  });

  it('filters on states, and counts a namespace as one row with no flowId', async () => {
    const r = await run({
      namespaces: ['company.team', 'company.empty'], states: ['SUCCESS'],
      startDate: '2024-03-14T00:00:00Z', endDate: '2024-03-15T00:00:00Z', expression: '{{ count > 0 }}',
    });
    // company.empty has no execution: Kestra's grouped query has no row for it.
    expect(r.outputs).toEqual({ results: [{ namespace: 'company.team', flowId: null, count: 2 }], total: 2 });
  });

  it('ends the range now when endDate is absent', async () => {
    const r = await run({ flows: [{ namespace: 'company.other', flowId: 'report' }], startDate: '2024-03-14T09:15:00+00:00', expression: '{{ true }}' });
    expect(r.outputs).toEqual({ results: [{ namespace: 'company.other', flowId: 'report', count: 1 }], total: 1 });
  });

  it('fails naming flows when neither flows nor namespaces is given, and startDate when it is not a date', async () => {
    const none = await run({ startDate: '2024-03-14T00:00:00Z', expression: '{{ true }}' });
    expect(none.state).toBe('FAILED');
    expect(none.error).toMatchObject({ task: 'counts', property: 'flows', message: 'You must provide a list of flows or namespaces.' });
    const bad = await run({ namespaces: ['company.team'], startDate: 'yesterday', expression: '{{ true }}' });
    expect(bad.error).toMatchObject({ task: 'counts', property: 'startDate', message: expect.stringContaining("'yesterday'") });
  });

  it('refuses a state that is not one of Kestra\'s, naming states', async () => {
    const r = await run({ namespaces: ['company.team'], states: ['DONE'], startDate: '2024-03-14T00:00:00Z', expression: '{{ true }}' });
    expect(r.state).toBe('FAILED');
    expect(r.error).toMatchObject({ task: 'counts', property: expect.stringContaining('states') });
  });

  it('fails with NOT_SUPPORTED where the runtime gives no executions to count', async () => {
    const bare = await fakeWorker();
    try {
      const out = await runAttempt(bare.task(COUNT, { id: 'counts', namespaces: ['x'], startDate: '2024-03-14T00:00:00Z', expression: '{{ true }}' }), bare.deps, opts);
      expect(out.kind === 'result' && out.result.error).toMatchObject({ code: 'NOT_SUPPORTED' });
    } finally {
      await bare.cleanup();
    }
  });
});
