// The runnable task types of the `kafka` plugin group.
import type { RunnableTaskDefinition } from '../types';

export const kafkaTasks: readonly RunnableTaskDefinition[] = [];
