// The runnable task types of the `core` plugin group.
import type { RunnableTaskDefinition } from '../types';

export const coreTasks: readonly RunnableTaskDefinition[] = [];
