// Echo (deprecated in Kestra in favour of Log): logs its rendered `format` at `level`.
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import type { RunnableTaskDefinition } from '../types';
import { Level, NoOutputs, Text } from './text';

export const EchoProperties = z.object({
  format: Text,
  level: Level.default('INFO'),
}).strict();
export type EchoProperties = z.infer<typeof EchoProperties>;

export const echoTask: RunnableTaskDefinition<EchoProperties, z.infer<typeof NoOutputs>> = {
  type: 'io.kestra.core.tasks.debugs.Echo',
  aliases: ['io.kestra.plugin.core.debug.Echo'],
  group: PluginGroup.core,
  properties: EchoProperties,
  outputs: NoOutputs,
  async run(ctx, props) {
    ctx.logger.log(props.level, props.format);
    return {};
  },
};
