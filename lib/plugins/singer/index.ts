// The runnable task types of the `singer` plugin group.
import type { RunnableTaskDefinition } from '../types';

export const singerTasks: readonly RunnableTaskDefinition[] = [];
