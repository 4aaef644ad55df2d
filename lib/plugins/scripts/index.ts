// The runnable task types of the `scripts` plugin group.
import type { RunnableTaskDefinition } from '../types';

export const scriptsTasks: readonly RunnableTaskDefinition[] = [];
