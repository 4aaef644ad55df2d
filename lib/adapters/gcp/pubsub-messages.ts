// Worker task messages on Pub/Sub: JSON data validated with zod (WorkerTask), attributes executionId,
// taskRunId, attempt and group, and never more than 256 KB. A task whose `variables` would make the
// message larger travels with them in internal storage: the message carries `variablesUri` and the
// receiver loads them back, so a handler always sees the task as it was published.
//
// decodePushMessage / decodeCloudEventMessage are pure: the worker function calls them on what Pub/Sub
// delivered (a push request body, or a messagePublished CloudEvent) and dead-letters what they reject.
import { Readable } from 'node:stream';
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import { executionPrefix, keyToUri } from '../../model/storage-uri';
import { WorkerTask } from '../../model/worker-messages';
import type { BlobStore } from '../../ports/blob-store';

/** The design's cap on one message (Pub/Sub itself takes 10 MB). */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** Pub/Sub refuses an attribute value longer than this many bytes (not characters). */
export const MAX_ATTRIBUTE_BYTES = 1024;

/** A text cut to at most `maxBytes` of UTF-8, never in the middle of a character. */
export function attributeValue(text: string, maxBytes = MAX_ATTRIBUTE_BYTES): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let end = Math.min(text.length, maxBytes);
  while (end > 0 && Buffer.byteLength(text.slice(0, end)) > maxBytes) end--;
  // Do not leave half of a surrogate pair at the end.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

export interface EncodedMessage {
  data: Buffer;
  attributes: Record<string, string>;
}

export type DecodedMessage =
  | { ok: true; task: WorkerTask; messageId?: string; attributes: Record<string, string> }
  | { ok: false; reason: string; data: string; messageId?: string; attributes: Record<string, string> };

/** The cloud transport's lone hint (lib/runtime/cloud/lone-events.ts): an attribute, never part of the task. */
export const ALONE_ATTRIBUTE = 'alone';

export const taskAttributes = (t: WorkerTask): Record<string, string> => ({
  executionId: t.executionId, taskRunId: t.taskRunId, attempt: String(t.attempt), group: t.group,
});

/** Where oversized variables of a task go: beside the execution's own files. */
export function variablesUriFor(t: WorkerTask): string {
  const flow = (t.variables as { flow?: { namespace?: unknown; id?: unknown } }).flow;
  const base = typeof flow?.namespace === 'string' && typeof flow?.id === 'string'
    ? executionPrefix(flow.namespace, flow.id, t.executionId)
    : `_aloft/executions/${t.executionId}`;
  return keyToUri(`${base}/messages/${t.taskRunId}-${t.attempt}-variables.json`);
}

/** The message for a task; its variables move to storage when the message would exceed the cap. */
export async function encodeWorkerTask(task: WorkerTask, blobs: BlobStore, maxBytes = MAX_MESSAGE_BYTES): Promise<EncodedMessage> {
  const parsed = WorkerTask.parse(task);
  const attributes = taskAttributes(parsed);
  const data = Buffer.from(JSON.stringify(parsed));
  if (data.length <= maxBytes) return { data, attributes };
  const uri = variablesUriFor(parsed);
  await blobs.put(uri, JSON.stringify(parsed.variables));
  const slim = Buffer.from(JSON.stringify({ ...parsed, variables: {}, variablesUri: uri }));
  if (slim.length > maxBytes) {
    throw new AloftError(ErrorCode.PAYLOAD_TOO_LARGE,
      `the worker task for task ${parsed.taskId} (execution ${parsed.executionId}) is ${slim.length} bytes without its variables, over the ${maxBytes}-byte message limit`,
      { task: parsed.taskId }, 'large values belong in internal storage; pass a kestra:/// URI instead');
  }
  return { data: slim, attributes };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Parses message data; the reason says what is wrong when it is not a worker task. */
export function decodeWorkerTask(data: Buffer | string, attributes: Record<string, string> = {}, messageId?: string): DecodedMessage {
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : data;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `message is not JSON: ${(err as Error).message}`, data: text, attributes, messageId };
  }
  const parsed = WorkerTask.safeParse(value);
  if (!parsed.success) {
    return { ok: false, reason: `message is not a valid worker task: ${describeIssues(parsed.error)}`, data: text, attributes, messageId };
  }
  return { ok: true, task: parsed.data, attributes, messageId };
}

const PubsubMessage = z.object({
  data: z.string().optional(),
  attributes: z.record(z.string(), z.string()).nullish(),
  messageId: z.string().optional(),
  message_id: z.string().optional(),
});
const Envelope = z.object({ message: PubsubMessage, subscription: z.string().optional() });

function decodeEnvelope(value: unknown, what: string): DecodedMessage {
  const env = Envelope.safeParse(value);
  if (!env.success) {
    return { ok: false, reason: `${what} is not a Pub/Sub message: ${describeIssues(env.error)}`, data: safeJson(value), attributes: {} };
  }
  const m = env.data.message;
  const attributes = { ...(m.attributes ?? {}) };
  const messageId = m.messageId ?? m.message_id;
  if (m.data === undefined) return { ok: false, reason: 'message has no data', data: '', attributes, messageId };
  return decodeWorkerTask(Buffer.from(m.data, 'base64'), attributes, messageId);
}

function safeJson(value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function parseMaybeJson(body: unknown): unknown {
  if (Buffer.isBuffer(body)) body = body.toString('utf8');
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** A push subscription's request body: `{ message: { data (base64), attributes, messageId }, subscription }`. */
export function decodePushMessage(body: unknown): DecodedMessage {
  return decodeEnvelope(parseMaybeJson(body), 'push request body');
}

/**
 * A `google.cloud.pubsub.topic.v1.messagePublished` CloudEvent, as functions-framework hands it over:
 * its `data` is the same envelope as a push body (an object, or JSON text or bytes).
 */
export function decodeCloudEventMessage(cloudEvent: unknown): DecodedMessage {
  const data = cloudEvent && typeof cloudEvent === 'object' ? (cloudEvent as { data?: unknown }).data : undefined;
  return decodeEnvelope(parseMaybeJson(data), 'CloudEvent data');
}

/**
 * The task with its variables back in place when they travelled through storage. A missing or broken
 * variables file is a MESSAGE_INVALID (dead-letter it); a storage outage propagates (retry).
 */
export async function loadVariables(task: WorkerTask, blobs: BlobStore): Promise<WorkerTask> {
  if (!task.variablesUri) return task;
  let text: string;
  try {
    text = await readAll(await blobs.get(task.variablesUri));
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === ErrorCode.STORAGE_NOT_FOUND || code === ErrorCode.STORAGE_FORBIDDEN) {
      throw new AloftError(ErrorCode.MESSAGE_INVALID, `the variables of this worker task (${task.variablesUri}) cannot be read: ${(err as Error).message}`);
    }
    throw err;
  }
  let variables: unknown;
  try {
    variables = JSON.parse(text);
  } catch (err) {
    throw new AloftError(ErrorCode.MESSAGE_INVALID, `the variables file ${task.variablesUri} is not JSON: ${(err as Error).message}`);
  }
  const parsed = WorkerTask.shape.variables.safeParse(variables);
  if (!parsed.success) throw new AloftError(ErrorCode.MESSAGE_INVALID, `the variables file ${task.variablesUri} is not an object`);
  const { variablesUri: _uri, ...rest } = task;
  return { ...rest, variables: parsed.data };
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
