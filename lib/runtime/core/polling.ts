// One pass of the polling triggers (lib/triggers/polling.ts), shared by `aloft server`'s loop and the
// cloud `scheduler` function: each trigger whose interval slot is due (claimed in the trigger state,
// so two scheduler invocations poll it once) polls its source with the state it kept, may start one
// execution, and folds its new state into the store. A failing trigger is reported; the others still poll.
import { AloftError, ErrorCode, toErrorData } from '../../model/errors';
import type { Execution } from '../../model/execution';
import { flowKey, type Flow } from '../../model/flow';
import type { TaskContext } from '../../plugins/types';
import type { BlobStore } from '../../ports/blob-store';
import type { PollState, TriggerStateStore } from '../../ports/trigger-state';
import { testAll } from '../../triggers/conditions/evaluate';
import { derivedId, triggerKey } from '../../triggers/ids';
import { pollSlot, type FireOutcome, type PollContext, type PollingKind, type PollingTrigger, type PollingTriggers } from '../../triggers/polling';
import type { PollTarget } from '../../triggers/registry';
import type { Renderer } from '../../triggers/render';
import type { Reporter } from '../../triggers/report';
import { startOnce, type StartFn } from '../../triggers/start';
import { ScopedTaskStorage } from '../../worker/storage';

export interface PollDeps {
  state: TriggerStateStore;
  blobs: BlobStore;
  start: StartFn;
  renderer: Renderer;
  report: Reporter;
  context: { globals: Record<string, unknown>; envs: Record<string, string> };
  env: Readonly<Record<string, string | undefined>>;
  /** An execution's current state, for a trigger's `stopAfter`; absent, none is known (stopAfter never stops it). */
  executionState?: (executionId: string) => Promise<string | undefined>;
  /** The implementation of each polling kind (lib/triggers/polling-catalog.ts; tests give their own). */
  triggers: PollingTriggers;
}


/** How long one poll may take before its task context's deadline: a scheduler invocation's budget. */
const POLL_BUDGET_MS = 9 * 60_000;

export async function pollTriggers(deps: PollDeps, targets: readonly PollTarget[], now: Date): Promise<Execution[]> {
  const started: Execution[] = [];
  for (const target of targets) {
    const { flow, trigger } = target;
    const impl = deps.triggers[trigger.kind] as PollingTrigger<PollingKind>;
    if (trigger.disabled || flow.disabled || !impl.polls(trigger)) continue;
    const key = triggerKey(flow.namespace, flow.id, trigger.id);
    const slot = pollSlot(impl.intervalMs(trigger), now).toISOString();
    try {
      if (!(await deps.state.claimScheduleDate(key, slot))) continue;
      const fired: Execution[] = [];
      const ctx = pollContext(deps, target, impl.idPrefix, key, slot, now, fired);
      const { state } = await impl.poll(ctx, trigger, await deps.state.getPollState(key));
      if (state) await deps.state.updatePollState(key, state);
      started.push(...fired);
    } catch (err) {
      const data = toErrorData(err, ErrorCode.INTERNAL);
      const name = flowKey(flow.namespace, flow.id);
      deps.report({ level: 'ERROR', flow: name, trigger: trigger.id, message: `${trigger.kind} trigger ${trigger.id} of ${name}: ${data.message}`, error: data });
    }
  }
  return started;
}

function pollContext(deps: PollDeps, { flow, trigger }: PollTarget, idPrefix: string, key: string, slot: string, now: Date, fired: Execution[]): PollContext {
  const vars = { flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision }, vars: flow.variables ?? {}, ...deps.context };
  return {
    now,
    executionId: (found) => (found ? derivedId(idPrefix, key, ...found) : derivedId(idPrefix, key, slot)),
    task: (executionId) => taskContext(deps, flow, trigger, vars, executionId),
    executionState: async (executionId) => deps.executionState?.(executionId),
    update: async (fold) => {
      // The store may run the fold again on a lost race: the last run is the one stored.
      let stored: PollState | null = null;
      await deps.state.updatePollState(key, (current) => (stored = fold(current)));
      return stored;
    },
    fire: async (executionId, variables): Promise<FireOutcome> => {
      const tvars = { ...vars, trigger: variables };
      const cx = { flow: { namespace: flow.namespace, id: flow.id }, renderer: deps.renderer, vars: async () => tvars };
      if (!(await testAll(trigger.conditions, cx))) return { status: 'skipped' };
      const inputs = trigger.inputs ? ((await deps.renderer.renderValue(trigger.inputs, tvars)) as Record<string, unknown>) : {};
      const execution = await startOnce(deps.start, { flow, id: executionId, inputs, trigger: { id: trigger.id, type: trigger.type, variables } });
      if (!execution) return { status: 'duplicate' };
      fired.push(execution);
      return { status: 'started', execution };
    },
  };
}

/** The context a trigger's poll runs its task code in: its files belong to the execution it may start. */
function taskContext(
  deps: PollDeps, flow: Flow, trigger: PollTarget['trigger'], vars: Record<string, unknown>, executionId: string,
): TaskContext {
  const owner = { namespace: flow.namespace, flowId: flow.id, executionId, taskId: trigger.id, taskRunId: 'trigger' };
  const where = { flow: flowKey(flow.namespace, flow.id), trigger: trigger.id };
  const name = `${trigger.kind} trigger ${trigger.id}`;
  const log = (level: 'INFO' | 'WARN' | 'ERROR') => (message: string) => deps.report({ level, ...where, message: `${name}: ${message}` });
  return {
    render: async (value, extra) => deps.renderer.renderValue(value, { ...vars, ...extra }) as never,
    storage: new ScopedTaskStorage(deps.blobs, owner, []),
    logger: { log: (_l, m) => log('INFO')(m), debug: () => undefined, info: log('INFO'), warn: log('WARN'), error: log('ERROR') },
    secret: async (secret) => { throw new AloftError(ErrorCode.TASK_FAILED, `secret ${secret}: a ${name} reads no secrets`); },
    namespaceFiles: refuseNamespaceFiles(flow.namespace, name),
    kv: () => { throw new AloftError(ErrorCode.NOT_SUPPORTED, `a ${name} reads no key-value store`); },
    signal: new AbortController().signal,
    // The task's own clock is the wall clock (as in the worker): `now` is the slot's date, which tests set.
    deadline: new Date(Date.now() + POLL_BUDGET_MS),
    metrics: { counter: () => undefined, timer: () => undefined },
    now: () => new Date(),
    tempDir: async () => { throw new AloftError(ErrorCode.INTERNAL, `a ${name} has no scratch folder`); },
    execution: { id: executionId, namespace: flow.namespace, flowId: flow.id },
    // Unique per poll: code keyed on the task run (BigQuery job ids) must not adopt an earlier poll's work.
    taskRun: { id: executionId, taskId: trigger.id, attempt: 1 },
    env: deps.env,
  };
}

/** A trigger's poll reads no namespace file: every operation says so. */
function refuseNamespaceFiles(namespace: string, name: string): TaskContext['namespaceFiles'] {
  const refuse = async (): Promise<never> => { throw new AloftError(ErrorCode.NOT_SUPPORTED, `a ${name} reads no namespace files`); };
  return { namespace, list: refuse, get: refuse, put: refuse, delete: refuse };
}
