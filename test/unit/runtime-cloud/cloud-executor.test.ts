import { AloftError, ErrorCode } from '../../../lib/model/errors';
import { harness, inboxEvent, pushEvent } from './helpers';

const FLOW = `
id: two
namespace: unit.cloud
tasks:
  - id: a
    type: io.kestra.core.tasks.debugs.Return
    format: "A"
  - id: b
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ outputs.a.value }}B"
`;

describe('the cloud executor handler', () => {
  it('runs a flow to the end when each inbox write wakes it and workers report back', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(FLOW));
    const done = await h.drive(execution.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList.find((r) => r.taskId === 'b')?.outputs).toEqual({ value: 'AB' });
    expect(h.log.lines.some((l) => l.severity === 'INFO' && l.message === `execution ${execution.id} RUNNING -> SUCCESS`
      && (l.labels as Record<string, string>).flowId === 'two')).toBe(true);
  });

  it('dispatches the first task and acknowledges the outbox in one invocation', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(FLOW));
    const out = await h.rt.executor(inboxEvent(execution.id, 'created'));
    expect(out).toMatchObject({ status: 'drained', executionId: execution.id, passes: 1 });
    expect(h.adapters.queue.published.map((t) => t.taskId)).toEqual(['a']);
    expect(await h.adapters.store.unpublished(new Date(h.clock.ms + 3600_000), 10)).toEqual([]);
  });

  it('ignores the update that marks an event consumed, and a deleted tombstone', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(FLOW));
    expect(await h.rt.executor(inboxEvent(execution.id, 'created', 'updated'))).toEqual({ status: 'ignored', executionId: execution.id });
    expect(await h.rt.executor(inboxEvent(execution.id, 'created', 'deleted'))).toEqual({ status: 'ignored', executionId: execution.id });
    expect(await h.adapters.store.hasPending(execution.id)).toBe(true);
  });

  it('leaves the event to the invocation that holds the lease', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(FLOW));
    const lease = await h.adapters.lease.acquire(execution.id, 'other', h.clock.now(), 60_000);
    expect(await h.rt.executor(inboxEvent(execution.id, 'created'))).toMatchObject({ status: 'busy', passes: 0 });
    expect(await h.adapters.store.hasPending(execution.id)).toBe(true);
    await h.adapters.lease.release(lease!);
    expect(await h.rt.executor(inboxEvent(execution.id, 'created'))).toMatchObject({ status: 'drained', passes: 1 });
  });

  it('folds a worker result marked alone by itself, without the execution lease', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(FLOW));
    await h.rt.executor(inboxEvent(execution.id, 'created'));
    const [a] = h.adapters.queue.take();
    expect(a).toMatchObject({ taskId: 'a', alone: true });
    await h.rt.worker('core', pushEvent(a));
    const key = `result:${a.taskRunId}:0`;
    // Another invocation holds the lease: the lease protocol would leave the event to it.
    await h.adapters.lease.acquire(execution.id, 'other', h.clock.now(), 60_000);
    expect(await h.rt.executor(inboxEvent(execution.id, key, 'created', '', { alone: true }))).toMatchObject({ status: 'drained', passes: 1 });
    expect(h.adapters.queue.published.map((t) => t.taskId)).toEqual(['b']);
    expect(await h.adapters.store.hasPending(execution.id)).toBe(false);
  });

  it('folds a result marked alone after a kill appended before it, in order, through the lease', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(FLOW));
    await h.rt.executor(inboxEvent(execution.id, 'created'));
    const [a] = h.adapters.queue.take();
    const { cloudActions } = await import('../../../lib/wiring/cloud-api-service');
    await cloudActions({ store: h.adapters.store, flows: h.rt.deps.flows, blobs: h.adapters.blobs, clock: h.clock, ids: h.rt.deps.ids }).kill(execution.id);
    await h.rt.worker('core', pushEvent(a));
    const out = await h.rt.executor(inboxEvent(execution.id, `result:${a.taskRunId}:0`, 'created', '', { alone: true }));
    expect(out).toMatchObject({ status: 'drained', passes: 1, conflicts: 1 });
    expect(h.adapters.queue.take()).toEqual([]);
    expect((await h.adapters.store.get(execution.id))?.state.current).toBe('KILLED');
  });

  it('does nothing for a duplicate of an event already folded alone', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(FLOW));
    await h.rt.executor(inboxEvent(execution.id, 'created'));
    const [a] = h.adapters.queue.take();
    await h.rt.worker('core', pushEvent(a));
    const event = inboxEvent(execution.id, `result:${a.taskRunId}:0`, 'created', '', { alone: true });
    await h.rt.executor(event);
    const after = await h.adapters.store.get(execution.id);
    expect(await h.rt.executor(event)).toMatchObject({ status: 'drained', passes: 0 });
    expect((await h.adapters.store.get(execution.id))?.version).toBe(after?.version);
    expect(h.adapters.queue.published.map((t) => t.taskId)).toEqual(['b']);
  });

  it('changes nothing for a duplicate event or a stale worker result', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(FLOW));
    const done = await h.drive(execution.id);
    expect(await h.rt.executor(inboxEvent(execution.id, 'created'))).toMatchObject({ status: 'drained', passes: 0 });
    const a = done.taskRunList.find((r) => r.taskId === 'a')!;
    await h.adapters.store.append(execution.id, {
      key: 'late', at: h.clock.now().toISOString(),
      event: { type: 'WorkerResult', result: { executionId: execution.id, taskRunId: a.id, attempt: 3, state: 'FAILED', startedAt: '', endedAt: '' } },
    });
    await h.rt.executor(inboxEvent(execution.id, 'late'));
    const after = (await h.adapters.store.get(execution.id))!;
    expect(after.state).toEqual(done.state);
    expect(after.taskRunList).toEqual(done.taskRunList);
    expect(h.adapters.queue.published).toEqual([]);
  });

  it('refuses an event about another document with a structured error, dead-letters it with its reason and acknowledges it', async () => {
    const h = await harness();
    const event = { ...(inboxEvent('e1', 'k') as object), subject: 'documents/flows/x', data: Buffer.from('') };
    expect(await h.rt.executor(event)).toEqual({ status: 'invalid' });
    expect(h.log.lines).toEqual([expect.objectContaining({ severity: 'ERROR', component: 'executor', message: expect.stringContaining('dead-lettered') })]);
    expect(h.adapters.deadLetters).toEqual([expect.objectContaining({ group: 'executor', reason: expect.stringContaining('not an inbox document') })]);
    expect(JSON.parse(h.adapters.deadLetters[0].data)).toMatchObject({ subject: 'documents/flows/x' });
  });

  it('throws when the dead letter cannot be published, so that the refused event is delivered again', async () => {
    const h = await harness();
    h.adapters.deadLetter = async () => { throw new AloftError(ErrorCode.INFRA_RETRYABLE, 'UNAVAILABLE: pubsub is down'); };
    const event = { ...(inboxEvent('e1', 'k') as object), subject: 'documents/flows/x', data: Buffer.from('') };
    await expect(h.rt.executor(event)).rejects.toMatchObject({ code: 'INFRA_RETRYABLE' });
  });

  it('throws retryable failures, so that the event is delivered again', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(FLOW));
    h.adapters.store.transact = async () => { throw new AloftError(ErrorCode.INFRA_RETRYABLE, 'UNAVAILABLE: firestore is down'); };
    await expect(h.rt.executor(inboxEvent(execution.id, 'created'))).rejects.toMatchObject({ code: 'INFRA_RETRYABLE' });
    expect(h.log.lines.at(-1)).toMatchObject({ severity: 'WARNING', labels: { executionId: execution.id } });
  });

  it('logs and acknowledges an execution that can never be folded (its flow is gone)', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(FLOW));
    await h.adapters.flowRepo.delete('unit.cloud', 'two');
    expect(await h.rt.executor(inboxEvent(execution.id, 'created'))).toEqual({ status: 'failed', executionId: execution.id });
    expect(h.log.lines.at(-1)).toMatchObject({ severity: 'ERROR', error: { code: 'NOT_FOUND' }, labels: { executionId: execution.id } });
  });
});
