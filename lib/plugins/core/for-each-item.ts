// ForEachItem's two worker tasks (see lib/engine/flowables/for-each-item.ts): `{id}_split` cuts the
// `items` file into batch files, streamed, and lists them in `splits.txt` (Kestra's ForEachItemSplit);
// `{id}_merge` joins the flow outputs the batches' subflows left, one JSON line each, into
// `outputs.jsonl` in batch order (Kestra's ForEachItemMergeOutputs, which writes Ion).
import { createReadStream } from 'node:fs';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import { ForEachItemPart, SplitOutputs, batchFileName, subflowOutputsFolder } from '../../model/for-each-item';
import type { RunnableTaskDefinition, TaskContext } from '../types';
import { PartFile } from './storage-lines';
import { parseBytes, splitStored } from './storage-split';

const Count = z.union([z.number(), z.string()]);

export const ForEachItemSplitProperties = z.object({
  items: z.string(),
  batch: z.object({
    rows: Count.optional(),
    bytes: z.union([z.string(), z.number()]).optional(),
    partitions: Count.optional(),
    separator: z.string().optional(),
  }).strict().optional(),
}).strict();
export type ForEachItemSplitProperties = z.infer<typeof ForEachItemSplitProperties>;

/** A rendered count (Kestra's Property<Integer>): a whole number of at least 1. */
function count(value: number | string | undefined, property: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value.trim());
  if (!Number.isInteger(n) || n < 1) throw new AloftError(ErrorCode.TASK_FAILED, `${property} must be a whole number of at least 1, not '${value}'`, { property });
  return n;
}

export const forEachItemSplitTask: RunnableTaskDefinition<ForEachItemSplitProperties, SplitOutputs> = {
  type: ForEachItemPart.split.type,
  aliases: [],
  group: PluginGroup.core,
  internal: true,
  pure: true,
  properties: ForEachItemSplitProperties,
  outputs: SplitOutputs,
  async run(ctx, props) {
    if (!props.items.startsWith('kestra://')) {
      throw new AloftError(ErrorCode.TASK_FAILED, `Unable to split the items from ${props.items.slice(0, 200)}, this is not an internal storage URI!`, { property: 'items' });
    }
    const batch = props.batch ?? {};
    // As Kestra: bytes, then partitions, then rows (1 by default).
    const bytes = batch.bytes !== undefined ? parseBytes(batch.bytes) : undefined;
    const partitions = count(batch.partitions, 'batch.partitions');
    const rows = count(batch.rows, 'batch.rows') ?? 1;
    const extension = extname(props.items) || '.tmp';
    const listing = new PartFile(join(await ctx.tempDir(), 'splits.txt'));
    const batches = await splitStored(ctx, props.items, { bytes, partitions, rows, separator: batch.separator ?? '\n' }, async (i, path) => {
      const { uri } = await ctx.storage.put(batchFileName(i, extension), createReadStream(path));
      await listing.write(i === 0 ? uri : `\n${uri}`);
    });
    await listing.close();
    const { uri: splits } = await ctx.storage.put('splits.txt', createReadStream(listing.path));
    ctx.logger.info(`${batches} batch${batches === 1 ? '' : 'es'} of items`);
    return { splits, batches, extension };
  },
};

export const ForEachItemMergeProperties = z.object({
  forEachItem: z.object({ taskId: z.string(), taskRunId: z.string() }).strict(),
}).strict();
export type ForEachItemMergeProperties = z.infer<typeof ForEachItemMergeProperties>;

export const ForEachItemMergeOutputs = z.object({ subflowOutputs: z.string().optional() }).strict();
export type ForEachItemMergeOutputs = z.infer<typeof ForEachItemMergeOutputs>;

/** The batches' outputs files, in batch order. */
async function outputFiles(ctx: TaskContext, folder: string): Promise<string[]> {
  const found: Array<{ i: number; uri: string }> = [];
  for (const file of await ctx.storage.list(folder)) {
    const m = /^(\d+)\/outputs\.jsonl$/.exec(file.uri.slice(folder.length + 1));
    if (m) found.push({ i: Number(m[1]), uri: file.uri });
  }
  return found.sort((a, b) => a.i - b.i).map((f) => f.uri);
}

export const forEachItemMergeTask: RunnableTaskDefinition<ForEachItemMergeProperties, ForEachItemMergeOutputs> = {
  type: ForEachItemPart.merge.type,
  aliases: [],
  group: PluginGroup.core,
  internal: true,
  pure: true,
  properties: ForEachItemMergeProperties,
  outputs: ForEachItemMergeOutputs,
  async run(ctx, props) {
    const e = ctx.execution;
    const folder = subflowOutputsFolder({ namespace: e.namespace, flowId: e.flowId, executionId: e.id, ...props.forEachItem });
    const files = await outputFiles(ctx, folder);
    // No subflow left outputs (none waited for, or the subflow declares none): no file, as Kestra.
    if (files.length === 0) return {};
    async function* joined(): AsyncGenerator<Buffer> {
      for (const uri of files) for await (const chunk of await ctx.storage.get(uri)) yield chunk as Buffer;
    }
    const { uri } = await ctx.storage.put('outputs.jsonl', Readable.from(joined()));
    return { subflowOutputs: uri };
  },
};
