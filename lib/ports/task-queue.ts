// Worker tasks travel through one queue per plugin group. Delivery is at least once:
// a handler that throws gets the task again; a message that does not parse is dead-lettered.
import type { WorkerTask } from '../model/worker-messages';
import type { PluginGroup } from '../model/catalog';

export interface DeadLetter {
  group: string;
  reason: string;
  /** The raw message, as received. */
  data: string;
  attributes?: Record<string, string>;
}

export interface Subscription {
  close(): Promise<void>;
}

export interface TaskQueue {
  publish(task: WorkerTask): Promise<void>;
  /** Delivers tasks of one group to `handler`. Resolving acknowledges; throwing asks for redelivery. */
  subscribe(group: PluginGroup, handler: (task: WorkerTask) => Promise<void>): Promise<Subscription>;
}
