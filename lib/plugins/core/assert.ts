// Assert: renders each of `conditions` and fails when any is false (Kestra's TruthUtils) or cannot be
// rendered, after checking them all: the error counts the failures, each one is logged.
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode, toErrorData } from '../../model/errors';
import type { RunnableTaskDefinition } from '../types';
import { isTruthy } from './fail';
import { NoOutputs, Text, toText } from './text';

export const AssertProperties = z.object({
  // Rendered one by one in `run`, so that one that cannot be rendered counts as failed, as in Kestra.
  conditions: z.array(z.string()).min(1),
  errorMessage: Text.optional(),
}).strict();
export type AssertProperties = z.infer<typeof AssertProperties>;

export const assertTask: RunnableTaskDefinition<AssertProperties, z.infer<typeof NoOutputs>> = {
  type: 'io.kestra.plugin.core.execution.Assert',
  aliases: [],
  group: PluginGroup.core,
  properties: AssertProperties,
  outputs: NoOutputs,
  lazyProperties: ['conditions'],
  async run(ctx, props) {
    let failed = 0;
    for (const condition of props.conditions) {
      try {
        if (isTruthy(toText(await ctx.render(condition)))) continue;
        ctx.logger.error(`Assertion \`${condition}\` failed!`);
      } catch (err) {
        ctx.logger.error(`Assertion \`${condition}\` failed, failed to render \`${toErrorData(err).message}\``);
      }
      failed++;
    }
    ctx.metrics.counter('success', props.conditions.length - failed);
    ctx.metrics.counter('failed', failed);
    if (failed === 0) return {};
    const message = `${failed} assertion${failed > 1 ? 's' : ''} failed!${props.errorMessage ? `\n${props.errorMessage}` : ''}`;
    throw new AloftError(ErrorCode.TASK_FAILED, message, { task: ctx.taskRun.taskId });
  },
};
