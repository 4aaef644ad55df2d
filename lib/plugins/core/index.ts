// The runnable task types of the `core` plugin group.
import type { RunnableTaskDefinition } from '../types';
import { assertTask } from './assert';
import { echoTask } from './echo';
import { countTask } from './execution-count';
import { failTask } from './fail';
import { downloadTask } from './http-download';
import { requestTask } from './http-request';
import { kvTasks } from './kv';
import { logTask } from './log';
import { forEachItemMergeTask, forEachItemSplitTask } from './for-each-item';
import { fetchLogsTask } from './log-fetch';
import { localFilesTask } from './local-files';
import { namespaceFileTasks } from './namespace-files';
import { outputValuesTask } from './output-values';
import { returnTask } from './return';
import { concatTask } from './storage-concat';
import { deleteTask, purgeCurrentExecutionFilesTask } from './storage-delete';
import { reverseTask } from './storage-reverse';
import { deduplicateItemsTask, filterItemsTask } from './storage-items';
import { sizeTask } from './storage-size';
import { splitTask } from './storage-split';

export const coreTasks: readonly RunnableTaskDefinition[] = [
  logTask, returnTask, echoTask, failTask, assertTask, requestTask, downloadTask, outputValuesTask,
  concatTask, sizeTask, deleteTask, purgeCurrentExecutionFilesTask, reverseTask, splitTask, filterItemsTask, deduplicateItemsTask,
  localFilesTask, fetchLogsTask, countTask, ...kvTasks, ...namespaceFileTasks, forEachItemSplitTask, forEachItemMergeTask,
];
