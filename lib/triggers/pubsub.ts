// The Pub/Sub trigger: one execution per message, with `trigger.data`, `attributes`, `messageId` and
// `publishTime`. The cloud `pubsub-trigger` function calls `handlePubSubMessage` with a decoded
// message; locally a PubSubTriggerSource (a pull subscription on the emulator) feeds it.
import { AloftError, ErrorCode, toErrorData, type AloftErrorData } from '../model/errors';
import type { Execution } from '../model/execution';
import { flowKey, type Flow } from '../model/flow';
import { parseBoundedJson } from '../model/json-bounds';
import { SerdeType, type ParsedTriggerOf } from './catalog';
import { testAll } from './conditions/evaluate';
import { derivedId, triggerKey } from './ids';
import type { Renderer } from './render';
import { startOnce, type StartFn } from './start';

export interface PubSubMessage {
  data: Buffer;
  attributes: Readonly<Record<string, string>>;
  messageId: string;
  /** ISO-8601. */
  publishTime: string;
}

export interface PubSubSubscriptionSpec {
  projectId: string;
  topic: string;
  subscription: string;
}

/** Where messages come from. Resolving the handler acknowledges the message; throwing asks for redelivery. */
export interface PubSubTriggerSource {
  subscribe(spec: PubSubSubscriptionSpec, handler: (message: PubSubMessage) => Promise<void>): Promise<{ close(): Promise<void> }>;
}

export interface PubSubTarget {
  flow: Flow;
  trigger: ParsedTriggerOf<'PubSub'>;
}

/** The subscription a trigger reads: its own `subscription`, else one named after the flow and trigger. */
export function subscriptionSpec(target: PubSubTarget, defaultProjectId: string): PubSubSubscriptionSpec {
  const { flow, trigger } = target;
  const name = trigger.subscription ?? `aloft.${flow.namespace}.${flow.id}.${trigger.id}`.replace(/[^a-zA-Z0-9._~%+-]/g, '-').slice(0, 255);
  return { projectId: trigger.projectId ?? defaultProjectId, topic: trigger.topic, subscription: name };
}

/** `trigger.*` for a message: `data` is text, or parsed JSON with `serdeType: JSON` (MESSAGE_INVALID when it is not JSON). */
export function pubSubVariables(trigger: ParsedTriggerOf<'PubSub'>, message: PubSubMessage): Record<string, unknown> {
  const text = message.data.toString('utf8');
  let data: unknown = text;
  if (trigger.serdeType === SerdeType.JSON) {
    try {
      data = parseBoundedJson(text, `message ${message.messageId}`, ErrorCode.MESSAGE_INVALID, { property: 'data' });
    } catch (err) {
      if (err instanceof AloftError) throw err;
      throw new AloftError(ErrorCode.MESSAGE_INVALID, `message ${message.messageId} is not JSON (serdeType: JSON): ${(err as Error).message}`, { property: 'data' });
    }
  }
  return { data, attributes: { ...message.attributes }, messageId: message.messageId, publishTime: message.publishTime };
}

export type PubSubOutcome =
  | { status: 'started'; execution: Execution }
  | { status: 'duplicate' }
  | { status: 'skipped'; reason: string }
  /** The message can never start this flow (bad data, inputs the flow refuses): acknowledge it and dead-letter it. */
  | { status: 'rejected'; error: AloftErrorData };

/** Codes that mean "this message is wrong", as opposed to "try again later". */
const REJECTING: ReadonlySet<string> = new Set([
  ErrorCode.MESSAGE_INVALID, ErrorCode.INPUT_INVALID, ErrorCode.EXPRESSION, ErrorCode.FLOW_INVALID, ErrorCode.STORAGE_FORBIDDEN,
]);

/**
 * Starts one execution for one message. The execution id derives from the message id, so a redelivery
 * starts nothing new. Infrastructure failures are thrown (the message is delivered again).
 */
export async function handlePubSubMessage(
  deps: { start: StartFn; renderer: Renderer },
  target: PubSubTarget,
  message: PubSubMessage,
): Promise<PubSubOutcome> {
  const { flow, trigger } = target;
  const where = { flow: flowKey(flow.namespace, flow.id), task: trigger.id };
  try {
    const variables = pubSubVariables(trigger, message);
    const vars = { flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision }, vars: flow.variables ?? {}, trigger: variables };
    const cx = { flow: { namespace: flow.namespace, id: flow.id }, renderer: deps.renderer, vars: async () => vars };
    if (!(await testAll(trigger.conditions, cx))) return { status: 'skipped', reason: `the conditions of trigger ${trigger.id} do not hold` };
    const inputs = trigger.inputs ? ((await deps.renderer.renderValue(trigger.inputs, vars)) as Record<string, unknown>) : {};
    const execution = await startOnce(deps.start, {
      flow,
      id: derivedId('pubsub', triggerKey(flow.namespace, flow.id, trigger.id), message.messageId),
      inputs,
      trigger: { id: trigger.id, type: trigger.type, variables },
    });
    return execution ? { status: 'started', execution } : { status: 'duplicate' };
  } catch (err) {
    const data = toErrorData(err);
    if (!REJECTING.has(data.code)) throw err;
    return { status: 'rejected', error: { ...where, ...data, message: `message ${message.messageId} rejected by ${where.flow} trigger ${trigger.id}: ${data.message}` } };
  }
}
