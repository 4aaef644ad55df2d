// Resume (Kestra 1.x's io.kestra.plugin.core.execution.Resume) for the current execution: resumes its
// first paused run (a Pause waiting in another branch) with `inputs`, as a Resume request does, sets
// `vars.resumedExecution` and ends SUCCESS. Resuming another execution (`executionId`, or `namespace`
// and `flowId`) is refused, naming the property: the engine cannot reach another execution from a task yet.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import { State, isTerminal } from '../../model/states';
import { failAndNotify } from '../dispatch';
import { propertyError, renderProperty } from '../render';
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

export const resumeTask: FlowableBehaviour = {
  info: resumeTaskInfo,
  start(d, run, task) {
    const running = startRunning(d, run);
    d.update(running);
    const site = d.renderSite(running);
    for (const property of ['executionId', 'namespace', 'flowId'] as const) {
      if (task[property] === undefined) continue;
      const value = renderProperty(site, property, task[property]);
      if (!value.ok) return failAndNotify(d, running, value.error);
      const own = property === 'executionId' ? d.execution.id : property === 'namespace' ? d.execution.namespace : d.execution.flowId;
      if (value.value !== own) {
        return failAndNotify(d, running, propertyError(site, property, 'resuming another execution is not supported yet: Resume resumes the current one'));
      }
    }
    const inputs = renderProperty(site, 'inputs', task.inputs ?? {});
    if (!inputs.ok) return failAndNotify(d, running, inputs.error);
    const given = inputs.value as Record<string, unknown>;
    for (const paused of d.runs.filter((r) => r.state.current === State.PAUSED)) {
      const node = d.node(paused.taskId);
      if (node?.flowable?.resume?.(d, paused, node.task, Object.keys(given).length ? given : undefined)) break;
    }
    // As Kestra, the execution's variables name the execution it resumed.
    const e = d.execution;
    d.patch({ variables: { ...(e.variables ?? d.flow.variables ?? {}), resumedExecution: { id: e.id, namespace: e.namespace, flowId: e.flowId } } });
    conclude(d, d.run(run.id) ?? running, State.SUCCESS);
  },
  evaluate() {
    // No children: it acts once, when it starts.
  },
  kill(d, run) {
    if (!isTerminal(run.state.current)) conclude(d, run, State.KILLED);
  },
};
