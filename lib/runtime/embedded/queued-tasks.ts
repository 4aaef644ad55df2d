// The worker tasks of a persistent embedded runtime that wait in its in-process queue. The queue does
// not survive a crash, so each one's outbox entry stays unacknowledged until a worker takes the task
// (claims it, or the claim refuses it); meanwhile the recovery sweep leaves the entry alone.
import type { WorkerTask } from '../../model/worker-messages';
import type { OutboxEntry } from '../../ports';

export class QueuedTasks {
  private readonly entries = new WeakMap<WorkerTask, OutboxEntry>();
  /** The outbox ids of the tasks in the queue (recovery-views.ts unqueuedOutbox). */
  readonly ids = new Set<string>();

  add(entry: OutboxEntry, task: WorkerTask): void {
    this.entries.set(task, entry);
    this.ids.add(entry.id);
  }

  /** Not queued after all (its publish failed): the sweep carries it out again. */
  remove(entry: OutboxEntry, task: WorkerTask): void {
    this.entries.delete(task);
    this.ids.delete(entry.id);
  }

  /** The entry of a task a worker took, no longer queued; undefined for a task not tracked here. */
  take(task: WorkerTask): OutboxEntry | undefined {
    const entry = this.entries.get(task);
    if (entry) this.remove(entry, task);
    return entry;
  }
}
