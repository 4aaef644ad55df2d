// Setting up the emulators over their REST APIs (no client library needed): Pub/Sub topics and
// subscriptions, the Firestore emulator's Eventarc-style triggers, and a Cloud Storage bucket.
import { EXECUTOR_EVENT_TYPE } from '../wiring/manifest';

async function call(method: string, url: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok && res.status !== 409) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : {};
}

export interface PushSubscription {
  name: string;
  topic: string;
  /** Absent: the subscription is pulled (by the emulated cloud's own push delivery). */
  pushEndpoint?: string;
  deadLetterTopic: string;
  maxDeliveryAttempts: number;
  minimumBackoff: string;
  maximumBackoff: string;
  ackDeadlineSeconds: number;
}

export class PubSubAdmin {
  constructor(private readonly host: string, private readonly projectId: string) {}

  private url(path: string): string {
    return `http://${this.host}/v1/projects/${this.projectId}/${path}`;
  }

  topicId(name: string): string {
    return `projects/${this.projectId}/topics/${name}`;
  }

  async createTopic(name: string): Promise<void> {
    await call('PUT', this.url(`topics/${name}`));
  }

  async createPushSubscription(s: PushSubscription): Promise<void> {
    await call('PUT', this.url(`subscriptions/${s.name}`), {
      topic: this.topicId(s.topic), ...(s.pushEndpoint ? { pushConfig: { pushEndpoint: s.pushEndpoint } } : {}), ackDeadlineSeconds: s.ackDeadlineSeconds,
      retryPolicy: { minimumBackoff: s.minimumBackoff, maximumBackoff: s.maximumBackoff },
      deadLetterPolicy: { deadLetterTopic: this.topicId(s.deadLetterTopic), maxDeliveryAttempts: s.maxDeliveryAttempts },
    });
  }

  async createPullSubscription(name: string, topic: string): Promise<void> {
    await call('PUT', this.url(`subscriptions/${name}`), { topic: this.topicId(topic), ackDeadlineSeconds: 60 });
  }

  async publish(topic: string, messages: Array<{ data: Buffer | string; attributes?: Record<string, string> }>): Promise<string[]> {
    const body = { messages: messages.map((m) => ({ data: Buffer.from(m.data).toString('base64'), ...(m.attributes ? { attributes: m.attributes } : {}) })) };
    return ((await call('POST', this.url(`topics/${topic}:publish`), body)) as { messageIds?: string[] }).messageIds ?? [];
  }

  /** Pulls (and acknowledges) up to `max` messages; data decoded to text. */
  async pull(subscription: string, max = 100): Promise<Array<{ data: string; attributes: Record<string, string>; messageId: string }>> {
    const got = (await call('POST', this.url(`subscriptions/${subscription}:pull`), { maxMessages: max, returnImmediately: true })) as {
      receivedMessages?: Array<{ ackId: string; message: { data?: string; attributes?: Record<string, string>; messageId: string } }>;
    };
    const received = got.receivedMessages ?? [];
    if (received.length > 0) await call('POST', this.url(`subscriptions/${subscription}:acknowledge`), { ackIds: received.map((r) => r.ackId) });
    return received.map((r) => ({
      data: Buffer.from(r.message.data ?? '', 'base64').toString('utf8'), attributes: r.message.attributes ?? {}, messageId: r.message.messageId,
    }));
  }
}

/** Registers a trigger with the Firestore emulator (started with --functions_emulator): it then POSTs CloudEvents to /functions/projects/{p}/triggers/{id}. */
export async function registerFirestoreTrigger(
  host: string, projectId: string, triggerId: string, documentPattern: string, eventType: string = EXECUTOR_EVENT_TYPE,
): Promise<void> {
  await call('POST', `http://${host}/emulator/v1/projects/${projectId}/eventarcTrigger?eventarcTriggerId=${encodeURIComponent(triggerId)}`, {
    eventType, database: '(default)', namespace: '(default)',
    document: { value: documentPattern, matchType: 'PATH_PATTERN' },
  });
}

/**
 * Creates a bucket in the storage emulator (JSON API); an existing one is fine. The firebase-tools
 * emulator answers 501: its buckets exist as soon as an object is written to them.
 */
export async function createBucket(storageHost: string, projectId: string, bucket: string): Promise<void> {
  const res = await fetch(`${storageHost}/storage/v1/b?project=${encodeURIComponent(projectId)}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: bucket }),
  });
  if (!res.ok && res.status !== 409 && res.status !== 501) throw new Error(`creating bucket ${bucket} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
}
