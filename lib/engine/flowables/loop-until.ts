// LoopUntil (Kestra 1.x; WaitFor before): runs its tasks, then renders `condition`; falsy, it waits
// `checkFrequency.interval` (a wake-up) and runs them again, until the condition holds or
// `maxIterations` iterations ran or `maxDuration` passed since it started. Reaching a maximum ends
// SUCCESS, or FAILED with `failOnMaxReached`. Each iteration creates new runs of its tasks; a task's
// outputs are its latest iteration's. The run's `iterationCount` output counts iterations so far.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import { Duration, parseDurationMs } from '../../model/duration';
import { EffectType } from '../../model/effects';
import type { TaskRun } from '../../model/execution';
import { FALSY_TEXTS, type Task } from '../../model/flow';
import { State, isSuccessLike, isTerminal } from '../../model/states';
import { evaluateBranches, listChildren } from '../container';
import { failAndNotify } from '../dispatch';
import type { Draft } from '../draft';
import { propertyError, renderText } from '../render';
import { internalOf, withInternal, type ErrorData } from '../state-ops';
import type { FlowableBehaviour } from './behaviour';
import { conclude, startRunning } from './list-behaviour';
import { NonEmptyTaskList, TaskList } from './schemas';

export const loopUntilInfo: TaskTypeInfo = {
  type: 'io.kestra.plugin.core.flow.LoopUntil',
  aliases: ['io.kestra.plugin.core.flow.WaitFor'],
  kind: 'flowable',
  properties: z.object({
    condition: z.union([z.string(), z.boolean()]),
    tasks: NonEmptyTaskList,
    errors: TaskList.optional(),
    failOnMaxReached: z.boolean().optional(),
    checkFrequency: z.object({
      interval: Duration.optional(),
      maxIterations: z.number().int().positive().optional(),
      maxDuration: Duration.optional(),
    }).strict().optional(),
  }).strict(),
  childLists: ['tasks', 'errors'],
};

// Kestra's defaults.
const DEFAULT_INTERVAL_MS = 1_000;
const DEFAULT_MAX_ITERATIONS = 100;
const DEFAULT_MAX_DURATION_MS = 3_600_000;

/** Internal keys: where the current iteration's children start, when the loop started, and whether it waits for its wake-up. */
const SINCE = 'since';
const STARTED = 'startedAt';
const WAITING = 'waiting';

const iterationOf = (run: TaskRun): number => Number(run.outputs?.iterationCount ?? 1);

function durationMs(d: Draft, run: TaskRun, property: string, value: unknown, fallback: number): { ms: number } | { error: ErrorData } {
  if (value === undefined) return { ms: fallback };
  let text = String(value);
  if (text.includes('{{')) {
    const rendered = renderText(d.renderSite(run), property, text);
    if (!rendered.ok) return { error: rendered.error };
    text = rendered.value;
  }
  const ms = parseDurationMs(text);
  return ms === undefined ? { error: propertyError({ flow: d.fx.key, task: run.taskId }, property, `'${text}' is not an ISO-8601 duration such as PT30S`) } : { ms };
}

/** The iteration's tasks ended well: stop, or wait for the next iteration. */
function afterIteration(d: Draft, run: TaskRun, task: Task, branch: State): void {
  let text = String(task.condition);
  if (typeof task.condition === 'string') {
    const rendered = renderText(d.renderSite(run), 'condition', task.condition);
    if (!rendered.ok) return failAndNotify(d, run, rendered.error);
    text = rendered.value;
  }
  if (!FALSY_TEXTS.includes(text.trim())) return conclude(d, run, branch);
  const frequency = (task.checkFrequency ?? {}) as { interval?: string; maxIterations?: number; maxDuration?: string };
  const interval = durationMs(d, run, 'checkFrequency.interval', frequency.interval, DEFAULT_INTERVAL_MS);
  if ('error' in interval) return failAndNotify(d, run, interval.error);
  const maxDuration = durationMs(d, run, 'checkFrequency.maxDuration', frequency.maxDuration, DEFAULT_MAX_DURATION_MS);
  if ('error' in maxDuration) return failAndNotify(d, run, maxDuration.error);
  const started = Date.parse(internalOf<string>(run, STARTED) ?? d.now.toISOString());
  const next = d.now.getTime() + interval.ms;
  const reached = iterationOf(run) >= (frequency.maxIterations ?? DEFAULT_MAX_ITERATIONS) || next > started + maxDuration.ms;
  if (reached) return conclude(d, run, task.failOnMaxReached === true ? State.FAILED : branch);
  const at = new Date(next).toISOString();
  d.update(withInternal(run, { [WAITING]: true }));
  d.emit({ type: EffectType.ScheduleWakeUp, executionId: run.executionId, taskRunId: run.id, at, reason: 'pause-delay' });
}

export const loopUntil: FlowableBehaviour = {
  info: loopUntilInfo,
  // Its iteration bookkeeping (where the current iteration's runs start) cannot be rebuilt for a run inside it.
  replaysWhole: true,
  start(d, run, task) {
    const running = { ...startRunning(d, run), outputs: { iterationCount: 1 } };
    d.update(withInternal(running, { [SINCE]: 0, [STARTED]: d.now.toISOString() }));
    loopUntil.evaluate(d, d.run(run.id)!, task);
  },
  evaluate(d, run, task) {
    if (isTerminal(run.state.current)) return;
    const killing = d.killing || run.state.current === State.KILLING;
    if (!killing && internalOf<boolean>(run, WAITING)) return;
    const branch = evaluateBranches(d, run.id, {
      main: listChildren(task.tasks as Task[]),
      errors: task.errors as Task[] | undefined,
      since: internalOf<number>(run, SINCE) ?? 0,
    }, killing);
    if (!branch) return;
    const current = d.run(run.id) ?? run;
    if (killing || !isSuccessLike(branch)) conclude(d, current, branch);
    else afterIteration(d, current, task, branch);
  },
  wakeUp(d, run, task, reason) {
    if (reason !== 'pause-delay' || run.state.current !== State.RUNNING || !internalOf<boolean>(run, WAITING)) return;
    const next: TaskRun = { ...withInternal(run, { [WAITING]: undefined, [SINCE]: d.children(run.id).length }), outputs: { iterationCount: iterationOf(run) + 1 } };
    d.update(next);
    loopUntil.evaluate(d, next, task);
  },
};
