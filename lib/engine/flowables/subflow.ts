// Flow (0.x) / Subflow (1.x): starts an execution of another flow. The child's id comes from `ids`
// so a re-published StartSubflow creates nothing twice; `chain` lets the runtime refuse cycles.
// wait: false -> SUCCESS once the child exists. wait: true -> ends with the child: SUCCESS, or the
// child's own state when `transmitFailed` and the child did not succeed; the task's `outputs` are
// rendered by the child against its own variables, and failing to render them fails this run.
// Subflows are never retried.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import { EffectType } from '../../model/effects';
import type { EventOf } from '../../model/events';
import type { TaskRun } from '../../model/execution';
import type { Task } from '../../model/flow';
import { State, isTerminal } from '../../model/states';
import { failAndNotify } from '../dispatch';
import type { Draft } from '../draft';
import { propertyError, renderProperty, renderText, type Rendered, type RenderSite } from '../render';
import { appended, cleanError, internalOf, newRecord, recordState, runState, withInternal } from '../state-ops';
import type { FlowableBehaviour } from './behaviour';
import { conclude, startRunning } from './list-behaviour';

export const subflowInfo: TaskTypeInfo = {
  type: 'io.kestra.core.tasks.flows.Flow',
  aliases: ['io.kestra.plugin.core.flow.Subflow', 'io.kestra.core.tasks.flows.Subflow'],
  kind: 'flowable',
  properties: z.object({
    namespace: z.string().min(1),
    flowId: z.string().min(1),
    revision: z.number().int().positive().optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    wait: z.boolean().optional(),
    transmitFailed: z.boolean().optional(),
    inheritLabels: z.boolean().optional(),
    outputs: z.record(z.string(), z.unknown()).optional(),
    scheduleDate: z.string().optional(),
  }).strict(),
};

/** Kestra's scheduleDate, rendered to an ISO date (undefined when not set). */
export function renderScheduleDate(site: RenderSite, task: Task): Rendered<string | undefined> {
  if (task.scheduleDate === undefined) return { ok: true, value: undefined };
  const rendered = renderProperty(site, 'scheduleDate', task.scheduleDate);
  if (!rendered.ok) return rendered;
  const ms = typeof rendered.value === 'string' || typeof rendered.value === 'number' ? new Date(rendered.value).getTime() : NaN;
  if (Number.isNaN(ms)) {
    return { ok: false, error: propertyError(site, 'scheduleDate', `scheduleDate must be a date such as 2024-01-01T10:00:00Z, not '${String(rendered.value).slice(0, 60)}'`) };
  }
  return { ok: true, value: new Date(ms).toISOString() };
}

const CHILD = 'childExecutionId';

/**
 * `wait` and `transmitFailed` default to false for 0.x's Flow and to true for Subflow (its names
 * since Kestra 0.13): the type name as written decides.
 */
const defaultsOn = (task: Task): boolean => task.type !== subflowInfo.type;
const waits = (task: Task): boolean => (typeof task.wait === 'boolean' ? task.wait : defaultsOn(task));
const transmits = (task: Task): boolean => (typeof task.transmitFailed === 'boolean' ? task.transmitFailed : defaultsOn(task));

/** The parent run's state for an ended child (Kestra's ExecutableUtils.guessState). */
export function subflowRunState(child: State, transmitFailed: boolean, killing: boolean): State {
  if (killing && child === State.KILLED) return State.KILLED;
  if (transmitFailed && (child === State.FAILED || child === State.KILLED || child === State.WARNING || child === State.PAUSED)) return child;
  return State.SUCCESS;
}

export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

function start(d: Draft, run: TaskRun, task: Task): void {
  const running = startRunning(d, run);
  d.update(running);
  const site = d.renderSite(running);
  const namespace = renderText(site, 'namespace', String(task.namespace ?? ''));
  if (!namespace.ok) return failAndNotify(d, running, namespace.error);
  const flowId = renderText(site, 'flowId', String(task.flowId ?? ''));
  if (!flowId.ok) return failAndNotify(d, running, flowId.error);
  const inputs = renderProperty(site, 'inputs', task.inputs ?? {});
  if (!inputs.ok) return failAndNotify(d, running, inputs.error);
  if (!inputs.value || typeof inputs.value !== 'object' || Array.isArray(inputs.value)) {
    return failAndNotify(d, running, propertyError(site, 'inputs', 'inputs must render to a map'));
  }
  const labels = renderProperty(site, 'labels', task.labels ?? {});
  if (!labels.ok) return failAndNotify(d, running, labels.error);
  const allLabels = { ...(task.inheritLabels ? d.execution.labels ?? {} : {}), ...stringMap(labels.value) };
  const scheduleDate = renderScheduleDate(site, task);
  if (!scheduleDate.ok) return failAndNotify(d, running, scheduleDate.error);

  const wait = waits(task);
  const childExecutionId = d.ids.next();
  const chain = [...(d.execution.parent?.chain ?? []), d.fx.key];
  d.update(withInternal(running, { [CHILD]: childExecutionId }));
  d.emit({
    type: EffectType.StartSubflow,
    parentExecutionId: run.executionId,
    parentTaskRunId: run.id,
    namespace: namespace.value,
    flowId: flowId.value,
    ...(typeof task.revision === 'number' ? { revision: task.revision } : {}),
    inputs: inputs.value as Record<string, unknown>,
    ...(Object.keys(allLabels).length ? { labels: allLabels } : {}),
    ...(scheduleDate.value ? { scheduleDate: scheduleDate.value } : {}),
    wait,
    childExecutionId,
    chain,
    ...(wait && task.outputs ? { outputs: task.outputs as Record<string, unknown> } : {}),
  });
}

function isCurrentChild(run: TaskRun, childExecutionId: string | undefined): boolean {
  const expected = internalOf<string>(run, CHILD);
  return childExecutionId === undefined || expected === undefined || expected === childExecutionId;
}

/** As Kestra, the run records one attempt when it ends, created in the run's end state (restarts add one each). */
export function withAttempt(run: TaskRun, state: State, now: Date): TaskRun {
  return { ...run, attempts: appended(run.attempts, { state: recordState(newRecord(State.CREATED, now), state, now) }) };
}

function started(d: Draft, run: TaskRun, task: Task, event: EventOf<'SubflowStarted'>): void {
  if (isTerminal(run.state.current) || !isCurrentChild(run, event.childExecutionId)) return;
  if (waits(task)) return;
  d.update(withAttempt({ ...run, outputs: { executionId: event.childExecutionId } }, State.SUCCESS, d.now));
  conclude(d, d.run(run.id)!, State.SUCCESS);
}

function ended(d: Draft, run: TaskRun, task: Task, event: EventOf<'SubflowEnded'>): void {
  if (isTerminal(run.state.current) || !isCurrentChild(run, event.childExecutionId)) return;
  const executionId = event.childExecutionId ?? internalOf<string>(run, CHILD);
  const base: TaskRun = executionId ? { ...run, outputs: { executionId } } : run;
  if (event.error) {
    const error = cleanError({ ...event.error, flow: event.error.flow ?? d.fx.key, task: event.error.task ?? run.taskId });
    return failAndNotify(d, withAttempt(base, State.FAILED, d.now), error);
  }
  if (!waits(task)) return conclude(d, withAttempt(base, State.SUCCESS, d.now), State.SUCCESS);
  const outputs: Record<string, unknown> = { ...(executionId ? { executionId } : {}), state: event.state };
  if (event.outputs) outputs.outputs = event.outputs;
  const state = subflowRunState(event.state, transmits(task), run.state.current === State.KILLING);
  // The child's failure is this run's error only when transmitted; allowFailure still applies (conclude tolerates).
  const error = state === State.FAILED && event.failure
    ? { error: cleanError({ ...event.failure, flow: event.failure.flow ?? d.fx.key, task: event.failure.task ?? run.taskId }) }
    : {};
  conclude(d, withAttempt({ ...run, outputs, ...error }, state, d.now), state);
}

export const subflow: FlowableBehaviour = {
  info: subflowInfo,
  start,
  evaluate() {
    // No children: only subflow events move it.
  },
  kill(d, run, task) {
    if (isTerminal(run.state.current)) return;
    const child = internalOf<string>(run, CHILD);
    if (waits(task) && child) {
      d.update(runState(run, State.KILLING, d.now));
      d.emit({ type: EffectType.KillSubflow, childExecutionId: child });
    } else conclude(d, withAttempt(run, State.KILLED, d.now), State.KILLED);
  },
  subflowStarted: started,
  subflowEnded: ended,
};
