// Pub/Sub trigger messages from pull subscriptions (the local server on the emulator). The
// subscription is created on the trigger's topic when missing, as Kestra's autoCreateSubscription
// does; on the emulator the topic is created too. Rejected messages are published, with their
// reason, to `{subscription}-dead-letter`.
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { pubsubLib } from './clients';
import type { PubSubMessage, PubSubSubscriptionSpec, PubSubTriggerSource } from '../../triggers/pubsub';

/**
 * The client reads the port from `apiEndpoint` itself ("host:port") and overwrites a separate `port`
 * option, so the emulator's address is passed whole.
 */
function pubSubClient(projectId: string, emulatorHost: string | undefined): PubSub {
  const { PubSub } = pubsubLib();
  if (!emulatorHost) return new PubSub({ projectId });
  return new PubSub({ projectId, apiEndpoint: emulatorHost.replace(/^https?:\/\//, ''), emulatorMode: true });
}

export interface PubSubTriggerSourceOptions {
  /** host:port of the emulator; without it the real service is used (credentials from the environment). */
  emulatorHost?: string;
  /** Subscriber errors that are not tied to one message (connection lost...). */
  onError?(err: Error, subscription: string): void;
}

export interface ClosablePubSubTriggerSource extends PubSubTriggerSource {
  deadLetter(spec: { projectId: string; subscription: string }, message: PubSubMessage, reason: string): Promise<void>;
  close(): Promise<void>;
}

const ALREADY_EXISTS = 6;
const ignoreExists = (err: unknown): void => {
  if ((err as { code?: unknown })?.code !== ALREADY_EXISTS) throw err;
};

export const deadLetterTopic = (subscription: string): string => `${subscription}-dead-letter`;

export function createPubSubTriggerSource(opts: PubSubTriggerSourceOptions = {}): ClosablePubSubTriggerSource {
  const clients = new Map<string, PubSub>();
  const client = (projectId: string): PubSub => {
    let c = clients.get(projectId);
    if (!c) clients.set(projectId, (c = pubSubClient(projectId, opts.emulatorHost)));
    return c;
  };

  const ensureTopic = async (pubsub: PubSub, name: string): Promise<void> => {
    const topic = pubsub.topic(name);
    if (opts.emulatorHost && !(await topic.exists())[0]) await topic.create().catch(ignoreExists);
  };

  return {
    async subscribe(spec: PubSubSubscriptionSpec, handler: (message: PubSubMessage) => Promise<void>) {
      const pubsub = client(spec.projectId);
      await ensureTopic(pubsub, spec.topic);
      const topic = pubsub.topic(spec.topic);
      if (!(await pubsub.subscription(spec.subscription).exists())[0]) {
        await topic.createSubscription(spec.subscription, { ackDeadlineSeconds: 60 }).catch(ignoreExists);
      }
      const sub: Subscription = pubsub.subscription(spec.subscription, { flowControl: { maxMessages: 100 } });
      sub.on('message', (m: Message) => {
        const message: PubSubMessage = {
          data: m.data, attributes: { ...(m.attributes ?? {}) }, messageId: m.id, publishTime: new Date(m.publishTime.getTime()).toISOString(),
        };
        handler(message).then(() => m.ack(), (err: Error) => {
          opts.onError?.(err, spec.subscription);
          m.nack();
        });
      });
      sub.on('error', (err: Error) => opts.onError?.(err, spec.subscription));
      return { close: () => sub.close() };
    },

    async deadLetter(spec, message, reason) {
      const pubsub = client(spec.projectId);
      const name = deadLetterTopic(spec.subscription);
      await ensureTopic(pubsub, name);
      await pubsub.topic(name).publishMessage({ data: message.data, attributes: { ...message.attributes, 'aloft-reason': reason.slice(0, 1000), 'aloft-message-id': message.messageId } });
    },

    async close() {
      await Promise.all([...clients.values()].map((c) => c.close()));
      clients.clear();
    },
  };
}
