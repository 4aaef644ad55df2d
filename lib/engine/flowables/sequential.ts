// Sequential: its tasks one after the other; `errors` once one failed for good.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import type { Task } from '../../model/flow';
import { listChildren } from '../container';
import { listBehaviour } from './list-behaviour';
import { NonEmptyTaskList, TaskList, names } from './schemas';

export const sequentialInfo: TaskTypeInfo = {
  ...names('Sequential'),
  kind: 'flowable',
  properties: z.object({ tasks: NonEmptyTaskList, errors: TaskList.optional(), finally: TaskList.optional() }).strict(),
  childLists: ['tasks', 'errors', 'finally'],
};

export const sequential = listBehaviour(sequentialInfo, {
  branches: (_run, task) => ({ main: listChildren(task.tasks as Task[]), errors: task.errors as Task[] | undefined }),
});
