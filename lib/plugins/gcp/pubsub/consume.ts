// Consume: pulls messages from a subscription (created on `topic` when missing and
// autoCreateSubscription) until maxRecords or maxDuration, writes them as a JSON Lines file of the
// task run, and acknowledges them only once that file is stored: a run that fails before leaves every
// message to be delivered again. Kestra acknowledges each message as it writes it to a temporary
// file; here a crash between the two loses nothing.
import { z } from 'zod';
import { Duration, parseDurationMs } from '../../../model/duration';
import { AloftError, ErrorCode, type ErrorLocation } from '../../../model/errors';
import type { TaskContext } from '../../types';
import { gcpProperties, parseServiceAccount } from '../credentials';

export const ConsumeProperties = z.object({
  ...gcpProperties,
  topic: z.string().min(1),
  subscription: z.string().min(1),
  autoCreateSubscription: z.boolean().optional(),
  maxRecords: z.number().int().positive().optional(),
  maxDuration: Duration.optional(),
  serdeType: z.enum(['STRING', 'JSON']).optional(),
}).strict().refine((p) => p.maxRecords !== undefined || p.maxDuration !== undefined, {
  message: "'maxDuration' or 'maxRecords' must be set to avoid an infinite loop", path: ['maxRecords'],
});
export type ConsumeProperties = z.infer<typeof ConsumeProperties>;

export const ConsumeOutputs = z.object({ count: z.number().int().nonnegative(), uri: z.string() }).strict();
export type ConsumeOutputs = z.infer<typeof ConsumeOutputs>;

/** Messages asked per pull. */
const PULL_BATCH = 500;
/** The ack deadline held messages are kept under, renewed while the task still pulls. */
const ACK_DEADLINE_S = 60;
/** Time kept before the invocation's deadline to store the file and acknowledge. */
const RESERVE_MS = 15_000;

interface Pulled {
  ackId?: string | null;
  message?: { data?: Uint8Array | string | null; attributes?: Record<string, string> | null; messageId?: string | null; orderingKey?: string | null; publishTime?: { seconds?: unknown; nanos?: number | null } | null } | null;
}

const where = (ctx: TaskContext, property?: string): ErrorLocation => ({
  flow: `${ctx.execution.namespace}.${ctx.execution.flowId}`, task: ctx.taskRun.taskId, ...(property ? { property } : {}),
});

function iso(t: { seconds?: unknown; nanos?: number | null } | null | undefined): string | undefined {
  if (!t || t.seconds === undefined || t.seconds === null) return undefined;
  return new Date(Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();
}

/** A message as Kestra's pubsub Message writes it: data by serdeType, attributes, ids and publish time. */
function record(m: NonNullable<Pulled['message']>, serde: 'STRING' | 'JSON', ctx: TaskContext): Record<string, unknown> {
  const text = m.data === undefined || m.data === null ? '' : Buffer.from(m.data as Uint8Array).toString('utf8');
  let data: unknown = text;
  if (serde === 'JSON') {
    try {
      data = JSON.parse(text);
    } catch {
      throw new AloftError(ErrorCode.TASK_FAILED, `message ${m.messageId} is not JSON (serdeType: JSON)`, where(ctx, 'serdeType'));
    }
  }
  return {
    data, attributes: m.attributes ?? {}, messageId: m.messageId ?? undefined,
    ...(m.orderingKey ? { orderingKey: m.orderingKey } : {}), publishTime: iso(m.publishTime),
  };
}

const grpcMessage = (err: unknown) => String((err as { details?: unknown }).details || (err as Error).message || err);

export async function consume(ctx: TaskContext, p: ConsumeProperties): Promise<ConsumeOutputs> {
  const key = p.serviceAccount !== undefined ? parseServiceAccount(p.serviceAccount, where(ctx)) : undefined;
  const projectId = p.projectId ?? key?.project_id ?? ctx.env.GOOGLE_CLOUD_PROJECT ?? ctx.env.GCLOUD_PROJECT;
  if (!projectId) throw new AloftError(ErrorCode.TASK_FAILED, 'projectId is required: set it, or give a serviceAccount key, or GOOGLE_CLOUD_PROJECT', where(ctx, 'projectId'));
  const emulator = ctx.env.PUBSUB_EMULATOR_HOST;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: `aloft run` of other flows never loads it
  const lib: typeof import('@google-cloud/pubsub') = require('@google-cloud/pubsub');
  const client = new lib.PubSub({
    projectId,
    ...(emulator ? { apiEndpoint: emulator.replace(/^https?:\/\//, ''), emulatorMode: true } : {}),
    ...(key ? { credentials: { client_email: key.client_email, private_key: key.private_key } } : {}),
    ...(p.scopes ? { scopes: p.scopes } : {}),
  });
  // Synchronous pull: the streaming subscriber acknowledges on its own schedule, this task on its own.
  const subscriber = new lib.v1.SubscriberClient(client.options as never);
  const subscription = `projects/${projectId}/subscriptions/${p.subscription}`;
  const serde = p.serdeType ?? 'STRING';
  const held = new Map<string, string>();
  const rows: Record<string, unknown>[] = [];
  try {
    if (p.autoCreateSubscription ?? true) {
      try {
        await client.topic(p.topic).createSubscription(p.subscription);
        ctx.logger.info(`Created subscription '${p.subscription}' on topic '${p.topic}'`);
      } catch (err) {
        // 6 ALREADY_EXISTS: the subscription is there; anything else (a missing topic) is the user's to fix.
        if ((err as { code?: unknown }).code !== 6) throw new AloftError(ErrorCode.TASK_FAILED, `Consume: subscription '${p.subscription}' on topic '${p.topic}' could not be created: ${grpcMessage(err)}`, where(ctx, 'topic'));
      }
    }
    const started = ctx.now().getTime();
    const maxMs = p.maxDuration !== undefined ? parseDurationMs(p.maxDuration) ?? 0 : Infinity;
    const endAt = Math.min(started + maxMs, ctx.deadline.getTime() - RESERVE_MS);

    let lastRenew = started;
    while ((p.maxRecords === undefined || rows.length < p.maxRecords) && ctx.now().getTime() < endAt) {
      if (ctx.signal.aborted) throw new AloftError(ErrorCode.KILLED, 'the task was stopped');
      const want = Math.min(PULL_BATCH, (p.maxRecords ?? Infinity) - rows.length);
      let received: Pulled[];
      try {
        const timeout = Math.max(1000, Math.min(10_000, endAt - ctx.now().getTime()));
        [{ receivedMessages: received = [] }] = await subscriber.pull({ subscription, maxMessages: want }, { timeout }) as unknown as [{ receivedMessages?: Pulled[] }];
      } catch (err) {
        // DEADLINE_EXCEEDED: nothing came in time; pull again until the end.
        if ((err as { code?: unknown }).code === 4) continue;
        throw new AloftError(ErrorCode.TASK_FAILED, `Consume from '${p.subscription}' failed: ${grpcMessage(err)}`, where(ctx, 'subscription'));
      }
      for (const r of received) {
        if (!r.ackId || !r.message) continue;
        const id = r.message.messageId ?? r.ackId;
        // A message delivered again while held (its deadline passed) is written once.
        if (held.has(id)) {
          held.set(id, r.ackId);
          continue;
        }
        held.set(id, r.ackId);
        rows.push(record(r.message, serde, ctx));
      }
      if (held.size && ctx.now().getTime() - lastRenew > (ACK_DEADLINE_S * 1000) / 3) {
        await subscriber.modifyAckDeadline({ subscription, ackIds: [...held.values()], ackDeadlineSeconds: ACK_DEADLINE_S });
        lastRenew = ctx.now().getTime();
      }
    }
    if (endAt < started + maxMs && ctx.now().getTime() >= endAt && (p.maxRecords === undefined || rows.length < p.maxRecords)) {
      ctx.logger.warn(`Stopped consuming at the invocation's deadline, with ${rows.length} records`);
    }
    const stored = await ctx.storage.writeRows('messages.jsonl', rows);
    const ackIds = [...held.values()];
    for (let i = 0; i < ackIds.length; i += 1000) await subscriber.acknowledge({ subscription, ackIds: ackIds.slice(i, i + 1000) });
    ctx.metrics.counter('records', rows.length);
    return { count: rows.length, uri: stored.uri };
  } catch (err) {
    // Nothing was acknowledged: hand the held messages back at once rather than after their deadline.
    if (held.size) {
      await subscriber.modifyAckDeadline({ subscription, ackIds: [...held.values()], ackDeadlineSeconds: 0 }).catch(() => undefined);
    }
    throw err;
  } finally {
    await subscriber.close().catch(() => undefined);
    await client.close().catch(() => undefined);
  }
}
