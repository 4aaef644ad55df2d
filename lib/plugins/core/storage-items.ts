// FilterItems and DeduplicateItems (Kestra's io.kestra.plugin.core.storage.*): a row file (JSON
// Lines, one object per line) read item by item; an expression rendered with the item's fields as
// variables decides what is kept. Kept lines are written unchanged.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import type { RunnableTaskDefinition, TaskContext } from '../types';
import { PartFile } from './storage-lines';
import { toText } from './text';

export const FilterItemsProperties = z.object({
  from: z.string(),
  /** Rendered per item; false when it renders to false, 0, -0 or nothing. */
  filterCondition: z.string(),
  filterType: z.enum(['INCLUDE', 'EXCLUDE']).default('INCLUDE'),
  errorOrNullBehavior: z.enum(['FAIL', 'INCLUDE', 'EXCLUDE']).default('FAIL'),
}).strict();
export type FilterItemsProperties = z.infer<typeof FilterItemsProperties>;

export const DeduplicateItemsProperties = z.object({
  from: z.string(),
  /** Rendered per item: its key. The last item of each key is kept. */
  expr: z.string(),
}).strict();
export type DeduplicateItemsProperties = z.infer<typeof DeduplicateItemsProperties>;

export const ItemsOutputs = z.object({
  uri: z.string(),
  processedItemsTotal: z.number().int(),
  droppedItemsTotal: z.number().int(),
  /** DeduplicateItems only. */
  numKeys: z.number().int().optional(),
}).strict();
export type ItemsOutputs = z.infer<typeof ItemsOutputs>;

const FALSE_VALUES: ReadonlySet<string> = new Set(['false', '0', '-0', '']);

/** Each non-blank line of a row file with its parsed object. */
async function* items(ctx: TaskContext, uri: string): AsyncGenerator<{ line: string; item: Record<string, unknown> }> {
  let n = 0;
  for await (const line of createInterface({ input: await ctx.storage.get(uri), crlfDelay: Infinity })) {
    n++;
    if (line.trim() === '') continue;
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch (err) {
      throw new AloftError(ErrorCode.TASK_FAILED, `${uri} line ${n} is not JSON: ${(err as Error).message}`);
    }
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw new AloftError(ErrorCode.TASK_FAILED, `${uri} line ${n} is not a JSON object`);
    yield { line, item: item as Record<string, unknown> };
  }
}

async function store(ctx: TaskContext, out: PartFile, name: string): Promise<string> {
  await out.close();
  return (await ctx.storage.put(name, createReadStream(out.path))).uri;
}

export const filterItemsTask: RunnableTaskDefinition<FilterItemsProperties, ItemsOutputs> = {
  type: 'io.kestra.plugin.core.storage.FilterItems',
  aliases: [],
  group: PluginGroup.core,
  properties: FilterItemsProperties,
  outputs: ItemsOutputs,
  lazyProperties: ['filterCondition'],
  async run(ctx, props) {
    const out = new PartFile(join(await ctx.tempDir(), 'filtered'));
    let processed = 0;
    let dropped = 0;
    for await (const { line, item } of items(ctx, props.from)) {
      let action = props.filterType;
      let rendered: unknown;
      let failure: unknown;
      try {
        rendered = await ctx.render(props.filterCondition, item);
      } catch (err) {
        failure = err;
      }
      if (rendered === null || rendered === undefined || failure !== undefined) {
        if (props.errorOrNullBehavior === 'FAIL') {
          throw failure ?? new AloftError(ErrorCode.EXPRESSION, `filterCondition rendered null on item ${line.slice(0, 200)}`, { property: 'filterCondition' });
        }
        action = props.errorOrNullBehavior;
      } else if (FALSE_VALUES.has(toText(rendered).trim())) {
        action = action === 'INCLUDE' ? 'EXCLUDE' : 'INCLUDE';
      }
      if (action === 'INCLUDE') await out.write(`${line}\n`);
      else dropped++;
      processed++;
    }
    return { uri: await store(ctx, out, 'filtered.jsonl'), processedItemsTotal: processed, droppedItemsTotal: dropped };
  },
};

export const deduplicateItemsTask: RunnableTaskDefinition<DeduplicateItemsProperties, ItemsOutputs> = {
  type: 'io.kestra.plugin.core.storage.DeduplicateItems',
  aliases: [],
  group: PluginGroup.core,
  properties: DeduplicateItemsProperties,
  outputs: ItemsOutputs,
  lazyProperties: ['expr'],
  async run(ctx, props) {
    // As Kestra, two passes: the offset of each key's last item, then the items at those offsets.
    const last = new Map<string, number>();
    let offset = 0;
    for await (const { item } of items(ctx, props.from)) last.set(toText(await ctx.render(props.expr, item)), offset++);
    const out = new PartFile(join(await ctx.tempDir(), 'deduplicated'));
    offset = 0;
    let dropped = 0;
    for await (const { line, item } of items(ctx, props.from)) {
      if (last.get(toText(await ctx.render(props.expr, item))) === offset++) await out.write(`${line}\n`);
      else dropped++;
    }
    return { uri: await store(ctx, out, 'deduplicated.jsonl'), numKeys: last.size, processedItemsTotal: offset, droppedItemsTotal: dropped };
  },
};
