// The Kafka RealtimeTrigger: one execution per record, with `trigger.key`, `value`, `topic`,
// `headers`, `partition`, `timestamp` and `offset`. A KafkaTriggerSource (lib/plugins/kafka) reads the
// records in the trigger's group and commits a record's offset only once `handleKafkaRecord` resolved,
// that is once the execution is stored; the execution id derives from the group, topic, partition and
// offset, so a record delivered again after a crash starts nothing new.
import { toErrorData, ErrorCode, type AloftErrorData } from '../model/errors';
import type { Execution } from '../model/execution';
import { flowKey, type Flow } from '../model/flow';
import type { ConsumeProperties } from '../plugins/kafka/properties';
import type { ParsedTriggerOf } from './catalog';
import { testAll } from './conditions/evaluate';
import { derivedId, triggerKey } from './ids';
import type { Renderer } from './render';
import type { Reporter } from './report';
import { startOnce, type StartFn } from './start';

/** A record as Consume writes it to its file. */
export interface KafkaTriggerRecord {
  key: unknown;
  value: unknown;
  topic: string;
  partition: number;
  offset: number;
  /** ISO 8601. */
  timestamp: string;
  headers: { [name: string]: string }[];
}

export interface KafkaTarget {
  flow: Flow;
  trigger: ParsedTriggerOf<'Kafka'>;
}

/** Where records come from. A record's offset is committed once its handler resolved; a handler that throws has it delivered again. */
export interface KafkaTriggerSource {
  subscribe(
    consume: ConsumeProperties,
    handler: (record: KafkaTriggerRecord) => Promise<void>,
    onError: (err: Error) => void,
    /** `onIdle`: called when a poll, once the group is joined, found no record (the reader has caught up). */
    opts?: { onIdle?: () => void },
  ): Promise<{ close(): Promise<void> }>;
}

/** The group a trigger commits to: `groupId`, else `properties.group.id` (the catalog requires one). */
export const kafkaGroupId = (consume: ConsumeProperties): string => consume.groupId ?? consume.properties['group.id'];

export type KafkaOutcome =
  | { status: 'started'; execution: Execution }
  | { status: 'duplicate' }
  | { status: 'skipped'; reason: string }
  /** The record can never start this flow (inputs the flow refuses): reported, and its offset committed. */
  | { status: 'rejected'; error: AloftErrorData };

const REJECTING: ReadonlySet<string> = new Set([ErrorCode.INPUT_INVALID, ErrorCode.EXPRESSION, ErrorCode.FLOW_INVALID, ErrorCode.STORAGE_FORBIDDEN]);

/** Starts the execution of one record. Infrastructure failures are thrown, so the record is delivered again. */
export async function handleKafkaRecord(
  deps: { start: StartFn; renderer: Renderer; context?: { globals?: Record<string, unknown>; envs?: Record<string, string> } },
  target: KafkaTarget,
  record: KafkaTriggerRecord,
): Promise<KafkaOutcome> {
  const { flow, trigger } = target;
  const key = triggerKey(flow.namespace, flow.id, trigger.id);
  const where = `record ${record.offset} of ${record.topic} partition ${record.partition}`;
  try {
    const variables = { ...record };
    const vars = {
      flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision }, vars: flow.variables ?? {},
      globals: deps.context?.globals ?? {}, envs: deps.context?.envs ?? {}, trigger: variables,
    };
    const cx = { flow: { namespace: flow.namespace, id: flow.id }, renderer: deps.renderer, vars: async () => vars };
    if (!(await testAll(trigger.conditions, cx))) return { status: 'skipped', reason: `the conditions of trigger ${trigger.id} do not hold` };
    const inputs = trigger.inputs ? ((await deps.renderer.renderValue(trigger.inputs, vars)) as Record<string, unknown>) : {};
    const execution = await startOnce(deps.start, {
      flow,
      id: derivedId('kafka', key, kafkaGroupId(trigger.consume), record.topic, String(record.partition), String(record.offset)),
      inputs,
      trigger: { id: trigger.id, type: trigger.type, variables },
    });
    return execution ? { status: 'started', execution } : { status: 'duplicate' };
  } catch (err) {
    const data = toErrorData(err);
    if (!REJECTING.has(data.code)) throw err;
    const flowName = flowKey(flow.namespace, flow.id);
    return { status: 'rejected', error: { flow: flowName, task: trigger.id, ...data, message: `${where} rejected by ${flowName} trigger ${trigger.id}: ${data.message}` } };
  }
}

type TriggerContext = { globals?: Record<string, unknown>; envs?: Record<string, string> };

/** The trigger's consumer settings, rendered: they may use `{{ envs.* }}`, `{{ globals.* }}`, `{{ vars.* }}` as a task's do. */
export async function renderedConsume(renderer: Renderer, { flow, trigger }: KafkaTarget, context: TriggerContext = {}): Promise<ConsumeProperties> {
  const vars = { flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision }, vars: flow.variables ?? {}, globals: context.globals ?? {}, envs: context.envs ?? {} };
  const { properties, serdeProperties } = trigger.consume;
  return {
    ...trigger.consume,
    properties: (await renderer.renderValue(properties, vars)) as Record<string, string>,
    ...(serdeProperties ? { serdeProperties: (await renderer.renderValue(serdeProperties, vars)) as Record<string, string> } : {}),
  };
}

/**
 * One run of a RealtimeTrigger where no process stays up (the cloud's `scheduler` tick): the trigger's
 * group reads until it has caught up (a poll found nothing) or for `windowMs` at most, each record
 * starting its execution as on `aloft server`, then commits what was handled and closes. Records not
 * reached come at the next run. Resolves with the executions started.
 */
export async function drainKafkaTrigger(
  deps: { start: StartFn; renderer: Renderer; report: Reporter; source: () => Promise<KafkaTriggerSource>; context?: TriggerContext },
  target: KafkaTarget,
  windowMs: number,
): Promise<number> {
  const { flow, trigger } = target;
  const where = { flow: flowKey(flow.namespace, flow.id), trigger: trigger.id };
  let started = 0;
  let caughtUp: () => void = () => undefined;
  const idle = new Promise<void>((resolve) => { caughtUp = resolve; });
  const sub = await (await deps.source()).subscribe(await renderedConsume(deps.renderer, target, deps.context), async (record) => {
    const outcome = await handleKafkaRecord(deps, target, record);
    if (outcome.status === 'started') started++;
    else if (outcome.status === 'rejected') deps.report({ level: 'ERROR', ...where, message: outcome.error.message, error: outcome.error });
  }, (err) => deps.report({ level: 'ERROR', ...where, message: `Kafka trigger ${trigger.id} of ${where.flow}: ${err.message}` }), { onIdle: () => caughtUp() });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([idle, new Promise((resolve) => { timer = setTimeout(resolve, windowMs); })]);
  clearTimeout(timer);
  await sub.close();
  return started;
}
