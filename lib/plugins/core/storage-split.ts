// Split (Kestra's io.kestra.plugin.core.storage.Split): a file's lines cut into several files, by
// `bytes` (a new file once one holds that many), `rows`, or round-robin into `partitions`. Each line
// is written followed by `separator`. Parts are written locally, then stored (ForEachItem cuts its
// items the same way: splitStored).
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import type { RunnableTaskDefinition, TaskContext } from '../types';
import { PartFile } from './storage-lines';

export const SplitProperties = z.object({
  from: z.string(),
  /** A size such as 10MB, 512KB or 1024 (bytes). */
  bytes: z.union([z.string(), z.number()]).optional(),
  partitions: z.number().int().min(1).optional(),
  rows: z.number().int().min(1).optional(),
  separator: z.string().default('\n'),
}).strict();
export type SplitProperties = z.infer<typeof SplitProperties>;

export const SplitOutputs = z.object({ uris: z.array(z.string()) }).strict();
export type SplitOutputs = z.infer<typeof SplitOutputs>;

const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** Bytes for a readable size (10MB, 1.5KB, 2048), as Kestra reads them (powers of 1024). */
export function parseBytes(value: string | number): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?\s*$/i.exec(String(value));
  const bytes = m ? Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'B').toUpperCase()]) : 0;
  if (bytes < 1) throw new AloftError(ErrorCode.FLOW_INVALID, `invalid size '${value}': use a number of bytes or a size such as 10MB`, { property: 'bytes' });
  return bytes;
}

/** How to cut: by `bytes`, else `partitions` (round-robin), else `rows`; each line written followed by `separator`. */
export interface SplitRule {
  bytes?: number;
  partitions?: number;
  rows?: number;
  separator: string;
}

/**
 * Cuts the lines of `from` into parts and hands each non-empty one to `store` (numbered from 0) as a
 * local file, deleted after. By rows or bytes one part is open at a time and stored once full, so a
 * file of millions of lines never holds millions of open files; `partitions` keeps that many open.
 */
export async function splitStored(
  ctx: TaskContext, from: string, rule: SplitRule, store: (index: number, path: string) => Promise<void>,
): Promise<number> {
  const dir = await ctx.tempDir();
  let stored = 0;
  let made = 0;
  const newPart = (): PartFile => new PartFile(join(dir, `part-${made++}`));
  const flush = async (part: PartFile): Promise<void> => {
    await part.close();
    if (part.bytes > 0) await store(stored++, part.path);
    await rm(part.path, { force: true });
  };
  const lines = createInterface({ input: await ctx.storage.get(from), crlfDelay: Infinity });
  if (rule.bytes === undefined && rule.partitions !== undefined) {
    const parts = Array.from({ length: rule.partitions }, newPart);
    let next = 0;
    for await (const line of lines) {
      await parts[next].write(line + rule.separator);
      next = (next + 1) % parts.length;
    }
    for (const part of parts) await flush(part);
    return stored;
  }
  let part: PartFile | undefined;
  for await (const line of lines) {
    if (!part || (rule.bytes !== undefined ? part.bytes >= rule.bytes : part.rows >= rule.rows!)) {
      if (part) await flush(part);
      part = newPart();
    }
    await part.write(line + rule.separator);
    part.rows++;
  }
  if (part) await flush(part);
  return stored;
}

export const splitTask: RunnableTaskDefinition<SplitProperties, SplitOutputs> = {
  type: 'io.kestra.core.tasks.storages.Split',
  aliases: ['io.kestra.plugin.core.storage.Split'],
  group: PluginGroup.core,
  properties: SplitProperties,
  outputs: SplitOutputs,
  async run(ctx, props) {
    // As Kestra: bytes, then partitions, then rows.
    const limit = props.bytes !== undefined ? parseBytes(props.bytes) : undefined;
    if (limit === undefined && props.partitions === undefined && props.rows === undefined) {
      throw new AloftError(ErrorCode.FLOW_INVALID, 'Split needs one of bytes, partitions or rows', { property: 'bytes' });
    }
    const extension = extname(props.from) || '.tmp';
    const uris: string[] = [];
    await splitStored(ctx, props.from, { bytes: limit, partitions: props.partitions, rows: props.rows, separator: props.separator }, async (i, path) => {
      uris.push((await ctx.storage.put(`${i}${extension}`, createReadStream(path))).uri);
    });
    return { uris };
  },
};
