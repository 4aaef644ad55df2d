// What a flowable task type does in the engine. Each flowable file exports its TaskTypeInfo and
// one of these; the engine never sends a flowable to a worker.
import type { TaskTypeInfo } from '../../model/catalog';
import type { EventOf } from '../../model/events';
import type { TaskRun } from '../../model/execution';
import type { WorkerResult } from '../../model/worker-messages';
import type { Task } from '../../model/flow';
import type { Draft } from '../draft';

/**
 * A flowable whose children a worker runs as one group attempt on the flowable's own run
 * (WorkingDirectory). The engine routes the group's start and result here, and creates each child's
 * run when the worker first reports about it.
 */
export interface GroupHooks {
  started(d: Draft, run: TaskRun, task: Task, event: EventOf<'AttemptStarted'>): void;
  result(d: Draft, run: TaskRun, task: Task, result: WorkerResult): void;
  /**
   * A child's first report: creates its run (with attempt `attempt` CREATED, or SKIPPED without one
   * when its runIf skipped it) when the group's current attempt planned it.
   */
  adopt(d: Draft, run: TaskRun, childRunId: string, attempt: number, skipped: boolean): TaskRun | undefined;
  /** True when the child run was run by the group's worker (not one of its `errors` or `finally` runs). */
  ranInGroup(run: TaskRun, childRunId: string): boolean;
}

export interface FlowableBehaviour {
  readonly info: TaskTypeInfo;
  /** True when its children run side by side (no child is a successor of another). */
  readonly parallel?: boolean;
  /**
   * Replay: the task ids among its children that come after `childTaskId` and run again with it.
   * Without it, later siblings do (none when `parallel`).
   */
  successors?(task: Task, childTaskId: string): ReadonlySet<string>;
  /**
   * Children the engine makes for the task, not written in the flow (ForEachItem's split, batches and
   * merge tasks): indexed with the flow's own tasks, so runs of them find their task.
   */
  derivedTasks?(task: Task): readonly Task[];
  /** Replay: a replay from any run inside it starts from this run instead (it cannot resume halfway). */
  readonly replaysWhole?: boolean;
  /** Set when a worker runs its children as one group attempt (see GroupHooks). */
  readonly group?: GroupHooks;
  /** The run was just created (CREATED) or restarted (RESTARTED): start it. */
  start(d: Draft, run: TaskRun, task: Task): void;
  /** One of its children changed: create the next children or conclude. */
  evaluate(d: Draft, run: TaskRun, task: Task): void;
  /** The execution is being killed and this run is still active. Defaults to KILLING, then KILLED once its children ended. */
  kill?(d: Draft, run: TaskRun, task: Task): void;
  wakeUp?(d: Draft, run: TaskRun, task: Task, reason: EventOf<'WakeUp'>['reason']): void;
  /** Returns false when the run is not waiting for a resume. */
  resume?(d: Draft, run: TaskRun, task: Task, inputs: Record<string, unknown> | undefined): boolean;
  subflowStarted?(d: Draft, run: TaskRun, task: Task, event: EventOf<'SubflowStarted'>): void;
  subflowEnded?(d: Draft, run: TaskRun, task: Task, event: EventOf<'SubflowEnded'>): void;
  /** Another execution this run asked to resume was resumed, or could not be. */
  otherResumed?(d: Draft, run: TaskRun, task: Task, event: EventOf<'OtherResumed'>): void;
}
