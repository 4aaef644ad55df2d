// Parallel: its tasks all at once, at most `concurrent` at a time (0 = no limit).
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import type { Task } from '../../model/flow';
import { listChildren } from '../container';
import { listBehaviour } from './list-behaviour';
import { Concurrent, NonEmptyTaskList, TaskList, names } from './schemas';

export const parallelInfo: TaskTypeInfo = {
  ...names('Parallel'),
  kind: 'flowable',
  properties: z.object({ tasks: NonEmptyTaskList, errors: TaskList.optional(), finally: TaskList.optional(), concurrent: Concurrent.optional() }).strict(),
  childLists: ['tasks', 'errors', 'finally'],
};

export const parallel = listBehaviour(parallelInfo, {
  parallel: true,
  branches: (_run, task) => ({
    main: listChildren(task.tasks as Task[]),
    errors: task.errors as Task[] | undefined,
    concurrent: (task.concurrent as number | undefined) ?? 0,
  }),
});
