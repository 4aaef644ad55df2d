// Carries out the effects of committed steps. Shared by the local runtime and the cloud executor;
// every operation is idempotent because effects are re-published after a crash.
import type { Effect, EffectOf, EffectType } from '../../model/effects';
import { ErrorCode, toErrorData, type AloftErrorData } from '../../model/errors';
import type { Execution } from '../../model/execution';
import type { AttemptControl, BlobStore, Clock, Ids, StateStore, TaskQueue, WakeUpScheduler } from '../../ports';
import { State } from '../../model/states';
import { checkResume } from '../../engine';
import { pending } from './events';
import type { FlowCache } from './flow-cache';
import { startExecution, type StartDeps } from './start-execution';

export interface EffectDeps extends StartDeps {
  store: StateStore;
  queue: TaskQueue;
  flows: FlowCache;
  blobs: BlobStore;
  wakeUps: WakeUpScheduler;
  attempts: AttemptControl;
  clock: Clock;
  ids: Ids;
  /** Called after an event was appended, so the runtime can fold it (the cloud needs nothing: the write wakes the executor). */
  wake(executionId: string): void;
  /** Called once per ended execution (flow triggers, CLI waiters). */
  onEnded?(effect: EffectOf<'ExecutionEnded'>): Promise<void> | void;
}

export const MAX_SUBFLOW_DEPTH = 32;
export const SUBFLOW_TRIGGER_TYPE = 'io.kestra.core.tasks.flows.Flow';

/** One handler per effect type: a new effect type does not compile until it has one. */
const HANDLERS: { [T in EffectType]: (deps: EffectDeps, effect: EffectOf<T>) => Promise<void> } = {
  DispatchWorkerTask: (deps, effect) => deps.queue.publish(effect.workerTask),
  StopWorkerTask: (deps, effect) => deps.attempts.stop({ executionId: effect.executionId, taskRunId: effect.taskRunId, attempt: effect.attempt }),
  ScheduleWakeUp: (deps, effect) => deps.wakeUps.schedule(effect.executionId, effect.taskRunId, new Date(effect.at), effect.reason),
  KillSubflow: async (deps, effect) => { await appendEvent(deps, effect.childExecutionId, { type: 'Kill' }); },
  StartSubflow: (deps, effect) => startSubflow(deps, effect),
  ExecutionEnded: async (deps, effect) => {
    if (effect.parentExecutionId && effect.parentTaskRunId) {
      // A ForEachItem batch: its outputs go to the parent's file before the parent hears of the end (its merge reads them).
      if (effect.outputsUri && effect.outputs) await deps.blobs.put(effect.outputsUri, `${JSON.stringify(effect.outputs)}\n`);
      // Only the parent's task knows whether it transmits the failure: send the reason apart from an error that fails it anyway.
      const failure = effect.state === State.FAILED ? await childFailure(deps, effect) : undefined;
      await appendEvent(deps, effect.parentExecutionId, {
        type: 'SubflowEnded', taskRunId: effect.parentTaskRunId, childExecutionId: effect.executionId, state: effect.state,
        ...(effect.outputs ? { outputs: effect.outputs } : {}),
        ...(effect.outputsError ? { error: effect.outputsError } : {}),
        ...(failure ? { failure } : {}),
      });
    }
    await deps.onEnded?.(effect);
  },
  ClaimConcurrencySlot: async (deps, effect) => {
    const outcome = await deps.store.claimSlot(effect);
    await appendEvent(deps, effect.executionId, { type: 'ConcurrencySlot', claimId: effect.claimId, outcome });
  },
  ReleaseConcurrencySlot: (deps, effect) => releaseSlot(deps, effect),
  ResumeOtherExecution: (deps, effect) => resumeOther(deps, effect),
};

export function applyEffect(deps: EffectDeps, effect: Effect): Promise<void> {
  return (HANDLERS[effect.type] as (deps: EffectDeps, effect: Effect) => Promise<void>)(deps, effect);
}

export async function appendEvent(
  deps: Pick<EffectDeps, 'store' | 'clock' | 'ids' | 'wake'>, executionId: string, event: Parameters<typeof pending>[0],
  opts: { key?: string } = {},
): Promise<boolean> {
  const added = await deps.store.append(executionId, pending(event, deps.clock.now(), () => deps.ids.next(), opts.key));
  if (added) deps.wake(executionId);
  return added;
}

async function startSubflow(deps: EffectDeps, effect: EffectOf<'StartSubflow'>): Promise<void> {
  // The child id is unique per start, so after a restart the same failure is a new event, not a duplicate.
  const fail = async (message: string, code: ErrorCode = ErrorCode.SUBFLOW_INVALID): Promise<void> => {
    await appendEvent(deps, effect.parentExecutionId, {
      type: 'SubflowEnded', taskRunId: effect.parentTaskRunId, childExecutionId: effect.childExecutionId, state: State.FAILED, error: { code, message },
    });
  };
  const target = `${effect.namespace}.${effect.flowId}`;
  if (effect.chain.includes(target)) {
    return fail(`subflow cycle: ${[...effect.chain, target].join(' -> ')}`);
  }
  if (effect.chain.length >= MAX_SUBFLOW_DEPTH) return fail(`subflows nest deeper than ${MAX_SUBFLOW_DEPTH} levels`);
  // A re-published effect finds the child already there.
  const existing = await deps.store.get(effect.childExecutionId);
  let child: Execution | undefined = existing ?? undefined;
  if (!child) {
    const parent = await deps.store.get(effect.parentExecutionId);
    if (!parent) return; // The parent is gone (deleted); nobody waits for this child.
    try {
      const flow = await deps.flows.get(effect.namespace, effect.flowId, effect.revision);
      child = await startExecution(deps, {
        flow,
        id: effect.childExecutionId,
        inputs: effect.inputs,
        labels: effect.labels,
        ...(effect.scheduleDate ? { scheduleDate: effect.scheduleDate } : {}),
        // As in Kestra, a subflow's trigger names its parent; it also lets the child read the parent's files.
        trigger: {
          id: parent.taskRunList.find((r) => r.id === effect.parentTaskRunId)?.taskId ?? 'subflow',
          type: SUBFLOW_TRIGGER_TYPE,
          variables: {
            executionId: parent.id, namespace: parent.namespace, flowId: parent.flowId, flowRevision: parent.flowRevision,
            ...(effect.iteration !== undefined ? { taskRunId: effect.parentTaskRunId, taskRunIteration: effect.iteration } : {}),
          },
        },
        parent: {
          executionId: effect.parentExecutionId, taskRunId: effect.parentTaskRunId,
          namespace: parent.namespace, flowId: parent.flowId, chain: effect.chain,
          ...(effect.outputs ? { outputsTemplate: effect.outputs } : {}),
          ...(effect.outputsUri ? { outputsUri: effect.outputsUri } : {}),
        },
      });
    } catch (err) {
      const data = toErrorData(err, ErrorCode.SUBFLOW_INVALID);
      // Two deliveries of this effect at once (at-least-once, in the cloud): the other one created the child.
      child = data.code === ErrorCode.CONFLICT ? (await deps.store.get(effect.childExecutionId)) ?? undefined : undefined;
      if (child) return appendEvent(deps, effect.parentExecutionId, { type: 'SubflowStarted', taskRunId: effect.parentTaskRunId, childExecutionId: child.id }).then(() => undefined);
      const prefix = data.code === ErrorCode.NOT_FOUND ? 'unknown subflow' : `subflow ${target} could not start`;
      return fail(`${prefix}: ${data.message}`, data.code === ErrorCode.NOT_FOUND ? ErrorCode.SUBFLOW_INVALID : data.code);
    }
  }
  await appendEvent(deps, effect.parentExecutionId, { type: 'SubflowStarted', taskRunId: effect.parentTaskRunId, childExecutionId: child.id });
}

/** Gives the slot back and starts the executions promoted into it; one deleted since gives its slot on. */
async function releaseSlot(deps: EffectDeps, release: { namespace: string; flowId: string; claimId: string }): Promise<void> {
  const promoted = await deps.store.releaseSlot(release);
  for (const holder of promoted) {
    try {
      await appendEvent(deps, holder.executionId, { type: 'ConcurrencySlot', claimId: holder.claimId, outcome: 'RUNNING' });
    } catch (err) {
      if (toErrorData(err).code !== ErrorCode.NOT_FOUND) throw err;
      await releaseSlot(deps, { namespace: release.namespace, flowId: release.flowId, claimId: holder.claimId });
    }
  }
}

/** A Resume task's other execution: resumed as a Resume request would be (PAUSED, typed inputs), then the task is told. */
async function resumeOther(deps: EffectDeps, effect: EffectOf<'ResumeOtherExecution'>): Promise<void> {
  const t = effect.target;
  const answer = async (extra: { namespace?: string; flowId?: string; error?: AloftErrorData }): Promise<void> => {
    await appendEvent(deps, effect.executionId, { type: 'OtherResumed', taskRunId: effect.taskRunId, executionId: t.executionId, ...extra });
  };
  const other = await deps.store.get(t.executionId);
  if (!other) return answer({ error: { code: ErrorCode.NOT_FOUND, message: `no execution found for execution id ${t.executionId}` } });
  if ((t.namespace !== undefined && t.namespace !== other.namespace) || (t.flowId !== undefined && t.flowId !== other.flowId)) {
    const named = `${t.namespace ?? other.namespace}.${t.flowId ?? other.flowId}`;
    return answer({ error: { code: ErrorCode.NOT_FOUND, message: `execution ${t.executionId} runs flow ${other.namespace}.${other.flowId}, not ${named}` } });
  }
  if (other.state.current !== State.PAUSED) {
    return answer({ error: { code: ErrorCode.CONFLICT, message: `execution ${t.executionId} is ${other.state.current}, not PAUSED` } });
  }
  const flow = await deps.flows.get(other.namespace, other.flowId, other.flowRevision);
  const checked = checkResume(other, flow, effect.inputs);
  if (!checked.ok) return answer({ error: { code: ErrorCode.INPUT_INVALID, message: `resuming execution ${t.executionId}: ${checked.message}` } });
  await appendEvent(deps, t.executionId, { type: 'Resume', ...(effect.inputs ? { inputs: effect.inputs } : {}) }, { key: `resumed-by:${effect.taskRunId}` });
  await answer({ namespace: other.namespace, flowId: other.flowId });
}

/** Why a child failed, so that the parent's task run says more than FAILED. */
async function childFailure(deps: EffectDeps, effect: EffectOf<'ExecutionEnded'>): Promise<AloftErrorData | undefined> {
  const child = await deps.store.get(effect.executionId);
  const failed = child?.taskRunList.find((r) => r.error);
  if (!failed?.error) return undefined;
  return {
    code: ErrorCode.TASK_FAILED,
    message: `subflow ${effect.namespace}.${effect.flowId} (execution ${effect.executionId}) failed in task ${failed.taskId}: ${failed.error.message}`,
  };
}
