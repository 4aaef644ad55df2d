import { invocationDeadline } from '../../../lib/runtime/cloud/worker';
import { testCatalog } from '../../helpers/cloud-test-tasks';
import { harness, inboxEvent, pushEvent, TestClock } from './helpers';

class WallClock extends TestClock {
  override now(): Date { return new Date(); }
}

const RETURN = `
id: one
namespace: unit.cloud
tasks:
  - id: a
    type: io.kestra.core.tasks.debugs.Return
    format: "A"
`;

async function dispatched(h: Awaited<ReturnType<typeof harness>>) {
  const execution = await h.start(await h.deploy(RETURN));
  await h.rt.executor(inboxEvent(execution.id, 'created'));
  const [task] = h.adapters.queue.take();
  return { execution, task };
}

describe('the cloud worker handler', () => {
  it('claims the attempt, runs it and appends its result', async () => {
    const h = await harness();
    const { execution, task } = await dispatched(h);
    expect(await h.rt.worker('core', pushEvent(task))).toBe('ran');
    await h.rt.executor(inboxEvent(execution.id, 'result'));
    const after = (await h.adapters.store.get(execution.id))!;
    expect(after.state.current).toBe('SUCCESS');
    expect(await h.adapters.ledger.stale(new Date(h.clock.ms + 3600_000), 10)).toEqual([]);
  });

  it('acknowledges a second delivery of a claimed attempt without running it again', async () => {
    const h = await harness();
    const { execution, task } = await dispatched(h);
    await h.rt.worker('core', pushEvent(task));
    await h.rt.worker('core', pushEvent(task));
    await h.rt.executor(inboxEvent(execution.id, 'result'));
    const run = (await h.adapters.store.get(execution.id))!.taskRunList[0];
    expect(run.attempts).toHaveLength(1);
    expect(run.state.current).toBe('SUCCESS');
  });

  it('acknowledges a task killed while queued without running it: the kill refused its claim', async () => {
    const h = await harness();
    const { execution, task } = await dispatched(h);
    const { cloudActions } = await import('../../../lib/wiring/cloud-api-service');
    await cloudActions({ store: h.adapters.store, flows: h.rt.deps.flows, blobs: h.adapters.blobs, clock: h.clock, ids: { next: () => 'kill1' } }).kill(execution.id);
    await h.rt.executor(inboxEvent(execution.id, 'kill'));
    expect((await h.adapters.store.get(execution.id))!.state.current).toBe('KILLED');
    expect(await h.rt.worker('core', pushEvent(task))).toBe('ran');
    // Nothing ran: no result was appended, and the attempt stays refused.
    expect(await h.adapters.store.hasPending(execution.id)).toBe(false);
    expect(await h.adapters.ledger.claim({ executionId: task.executionId, taskRunId: task.taskRunId, attempt: task.attempt }, 'w', h.clock.now())).toBe(false);
  });

  it('dead-letters a message that is not a worker task, with its reason', async () => {
    const h = await harness();
    expect(await h.rt.worker('core', pushEvent('{"executionId": 1}', { origin: 'test' }))).toBe('dead-lettered');
    expect(h.adapters.deadLetters).toEqual([{ group: 'core', reason: expect.stringContaining('not a worker task'), data: '{"executionId": 1}', attributes: { origin: 'test' } }]);
    expect(h.log.lines).toEqual([expect.objectContaining({ severity: 'ERROR', component: 'worker', error: expect.objectContaining({ code: 'MESSAGE_INVALID' }) })]);
  });

  it('dead-letters a task that arrived on the topic of another group', async () => {
    const h = await harness();
    const { task } = await dispatched(h);
    expect(await h.rt.worker('jdbc', pushEvent(task))).toBe('dead-lettered');
    expect(h.adapters.deadLetters[0].reason).toBe('a task of group core (io.kestra.core.tasks.debugs.Return) arrived on the topic of group jdbc');
  });

  it('lets a resumable task outlive a short function deadline over several invocations', async () => {
    const h = await harness({ catalog: testCatalog(), clock: new WallClock(), env: { ALOFT_FUNCTION_TIMEOUT_MS: '300', ALOFT_DEADLINE_MARGIN_MS: '150' } });
    const flow = await h.deploy(`
id: long
namespace: unit.cloud
tasks:
  - id: job
    type: io.aloft.test.Resumable
    slices: 12
    sliceMs: 20
`);
    const execution = await h.start(flow);
    await h.rt.executor(inboxEvent(execution.id, 'created'));
    let invocations = 0;
    for (let task = h.adapters.queue.take()[0]; task; task = h.adapters.queue.take()[0]) {
      invocations++;
      await h.rt.worker('core', pushEvent(task));
    }
    await h.rt.executor(inboxEvent(execution.id, 'result'));
    const run = (await h.adapters.store.get(execution.id))!.taskRunList[0];
    expect(run.state.current).toBe('SUCCESS');
    expect(run.attempts).toHaveLength(1);
    expect(invocations).toBeGreaterThan(1);
    expect(run.outputs).toEqual({ slices: 12, invocations });
  });

  it('gives an invocation its limit minus the margin, and never less than half of it', () => {
    const t0 = new Date('2024-01-01T00:00:00.000Z');
    expect(invocationDeadline(t0, 540_000, 30_000).toISOString()).toBe('2024-01-01T00:08:30.000Z');
    expect(invocationDeadline(t0, 1_000, 900).toISOString()).toBe('2024-01-01T00:00:00.500Z');
  });
});
