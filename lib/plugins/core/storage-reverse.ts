// Reverse (Kestra's io.kestra.plugin.core.storage.Reverse): the lines of a file, last first, each
// followed by `separator`. The file is copied locally and read from its end, so memory stays flat.
import { createReadStream, createWriteStream } from 'node:fs';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import type { RunnableTaskDefinition } from '../types';
import { UriOutput } from './storage-concat';
import { linesFromEnd, PartFile } from './storage-lines';

export const ReverseProperties = z.object({
  from: z.string(),
  separator: z.string().default('\n'),
  charset: z.enum(['UTF-8', 'utf-8', 'UTF8', 'utf8']).default('UTF-8'),
}).strict();
export type ReverseProperties = z.infer<typeof ReverseProperties>;

export const reverseTask: RunnableTaskDefinition<ReverseProperties, UriOutput> = {
  type: 'io.kestra.core.tasks.storages.Reverse',
  aliases: ['io.kestra.plugin.core.storage.Reverse'],
  group: PluginGroup.core,
  properties: ReverseProperties,
  outputs: UriOutput,
  async run(ctx, props) {
    const dir = await ctx.tempDir();
    const original = join(dir, 'reverse-in');
    await pipeline(await ctx.storage.get(props.from), createWriteStream(original));
    const out = new PartFile(join(dir, 'reverse-out'));
    const separator = Buffer.from(props.separator);
    for await (const line of linesFromEnd(original)) {
      await out.write(line);
      await out.write(separator);
    }
    await out.close();
    const extension = extname(props.from) || '.tmp';
    return { uri: (await ctx.storage.put(`reverse${extension}`, createReadStream(out.path))).uri };
  },
};
