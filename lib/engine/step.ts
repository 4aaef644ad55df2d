// The engine: one pure step from (execution, event) to (execution, effects). No I/O, clock, env or
// randomness; ids and `now` come in. A stale or duplicate event returns the same execution object
// and no effects. User errors (bad templates, unknown types) fail task runs; step never throws for them.
import type { TaskCatalog } from '../model/catalog';
import type { Effect } from '../model/effects';
import { EffectType } from '../model/effects';
import { SCHEDULED_START, onEvent, type EventHandlers, type ExecutionEvent, type WakeUpReason } from '../model/events';
import type { Execution, ParentRef, TaskRun, TriggerContext } from '../model/execution';
import type { Flow } from '../model/flow';
import { State, isTerminal, newStateRecord } from '../model/states';
import type { Ids } from '../ports/system';
import { Draft } from './draft';
import { evaluateRoot, finishExecution, settlePause } from './finish';
import { createdFailedByChecks } from './checks';
import { onConcurrencySlot, startOrClaim } from './concurrency';
import { kill } from './kill';
import { continueRestarted, restart } from './restart';
import { ROOT } from './run-index';
import { onAttemptStarted, onRetryWakeUp, onStartedThenResult, onWorkerResult } from './runnable';
import type { VariablesContext } from './variables';

export interface StepInput {
  execution: Execution;
  flow: Flow;
  event: ExecutionEvent;
  now: Date;
  ids: Ids;
  catalog: TaskCatalog;
  /** `globals` and `envs` variables, injected by the runtime (engine never reads env). */
  context?: VariablesContext;
}

export interface StepOutput {
  execution: Execution;
  effects: Effect[];
}

export function step(input: StepInput): StepOutput {
  const { execution, event } = input;
  // A terminal execution only listens to Restart.
  if (isTerminal(execution.state.current) && event.type !== 'Restart') return { execution, effects: [] };
  const d = new Draft(input);
  stepDraft(d, event);
  return { execution: d.build(), effects: d.effects };
}

export interface StepAllInput extends Omit<StepInput, 'event'> {
  events: readonly ExecutionEvent[];
}

/**
 * Folds events in order, exactly as one `step` after the other would, but through one working copy:
 * an executor pass folds a worker's start and result together, and copying the execution per event
 * is most of a step's cost.
 */
export function stepAll(input: StepAllInput): StepOutput {
  const { events } = input;
  if (events.length === 1) return step({ ...input, event: events[0] });
  const d = new Draft(input);
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (isTerminal(d.state) && event.type !== 'Restart') continue;
    // A start and its result, as a quick task sends them: one change (a start evaluates nothing).
    const next = events[i + 1];
    if (event.type === 'AttemptStarted' && next?.type === 'WorkerResult' && onStartedThenResult(d, event, next.result)) {
      i++;
      settle(d);
      continue;
    }
    stepDraft(d, event);
  }
  return { execution: d.build(), effects: d.effects };
}

function stepDraft(d: Draft, event: ExecutionEvent): void {
  apply(d, event);
  settle(d);
}

function settle(d: Draft): void {
  d.drain((id) => evaluate(d, id));
  settlePause(d);
  // Each step starts untouched: the next event's settle must not redo this one's.
  d.pauseTouched = false;
}

/** The flowable that scheduled the wake-up (a Pause) decides what it means. */
function flowableWakeUp(d: Draft, run: TaskRun, reason: WakeUpReason): void {
  const node = d.node(run.taskId);
  node?.flowable?.wakeUp?.(d, run, node.task, reason);
}

// One handler per wake-up reason of a task run, as for events below (a scheduled start wakes the execution).
const onWakeUps: { readonly [R in Exclude<WakeUpReason, 'scheduled-start'>]: (d: Draft, run: TaskRun, reason: WakeUpReason) => void } = {
  retry: onRetryWakeUp,
  'pause-delay': flowableWakeUp,
  'pause-timeout': flowableWakeUp,
};

/** ExecutionCreated, or the wake-up of its scheduleDate (`due`): starts the execution unless it is scheduled later. */
function created(d: Draft, due = false): void {
  const at = d.execution.scheduleDate;
  if (!due && at !== undefined && Date.parse(at) > d.now.getTime()) {
    // Written again: a step with an effect is a change, so the wake-up is committed with the execution.
    d.patch({ scheduleDate: at });
    d.emit({ type: EffectType.ScheduleWakeUp, executionId: d.execution.id, taskRunId: SCHEDULED_START, at, reason: 'scheduled-start' });
    return;
  }
  if (createdFailedByChecks(d.execution)) return finishExecution(d, State.FAILED, { refused: true });
  if (d.state === State.CREATED || d.state === State.RESTARTED) startOrClaim(d, begin);
}

// One handler per event type: a new event type that the engine does not handle does not compile.
const onEvents: EventHandlers<Draft> = {
  ExecutionCreated: (d) => created(d),
  AttemptStarted: onAttemptStarted,
  WorkerResult: (d, event) => onWorkerResult(d, event.result),
  WakeUp: (d, event) => {
    if (event.reason === 'scheduled-start') {
      if (d.state === State.CREATED) created(d, true);
      return;
    }
    const run = d.run(event.taskRunId);
    if (run && !isTerminal(run.state.current)) onWakeUps[event.reason](d, run, event.reason);
  },
  Kill: (d) => kill(d),
  Resume: (d, event) => resume(d, event.taskRunId, event.inputs),
  Restart: (d) => restart(d, (x) => startOrClaim(x, begin)),
  SubflowStarted: (d, event) => {
    const run = d.run(event.taskRunId);
    const node = run && d.node(run.taskId);
    if (run && node) node.flowable?.subflowStarted?.(d, run, node.task, event);
  },
  SubflowEnded: (d, event) => {
    const run = d.run(event.taskRunId);
    const node = run && d.node(run.taskId);
    if (run && node) node.flowable?.subflowEnded?.(d, run, node.task, event);
  },
  ConcurrencySlot: (d, event) => onConcurrencySlot(d, event, begin),
  OtherResumed: (d, event) => {
    const run = d.run(event.taskRunId);
    const node = run && d.node(run.taskId);
    if (run && node) node.flowable?.otherResumed?.(d, run, node.task, event);
  },
};

/** CREATED (or QUEUED) -> RUNNING, from the first task; a restarted execution carries on where it failed. */
function begin(d: Draft): void {
  if (d.state === State.RESTARTED || d.runs.some((r) => r.state.current === State.RESTARTED)) return continueRestarted(d);
  d.setState(State.RUNNING);
  d.enqueue(ROOT);
}

function apply(d: Draft, event: ExecutionEvent): void {
  onEvent(onEvents, d, event);
}

/** Resumes the given paused run, or the first one that waits (as Kestra does). */
function resume(d: Draft, taskRunId: string | undefined, inputs: Record<string, unknown> | undefined): void {
  if (d.killing) return;
  const candidates = taskRunId ? [d.run(taskRunId)] : d.runs.filter((r) => r.state.current === State.PAUSED);
  for (const run of candidates) {
    if (!run) continue;
    const node = d.node(run.taskId);
    if (node?.flowable?.resume?.(d, run, node.task, inputs)) return;
  }
}

function evaluate(d: Draft, containerId: string): void {
  if (containerId === ROOT) return evaluateRoot(d);
  const run = d.run(containerId);
  const node = run && d.node(run.taskId);
  if (run && node?.flowable) node.flowable.evaluate(d, run, node.task);
}

export interface NewExecutionArgs {
  id: string;
  flow: Flow;
  inputs: Record<string, unknown>;
  now: Date;
  trigger?: TriggerContext;
  parent?: ParentRef;
  labels?: Record<string, string>;
  originalId?: string;
  scheduleDate?: string;
}

/** A new execution: state CREATED, version 0, no task runs. Feed it ExecutionCreated to start it. */
export function newExecution(a: NewExecutionArgs): Execution {
  return {
    id: a.id,
    namespace: a.flow.namespace,
    flowId: a.flow.id,
    flowRevision: a.flow.revision ?? 1,
    state: newStateRecord(State.CREATED, a.now),
    inputs: a.inputs,
    ...(a.labels && Object.keys(a.labels).length ? { labels: a.labels } : {}),
    ...(a.trigger ? { trigger: a.trigger } : {}),
    ...(a.parent ? { parent: a.parent } : {}),
    ...(a.originalId ? { originalId: a.originalId } : {}),
    ...(a.scheduleDate ? { scheduleDate: a.scheduleDate } : {}),
    taskRunList: [],
    version: 0,
  };
}
