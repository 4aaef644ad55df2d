// AllowFailure: a Sequential whose failure ends WARNING (after its own `errors` ran), so the flow
// carries on.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import type { Task } from '../../model/flow';
import { listChildren } from '../container';
import { listBehaviour } from './list-behaviour';
import { NonEmptyTaskList, TaskList, names } from './schemas';

export const allowFailureInfo: TaskTypeInfo = {
  ...names('AllowFailure'),
  kind: 'flowable',
  properties: z.object({ tasks: NonEmptyTaskList, errors: TaskList.optional(), finally: TaskList.optional() }).strict(),
  childLists: ['tasks', 'errors', 'finally'],
};

export const allowFailure = listBehaviour(allowFailureInfo, {
  branches: (_run, task) => ({
    main: listChildren(task.tasks as Task[]),
    errors: task.errors as Task[] | undefined,
    allowFailure: true,
  }),
});
