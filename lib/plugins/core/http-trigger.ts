// io.kestra.plugin.core.http.Trigger: every interval, sends its request as the Request task does and
// starts one execution when `responseCondition` holds, with Request's outputs as `trigger.*` (uri,
// code, headers, body; bodyUri for a body stored under the execution). As in Kestra, a failed
// response code does not fail the poll: the condition decides. It keeps no state, so a condition
// that keeps holding fires every interval (at most one execution per interval slot).
import { AloftError, ErrorCode } from '../../model/errors';
import { decideHttpTrigger } from '../../triggers/http';
import type { PollingTrigger } from '../../triggers/polling';
import type { Renderer } from '../../triggers/render';
import { isSuspend, type TaskContext } from '../types';
import { HttpOptions } from './http-properties';
import { requestTask, RequestProperties } from './http-request';

/** Renders the response condition with the poll's task context (its variables and limits). */
const rendererOf = (task: TaskContext): Renderer => ({
  render: async (template, vars) => {
    const out = await task.render(template, vars);
    return out === null || out === undefined ? '' : String(out);
  },
  renderValue: (value, vars) => task.render(value, vars),
});

export const httpPolling: PollingTrigger<'Http'> = {
  idPrefix: 'http-poll',
  polls: () => true,
  intervalMs: (trigger) => trigger.intervalMs,
  async poll(ctx, trigger) {
    const id = ctx.executionId();
    const task = ctx.task(id);
    // stopAfter (disable the trigger once an execution ended so) is accepted and not acted on: docs/triggers.md.
    const { responseCondition, stopAfter: _stopAfter, encryptBody: _encryptBody, ...request } = trigger.http;
    const parsed = RequestProperties.safeParse(await task.render(request));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const property = issue.path.join('.') || undefined;
      throw new AloftError(ErrorCode.INPUT_INVALID, `${property ?? 'properties'}: ${issue.message}`, { task: trigger.id, property });
    }
    const options = HttpOptions.parse({ ...parsed.data.options, allowFailed: true });
    const result = await requestTask.run(task, { ...parsed.data, options });
    // Request answers its outputs: it neither suspends nor ends in WARNING.
    if (isSuspend(result) || 'state' in result) throw new AloftError(ErrorCode.INTERNAL, 'the HTTP request did not answer its outputs', { task: trigger.id });
    const out = result;
    task.logger.debug(`${out.uri} answered ${out.code}`);
    const decision = await decideHttpTrigger(rendererOf(task), { responseCondition }, { statusCode: out.code, headers: out.headers ?? {}, body: out.body ?? null });
    if (decision.fire) await ctx.fire(id, { ...out });
    return {};
  },
};
