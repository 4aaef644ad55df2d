// The Vertex AI task types: CustomJob (./custom-job.ts) and the Gemini completions (./generative.ts).
import type { RunnableTaskDefinition } from '../../types';
import { runCustomJob } from './custom-job';
import { generativeTasks } from './generative';
import { CustomJobOutputs, CustomJobProperties } from './schema';

export const CustomJob: RunnableTaskDefinition<CustomJobProperties, CustomJobOutputs> = {
  type: 'io.kestra.plugin.gcp.vertexai.CustomJob',
  aliases: [],
  group: 'gcp',
  properties: CustomJobProperties,
  outputs: CustomJobOutputs,
  run: runCustomJob,
};

export const vertexaiTasks: readonly RunnableTaskDefinition[] = [CustomJob, ...generativeTasks];
