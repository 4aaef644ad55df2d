// The Vertex AI task types: CustomJob (./custom-job.ts).
import type { RunnableTaskDefinition } from '../../types';
import { runCustomJob } from './custom-job';
import { CustomJobOutputs, CustomJobProperties } from './schema';

export const CustomJob: RunnableTaskDefinition<CustomJobProperties, CustomJobOutputs> = {
  type: 'io.kestra.plugin.gcp.vertexai.CustomJob',
  aliases: [],
  group: 'gcp',
  properties: CustomJobProperties,
  outputs: CustomJobOutputs,
  run: runCustomJob,
};

export const vertexaiTasks: readonly RunnableTaskDefinition[] = [CustomJob];
