// Count (Kestra's io.kestra.plugin.core.execution.Count, 0.x Counts): counts the executions started
// between `startDate` and `endDate` of the listed flows (one row each, 0 included) and namespaces (one
// row each with executions, summed over its flows, no flowId), keeping the rows whose `expression`,
// rendered with `count`, is exactly "true". As Kestra's repositories group them, a flow listed outside
// the namespaces also adds to a row for its own namespace once `namespaces` is set.
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode, type ErrorLocation } from '../../model/errors';
import { STATES } from '../../model/states';
import type { ExecutionCountFilter, RunnableTaskDefinition, TaskContext } from '../types';
import { toText } from './text';

/** Kestra's states that Aloft never records: accepted, they match no execution. */
const KESTRA_ONLY_STATES = ['SUBMITTED', 'RETRIED', 'BREAKPOINT', 'RESUBMITTED'] as const;
const COUNT_STATES: readonly string[] = [...STATES, ...KESTRA_ONLY_STATES];
const CountState = z.enum(COUNT_STATES as [string, ...string[]]);

/** Kestra's default when `endDate` is absent is now; with no start it looks 30 days back, but `startDate` is required. */
export const CountProperties = z.object({
  flows: z.array(z.object({ namespace: z.string().min(1), flowId: z.string().min(1) }).strict()).optional(),
  namespaces: z.array(z.string().min(1)).optional(),
  states: z.array(CountState).optional(),
  startDate: z.string().min(1),
  endDate: z.string().min(1).optional(),
  // Rendered once per row, with `count`, in `run`.
  expression: z.string().min(1),
}).strict();
export type CountProperties = z.infer<typeof CountProperties>;

const Result = z.object({ namespace: z.string(), flowId: z.string().nullable(), count: z.number().int() }).strict();
export const CountOutputs = z.object({ results: z.array(Result), total: z.number().int() }).strict();
export type CountOutputs = z.infer<typeof CountOutputs>;

function isoDate(text: string, property: string, where: ErrorLocation): string {
  const at = new Date(text.trim());
  if (Number.isNaN(at.getTime())) {
    throw new AloftError(ErrorCode.FLOW_INVALID, `'${text}' is not a date with a time and an offset (as 2024-03-14T10:00:00Z)`, { ...where, property });
  }
  return at.toISOString();
}

async function countRows(ctx: TaskContext, props: CountProperties, where: ErrorLocation): Promise<z.infer<typeof Result>[]> {
  if (!ctx.countExecutions) throw new AloftError(ErrorCode.NOT_SUPPORTED, 'execution.Count cannot count executions here', where);
  const count = ctx.countExecutions.bind(ctx);
  const range: ExecutionCountFilter = {
    from: isoDate(props.startDate, 'startDate', where),
    to: props.endDate !== undefined ? isoDate(props.endDate, 'endDate', where) : ctx.now().toISOString(),
    ...(props.states && props.states.length > 0 ? { states: props.states as ExecutionCountFilter['states'] } : {}),
  };
  const flows = props.flows ?? [];
  const namespaces = [...new Set(props.namespaces ?? [])];
  const flowRows = await Promise.all(flows.map(async (f) => ({
    namespace: f.namespace, flowId: f.flowId as string | null, count: await count({ ...range, namespace: f.namespace, flowId: f.flowId }),
  })));
  if (namespaces.length === 0) return flowRows;
  const byNamespace = new Map<string, number>();
  for (const ns of namespaces) byNamespace.set(ns, await count({ ...range, namespace: ns }));
  // A listed flow of a namespace not listed is a row of its own in Kestra's grouped query.
  const seen = new Set<string>();
  for (const r of flowRows) {
    const key = `${r.namespace}\u0000${r.flowId}`;
    if (namespaces.includes(r.namespace) || seen.has(key)) continue;
    seen.add(key);
    byNamespace.set(r.namespace, (byNamespace.get(r.namespace) ?? 0) + r.count);
  }
  const nsRows = [...byNamespace].filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, n]) => ({ namespace, flowId: null, count: n }));
  return [...flowRows, ...nsRows];
}

export const countTask: RunnableTaskDefinition<CountProperties, CountOutputs> = {
  type: 'io.kestra.core.tasks.executions.Counts',
  aliases: ['io.kestra.plugin.core.execution.Count'],
  group: PluginGroup.core,
  properties: CountProperties,
  outputs: CountOutputs,
  // It only reads the executions: running it again after a crash is harmless.
  pure: true,
  lazyProperties: ['expression'],
  async run(ctx, props) {
    const where = { flow: `${ctx.execution.namespace}.${ctx.execution.flowId}`, task: ctx.taskRun.taskId };
    if (props.flows === undefined && props.namespaces === undefined) {
      throw new AloftError(ErrorCode.FLOW_INVALID, 'You must provide a list of flows or namespaces.', { ...where, property: 'flows' });
    }
    const rows = await countRows(ctx, props, where);
    ctx.logger.debug(`${rows.length} flows matching filters`);
    const results: z.infer<typeof Result>[] = [];
    for (const row of rows) {
      if (toText(await ctx.render(props.expression, { count: row.count })) === 'true') results.push(row);
    }
    ctx.logger.debug(`${results.length} flows matching the expression`);
    return { results, total: results.reduce((sum, r) => sum + r.count, 0) };
  },
};
