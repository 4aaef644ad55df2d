// Sequential: its tasks one after the other; `errors` once one failed for good.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import type { Task } from '../../model/flow';
import { enabled } from '../task-list';
import { listBehaviour } from './list-behaviour';
import { NonEmptyTaskList, TaskList, names } from './schemas';

export const sequentialInfo: TaskTypeInfo = {
  ...names('Sequential'),
  kind: 'flowable',
  properties: z.object({ tasks: NonEmptyTaskList, errors: TaskList.optional() }).strict(),
  childLists: ['tasks', 'errors'],
};

export const sequential = listBehaviour(sequentialInfo, {
  branches: (_run, task) => ({ main: enabled(task.tasks as Task[]).map((t) => ({ task: t })), errors: task.errors as Task[] | undefined }),
});
