// The Kafka polling Trigger, one pass: each trigger whose interval slot is due (claimed in the
// trigger state, so two scheduler invocations poll it once) runs Consume in its group; a non-empty
// batch is stored under the execution it starts, which is created before the group's offsets are
// committed. Shared by `aloft server`'s loop and the cloud `scheduler` function.
import { AloftError, ErrorCode, toErrorData } from '../../model/errors';
import type { Execution } from '../../model/execution';
import { flowKey } from '../../model/flow';
import type { TaskContext } from '../../plugins/types';
import type { BlobStore } from '../../ports/blob-store';
import type { TriggerStateStore } from '../../ports/trigger-state';
import { testAll } from '../../triggers/conditions/evaluate';
import { derivedId, triggerKey } from '../../triggers/ids';
import type { KafkaTarget } from '../../triggers/kafka';
import type { Renderer } from '../../triggers/render';
import type { Reporter } from '../../triggers/report';
import { startOnce, type StartFn } from '../../triggers/start';
import { ScopedTaskStorage } from '../../worker/storage';

export interface KafkaPollDeps {
  state: TriggerStateStore;
  blobs: BlobStore;
  start: StartFn;
  renderer: Renderer;
  report: Reporter;
  context: { globals: Record<string, unknown>; envs: Record<string, string> };
  env: Readonly<Record<string, string | undefined>>;
}

/** The start of the interval slot `now` falls in: the date a poll is claimed for. */
export const pollSlot = (intervalMs: number, now: Date): Date => new Date(Math.floor(now.getTime() / intervalMs) * intervalMs);

export async function pollKafkaTriggers(deps: KafkaPollDeps, targets: readonly KafkaTarget[], now: Date): Promise<Execution[]> {
  const started: Execution[] = [];
  for (const target of targets) {
    if (target.trigger.realtime || target.trigger.disabled || target.flow.disabled) continue;
    const { flow, trigger } = target;
    const key = triggerKey(flow.namespace, flow.id, trigger.id);
    const slot = pollSlot(trigger.intervalMs, now).toISOString();
    try {
      if (!(await deps.state.claimScheduleDate(key, slot))) continue;
      const execution = await pollOne(deps, target, key, slot, now);
      if (execution) started.push(execution);
    } catch (err) {
      const data = toErrorData(err, ErrorCode.INTERNAL);
      deps.report({
        level: 'ERROR', flow: flowKey(flow.namespace, flow.id), trigger: trigger.id,
        message: `Kafka trigger ${trigger.id} of ${flowKey(flow.namespace, flow.id)}: ${data.message}`, error: data,
      });
    }
  }
  return started;
}

async function pollOne(deps: KafkaPollDeps, { flow, trigger }: KafkaTarget, key: string, slot: string, now: Date): Promise<Execution | null> {
  const id = derivedId('kafka-poll', key, slot);
  const vars = { flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision }, vars: flow.variables ?? {}, ...deps.context };
  const { properties, serdeProperties } = trigger.consume;
  const props = {
    ...trigger.consume,
    properties: (await deps.renderer.renderValue(properties, vars)) as Record<string, string>,
    ...(serdeProperties ? { serdeProperties: (await deps.renderer.renderValue(serdeProperties, vars)) as Record<string, string> } : {}),
  };
  const owner = { namespace: flow.namespace, flowId: flow.id, executionId: id, taskId: trigger.id, taskRunId: 'trigger' };
  const where = { flow: flowKey(flow.namespace, flow.id), trigger: trigger.id };
  const log = (level: 'INFO' | 'WARN' | 'ERROR') => (message: string) => deps.report({ level, ...where, message: `Kafka trigger ${trigger.id}: ${message}` });
  const ctx: TaskContext = {
    render: async (value) => deps.renderer.renderValue(value, vars) as never,
    storage: new ScopedTaskStorage(deps.blobs, owner, []),
    logger: { log: (_l, m) => log('INFO')(m), debug: () => undefined, info: log('INFO'), warn: log('WARN'), error: log('ERROR') },
    secret: async (name) => { throw new AloftError(ErrorCode.TASK_FAILED, `secret ${name}: a Kafka trigger reads no secrets`); },
    namespaceFiles: noNamespaceFiles(flow.namespace),
    kv: () => { throw new AloftError(ErrorCode.NOT_SUPPORTED, 'a Kafka trigger reads no key-value store'); },
    signal: new AbortController().signal,
    deadline: new Date(now.getTime() + 9 * 60_000),
    metrics: { counter: () => undefined, timer: () => undefined },
    now: () => new Date(),
    tempDir: async () => { throw new AloftError(ErrorCode.INTERNAL, 'a Kafka trigger has no scratch folder'); },
    execution: { id, namespace: flow.namespace, flowId: flow.id },
    taskRun: { id: 'trigger', taskId: trigger.id, attempt: 1 },
    env: deps.env,
  };
  let execution: Execution | null = null;
  const { consume } = await import('../../plugins/kafka/consume');
  await consume(ctx, props, {
    // The execution exists before the offsets move: a crash in between reads the batch again (at least once).
    beforeCommit: async (out) => {
      if (out.messagesCount === 0) return;
      const variables = { messagesCount: out.messagesCount, uri: out.uri };
      const tvars = { ...vars, trigger: variables };
      if (!(await testAll(trigger.conditions, { flow: { namespace: flow.namespace, id: flow.id }, renderer: deps.renderer, vars: async () => tvars }))) return;
      const inputs = trigger.inputs ? ((await deps.renderer.renderValue(trigger.inputs, tvars)) as Record<string, unknown>) : {};
      execution = await startOnce(deps.start, { flow, id, inputs, trigger: { id: trigger.id, type: trigger.type, variables } });
    },
  });
  return execution;
}

/** A trigger's consumer reads no namespace file: every operation says so. */
function noNamespaceFiles(namespace: string): TaskContext['namespaceFiles'] {
  const refuse = async (): Promise<never> => { throw new AloftError(ErrorCode.NOT_SUPPORTED, 'a Kafka trigger reads no namespace files'); };
  return { namespace, list: refuse, get: refuse, put: refuse, delete: refuse };
}
