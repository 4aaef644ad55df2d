// LocalFiles (Kestra 0.x io.kestra.plugin.core.storage.LocalFiles, deprecated in 1.x for the
// scripts' inputFiles/outputFiles): writes `inputs` (inline text, or a kestra:// file copied) into a
// scratch folder, then stores the files matching `outputs` globs and answers their URIs by name.
// Inside a WorkingDirectory the folder is the group's, shared with the tasks before and after it, as in Kestra.
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import { writeInputFiles } from '../scripts/files';
import { uploadOutputFiles } from '../scripts/output-files';
import type { RunnableTaskDefinition } from '../types';

export const LocalFilesProperties = z.object({
  /** File name -> content; a map, or its JSON text (an expression that renders one). */
  inputs: z.union([z.record(z.string(), z.string()), z.string()]).optional(),
  /** Globs of files to store, relative to the folder (`*.csv`, `**.json`). */
  outputs: z.array(z.string()).optional(),
}).strict();
export type LocalFilesProperties = z.infer<typeof LocalFilesProperties>;

export const LocalFilesOutputs = z.object({ uris: z.record(z.string(), z.string()) }).strict();
export type LocalFilesOutputs = z.infer<typeof LocalFilesOutputs>;

export const localFilesTask: RunnableTaskDefinition<LocalFilesProperties, LocalFilesOutputs> = {
  type: 'io.kestra.core.tasks.storages.LocalFiles',
  aliases: ['io.kestra.plugin.core.storage.LocalFiles'],
  group: PluginGroup.core,
  properties: LocalFilesProperties,
  outputs: LocalFilesOutputs,
  async run(ctx, props) {
    const dir = await ctx.tempDir();
    if (props.inputs !== undefined) await writeInputFiles(ctx, dir, inputsMap(props.inputs, ctx.taskRun.taskId));
    return { uris: await uploadOutputFiles(ctx, dir, props.outputs ?? []) };
  },
};

function inputsMap(inputs: Record<string, string> | string, task: string): Record<string, string> {
  if (typeof inputs !== 'string') return inputs;
  let parsed: unknown;
  try {
    parsed = JSON.parse(inputs);
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === 'string')) {
    return parsed as Record<string, string>;
  }
  throw new AloftError(ErrorCode.FLOW_INVALID, 'inputs must be a map of file name to content, or the JSON text of one', { task, property: 'inputs' });
}
