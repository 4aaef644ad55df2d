// Return: outputs its rendered `format` as `value`. On the embedded runtime's hot path, so it does
// nothing but that (its debug line is dropped cheaply below the logger's level).
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import type { RunnableTaskDefinition } from '../types';
import { Text } from './text';

export const ReturnProperties = z.object({ format: Text.optional() }).strict();
export type ReturnProperties = z.infer<typeof ReturnProperties>;

export const ReturnOutputs = z.object({ value: z.string() }).strict();
export type ReturnOutputs = z.infer<typeof ReturnOutputs>;

export const returnTask: RunnableTaskDefinition<ReturnProperties, ReturnOutputs> = {
  type: 'io.kestra.core.tasks.debugs.Return',
  aliases: ['io.kestra.plugin.core.debug.Return'],
  group: PluginGroup.core,
  properties: ReturnProperties,
  outputs: ReturnOutputs,
  pure: true,
  async run(ctx, props) {
    const value = props.format ?? '';
    ctx.logger.debug(value);
    ctx.metrics.counter('length', value.length);
    return { value };
  },
};
