// Delete and PurgeCurrentExecutionFiles (Kestra's io.kestra.plugin.core.storage.*): remove files of
// this execution from internal storage. Files of other executions, even readable ones, are refused.
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import type { RunnableTaskDefinition } from '../types';

export const DeleteProperties = z.object({
  uri: z.string(),
  errorOnMissing: z.boolean().default(false),
}).strict();
export type DeleteProperties = z.infer<typeof DeleteProperties>;

export const DeleteOutputs = z.object({ uri: z.string(), deleted: z.boolean() }).strict();
export type DeleteOutputs = z.infer<typeof DeleteOutputs>;

export const deleteTask: RunnableTaskDefinition<DeleteProperties, DeleteOutputs> = {
  type: 'io.kestra.core.tasks.storages.Delete',
  aliases: ['io.kestra.plugin.core.storage.Delete'],
  group: PluginGroup.core,
  properties: DeleteProperties,
  outputs: DeleteOutputs,
  async run(ctx, props) {
    const deleted = await ctx.storage.delete(props.uri);
    if (!deleted && props.errorOnMissing) {
      throw new AloftError(ErrorCode.STORAGE_NOT_FOUND, `unable to find file '${props.uri}' (errorOnMissing)`, { property: 'uri' });
    }
    return { uri: props.uri, deleted };
  },
};

export const PurgeProperties = z.object({}).strict();
export const PurgeOutputs = z.object({ uris: z.array(z.string()) }).strict();
export type PurgeOutputs = z.infer<typeof PurgeOutputs>;

export const purgeCurrentExecutionFilesTask: RunnableTaskDefinition<z.infer<typeof PurgeProperties>, PurgeOutputs> = {
  type: 'io.kestra.core.tasks.storages.PurgeExecution',
  aliases: ['io.kestra.plugin.core.storage.PurgeExecution', 'io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles'],
  group: PluginGroup.core,
  properties: PurgeProperties,
  outputs: PurgeOutputs,
  async run(ctx) {
    return { uris: await ctx.storage.deleteExecutionFiles() };
  },
};
