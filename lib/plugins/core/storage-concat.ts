// Concat (Kestra's io.kestra.plugin.core.storage.Concat): files of internal storage, one after the
// other (each followed by `separator` when set), streamed into one new file.
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import type { RunnableTaskDefinition } from '../types';

export const ConcatProperties = z.object({
  /** A list of kestra:// URIs, or that list as JSON text. */
  files: z.union([z.array(z.string()), z.string()]),
  separator: z.string().optional(),
  extension: z.string().default('.tmp'),
}).strict();
export type ConcatProperties = z.infer<typeof ConcatProperties>;

export const UriOutput = z.object({ uri: z.string() }).strict();
export type UriOutput = z.infer<typeof UriOutput>;

export const concatTask: RunnableTaskDefinition<ConcatProperties, UriOutput> = {
  type: 'io.kestra.core.tasks.storages.Concat',
  aliases: ['io.kestra.plugin.core.storage.Concat'],
  group: PluginGroup.core,
  properties: ConcatProperties,
  outputs: UriOutput,
  async run(ctx, props) {
    const files = listOf(props.files);
    // A file that cannot be read fails the task; the stores write atomically, so nothing is left.
    const out = new PassThrough();
    const stored = ctx.storage.put(`concat${props.extension}`, out);
    try {
      for (const uri of files) {
        const input = await ctx.storage.get(uri);
        for await (const chunk of input) if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
        if (props.separator !== undefined) out.write(props.separator);
      }
      out.end();
    } catch (err) {
      out.destroy(err as Error);
      await stored.catch(() => undefined);
      throw err;
    }
    return { uri: (await stored).uri };
  },
};

function listOf(files: string[] | string): string[] {
  if (Array.isArray(files)) return files;
  let parsed: unknown;
  try {
    parsed = JSON.parse(files);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((f) => typeof f === 'string')) {
    throw new AloftError(ErrorCode.FLOW_INVALID, 'files must be a list of kestra:// URIs, or that list as JSON', { property: 'files' });
  }
  return parsed;
}
