// The TaskQueue contract: per-group delivery, at least once, dead letters for what does not parse.
// Handlers may see duplicates (at least once), so assertions count distinct task runs.
import type { WorkerTask } from '../../../lib/model/worker-messages';
import type { PluginGroup } from '../../../lib/model/catalog';
import type { DeadLetter, Subscription, TaskQueue } from '../../../lib/ports/task-queue';
import { settle, unique, waitFor } from './helpers';

export interface TaskQueueFixture {
  queue: TaskQueue;
  /** Publishes a raw message on a group's topic, as a foreign or broken publisher could. */
  publishRaw(group: PluginGroup, data: string): Promise<void>;
  /** Messages dead-lettered so far. */
  deadLetters(): Promise<DeadLetter[]>;
  cleanup(): Promise<void>;
}

export function workerTask(group: PluginGroup, over: Partial<WorkerTask> = {}): WorkerTask {
  return {
    executionId: unique('exec'), taskRunId: unique('run'), attempt: 0, taskId: 'ret', type: 'io.kestra.core.tasks.debugs.Return',
    group, task: { id: 'ret', type: 'io.kestra.core.tasks.debugs.Return', format: '{{ inputs.x }}' },
    variables: { inputs: { x: 'a' }, flow: { id: 'f', namespace: 'io.aloft.tests' } }, ...over,
  };
}

export function taskQueueContract(name: string, make: () => Promise<TaskQueueFixture>): void {
  describe(`TaskQueue contract: ${name}`, () => {
    let fx: TaskQueueFixture;
    const subs: Subscription[] = [];
    beforeEach(async () => {
      fx = await make();
    });
    afterEach(async () => {
      await Promise.all(subs.splice(0).map((s) => s.close()));
      await fx.cleanup();
    });
    const subscribe = async (group: PluginGroup, handler: (t: WorkerTask) => Promise<void>): Promise<void> => {
      subs.push(await fx.queue.subscribe(group, handler));
    };

    it('delivers a published task, intact, to its group only', async () => {
      const core: WorkerTask[] = [];
      const scripts: WorkerTask[] = [];
      await subscribe('core', async (t) => { core.push(t); });
      await subscribe('scripts', async (t) => { scripts.push(t); });
      const task = workerTask('core', { continuation: { handle: 'job-1' }, timeoutMs: 5000 });
      await fx.queue.publish(task);
      await waitFor(() => core.length > 0, 'the core delivery');
      expect(core[0]).toEqual(task);
      await settle();
      expect(scripts).toEqual([]);
    });

    it('delivers every published task at least once', async () => {
      const seen = new Set<string>();
      await subscribe('core', async (t) => { seen.add(t.taskRunId); });
      const tasks = Array.from({ length: 25 }, () => workerTask('core'));
      await Promise.all(tasks.map((t) => fx.queue.publish(t)));
      await waitFor(() => seen.size === tasks.length, 'every delivery');
      expect([...seen].sort()).toEqual(tasks.map((t) => t.taskRunId).sort());
    });

    it('redelivers a task whose handler threw', async () => {
      const attempts: string[] = [];
      let done = false;
      await subscribe('core', async (t) => {
        attempts.push(t.taskRunId);
        if (attempts.length === 1) throw new Error('worker crashed');
        done = true;
      });
      const task = workerTask('core');
      await fx.queue.publish(task);
      await waitFor(() => done, 'the redelivery');
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(new Set(attempts)).toEqual(new Set([task.taskRunId]));
    });

    it('dead-letters a message that is not JSON, with its reason, without calling the handler', async () => {
      const handled: WorkerTask[] = [];
      await subscribe('core', async (t) => { handled.push(t); });
      const raw = `not json ${unique()}`;
      await fx.publishRaw('core', raw);
      await waitFor(async () => (await fx.deadLetters()).some((d) => d.data === raw), 'the dead letter');
      const dead = (await fx.deadLetters()).find((d) => d.data === raw)!;
      expect(dead.group).toBe('core');
      expect(dead.reason).toMatch(/json/i);
      expect(handled).toEqual([]);
    });

    it('dead-letters a message that is not a worker task, naming what is wrong', async () => {
      const handled: WorkerTask[] = [];
      await subscribe('core', async (t) => { handled.push(t); });
      const raw = JSON.stringify({ ...workerTask('core'), attempt: 'first', marker: unique() });
      await fx.publishRaw('core', raw);
      await waitFor(async () => (await fx.deadLetters()).some((d) => d.data === raw), 'the dead letter');
      const dead = (await fx.deadLetters()).find((d) => d.data === raw)!;
      expect(dead.reason).toContain('attempt');
      // A valid task published after the broken one still gets through.
      const ok = workerTask('core');
      await fx.queue.publish(ok);
      await waitFor(() => handled.some((t) => t.taskRunId === ok.taskRunId), 'the valid delivery');
      expect(handled.every((t) => t.taskRunId === ok.taskRunId)).toBe(true);
    });

    it('stops delivering to a closed subscription', async () => {
      const seen: string[] = [];
      const sub = await fx.queue.subscribe('core', async (t) => { seen.push(t.taskRunId); });
      const first = workerTask('core');
      await fx.queue.publish(first);
      await waitFor(() => seen.includes(first.taskRunId), 'the first delivery');
      await sub.close();
      const second = workerTask('core');
      await fx.queue.publish(second);
      await settle();
      expect(seen).not.toContain(second.taskRunId);
    });
  });
}
