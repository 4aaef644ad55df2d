// Exit (Kestra 1.x): ends the execution in `state`. KILLED kills it as a Kill does. Any other state
// ends the Exit run, each of its parents and the execution in that state at once, so no later task
// is created (Kestra's Exit.update). Kestra lets tasks still running elsewhere (a parallel branch)
// finish; an ended Aloft execution no longer hears from them, so they are stopped and end KILLED.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import type { TaskRun } from '../../model/execution';
import type { Draft } from '../draft';
import { State, isTerminal } from '../../model/states';
import { failAndNotify } from '../dispatch';
import { finishExecution } from '../finish';
import { kill, killRunnable } from '../kill';
import { propertyError, renderText } from '../render';
import { runState } from '../state-ops';
import type { FlowableBehaviour } from './behaviour';
import { conclude, startRunning } from './list-behaviour';

/** Kestra's ExitState, as written, and the state each ends in: Kestra spells it CANCELED and records CANCELLED. */
const EXIT_STATES: Readonly<Record<string, State>> = {
  SUCCESS: State.SUCCESS, WARNING: State.WARNING, FAILED: State.FAILED, KILLED: State.KILLED, CANCELED: State.CANCELLED,
};

export const exitInfo: TaskTypeInfo = {
  type: 'io.kestra.plugin.core.execution.Exit',
  aliases: [],
  kind: 'flowable',
  properties: z.object({ state: z.string().min(1).optional() }).strict(),
};

function ancestors(d: Draft, run: TaskRun): TaskRun[] {
  const out: TaskRun[] = [];
  for (let id = run.parentTaskRunId; id !== undefined;) {
    const parent = d.run(id);
    if (!parent) break;
    out.push(parent);
    id = parent.parentTaskRunId;
  }
  return out;
}

function stopOthers(d: Draft, keep: ReadonlySet<string>): void {
  for (const other of d.runs) {
    if (keep.has(other.id) || isTerminal(other.state.current)) continue;
    const node = d.node(other.taskId);
    if (node?.flowable) {
      node.flowable.kill?.(d, other, node.task);
      const now = d.run(other.id)!;
      if (!isTerminal(now.state.current)) d.update(runState(now, State.KILLED, d.now));
    } else killRunnable(d, other);
  }
}

export const exit: FlowableBehaviour = {
  info: exitInfo,
  start(d, run, task) {
    const running = startRunning(d, run);
    d.update(running);
    const rendered = renderText(d.renderSite(running), 'state', String(task.state ?? 'SUCCESS'));
    if (!rendered.ok) return failAndNotify(d, running, rendered.error);
    const state = EXIT_STATES[rendered.value.trim()];
    if (!state) {
      const why = `'${rendered.value}' is not one of ${Object.keys(EXIT_STATES).join(', ')}`;
      return failAndNotify(d, running, propertyError({ flow: d.fx.key, task: run.taskId }, 'state', why));
    }
    if (state === State.KILLED) return kill(d);
    const chain = [running, ...ancestors(d, running)];
    for (const r of chain) d.update(runState(d.run(r.id) ?? r, state, d.now));
    stopOthers(d, new Set(chain.map((r) => r.id)));
    finishExecution(d, state);
  },
  evaluate() {
    // No children: it acts once, when it starts.
  },
  kill(d, run) {
    if (!isTerminal(run.state.current)) conclude(d, run, State.KILLED);
  },
};
