// Switch: renders `value`, runs the tasks of the matching case, else `defaults`. With no match and
// no `defaults` the Switch run fails and creates no child.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import { ErrorCode } from '../../model/errors';
import type { Task } from '../../model/flow';
import { propertyError, renderText } from '../render';
import { internalOf } from '../state-ops';
import { listChildren } from '../container';
import { listBehaviour } from './list-behaviour';
import { TaskList, names } from './schemas';

export const switchInfo: TaskTypeInfo = {
  ...names('Switch'),
  kind: 'flowable',
  properties: z.object({
    value: z.string().min(1),
    cases: z.record(z.string(), TaskList).optional(),
    defaults: TaskList.nullable().optional(),
    errors: TaskList.optional(),
    finally: TaskList.optional(),
  }).strict(),
  childLists: ['defaults', 'errors', 'finally'],
  childMaps: ['cases'],
};

/** Internal key: the chosen case, or absent for `defaults`. */
const CASE = 'case';

export const switchTask = listBehaviour(switchInfo, {
  prepare(d, run, task) {
    const site = d.renderSite(run);
    const rendered = renderText(site, 'value', String(task.value ?? ''));
    if (!rendered.ok) return { error: rendered.error };
    const value = rendered.value;
    const cases = (task.cases ?? {}) as Record<string, Task[]>;
    if (Object.prototype.hasOwnProperty.call(cases, value)) {
      return { internal: { [CASE]: value }, outputs: { value, defaults: false } };
    }
    if (task.defaults === undefined || task.defaults === null) {
      const known = Object.keys(cases).map((k) => `'${k}'`).join(', ') || 'none';
      return { error: propertyError(site, 'value', `no case matches the value '${value}' (cases: ${known}) and there are no defaults`, ErrorCode.TASK_FAILED) };
    }
    return { internal: {}, outputs: { value, defaults: true } };
  },
  branches(run, task) {
    const chosen = internalOf<string>(run, CASE);
    const list = chosen === undefined ? (task.defaults as Task[] | null | undefined) : (task.cases as Record<string, Task[]>)[chosen];
    return { main: listChildren(list), errors: task.errors as Task[] | undefined };
  },
});
