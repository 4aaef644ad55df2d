// Pause: the run goes RUNNING, then PAUSED. With `delay` it wakes up by itself (the execution stays
// RUNNING); without, the execution is PAUSED until a Resume (whose inputs become the run's
// `onResume` outputs) or until `timeout`, which fails it. Resumed, it runs its own tasks like a
// Sequential, so its history reads CREATED, RUNNING, PAUSED, RUNNING before its children run.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import { Duration, parseDurationMs, formatDurationMs } from '../../model/duration';
import { EffectType } from '../../model/effects';
import { ErrorCode } from '../../model/errors';
import type { TaskRun } from '../../model/execution';
import type { Task } from '../../model/flow';
import { State, isTerminal, worstState } from '../../model/states';
import { evaluateBranches, listChildren } from '../container';
import { failAndNotify } from '../dispatch';
import type { Draft } from '../draft';
import { propertyError, renderText } from '../render';
import { resumeInputs } from '../resume-inputs';
import { internalOf, runState, withInternal, type ErrorData } from '../state-ops';
import type { FlowableBehaviour } from './behaviour';
import { conclude, startRunning } from './list-behaviour';
import { TaskList, names } from './schemas';

export const pauseInfo: TaskTypeInfo = {
  ...names('Pause'),
  kind: 'flowable',
  properties: z.object({
    delay: Duration.optional(),
    timeout: Duration.optional(),
    tasks: TaskList.optional(),
    errors: TaskList.optional(),
    /** Kestra 1.x: the name of `delay`. */
    pauseDuration: Duration.optional(),
    /** Kestra 1.x: how the run ends once `pauseDuration` passed (a resume before that always succeeds). CANCEL is not supported. */
    behavior: z.enum(['RESUME', 'WARN', 'FAIL']).optional(),
    /** Kestra 1.x: inputs expected on resume, typed and checked like flow inputs (see resume-inputs.ts). */
    onResume: z.array(z.record(z.string(), z.unknown())).optional(),
  }).strict(),
  childLists: ['tasks', 'errors'],
};

/** Internal keys. MODE: 'delay' (wakes by itself) or 'manual' (waits for a Resume). */
export const PAUSE_MODE = 'pauseMode';
const WAKE_AT = 'wakeAt';
const TIMEOUT = 'timeout';
/** Internal key: the state the run ends in at best (WARNING after a WARN behavior), once its tasks ran. */
const AT_BEST = 'atBest';

/** A Pause run waiting for a person: the execution shows PAUSED while one exists. */
export const isManualPause = (run: TaskRun): boolean => run.state.current === State.PAUSED && internalOf(run, PAUSE_MODE) === 'manual';

function duration(d: Draft, run: TaskRun, property: 'delay' | 'pauseDuration' | 'timeout', value: unknown): { ms?: number; text?: string; error?: ErrorData } {
  if (value === undefined || value === null) return {};
  let text = String(value);
  if (text.includes('{{')) {
    const rendered = renderText(d.renderSite(run), property, text);
    if (!rendered.ok) return { error: rendered.error };
    text = rendered.value;
  }
  const ms = parseDurationMs(text);
  if (ms === undefined) return { error: propertyError({ flow: d.fx.key, task: run.taskId }, property, `'${text}' is not an ISO-8601 duration such as PT30S`) };
  return { ms, text };
}

function afterResume(d: Draft, run: TaskRun, task: Task): void {
  let next = runState(run, State.RUNNING, d.now);
  d.update(next);
  d.pauseTouched = true;
  if (listChildren(task.tasks as Task[] | undefined).length === 0) {
    conclude(d, next, internalOf<State>(next, AT_BEST) ?? State.SUCCESS);
    return;
  }
  next = d.run(run.id) ?? next;
  pause.evaluate(d, next, task);
}

export const pause: FlowableBehaviour = {
  info: pauseInfo,
  start(d, run, task) {
    const running = startRunning(d, run);
    d.update(running);
    const delay = task.pauseDuration !== undefined ? duration(d, running, 'pauseDuration', task.pauseDuration) : duration(d, running, 'delay', task.delay);
    const timeout = duration(d, running, 'timeout', task.timeout);
    const error = delay.error ?? timeout.error;
    if (error) {
      failAndNotify(d, running, error);
      return;
    }
    const waitMs = delay.ms ?? timeout.ms;
    const internal: Record<string, unknown> = { [PAUSE_MODE]: delay.ms !== undefined ? 'delay' : 'manual' };
    if (waitMs !== undefined) {
      const at = new Date(d.now.getTime() + waitMs).toISOString();
      internal[WAKE_AT] = at;
      if (delay.ms === undefined) internal[TIMEOUT] = timeout.text;
      d.emit({ type: EffectType.ScheduleWakeUp, executionId: run.executionId, taskRunId: run.id, at, reason: delay.ms !== undefined ? 'pause-delay' : 'pause-timeout' });
    }
    d.update({ ...runState(running, State.PAUSED, d.now), internal });
    d.pauseTouched = true;
  },
  evaluate(d, run, task) {
    if (isTerminal(run.state.current) || run.state.current === State.PAUSED) return;
    const killing = d.killing || run.state.current === State.KILLING;
    const state = evaluateBranches(d, run.id, {
      main: listChildren(task.tasks as Task[] | undefined),
      errors: task.errors as Task[] | undefined,
    }, killing);
    if (state) conclude(d, d.run(run.id) ?? run, worstState([state, internalOf<State>(run, AT_BEST) ?? State.SUCCESS]));
  },
  kill(d, run) {
    if (run.state.current === State.PAUSED) {
      d.pauseTouched = true;
      conclude(d, run, State.KILLED);
    } else if (!isTerminal(run.state.current)) d.update(runState(run, State.KILLING, d.now));
  },
  wakeUp(d, run, task, reason) {
    if (run.state.current !== State.PAUSED) return;
    const mode = internalOf(run, PAUSE_MODE);
    if (reason === 'pause-delay' && mode === 'delay') {
      if (task.behavior === 'FAIL') {
        d.pauseTouched = true;
        const message = `paused for ${String(task.pauseDuration ?? task.delay)}, and its behavior is FAIL`;
        return failAndNotify(d, run, { code: ErrorCode.TASK_FAILED, message, flow: d.fx.key, task: run.taskId, property: 'behavior' });
      }
      afterResume(d, task.behavior === 'WARN' ? withInternal(run, { [AT_BEST]: State.WARNING }) : run, task);
    }
    else if (reason === 'pause-timeout' && mode === 'manual') {
      d.pauseTouched = true;
      const timeout = internalOf<string>(run, TIMEOUT);
      const message = `paused for ${timeout ?? formatDurationMs(0)} without being resumed`;
      failAndNotify(d, run, { code: ErrorCode.TIMEOUT, message, flow: d.fx.key, task: run.taskId, property: 'timeout' });
    }
  },
  resume(d, run, task, inputs) {
    if (run.state.current !== State.PAUSED) return false;
    const typed = resumeInputs(task, inputs);
    if (!typed.ok) return false;
    const values = typed.values;
    const withOutputs = Object.keys(values).length > 0 ? { ...run, outputs: { onResume: values } } : run;
    afterResume(d, withOutputs, task);
    return true;
  },
};
