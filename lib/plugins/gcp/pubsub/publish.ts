// Publish: messages to a Pub/Sub topic, from one message, a list, or a kestra:// JSON Lines file of
// messages (read as a stream), as Kestra's pubsub.Publish does: a string `data` is sent as its bytes,
// anything else serialised by `serdeType` (JSON: JSON text; STRING: the value as text). Ordering is
// turned on when a message has an orderingKey.
import { z } from 'zod';
import { AloftError, ErrorCode, type ErrorLocation } from '../../../model/errors';
import type { TaskContext } from '../../types';
import { gcpProperties, parseServiceAccount } from '../credentials';

export const Message = z.object({
  data: z.unknown().optional(),
  attributes: z.record(z.string(), z.string()).optional(),
  messageId: z.string().optional(),
  orderingKey: z.string().optional(),
}).strict();
export type Message = z.infer<typeof Message>;

export const PublishProperties = z.object({
  ...gcpProperties,
  topic: z.string().min(1),
  from: z.union([z.string().min(1), z.array(Message), Message]),
  serdeType: z.enum(['STRING', 'JSON']).optional(),
}).strict();
export type PublishProperties = z.infer<typeof PublishProperties>;

export const PublishOutputs = z.object({ messagesCount: z.number().int().nonnegative() }).strict();
export type PublishOutputs = z.infer<typeof PublishOutputs>;

/** How many publishes may wait for their acknowledgement at once (the client batches them). */
const IN_FLIGHT = 1000;

function payload(m: Message, serde: 'STRING' | 'JSON'): Buffer {
  if (m.data === undefined || m.data === null) return Buffer.alloc(0);
  if (typeof m.data === 'string') return Buffer.from(m.data);
  if (serde === 'JSON' || typeof m.data === 'object') return Buffer.from(JSON.stringify(m.data));
  return Buffer.from(String(m.data));
}

async function* messages(ctx: TaskContext, from: PublishProperties['from'], location: ErrorLocation): AsyncGenerator<Message> {
  if (typeof from !== 'string') {
    yield* Array.isArray(from) ? from : [from];
    return;
  }
  let line = 0;
  for await (const row of ctx.storage.readRows(from)) {
    line++;
    const parsed = Message.safeParse(row);
    if (!parsed.success) {
      throw new AloftError(ErrorCode.TASK_FAILED, `line ${line} of '${from}' is not a message (data, attributes, messageId, orderingKey): ${parsed.error.issues[0]?.message}`, location);
    }
    yield parsed.data;
  }
}

const location = (ctx: TaskContext, property?: string): ErrorLocation => ({
  flow: `${ctx.execution.namespace}.${ctx.execution.flowId}`, task: ctx.taskRun.taskId, ...(property ? { property } : {}),
});

export async function publish(ctx: TaskContext, p: PublishProperties): Promise<PublishOutputs> {
  const key = p.serviceAccount !== undefined ? parseServiceAccount(p.serviceAccount, location(ctx)) : undefined;
  const projectId = p.projectId ?? key?.project_id ?? ctx.env.GOOGLE_CLOUD_PROJECT ?? ctx.env.GCLOUD_PROJECT;
  const emulator = ctx.env.PUBSUB_EMULATOR_HOST;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: `aloft run` of other flows never loads it
  const { PubSub }: typeof import('@google-cloud/pubsub') = require('@google-cloud/pubsub');
  const client = new PubSub({
    ...(projectId ? { projectId } : {}),
    ...(emulator ? { apiEndpoint: emulator.replace(/^https?:\/\//, ''), emulatorMode: true } : {}),
    ...(key ? { credentials: { client_email: key.client_email, private_key: key.private_key } } : {}),
    ...(p.scopes ? { scopes: p.scopes } : {}),
  });
  const serde = p.serdeType ?? 'STRING';
  const ordered = typeof p.from !== 'string' && (Array.isArray(p.from) ? p.from : [p.from]).some((m) => m.orderingKey?.trim());
  const topic = client.topic(p.topic, { messageOrdering: ordered || typeof p.from === 'string' });
  let count = 0;
  const pending = new Set<Promise<unknown>>();
  try {
    for await (const m of messages(ctx, p.from, location(ctx, 'from'))) {
      const sent = topic.publishMessage({ data: payload(m, serde), ...(m.attributes ? { attributes: m.attributes } : {}), ...(m.orderingKey ? { orderingKey: m.orderingKey } : {}) });
      pending.add(sent);
      void sent.then(() => pending.delete(sent), () => undefined);
      count++;
      if (pending.size >= IN_FLIGHT) await Promise.race(pending);
    }
    await Promise.all(pending);
  } catch (err) {
    if (err instanceof AloftError) throw err;
    const e = err as { code?: unknown; details?: unknown; message?: unknown };
    throw new AloftError(ErrorCode.TASK_FAILED, `Publish to '${p.topic}' failed: ${String(e.details || e.message || err)}`, location(ctx, 'topic'));
  } finally {
    await topic.flush().catch(() => undefined);
    await client.close();
  }
  ctx.metrics.counter('records', count);
  return { messagesCount: count };
}
