// TaskQueue on Pub/Sub: one topic per plugin group, `{prefix}aloft-worker-{group}` (functions/manifest.ts).
// In the cloud each topic has a push subscription to its worker function (infra/); `subscribe` here
// opens a pull subscription, for local use and the contract suite. A message that is not a worker task
// goes to `{topic}-dead-letter` with a `reason` attribute, is logged as a structured error, and is
// acknowledged: it is never redelivered forever, nor dropped silently.
import type { Message, PubSub, Subscription as PubSubSubscription, Topic } from '@google-cloud/pubsub';
import { ErrorCode } from '../../model/errors';
import type { PluginGroup } from '../../model/catalog';
import type { WorkerTask } from '../../model/worker-messages';
import type { BlobStore } from '../../ports/blob-store';
import type { Subscription, TaskQueue } from '../../ports/task-queue';
import { isAlreadyExists, toAloftError } from './firestore-constraints';
import { ALONE_ATTRIBUTE, MAX_MESSAGE_BYTES, attributeValue, decodeWorkerTask, encodeWorkerTask, loadVariables, type DecodedMessage } from './pubsub-messages';

export type StructuredLog = (entry: { severity: 'ERROR' | 'WARNING' | 'INFO'; message: string; [k: string]: unknown }) => void;

export interface PubSubTaskQueueOptions {
  pubsub: PubSub;
  /** Where variables too large for a message go (internal storage). */
  blobs: BlobStore;
  /** Prepended to topic and subscription names: isolates tests in one emulator. */
  topicPrefix?: string;
  /** Create missing topics and subscriptions (emulator, local). In the cloud, infra/ creates them. */
  ensureResources?: boolean;
  /** The pull subscription `subscribe` uses for a topic. Default `{topic}-pull`. */
  subscriptionName?: (topic: string) => string;
  /** Messages handled at once per subscription. Default 64. */
  maxInFlight?: number;
  maxMessageBytes?: number;
  /** Structured logs (Cloud Logging reads JSON lines). Default: one JSON line on stderr. */
  log?: StructuredLog;
}

/** The same naming as functions/manifest.ts (which depends on lib/, not the other way round); a test holds them equal. */
export const workerTopicOf = (group: string): string => `aloft-worker-${group}`;

export const deadLetterTopicOf = (topic: string): string => `${topic}-dead-letter`;

const defaultLog: StructuredLog = (entry) => process.stderr.write(`${JSON.stringify(entry)}\n`);

export class PubSubTaskQueue implements TaskQueue {
  private readonly pubsub: PubSub;
  private readonly blobs: BlobStore;
  private readonly prefix: string;
  private readonly log: StructuredLog;
  private readonly topics = new Map<string, Topic>();
  private readonly ensured = new Map<string, Promise<void>>();

  constructor(private readonly opts: PubSubTaskQueueOptions) {
    this.pubsub = opts.pubsub;
    this.blobs = opts.blobs;
    this.prefix = opts.topicPrefix ?? '';
    this.log = opts.log ?? defaultLog;
  }

  /** The topic that carries a group's worker tasks. */
  topicName(group: string): string {
    return `${this.prefix}${workerTopicOf(group)}`;
  }

  subscriptionNameOf(topic: string): string {
    return this.opts.subscriptionName?.(topic) ?? `${topic}-pull`;
  }

  /** Publishes a worker task; `hints.alone` travels as the `alone` attribute (lib/runtime/cloud/lone-events.ts). */
  async publish(task: WorkerTask, hints?: { alone?: boolean }): Promise<void> {
    const name = this.topicName(task.group);
    try {
      const message = await encodeWorkerTask(task, this.blobs, this.opts.maxMessageBytes ?? MAX_MESSAGE_BYTES);
      if (hints?.alone) message.attributes[ALONE_ATTRIBUTE] = 'true';
      await this.ensure(name);
      await this.topic(name).publishMessage(message);
    } catch (err) {
      throw toAloftError(err, `publishing task ${task.taskId} (task run ${task.taskRunId}) to ${name}`);
    }
  }

  /** Creates the group's topic and subscriptions now (when `ensureResources`), so nothing published is lost. */
  async prepare(group: string): Promise<void> {
    await this.ensure(this.topicName(group));
  }

  /** Publishes raw data on a group's topic, as a foreign or broken publisher could (tests, tools). */
  async publishRaw(group: string, data: string | Buffer, attributes: Record<string, string> = {}): Promise<void> {
    const name = this.topicName(group);
    await this.ensure(name);
    await this.topic(name).publishMessage({ data: Buffer.isBuffer(data) ? data : Buffer.from(data), attributes });
  }

  async subscribe(group: PluginGroup, handler: (task: WorkerTask) => Promise<void>): Promise<Subscription> {
    const name = this.topicName(group);
    await this.ensure(name);
    const sub: PubSubSubscription = this.pubsub.subscription(this.subscriptionNameOf(name), {
      flowControl: { maxMessages: this.opts.maxInFlight ?? 64, allowExcessMessages: false },
    });
    let closed = false;
    const inFlight = new Set<Promise<void>>();
    sub.on('message', (m: Message) => {
      if (closed) return void m.nack();
      const run = this.handle(group, name, m, handler).finally(() => inFlight.delete(run));
      inFlight.add(run);
    });
    sub.on('error', (err: Error) => this.log({ severity: 'ERROR', message: `subscription ${sub.name} failed: ${err.message}`, group }));
    return {
      close: async () => {
        closed = true;
        await sub.close();
        await Promise.allSettled([...inFlight]);
      },
    };
  }

  /** Sends a rejected message to the topic's dead-letter topic, with its reason, and logs it. */
  async deadLetter(topic: string, decoded: Extract<DecodedMessage, { ok: false }>, group?: string): Promise<void> {
    const dead = deadLetterTopicOf(topic);
    this.log({
      severity: 'ERROR', message: `dead-lettered a message from ${topic}: ${decoded.reason}`, topic, deadLetterTopic: dead,
      messageId: decoded.messageId, group,
      'logging.googleapis.com/labels': pick(decoded.attributes, ['executionId', 'taskRunId', 'flowId', 'namespace']),
    });
    await this.ensure(topic);
    await this.topic(dead).publishMessage({
      data: Buffer.from(decoded.data),
      attributes: {
        ...decoded.attributes, reason: attributeValue(decoded.reason), sourceTopic: topic,
        ...(group ? { group } : {}), ...(decoded.messageId ? { sourceMessageId: decoded.messageId } : {}),
      },
    });
  }

  private async handle(group: string, topic: string, m: Message, handler: (task: WorkerTask) => Promise<void>): Promise<void> {
    const decoded = decodeWorkerTask(m.data, { ...(m.attributes ?? {}) }, m.id);
    try {
      if (!decoded.ok) {
        await this.deadLetter(topic, decoded, group);
        m.ack();
        return;
      }
      let task: WorkerTask;
      try {
        task = await loadVariables(decoded.task, this.blobs);
      } catch (err) {
        if ((err as { code?: unknown }).code !== ErrorCode.MESSAGE_INVALID) throw err;
        await this.deadLetter(topic, { ok: false, reason: (err as Error).message, data: m.data.toString('utf8'), attributes: decoded.attributes, messageId: m.id }, group);
        m.ack();
        return;
      }
      await handler(task);
      m.ack();
    } catch (err) {
      this.log({ severity: 'WARNING', message: `worker task from ${topic} failed and will be redelivered: ${(err as Error).message}`, messageId: m.id, group,
        'logging.googleapis.com/labels': pick(decoded.attributes, ['executionId', 'taskRunId']) });
      m.nack();
    }
  }

  private topic(name: string): Topic {
    let t = this.topics.get(name);
    if (!t) this.topics.set(name, (t = this.pubsub.topic(name, { batching: { maxMessages: 100, maxMilliseconds: 5 } })));
    return t;
  }

  /** Creates the topic, its pull subscription, its dead-letter topic and a subscription that keeps dead letters. */
  private ensure(name: string): Promise<void> {
    if (!this.opts.ensureResources) return Promise.resolve();
    let p = this.ensured.get(name);
    if (!p) {
      p = (async () => {
        const dead = deadLetterTopicOf(name);
        await Promise.all([createTopic(this.pubsub, name), createTopic(this.pubsub, dead)]);
        await Promise.all([
          createSubscription(this.pubsub, name, this.subscriptionNameOf(name)),
          createSubscription(this.pubsub, dead, this.subscriptionNameOf(dead)),
        ]);
      })();
      p.catch(() => this.ensured.delete(name));
      this.ensured.set(name, p);
    }
    return p;
  }
}

async function createTopic(pubsub: PubSub, name: string): Promise<void> {
  try {
    await pubsub.createTopic(name);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

async function createSubscription(pubsub: PubSub, topic: string, name: string): Promise<void> {
  try {
    await pubsub.topic(topic).createSubscription(name, { ackDeadlineSeconds: 60 });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

function pick(attrs: Record<string, string>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (attrs[k] !== undefined) out[k] = attrs[k];
  return out;
}
