// ForEachItem (Kestra's io.kestra.plugin.core.flow.ForEachItem) is made of three internal tasks, as
// in Kestra: `{id}_split` (a worker cuts `items` into batch files), `{id}_items` (the engine starts one
// subflow execution per batch) and `{id}_merge` (a worker joins the subflows' outputs into one file).
// What they share: type names, the split's outputs and where files lie.
import { z } from 'zod';
import { keyToUri, taskFolderKey, type TaskRunOwner } from './storage-uri';

export const FOR_EACH_ITEM_TYPE = 'io.kestra.plugin.core.flow.ForEachItem';
export const FOR_EACH_ITEM_ALIASES: readonly string[] = ['io.kestra.core.tasks.flows.ForEachItem'];

/** The internal tasks, by the suffix Kestra appends to the ForEachItem's id, with Kestra's class names as types. */
export const ForEachItemPart = {
  split: { suffix: '_split', type: 'io.kestra.plugin.core.flow.ForEachItem$ForEachItemSplit' },
  items: { suffix: '_items', type: 'io.kestra.plugin.core.flow.ForEachItem$ForEachItemExecutable' },
  merge: { suffix: '_merge', type: 'io.kestra.plugin.core.flow.ForEachItem$ForEachItemMergeOutputs' },
} as const;
export type ForEachItemPart = keyof typeof ForEachItemPart;

export const forEachItemPartId = (taskId: string, part: ForEachItemPart): string => taskId + ForEachItemPart[part].suffix;

/** The ForEachItem task id an internal task id belongs to. */
export const forEachItemIdOf = (partId: string, part: ForEachItemPart): string => partId.slice(0, partId.length - ForEachItemPart[part].suffix.length);

/**
 * The split task's outputs: Kestra's `splits` (a file listing the batch URIs, one a line), plus the
 * count and file extension, so the engine names batch i (`{splits folder}/{i}{extension}`) without
 * reading a file.
 */
export const SplitOutputs = z.object({
  splits: z.string(),
  batches: z.number().int().nonnegative(),
  extension: z.string(),
}).strict();
export type SplitOutputs = z.infer<typeof SplitOutputs>;

export const batchFileName = (i: number, extension: string): string => `${i}${extension}`;

/** The URI of batch i, next to the `splits` file. */
export function batchUri(split: SplitOutputs, i: number): string {
  return `${split.splits.slice(0, split.splits.lastIndexOf('/') + 1)}${encodeURIComponent(batchFileName(i, split.extension))}`;
}

/**
 * The folder where the subflow of each batch leaves its flow outputs when it ends (wait: true), one
 * `{i}/outputs.jsonl` each, as Kestra's `{iteration}/outputs.ion`; a folder of the ForEachItem run, so
 * the merge task finds it from its own parent run.
 */
export function subflowOutputsFolder(forEachItemRun: TaskRunOwner): string {
  return keyToUri(`${taskFolderKey(forEachItemRun)}/subflow-outputs`);
}

export const subflowOutputsUri = (folder: string, i: number): string => `${folder}/${i}/outputs.jsonl`;
