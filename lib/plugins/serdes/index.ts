// The runnable task types of the `serdes` plugin group.
import type { RunnableTaskDefinition } from '../types';

export const serdesTasks: readonly RunnableTaskDefinition[] = [];
