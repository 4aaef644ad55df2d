// If (Kestra 1.x): renders `condition` once, at start, and runs `then` when it is truthy, else
// `else` (none: SUCCESS with no child). Falsy is Kestra's TruthUtils: 'false', '0', '-0' and ''.
// The outcome is the run's `evaluationResult` output, and the branch never changes afterwards.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import { FALSY_TEXTS, type Task } from '../../model/flow';
import { listChildren } from '../container';
import { renderText } from '../render';
import { internalOf } from '../state-ops';
import { listBehaviour } from './list-behaviour';
import { NonEmptyTaskList, TaskList } from './schemas';

export const ifInfo: TaskTypeInfo = {
  type: 'io.kestra.plugin.core.flow.If',
  aliases: [],
  kind: 'flowable',
  properties: z.object({
    condition: z.union([z.string(), z.boolean()]),
    then: NonEmptyTaskList,
    else: TaskList.optional(),
    errors: TaskList.optional(),
    finally: TaskList.optional(),
  }).strict(),
  childLists: ['then', 'else', 'errors', 'finally'],
};

/** Internal key: true when `then` was chosen. */
const CHOSEN_THEN = 'then';

export const ifTask = listBehaviour(ifInfo, {
  prepare(d, run, task) {
    let text = String(task.condition);
    if (typeof task.condition === 'string') {
      const rendered = renderText(d.renderSite(run), 'condition', task.condition);
      if (!rendered.ok) return { error: rendered.error };
      text = rendered.value;
    }
    const result = !FALSY_TEXTS.includes(text.trim());
    return { internal: { [CHOSEN_THEN]: result }, outputs: { evaluationResult: result } };
  },
  branches(run, task) {
    const list = internalOf<boolean>(run, CHOSEN_THEN) ? task.then : task.else;
    return { main: listChildren(list as Task[] | undefined), errors: task.errors as Task[] | undefined };
  },
});
