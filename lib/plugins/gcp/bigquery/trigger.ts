// io.kestra.plugin.gcp.bigquery.Trigger: every interval, runs its Query and starts one execution when
// the query returned rows, with Query's outputs as `trigger.*` (jobId, rows, row, size, uri).
// Stored rows go under that execution. It keeps no state: as in Kestra, a query that keeps returning
// rows fires every interval, so the query (or the flow) decides what is new.
import { AloftError, ErrorCode } from '../../../model/errors';
import type { PollingTrigger } from '../../../triggers/polling';
import { isSuspend } from '../../types';
import { QueryProperties } from './properties';

export const bigqueryPolling: PollingTrigger<'BigQuery'> = {
  idPrefix: 'bigquery-poll',
  polls: () => true,
  intervalMs: (trigger) => trigger.intervalMs,
  async poll(ctx, trigger) {
    const id = ctx.executionId();
    const task = ctx.task(id);
    const parsed = QueryProperties.safeParse(await task.render(trigger.query));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AloftError(ErrorCode.INPUT_INVALID, `${issue.path.join('.') || 'properties'}: ${issue.message}`, { task: trigger.id, property: issue.path.join('.') || undefined });
    }
    const { runQuery } = await import('./query');
    const out = await runQuery(task, { ...parsed.data, fetchType: trigger.fetchType });
    if (isSuspend(out)) throw new AloftError(ErrorCode.TASK_FAILED, 'the query did not end within the poll; give it a shorter query or a longer interval', { task: trigger.id, property: 'sql' });
    task.logger.debug(`Found '${out.size ?? 0}' rows`);
    if ((out.size ?? 0) > 0) await ctx.fire(id, { ...out });
    return {};
  },
};
