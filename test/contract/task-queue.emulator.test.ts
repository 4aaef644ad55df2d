// The TaskQueue contract against Pub/Sub on the emulator (scripts/services/pubsub-emulator.sh).
// Dead letters are read back from the pull subscription the queue keeps on each dead-letter topic.
import type { Message } from '@google-cloud/pubsub';
import { PubSubTaskQueue, deadLetterTopicOf } from '../../lib/adapters/gcp/pubsub-task-queue';
import type { DeadLetter } from '../../lib/ports/task-queue';
import { join } from 'node:path';
import { FolderBlobStore } from '../../lib/adapters/local';
import { pubsubFor, uniquePrefix, uniqueProject } from '../integration/adapters-gcp/emulators';
import { taskQueueContract } from './suites/task-queue';
import { tempDir } from '../helpers/temp-dirs';

const projectId = uniqueProject('queue');
let client: ReturnType<typeof pubsubFor> | undefined;
const pubsub = () => (client ??= pubsubFor(projectId));
afterAll(async () => {
  await client?.close();
});

taskQueueContract('Pub/Sub (emulator)', async () => {
  const queue = new PubSubTaskQueue({
    pubsub: pubsub(), blobs: new FolderBlobStore({ root: join(tempDir('aloft-queue-'), 'storage') }), topicPrefix: uniquePrefix('q'), ensureResources: true,
    log: () => undefined,
  });
  const dead: DeadLetter[] = [];
  const listeners: Array<{ close(): Promise<void> }> = [];
  const watchDeadLetters = async (group: string) => {
    const topic = queue.topicName(group);
    await queue.prepare(group);
    const sub = pubsub().subscription(queue.subscriptionNameOf(deadLetterTopicOf(topic)));
    sub.on('message', (m: Message) => {
      dead.push({ group: m.attributes?.group ?? '', reason: m.attributes?.reason ?? '', data: m.data.toString('utf8'), attributes: { ...m.attributes } });
      m.ack();
    });
    listeners.push(sub);
  };
  let watching: Promise<void> | undefined;
  return {
    queue,
    publishRaw: async (group, data) => {
      await (watching ??= watchDeadLetters(group));
      await queue.publishRaw(group, data);
    },
    deadLetters: async () => dead,
    cleanup: async () => {
      await Promise.all(listeners.map((l) => l.close()));
    },
  };
});
