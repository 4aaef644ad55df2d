import { PubSubTaskQueue, deadLetterTopicOf } from '../../../lib/adapters/gcp/pubsub-task-queue';
import { PLUGIN_GROUPS } from '../../../lib/model/catalog';
import { EXECUTOR_DEAD_LETTER_TOPIC, PUBSUB_TRIGGER_TOPIC, deadLetterTopicFor } from '../../../lib/wiring/gcp-adapters';

describe('the dead-letter topics of the cloud adapters', () => {
  it('sends the events the executor refuses to the executor dead-letter topic', () => {
    expect(deadLetterTopicFor('executor')).toBe(EXECUTOR_DEAD_LETTER_TOPIC);
    expect(EXECUTOR_DEAD_LETTER_TOPIC).toBe('aloft-executor-dead-letter');
  });

  it('sends a worker group\'s refused messages where the task queue sends them', () => {
    // No client is created: the queue only names topics here.
    const queue = new PubSubTaskQueue({ pubsub: {} as never, blobs: {} as never });
    for (const group of PLUGIN_GROUPS) expect(deadLetterTopicFor(group)).toBe(deadLetterTopicOf(queue.topicName(group)));
  });

  it('sends refused pubsub-trigger messages to the dead-letter topic of its own topic', () => {
    expect(deadLetterTopicFor('pubsub-trigger')).toBe(`${PUBSUB_TRIGGER_TOPIC}-dead-letter`);
  });
});
