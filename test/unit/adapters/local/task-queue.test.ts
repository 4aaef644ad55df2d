import { InProcessTaskQueue } from '../../../../lib/adapters/local';
import type { WorkerTask } from '../../../../lib/model/worker-messages';

const task = (n: number, group = 'core'): WorkerTask => ({
  executionId: 'e', taskRunId: `r${n}`, attempt: 0, taskId: 't', type: 'x', group, task: {}, variables: {},
});

describe('InProcessTaskQueue', () => {
  it('delivers asynchronously: publish returns before any handler runs', async () => {
    const q = new InProcessTaskQueue();
    const seen: string[] = [];
    await q.subscribe('core', async (t) => { seen.push(t.taskRunId); });
    await q.publish(task(1));
    expect(seen).toEqual([]);
    await q.idle();
    expect(seen).toEqual(['r1']);
  });

  it('delivers in publish order when one handler runs at a time', async () => {
    const q = new InProcessTaskQueue({ concurrency: 1 });
    const seen: string[] = [];
    await q.subscribe('core', async (t) => { seen.push(t.taskRunId); });
    for (let i = 0; i < 50; i++) await q.publish(task(i));
    await q.idle();
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
  });

  it('never runs more handlers of a group at once than its concurrency', async () => {
    const q = new InProcessTaskQueue({ concurrency: { core: 3 } });
    let running = 0;
    let peak = 0;
    await q.subscribe('core', async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running--;
    });
    for (let i = 0; i < 30; i++) await q.publish(task(i));
    await q.idle();
    expect(peak).toBe(3);
  });

  it('delivers every task twice when asked to', async () => {
    const q = new InProcessTaskQueue({ duplicateDeliveries: true });
    const seen: string[] = [];
    await q.subscribe('core', async (t) => { seen.push(t.taskRunId); });
    await q.publish(task(1));
    await q.publish(task(2));
    await q.idle();
    expect(seen.sort()).toEqual(['r1', 'r1', 'r2', 'r2']);
  });

  it('keeps tasks published before anyone subscribed', async () => {
    const q = new InProcessTaskQueue();
    await q.publish(task(1, 'scripts'));
    const seen: string[] = [];
    await q.subscribe('scripts', async (t) => { seen.push(t.taskRunId); });
    await q.idle();
    expect(seen).toEqual(['r1']);
  });

  it('dead-letters a task whose handler keeps failing, after the maximum number of deliveries', async () => {
    const q = new InProcessTaskQueue({ maxDeliveries: 3, backoff: { minMs: 1, maxMs: 5 } });
    let calls = 0;
    await q.subscribe('core', async () => {
      calls++;
      throw new Error('database unreachable');
    });
    await q.publish(task(7));
    await q.idle();
    expect(calls).toBe(3);
    const [dead] = q.deadLetters();
    expect(dead.group).toBe('core');
    expect(dead.reason).toBe('handler failed 3 times: database unreachable');
    expect(JSON.parse(dead.data)).toMatchObject({ taskRunId: 'r7' });
  });

  it('treats a handler that throws synchronously like one that rejects', async () => {
    const q = new InProcessTaskQueue({ backoff: { minMs: 1, maxMs: 1 } });
    let calls = 0;
    await q.subscribe('core', ((t: WorkerTask) => {
      calls++;
      if (calls === 1) throw new Error(`sync failure on ${t.taskRunId}`);
      return Promise.resolve();
    }) as (t: WorkerTask) => Promise<void>);
    await q.publish(task(1));
    await q.idle();
    expect(calls).toBe(2);
  });

  it('lists dead letters of one group', async () => {
    const q = new InProcessTaskQueue();
    await q.subscribe('core', async () => undefined);
    await q.subscribe('jdbc', async () => undefined);
    await q.publishRaw('core', '{');
    await q.publishRaw('jdbc', '[]');
    await q.idle();
    expect(q.deadLetters('jdbc').map((d) => d.data)).toEqual(['[]']);
    expect(q.deadLetters()).toHaveLength(2);
  });

  it('waits for running handlers when a subscription closes', async () => {
    const q = new InProcessTaskQueue();
    let finished = false;
    const sub = await q.subscribe('core', async () => {
      await new Promise((r) => setTimeout(r, 30));
      finished = true;
    });
    await q.publish(task(1));
    await new Promise((r) => setImmediate(r));
    await sub.close();
    expect(finished).toBe(true);
  });

  it('settles handlers that finish synchronously and delivers the rest of the backlog', async () => {
    const q = new InProcessTaskQueue({ concurrency: 2 });
    const seen: string[] = [];
    await q.subscribe('core', (t) => { seen.push(t.taskRunId); });
    for (let i = 0; i < 5; i++) q.publishNow(task(i));
    await q.idle();
    expect(seen).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('lets other work run between slices of a backlog', async () => {
    const q = new InProcessTaskQueue({ deliveriesPerTurn: 2 });
    const seen: string[] = [];
    await q.subscribe('core', (t) => { seen.push(t.taskRunId); });
    for (let i = 0; i < 5; i++) q.publishNow(task(i));
    // Queued after the queue's first turn: it runs once two deliveries were made.
    setImmediate(() => seen.push('other'));
    await q.idle();
    expect(seen).toEqual(['r0', 'r1', 'other', 'r2', 'r3', 'r4']);
  });
});

