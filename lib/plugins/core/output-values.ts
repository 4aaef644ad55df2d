// OutputValues (Kestra's io.kestra.plugin.core.output.OutputValues): rendered `values` as outputs.
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import type { RunnableTaskDefinition } from '../types';

export const OutputValuesProperties = z.object({ values: z.record(z.string(), z.unknown()).default({}) }).strict();
export type OutputValuesProperties = z.infer<typeof OutputValuesProperties>;

export const OutputValuesOutputs = z.object({ values: z.record(z.string(), z.unknown()) }).strict();
export type OutputValuesOutputs = z.infer<typeof OutputValuesOutputs>;

export const outputValuesTask: RunnableTaskDefinition<OutputValuesProperties, OutputValuesOutputs> = {
  type: 'io.kestra.plugin.core.output.OutputValues',
  aliases: [],
  group: PluginGroup.core,
  properties: OutputValuesProperties,
  outputs: OutputValuesOutputs,
  async run(_ctx, props) {
    return { values: props.values };
  },
};
