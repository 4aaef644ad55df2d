import { InProcessTaskQueue } from '../../lib/adapters/local';
import { taskQueueContract } from './suites/task-queue';

taskQueueContract('in process', async () => {
  const queue = new InProcessTaskQueue({ backoff: { minMs: 10, maxMs: 50 } });
  return {
    queue,
    publishRaw: (group, data) => queue.publishRaw(group, data),
    deadLetters: async () => queue.deadLetters(),
    cleanup: async () => undefined,
  };
});

taskQueueContract('in process, every task delivered twice', async () => {
  const queue = new InProcessTaskQueue({ duplicateDeliveries: true, concurrency: 2, backoff: { minMs: 10, maxMs: 50 } });
  return {
    queue,
    publishRaw: (group, data) => queue.publishRaw(group, data),
    deadLetters: async () => queue.deadLetters(),
    cleanup: async () => undefined,
  };
});
