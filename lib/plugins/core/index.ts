// The runnable task types of the `core` plugin group.
import type { RunnableTaskDefinition } from '../types';
import { echoTask } from './echo';
import { failTask } from './fail';
import { downloadTask } from './http-download';
import { requestTask } from './http-request';
import { logTask } from './log';
import { returnTask } from './return';

export const coreTasks: readonly RunnableTaskDefinition[] = [logTask, returnTask, echoTask, failTask, requestTask, downloadTask];
