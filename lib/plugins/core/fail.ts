// Fail: fails the task, always or when `condition` renders to something truthy.
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import type { RunnableTaskDefinition } from '../types';
import { NoOutputs, Text } from './text';

export const FailProperties = z.object({
  condition: Text.optional(),
  errorMessage: Text.default('Task failure'),
}).strict();
export type FailProperties = z.infer<typeof FailProperties>;

const FALSE_VALUES: ReadonlySet<string> = new Set(['false', '0', '-0', '']);

/** Kestra's TruthUtils: everything is true except "false", "0", "-0" and the empty string. */
export const isTruthy = (text: string): boolean => !FALSE_VALUES.has(text.trim());

export const failTask: RunnableTaskDefinition<FailProperties, z.infer<typeof NoOutputs>> = {
  type: 'io.kestra.core.tasks.executions.Fail',
  aliases: ['io.kestra.plugin.core.execution.Fail'],
  group: PluginGroup.core,
  properties: FailProperties,
  outputs: NoOutputs,
  async run(ctx, props) {
    if (props.condition !== undefined && !isTruthy(props.condition)) return {};
    throw new AloftError(ErrorCode.TASK_FAILED, props.errorMessage, { task: ctx.taskRun.taskId });
  },
};
