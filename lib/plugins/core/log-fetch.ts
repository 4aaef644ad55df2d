// Fetch (Kestra's io.kestra.plugin.core.log.Fetch): an execution's log lines into a file, one JSON
// object a line. The execution is this one unless `executionId` names another of the same namespace.
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import { LogLevel, logLevelRank } from '../../ports/log-store';
import type { RunnableTaskDefinition } from '../types';

export const FetchProperties = z.object({
  /** Kestra names the flow too; the execution id alone finds the lines, and the namespace is checked. */
  namespace: z.string().optional(),
  flowId: z.string().optional(),
  executionId: z.string().optional(),
  /** Only the lines of these task ids. */
  tasksId: z.array(z.string()).optional(),
  /** The lowest level kept; default INFO, as Kestra. */
  level: LogLevel.default('INFO'),
}).strict();
export type FetchProperties = z.infer<typeof FetchProperties>;

export const FetchOutputs = z.object({ uri: z.string(), size: z.number().int() }).strict();
export type FetchOutputs = z.infer<typeof FetchOutputs>;

export const fetchLogsTask: RunnableTaskDefinition<FetchProperties, FetchOutputs> = {
  type: 'io.kestra.core.tasks.log.Fetch',
  aliases: ['io.kestra.plugin.core.log.Fetch'],
  group: PluginGroup.core,
  properties: FetchProperties,
  outputs: FetchOutputs,
  async run(ctx, props) {
    const where = { flow: `${ctx.execution.namespace}.${ctx.execution.flowId}`, task: ctx.taskRun.taskId };
    if (props.namespace !== undefined && props.namespace !== ctx.execution.namespace) {
      throw new AloftError(ErrorCode.FORBIDDEN, `namespace '${props.namespace}' is not this execution's (${ctx.execution.namespace}): its logs cannot be read here`, { ...where, property: 'namespace' });
    }
    if (!ctx.executionLogs) throw new AloftError(ErrorCode.NOT_SUPPORTED, 'log.Fetch cannot read logs here', where);
    const min = logLevelRank(props.level);
    const lines = (await ctx.executionLogs(props.executionId ?? ctx.execution.id))
      .filter((l) => logLevelRank(l.level) >= min)
      .filter((l) => props.tasksId === undefined || (l.taskId !== undefined && props.tasksId.includes(l.taskId)))
      .filter((l) => props.flowId === undefined || l.flowId === props.flowId);
    const stored = await ctx.storage.writeRows('logs.jsonl', lines);
    return { uri: stored.uri, size: stored.rows };
  },
};
