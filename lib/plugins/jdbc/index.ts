// The runnable task types of the `jdbc` plugin group.
import type { RunnableTaskDefinition } from '../types';

export const jdbcTasks: readonly RunnableTaskDefinition[] = [];
