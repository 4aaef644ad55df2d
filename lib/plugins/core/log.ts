// Log: writes one message, or one line per message of a list, at the given level.
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import type { RunnableTaskDefinition } from '../types';
import { Level, NoOutputs, Text } from './text';

export const LogProperties = z.object({
  message: z.union([z.array(Text), Text]),
  level: Level.default('INFO'),
}).strict();
export type LogProperties = z.infer<typeof LogProperties>;

export const logTask: RunnableTaskDefinition<LogProperties, z.infer<typeof NoOutputs>> = {
  type: 'io.kestra.core.tasks.log.Log',
  aliases: ['io.kestra.plugin.core.log.Log'],
  group: PluginGroup.core,
  properties: LogProperties,
  outputs: NoOutputs,
  async run(ctx, props) {
    const messages = Array.isArray(props.message) ? props.message : [props.message];
    for (const message of messages) ctx.logger.log(props.level, message);
    return {};
  },
};
