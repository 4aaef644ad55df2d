// Kill (Kestra 1.x's io.kestra.plugin.core.execution.Kill): kills the current execution, as a Kill
// request does; the Kill run itself ends KILLED with it. With `propagateKill`, child executions the
// execution started without waiting for them (Subflow `wait: false`) are killed too; the ones it
// waits for are killed by any kill.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import { EffectType } from '../../model/effects';
import { State, isTerminal } from '../../model/states';
import { failAndNotify } from '../dispatch';
import { kill } from '../kill';
import { propertyError, renderProperty } from '../render';
import type { FlowableBehaviour } from './behaviour';
import { conclude, startRunning } from './list-behaviour';
import { subflowInfo } from './subflow';

export const killTaskInfo: TaskTypeInfo = {
  type: 'io.kestra.plugin.core.execution.Kill',
  aliases: [],
  kind: 'flowable',
  properties: z.object({ propagateKill: z.union([z.boolean(), z.string()]).optional() }).strict(),
};

const SUBFLOW_TYPES: ReadonlySet<string> = new Set([subflowInfo.type, ...subflowInfo.aliases]);

export const killTask: FlowableBehaviour = {
  info: killTaskInfo,
  start(d, run, task) {
    const running = startRunning(d, run);
    d.update(running);
    const rendered = renderProperty(d.renderSite(running), 'propagateKill', task.propagateKill ?? false);
    if (!rendered.ok) return failAndNotify(d, running, rendered.error);
    const v = typeof rendered.value === 'string' ? rendered.value.trim() : rendered.value;
    if (v !== true && v !== false && v !== 'true' && v !== 'false') {
      return failAndNotify(d, running, propertyError(d.renderSite(running), 'propagateKill', `propagateKill must be true or false, not '${String(rendered.value)}'`));
    }
    if (v === true || v === 'true') {
      for (const r of d.runs) {
        const child = r.outputs?.executionId;
        if (isTerminal(r.state.current) && typeof child === 'string' && SUBFLOW_TYPES.has(d.task(r.taskId)?.type ?? '')) {
          d.emit({ type: EffectType.KillSubflow, childExecutionId: child });
        }
      }
    }
    kill(d);
  },
  evaluate() {
    // No children: it acts once, when it starts.
  },
  kill(d, run) {
    if (!isTerminal(run.state.current)) conclude(d, run, State.KILLED);
  },
};
