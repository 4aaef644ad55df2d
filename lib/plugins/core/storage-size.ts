// Size (Kestra's io.kestra.plugin.core.storage.Size): the size in bytes of a file this execution may read.
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import type { RunnableTaskDefinition } from '../types';

export const SizeProperties = z.object({ uri: z.string() }).strict();
export type SizeProperties = z.infer<typeof SizeProperties>;

export const SizeOutputs = z.object({ size: z.number().int() }).strict();
export type SizeOutputs = z.infer<typeof SizeOutputs>;

export const sizeTask: RunnableTaskDefinition<SizeProperties, SizeOutputs> = {
  type: 'io.kestra.core.tasks.storages.Size',
  aliases: ['io.kestra.plugin.core.storage.Size'],
  group: PluginGroup.core,
  properties: SizeProperties,
  outputs: SizeOutputs,
  async run(ctx, props) {
    return { size: await ctx.storage.size(props.uri) };
  },
};
