// Split (Kestra's io.kestra.plugin.core.storage.Split): a file's lines cut into several files, by
// `bytes` (a new file once one holds that many), `rows`, or round-robin into `partitions`. Each line
// is written followed by `separator`. Parts are written locally, then stored.
import { createReadStream } from 'node:fs';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import type { RunnableTaskDefinition } from '../types';
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
    const dir = await ctx.tempDir();
    const extension = extname(props.from) || '.tmp';
    const parts: PartFile[] = [];
    const newPart = (): PartFile => {
      const part = new PartFile(join(dir, `split-${parts.length}`));
      parts.push(part);
      return part;
    };
    const lines = createInterface({ input: await ctx.storage.get(props.from), crlfDelay: Infinity });
    if (limit === undefined && props.partitions !== undefined) {
      for (let i = 0; i < props.partitions; i++) newPart();
      let next = 0;
      for await (const line of lines) {
        await parts[next].write(line + props.separator);
        next = (next + 1) % parts.length;
      }
    } else {
      let part: PartFile | undefined;
      for await (const line of lines) {
        if (!part || (limit !== undefined ? part.bytes >= limit : part.rows >= props.rows!)) part = newPart();
        await part.write(line + props.separator);
        part.rows++;
      }
    }
    const uris: string[] = [];
    for (const part of parts) {
      await part.close();
      if (part.bytes === 0) continue;
      uris.push((await ctx.storage.put(`${uris.length}${extension}`, createReadStream(part.path))).uri);
    }
    return { uris };
  },
};
