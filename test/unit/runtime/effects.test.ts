// The effects that reach other executions, carried out against the in-memory store: idempotent under
// the at-least-once delivery both runtimes have.
import { newExecution } from '../../../lib/engine';
import { MemoryStateStore } from '../../../lib/adapters/local/state-store';
import type { Flow } from '../../../lib/model/flow';
import type { PendingEvent } from '../../../lib/ports/state-store';
import { applyEffect, type EffectDeps } from '../../../lib/runtime/core/effects';

const NOW = new Date('2024-05-01T00:00:00.000Z');
const flowOf = (id: string): Flow => ({ id, namespace: 'ns', revision: 1, tasks: [{ id: 't', type: 'io.kestra.plugin.core.debug.Return' }] });

function deps(store: MemoryStateStore): EffectDeps {
  let n = 0;
  const unused = (): never => { throw new Error('not used by these effects'); };
  return {
    store, clock: { now: () => NOW }, ids: { next: () => `id${++n}` }, wake: () => undefined,
    flows: { get: async (_ns, id) => flowOf(id) },
    queue: { publish: unused } as unknown as EffectDeps['queue'],
    blobs: {} as EffectDeps['blobs'], wakeUps: {} as EffectDeps['wakeUps'], attempts: { stop: unused },
  };
}

async function create(store: MemoryStateStore, id: string, flowId = 'parent'): Promise<void> {
  await store.create(newExecution({ id, flow: flowOf(flowId), inputs: {}, now: NOW }), { key: 'created', event: { type: 'ExecutionCreated' }, at: NOW.toISOString() });
}

/** The events waiting for an execution, consumed. */
function inbox(store: MemoryStateStore, id: string): PendingEvent['event'][] {
  let events: PendingEvent['event'][] = [];
  store.transactNow(id, (e, pending) => { events = pending.map((p) => p.event); return { execution: e, effects: [] }; }, NOW);
  return events.filter((e) => e.type !== 'ExecutionCreated');
}

describe('effects on other executions', () => {
  it('starts a subflow once when the same StartSubflow is carried out twice at once', async () => {
    const store = new MemoryStateStore();
    await create(store, 'p');
    const effect = {
      type: 'StartSubflow' as const, parentExecutionId: 'p', parentTaskRunId: 'r1', namespace: 'ns', flowId: 'child', inputs: {}, wait: true,
      childExecutionId: 'c1', chain: ['ns.parent'],
    };
    await Promise.all([applyEffect(deps(store), effect), applyEffect(deps(store), effect)]);
    expect(await store.get('c1')).toMatchObject({ flowId: 'child' });
    expect(inbox(store, 'p')).toEqual([{ type: 'SubflowStarted', taskRunId: 'r1', childExecutionId: 'c1' }]);
  });

  it('starts a ForEachItem batch with its iteration, scheduleDate and outputs file, and writes its flow outputs there before telling the parent', async () => {
    const store = new MemoryStateStore();
    await create(store, 'p');
    const files = new Map<string, string>();
    const d = { ...deps(store), blobs: { put: async (uri: string, data: unknown) => { files.set(uri, String(data)); return { uri, size: 0 }; } } as unknown as EffectDeps['blobs'] };
    const outputsUri = 'kestra:///ns/parent/executions/p/tasks/each/r0/subflow-outputs/2/outputs.jsonl';
    await applyEffect(d, {
      type: 'StartSubflow', parentExecutionId: 'p', parentTaskRunId: 'r1', namespace: 'ns', flowId: 'child', inputs: {}, wait: true,
      childExecutionId: 'b-2', chain: ['ns.parent'], iteration: 2, outputsUri, scheduleDate: '2030-01-01T00:00:00.000Z',
    });
    const child = await store.get('b-2');
    expect(child?.scheduleDate).toBe('2030-01-01T00:00:00.000Z');
    expect(child?.trigger?.variables).toMatchObject({ executionId: 'p', taskRunId: 'r1', taskRunIteration: 2 });
    expect(child?.parent?.outputsUri).toBe(outputsUri);
    await applyEffect(d, {
      type: 'ExecutionEnded', executionId: 'b-2', namespace: 'ns', flowId: 'child', flowRevision: 1, state: 'SUCCESS',
      parentExecutionId: 'p', parentTaskRunId: 'r1', outputs: { n: 1 }, outputsUri,
    });
    expect(files.get(outputsUri)).toBe('{"n":1}\n');
    expect(inbox(store, 'p').map((e) => e.type)).toEqual(['SubflowStarted', 'SubflowEnded']);
  });

  it('gives a released slot on past an execution that no longer exists, to the next one waiting', async () => {
    const store = new MemoryStateStore();
    await create(store, 'e3', 'limited');
    const slot = { namespace: 'ns', flowId: 'limited', limit: 1, queue: true };
    for (const n of [1, 2, 3]) await store.claimSlot({ ...slot, executionId: `e${n}`, claimId: `c${n}` });
    await applyEffect(deps(store), { type: 'ReleaseConcurrencySlot', executionId: 'e1', namespace: 'ns', flowId: 'limited', claimId: 'c1' });
    expect(await store.flowSlots('ns', 'limited')).toEqual({ running: [{ executionId: 'e3', claimId: 'c3' }], queued: [] });
    expect(inbox(store, 'e3')).toEqual([{ type: 'ConcurrencySlot', claimId: 'c3', outcome: 'RUNNING' }]);
  });
});
