// The runnable task types of the `scripts` plugin group.
import type { RunnableTaskDefinition } from '../types';
import { bashTask } from './bash';
import { nodeCommandsTask, nodeScriptTask } from './node';
import { pythonCommandsTask, pythonScriptTask } from './python';
import { shellCommandsTask, shellScriptTask } from './shell';

export const scriptsTasks: readonly RunnableTaskDefinition[] = [
  bashTask, shellCommandsTask, shellScriptTask, pythonCommandsTask, pythonScriptTask, nodeCommandsTask, nodeScriptTask,
];
