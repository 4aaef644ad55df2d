// The runnable task types of the `singer` plugin group.
// Placeholders until the Singer plugin lands: real property schemas (./properties.ts) so flows
// validate, and a `run` that fails with NOT_IMPLEMENTED.
import type { z } from 'zod';
import { TaskStatus } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import type { RunnableTaskDefinition } from '../types';
import {
  AdswerveBigQueryProperties, GitHubProperties, PipelinewiseOracleProperties, TapOutputs, TargetOutputs,
} from './properties';

function placeholder(type: string, properties: z.ZodType, outputs: z.ZodType): RunnableTaskDefinition {
  return {
    type,
    aliases: [],
    group: 'singer',
    status: TaskStatus.validatesOnly,
    properties,
    outputs,
    run: async () => {
      throw new AloftError(ErrorCode.NOT_IMPLEMENTED, `${type} is not implemented yet`);
    },
  };
}

export const singerTasks: readonly RunnableTaskDefinition[] = [
  placeholder('io.kestra.plugin.singer.taps.GitHub', GitHubProperties, TapOutputs),
  placeholder('io.kestra.plugin.singer.taps.PipelinewiseOracle', PipelinewiseOracleProperties, TapOutputs),
  placeholder('io.kestra.plugin.singer.targets.AdswerveBigQuery', AdswerveBigQueryProperties, TargetOutputs),
];
