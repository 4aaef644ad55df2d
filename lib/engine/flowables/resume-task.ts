// Resume (Kestra 1.x's io.kestra.plugin.core.execution.Resume). For the current execution: resumes its
// first paused run (a Pause waiting in another branch) with `inputs`, as a Resume request does, sets
// `vars.resumedExecution` and ends SUCCESS. For another one (`executionId`, with `namespace` and
// `flowId` checked against it when given): the run waits while the runtime resumes it
// (ResumeOtherExecution), then ends SUCCESS, or FAILED when that execution is unknown or not PAUSED.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import { EffectType } from '../../model/effects';
import type { EventOf } from '../../model/events';
import { State, isTerminal } from '../../model/states';
import { failAndNotify } from '../dispatch';
import { propertyError, renderProperty } from '../render';
import type { Draft } from '../draft';
import type { FlowableBehaviour } from './behaviour';
import { conclude, startRunning } from './list-behaviour';

export const resumeTaskInfo: TaskTypeInfo = {
  type: 'io.kestra.plugin.core.execution.Resume',
  aliases: [],
  kind: 'flowable',
  properties: z.object({
    executionId: z.string().optional(),
    namespace: z.string().optional(),
    flowId: z.string().optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
  }).strict(),
};

/** As Kestra, the execution's variables name the execution it resumed; the run ends SUCCESS. */
function resumed(d: Draft, runId: string, which: { id: string; namespace: string; flowId: string }): void {
  const e = d.execution;
  d.patch({ variables: { ...(e.variables ?? d.flow.variables ?? {}), resumedExecution: which } });
  const run = d.run(runId);
  if (run) conclude(d, run, State.SUCCESS);
}

export const resumeTask: FlowableBehaviour = {
  info: resumeTaskInfo,
  start(d, run, task) {
    const running = startRunning(d, run);
    d.update(running);
    const site = d.renderSite(running);
    const target: Partial<Record<'executionId' | 'namespace' | 'flowId', string>> = {};
    for (const property of ['executionId', 'namespace', 'flowId'] as const) {
      if (task[property] === undefined) continue;
      const value = renderProperty(site, property, task[property]);
      if (!value.ok) return failAndNotify(d, running, value.error);
      if (typeof value.value !== 'string' || value.value === '') return failAndNotify(d, running, propertyError(site, property, `${property} must be a non-empty string`));
      target[property] = value.value;
    }
    const inputs = renderProperty(site, 'inputs', task.inputs ?? {});
    if (!inputs.ok) return failAndNotify(d, running, inputs.error);
    const given = inputs.value as Record<string, unknown>;
    const e = d.execution;
    if (target.executionId !== undefined && target.executionId !== e.id) {
      d.emit({
        type: EffectType.ResumeOtherExecution, executionId: e.id, taskRunId: run.id,
        target: { executionId: target.executionId, ...(target.namespace ? { namespace: target.namespace } : {}), ...(target.flowId ? { flowId: target.flowId } : {}) },
        ...(Object.keys(given).length ? { inputs: given } : {}),
      });
      return;
    }
    for (const [property, own] of [['namespace', e.namespace], ['flowId', e.flowId]] as const) {
      if (target[property] !== undefined && target[property] !== own) {
        return failAndNotify(d, running, propertyError(site, property, `another execution is named by its executionId; ${property} alone names no execution`));
      }
    }
    for (const paused of d.runs.filter((r) => r.state.current === State.PAUSED)) {
      const node = d.node(paused.taskId);
      if (node?.flowable?.resume?.(d, paused, node.task, Object.keys(given).length ? given : undefined)) break;
    }
    resumed(d, run.id, { id: e.id, namespace: e.namespace, flowId: e.flowId });
  },
  otherResumed(d, run, _task, event: EventOf<'OtherResumed'>) {
    if (isTerminal(run.state.current)) return;
    if (event.error) return failAndNotify(d, run, { ...event.error, flow: d.fx.key, task: run.taskId, property: 'executionId' });
    resumed(d, run.id, { id: event.executionId, namespace: event.namespace ?? '', flowId: event.flowId ?? '' });
  },
  evaluate() {
    // No children: it acts once, when it starts.
  },
  kill(d, run) {
    if (!isTerminal(run.state.current)) conclude(d, run, State.KILLED);
  },
};
