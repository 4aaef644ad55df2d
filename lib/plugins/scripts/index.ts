// The runnable task types of the `scripts` plugin group.
import type { RunnableTaskDefinition } from '../types';
import { bashTask } from './bash';

export const scriptsTasks: readonly RunnableTaskDefinition[] = [bashTask];
