// The runnable task types of the `gcp` plugin group.
import type { RunnableTaskDefinition } from '../types';

export const gcpTasks: readonly RunnableTaskDefinition[] = [];
