// io.kestra.plugin.core.http.Trigger: every interval, sends its request as the Request task does and
// starts one execution when `responseCondition` holds, with Request's outputs as `trigger.*` (uri,
// code, headers, body; bodyUri for a body stored under the execution). As in Kestra, a failed
// response code does not fail the poll: the condition decides. A condition that keeps holding fires
// every interval (at most one execution per interval slot). With `stopAfter`, the poll state keeps the
// executions it started until they end; once one ends in a listed state the trigger stops for good
// (Kestra disables it), and sends no more requests.
import { AloftError, ErrorCode } from '../../model/errors';
import { isTerminal, type State } from '../../model/states';
import type { PollState } from '../../ports/trigger-state';
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
  async poll(ctx, trigger, state) {
    const id = ctx.executionId();
    const task = ctx.task(id);
    const { responseCondition, stopAfter, encryptBody: _encryptBody, ...request } = trigger.http;
    const watch = stopAfter && stopAfter.length > 0 ? await watchStarted(ctx.executionState, stopAfter, state) : undefined;
    if (watch?.stopped) {
      if (!isStopped(state)) task.logger.info(`stopped: execution ${watch.stopped.executionId} ended ${watch.stopped.state}, one of stopAfter`);
      return { state: (current) => ({ ...(current ?? {}), stopped: watch.stopped, running: [] }) };
    }
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
    const fired = decision.fire ? await ctx.fire(id, { ...out }) : undefined;
    if (!watch) return {};
    const running = fired?.status === 'started' ? [...watch.running, id] : watch.running;
    return { state: (current) => ({ ...(current ?? {}), running }) };
  },
};

interface Stop { executionId: string; state: string }
const isStopped = (state: PollState | null): boolean => !!state && typeof state.stopped === 'object' && state.stopped !== null;

/**
 * The executions this trigger started that have not ended yet, or the first that ended in a state of
 * `stopAfter` (then the trigger stops). Checked at each poll: no execution starts in between.
 */
async function watchStarted(
  executionState: (id: string) => Promise<string | undefined>, stopAfter: readonly string[], state: PollState | null,
): Promise<{ running: string[]; stopped?: Stop }> {
  if (isStopped(state)) return { running: [], stopped: state!.stopped as Stop };
  const before = Array.isArray(state?.running) ? (state.running as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  const running: string[] = [];
  for (const executionId of before) {
    const current = await executionState(executionId);
    if (current === undefined) continue;
    if (stopAfter.includes(current)) return { running: [], stopped: { executionId, state: current } };
    if (!isTerminal(current as State)) running.push(executionId);
  }
  return { running };
}
