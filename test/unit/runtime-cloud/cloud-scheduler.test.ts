import { executorPass } from '../../../lib/runtime/core/pass';
import { lostResult } from '../../../lib/runtime/cloud/scheduler';
import { harness, inboxEvent } from './helpers';

const RETRIED = `
id: retried
namespace: unit.cloud
tasks:
  - id: work
    type: io.kestra.core.tasks.debugs.Return
    format: "done"
    retry:
      type: constant
      interval: PT1S
      maxAttempt: 3
`;

const PLAIN = `
id: plain
namespace: unit.cloud
tasks:
  - id: work
    type: io.kestra.core.tasks.debugs.Return
    format: "done"
`;

const MINUTE = 60_000;

describe('the cloud scheduler', () => {
  it('carries out outbox entries that their executor never published', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(PLAIN));
    // The executor committed and died before publishing.
    await executorPass(h.rt.deps.executor.exec, execution.id);
    expect(h.adapters.queue.published).toEqual([]);
    h.clock.advance(10 * MINUTE);
    const report = await h.rt.tick();
    expect(report).toMatchObject({ republished: 1, errors: [] });
    expect(h.adapters.queue.published.map((t) => t.taskId)).toEqual(['work']);
    expect(await h.adapters.store.unpublished(h.clock.now(), 10)).toEqual([]);
  });

  it('leaves recent outbox entries to their executor', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(PLAIN));
    await executorPass(h.rt.deps.executor.exec, execution.id);
    expect((await h.rt.tick()).republished).toBe(0);
  });

  it('fails a lost attempt with INFRA_RETRYABLE and the engine runs it again at once, without the retry policy\'s delay', async () => {
    const h = await harness({ env: { ALOFT_LOST_AFTER_MS: '120000', ALOFT_INLINE_WAKEUP_MS: '0' } });
    const execution = await h.start(await h.deploy(RETRIED));
    await h.rt.executor(inboxEvent(execution.id, 'created'));
    const [task] = h.adapters.queue.take();
    // A worker claimed the attempt, announced it and died.
    const key = { executionId: execution.id, taskRunId: task.taskRunId, attempt: 0 };
    await h.adapters.ledger.claim(key, 'dead-worker', h.clock.now());
    h.clock.advance(3 * MINUTE);
    // Suspected first, lost once a pass a full lost-after period later sees the same heartbeat.
    expect(await h.rt.tick()).toMatchObject({ lost: 0, suspected: 1 });
    h.clock.advance(2 * MINUTE);
    expect((await h.rt.tick()).lost).toBe(1);
    expect(await h.adapters.stops.requested(key)).toBe(true);
    await h.rt.executor(inboxEvent(execution.id, 'lost'));
    const run = (await h.adapters.store.get(execution.id))!.taskRunList[0];
    expect(run.attempts.map((a) => a.state.current)).toEqual(['FAILED', 'CREATED']);
    expect(run.error).toMatchObject({ code: 'INFRA_RETRYABLE', message: expect.stringContaining('was lost: its worker dead-worker sent no heartbeat') });
    expect(run.state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RETRYING', 'CREATED']);
    // As Kestra resends a dead worker's task: no wake-up, the second attempt is dispatched at once.
    expect(h.adapters.queue.take()).toEqual([expect.objectContaining({ taskRunId: task.taskRunId, attempt: 1 })]);
    expect((await h.rt.tick())).toMatchObject({ lost: 0, wakeUps: 0 });
  });

  it('runs a lost attempt of a task without a retry policy again, so that a killed worker never fails a task that would have succeeded', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(PLAIN));
    await h.rt.executor(inboxEvent(execution.id, 'created'));
    const [task] = h.adapters.queue.take();
    await h.adapters.ledger.claim({ executionId: execution.id, taskRunId: task.taskRunId, attempt: 0 }, 'w', h.clock.now());
    h.clock.advance(10 * MINUTE);
    await h.rt.tick();
    h.clock.advance(10 * MINUTE);
    expect((await h.rt.tick()).lost).toBe(1);
    await h.rt.executor(inboxEvent(execution.id, 'lost'));
    expect((await h.adapters.store.get(execution.id))!.state.current).toBe('RUNNING');
    expect(h.adapters.queue.take()).toEqual([expect.objectContaining({ taskRunId: task.taskRunId, attempt: 1 })]);
  });

  it('suspects an attempt whose heartbeat is old, and declares it lost only when a pass a full lost-after period later finds the same heartbeat', async () => {
    const h = await harness({ env: { ALOFT_LOST_AFTER_MS: '120000' } });
    const execution = await h.start(await h.deploy(PLAIN));
    await h.rt.executor(inboxEvent(execution.id, 'created'));
    const [task] = h.adapters.queue.take();
    const key = { executionId: execution.id, taskRunId: task.taskRunId, attempt: 0 };
    await h.adapters.ledger.claim(key, 'dead-worker', h.clock.now());
    h.clock.advance(2 * MINUTE + 1000);
    expect(await h.rt.tick()).toMatchObject({ lost: 0, suspected: 1 });
    expect(h.log.lines.filter((l) => String(l.message).includes(`attempt 1 of task run ${task.taskRunId} is suspected lost (worker dead-worker`))).toHaveLength(1);
    // Passes within the period keep waiting, and keep the time of the first look.
    h.clock.advance(MINUTE);
    expect(await h.rt.tick()).toMatchObject({ lost: 0, suspected: 1 });
    h.clock.advance(MINUTE);
    expect(await h.rt.tick()).toMatchObject({ lost: 1, suspected: 0 });
    expect(await h.adapters.stops.requested(key)).toBe(true);
  });

  it('never declares the attempt of a slow worker lost: a heartbeat landing late, after the suspicion, clears it', async () => {
    const h = await harness({ env: { ALOFT_LOST_AFTER_MS: '120000' } });
    const execution = await h.start(await h.deploy(PLAIN));
    await h.rt.executor(inboxEvent(execution.id, 'created'));
    const [task] = h.adapters.queue.take();
    const key = { executionId: execution.id, taskRunId: task.taskRunId, attempt: 0 };
    await h.adapters.ledger.claim(key, 'slow-worker', h.clock.now());
    // A loaded worker whose beats land late, but land: each pass finds a heartbeat older than the limit,
    // and a different one each time.
    for (let pass = 0; pass < 6; pass++) {
      h.clock.advance(3 * MINUTE);
      expect(await h.rt.tick()).toMatchObject({ lost: 0, suspected: 1 });
      await h.adapters.ledger.heartbeat(key, new Date(h.clock.ms - 2 * MINUTE - 30_000));
    }
    expect(await h.adapters.stops.requested(key)).toBe(false);
    expect(await h.adapters.store.hasPending(execution.id)).toBe(false);
  });

  it('refuses the late result of a worker declared lost', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(PLAIN));
    await h.rt.executor(inboxEvent(execution.id, 'created'));
    const [task] = h.adapters.queue.take();
    const claim = { executionId: execution.id, taskRunId: task.taskRunId, attempt: 0, workerId: 'w', claimedAt: '', heartbeat: '', state: 'RUNNING' as const };
    await h.adapters.store.append(execution.id, { key: `result:${task.taskRunId}:0`, at: '', event: { type: 'WorkerResult', result: lostResult(claim, h.clock.now()) } });
    const late = await h.adapters.store.append(execution.id, {
      key: `result:${task.taskRunId}:0`, at: '',
      event: { type: 'WorkerResult', result: { ...lostResult(claim, h.clock.now()), state: 'SUCCESS', error: undefined } },
    });
    expect(late).toBe(false);
  });

  it('folds executions whose pending events nobody folded', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(PLAIN));
    h.adapters.stranded.ids = [execution.id];
    expect((await h.rt.tick()).swept).toBe(1);
    expect(h.adapters.queue.published.map((t) => t.taskId)).toEqual(['work']);
  });

  it('reports Schedule triggers as not implemented without a trigger state store', async () => {
    const h = await harness();
    await h.deploy(`${PLAIN}triggers:\n  - id: every-minute\n    type: io.kestra.core.models.triggers.types.Schedule\n    cron: "* * * * *"\n`);
    expect((await h.rt.tick()).schedules).toEqual({ started: 0, status: 'not-implemented' });
    expect(h.log.lines.some((l) => l.severity === 'WARNING' && String(l.message).includes('NOT_IMPLEMENTED'))).toBe(true);
  });

  it('fires due Schedule triggers once per date with a trigger state store', async () => {
    const h = await harness({ triggerState: true });
    await h.deploy(`${PLAIN}triggers:\n  - id: every-minute\n    type: io.kestra.core.models.triggers.types.Schedule\n    cron: "* * * * *"\n`);
    await h.rt.tick();
    h.clock.advance(2 * MINUTE);
    const report = await h.rt.tick();
    expect(report.schedules).toEqual({ started: 2, status: 'fired' });
    expect((await h.rt.tick()).schedules).toEqual({ started: 0, status: 'fired' });
  });

  it('keeps going when one step fails, and says which', async () => {
    const h = await harness();
    h.adapters.ledger.stale = async () => { throw new Error('boom'); };
    const report = await h.rt.tick();
    expect(report.errors).toEqual([{ step: 'lost-attempts', code: 'INTERNAL', message: 'boom' }]);
  });
});
