// Runnable task runs: a worker starts an attempt, reports its result, and a failed attempt is
// retried on the same run (a new attempt) when the nearest retry policy allows it.
import { EffectType } from '../model/effects';
import type { EventOf } from '../model/events';
import type { TaskRun, TaskRunAttempt } from '../model/execution';
import type { Task } from '../model/flow';
import { State, isTerminal, type StateHistory } from '../model/states';
import type { WorkerResult } from '../model/worker-messages';
import { dispatchAttempt } from './dispatch';
import type { Draft } from './draft';
import type { GroupHooks } from './flowables/behaviour';
import { LOST_ATTEMPTS, MAX_LOST_ATTEMPTS, forgivenLost, nextRetryDelay } from './retry';
import { tolerated } from './tolerance';
import { checkTransition, cleanError, endAttempt, historyEntry, internalOf, iso, lastAttempt, recordStateAt, reportedTime, runState, withInternal, withLastAttempt, withRunState } from './state-ops';

/** The run and its attempt when the event is about the current, unfinished attempt; else undefined (stale or duplicate). */
function current(d: Draft, taskRunId: string, attempt: number): TaskRun | undefined {
  const run = d.run(taskRunId);
  if (!run || isTerminal(run.state.current)) return undefined;
  if (d.node(run.taskId)?.flowable) return undefined;
  if (attempt !== run.attempts.length - 1) return undefined;
  const a = lastAttempt(run);
  if (!a || isTerminal(a.state.current)) return undefined;
  return run;
}

/**
 * Group attempts (WorkingDirectory): true when the event was about the group's own run (its behaviour
 * took it). A child's first report creates its run under the group, when the group planned it.
 */
function routedToGroup(
  d: Draft, taskRunId: string, parentTaskRunId: string | undefined, attempt: number, onGroup: (g: GroupHooks, run: TaskRun, task: Task) => void, skipped = false,
): boolean {
  const run = d.run(taskRunId);
  if (run) {
    const node = d.node(run.taskId);
    if (!node?.flowable?.group) return false;
    onGroup(node.flowable.group, run, node.task);
    return true;
  }
  if (parentTaskRunId === undefined) return false;
  const parent = d.run(parentTaskRunId);
  const hooks = parent ? d.node(parent.taskId)?.flowable?.group : undefined;
  if (parent && hooks) hooks.adopt(d, parent, taskRunId, attempt, skipped);
  return false;
}

/** True when `run` is a child of a group attempt: its worker ran it in the group's folder, where no retry can run. */
function inGroup(d: Draft, run: TaskRun): boolean {
  if (run.parentTaskRunId === undefined) return false;
  const parent = d.run(run.parentTaskRunId);
  return parent !== undefined && d.node(parent.taskId)?.flowable?.group?.ranInGroup(parent, run.id) === true;
}

/** The worker started the attempt: the attempt and its run go RUNNING at the time the worker reports (as Kestra's workers stamp it). */
export function onAttemptStarted(d: Draft, e: EventOf<'AttemptStarted'>): void {
  if (routedToGroup(d, e.taskRunId, e.parentTaskRunId, e.attempt, (g, r, t) => g.started(d, r, t, e))) return;
  const run = current(d, e.taskRunId, e.attempt);
  if (!run || lastAttempt(run)!.state.current !== State.CREATED) return;
  let next = withLastAttempt(run, (a) => {
    // Built field by field: a spread of a spread gives every attempt a shape of its own.
    const started: TaskRunAttempt = { ...a, state: recordStateAt(a.state, State.RUNNING, reportedTime(a.state, e.at, d.now), run, true) };
    if (e.workerId) started.workerId = e.workerId;
    return started;
  });
  if (next.state.current !== State.KILLING && next.state.current !== State.RUNNING) {
    next = { ...next, state: recordStateAt(next.state, State.RUNNING, reportedTime(next.state, e.at, d.now), run) };
  }
  d.update(next);
}

/**
 * A worker's start followed by its result (a quick task: both folded in one pass), applied as one
 * change with exactly the outcome of onAttemptStarted then onWorkerResult, minus the intermediate
 * copies. False, having changed nothing, for anything but that usual case.
 */
export function onStartedThenResult(d: Draft, e: EventOf<'AttemptStarted'>, result: WorkerResult): boolean {
  if (result.taskRunId !== e.taskRunId || result.attempt !== e.attempt || !isTerminal(result.state)) return false;
  const run = current(d, e.taskRunId, e.attempt);
  if (!run || run.state.current === State.KILLING) return false;
  const i = run.attempts.length - 1;
  const a = run.attempts[i];
  if (a.state.current !== State.CREATED) return false;
  checkTransition(State.RUNNING, result.state, run, true);
  const histories = a.state.histories;
  const n = histories.length;
  const changes = new Array<StateHistory>(n + 2);
  for (let k = 0; k < n; k++) changes[k] = histories[k];
  changes[n] = historyEntry(State.RUNNING, reportedTime(a.state, e.at, d.now));
  changes[n + 1] = historyEntry(result.state, iso(d.now));
  // A literal when the attempt holds nothing else yet (the usual case): a spread here gave each
  // attempt a hidden class of its own once fields were added (40,000 in the burst).
  const state = { current: result.state, histories: changes };
  let attempt: TaskRunAttempt;
  if (isBare(a) && e.workerId && !result.logsUri && result.metrics) attempt = { state, workerId: e.workerId, metrics: result.metrics };
  else {
    attempt = isBare(a) ? { state } : { ...a, state };
    if (e.workerId) attempt.workerId = e.workerId;
    if (result.logsUri) attempt.logsUri = result.logsUri;
    if (result.metrics) attempt.metrics = result.metrics;
  }
  const attempts = run.attempts.slice();
  attempts[i] = attempt;
  const next: TaskRun = { ...run, attempts };
  if (next.state.current !== State.RUNNING) next.state = recordStateAt(run.state, State.RUNNING, reportedTime(run.state, e.at, d.now), run);
  if (result.outputs) next.outputs = result.outputs;
  else if ('outputs' in next) delete next.outputs;
  if (result.error) next.error = cleanError(result.error);
  else if ('error' in next) delete next.error;
  finishAttempt(d, next, result.state, result.lost === true);
  return true;
}

// Fails to compile when the model gains an attempt field that isBare does not look at.
type KnownAttemptKeys = 'state' | 'workerId' | 'heartbeat' | 'logsUri' | 'metrics';
const everyAttemptKeyKnown: [Exclude<keyof TaskRunAttempt, KnownAttemptKeys>] extends [never] ? true : false = true;
void everyAttemptKeyKnown;

/** An attempt with nothing but its state (the model's other fields are all optional). */
const isBare = (a: TaskRunAttempt): boolean =>
  a.workerId === undefined && a.heartbeat === undefined && a.logsUri === undefined && a.metrics === undefined;

export function onWorkerResult(d: Draft, result: WorkerResult): void {
  if (routedToGroup(d, result.taskRunId, result.parentTaskRunId, result.attempt, (g, r, t) => g.result(d, r, t, result), result.state === State.SKIPPED)) return;
  const run = current(d, result.taskRunId, result.attempt);
  if (!run) return;
  // A worker only reports terminal states; anything else is treated as a start.
  if (!isTerminal(result.state)) {
    onAttemptStarted(d, { type: 'AttemptStarted', taskRunId: result.taskRunId, attempt: result.attempt, at: result.startedAt });
    return;
  }
  // No start was folded (the cloud worker announces only slow starts): the result's own start time is
  // when the attempt and its run went RUNNING, as if its AttemptStarted had come with it.
  if (result.state !== State.KILLED && lastAttempt(run)!.state.current === State.CREATED
    && onStartedThenResult(d, { type: 'AttemptStarted', taskRunId: result.taskRunId, attempt: result.attempt, at: result.startedAt }, result)) return;
  const i = run.attempts.length - 1;
  const ended = endAttempt(run.attempts[i], result.state, d.now, run);
  const attempt: TaskRunAttempt = ended === run.attempts[i] ? { ...ended } : ended;
  if (result.logsUri) attempt.logsUri = result.logsUri;
  if (result.metrics) attempt.metrics = result.metrics;
  const attempts = run.attempts.slice();
  attempts[i] = attempt;
  // Outputs and error describe the latest attempt only.
  const next: TaskRun = { ...run, attempts };
  if (result.outputs) next.outputs = result.outputs;
  else if ('outputs' in next) delete next.outputs;
  if (result.error) next.error = cleanError(result.error);
  else if ('error' in next) delete next.error;
  finishAttempt(d, next, result.state, result.lost === true);
}

/**
 * The current attempt of `run` has ended in `state` (already recorded on the attempt): retry it,
 * or end the run. `lost`: its worker died (core/recovery.ts); it runs again at once whatever the policy.
 */
function finishAttempt(d: Draft, run: TaskRun, state: State, lost = false): void {
  const policy = d.node(run.taskId)?.retry;
  if (state === State.FAILED && !d.killing && run.state.current !== State.KILLING && !inGroup(d, run)) {
    if (lost) {
      const count = (internalOf<number>(run, LOST_ATTEMPTS) ?? 0) + 1;
      run = withInternal(run, { [LOST_ATTEMPTS]: count });
      if (count <= MAX_LOST_ATTEMPTS) {
        retryAfter(d, run, 0);
        return;
      }
    }
    const delay = nextRetryDelay(policy, run, d.now);
    if (delay !== undefined) {
      retryAfter(d, run, delay);
      return;
    }
  }
  let final = state;
  if (state === State.SUCCESS && policy?.warningOnRetry && run.attempts.length - forgivenLost(run) > 1) final = State.WARNING;
  final = tolerated(final, d.task(run.taskId));
  // A run that never reported its start still passes through RUNNING.
  const started = run.state.current === State.KILLING || final === State.KILLED ? run : runState(run, State.RUNNING, d.now);
  d.update(endRun(started, final, d.now));
  d.enqueue(run.parentTaskRunId);
}

/**
 * The run goes RETRYING; its next attempt is dispatched now, or by a wake-up after `delay` ms. As
 * Kestra records it: the run ends FAILED, then waits RETRYING, and so does the execution
 * (ExecutionService.markWithTaskRunAs); the next attempt makes both active again (dispatchAttempt).
 */
function retryAfter(d: Draft, run: TaskRun, delay: number): void {
  const failed = runState(runState(run, State.RUNNING, d.now), State.FAILED, d.now);
  const retrying = runState(failed, State.RETRYING, d.now);
  d.update(retrying);
  if (d.state === State.RUNNING) d.setState(State.RETRYING);
  if (delay <= 0) {
    dispatchAttempt(d, retrying, d.task(run.taskId)!);
    return;
  }
  d.emit({
    type: EffectType.ScheduleWakeUp, executionId: run.executionId, taskRunId: run.id,
    at: new Date(d.now.getTime() + delay).toISOString(), reason: 'retry',
  });
}

/**
 * The run ends in `state`. When its history is exactly its last attempt's (one attempt, started and
 * ended at the same times: the usual case), both share one record: records are immutable, and every
 * finished run would otherwise keep two equal copies.
 */
function endRun(run: TaskRun, state: State, now: Date): TaskRun {
  if (run.state.current === state) return run;
  checkTransition(run.state.current, state, run);
  const a = lastAttempt(run)?.state;
  const h = run.state.histories;
  if (a && a.current === state && a.histories.length === h.length + 1 && a.histories[h.length] === historyEntry(state, iso(now))) {
    let same = true;
    for (let i = 0; i < h.length && same; i++) same = a.histories[i] === h[i];
    if (same) return withRunState(run, a);
  }
  return runState(run, state, now);
}

/** WakeUp(retry): the delay is over, run the next attempt. */
export function onRetryWakeUp(d: Draft, run: TaskRun): void {
  if (run.state.current !== State.RETRYING || d.killing) return;
  dispatchAttempt(d, run, d.task(run.taskId)!);
}
