// One scheduler invocation: for each Schedule trigger, the due dates are claimed one by one in the
// trigger's state (a transaction), and only the claimer starts the execution. Two invocations at
// once (a slow minute in the cloud, two local servers) therefore fire each date once.
import { ErrorCode, toErrorData } from '../model/errors';
import type { Execution } from '../model/execution';
import { flowKey, type Flow } from '../model/flow';
import type { TriggerStateStore } from '../ports/trigger-state';
import type { ParsedTriggerOf } from './catalog';
import { testAll } from './conditions/evaluate';
import { derivedId, triggerKey } from './ids';
import type { Renderer } from './render';
import type { Reporter } from './report';
import { nextCronDate, planSchedule, scheduleVariables } from './schedule';
import { startOnce, type StartFn } from './start';

export interface ScheduleTarget {
  flow: Flow;
  trigger: ParsedTriggerOf<'Schedule'>;
}

export interface SchedulerDeps {
  state: TriggerStateStore;
  start: StartFn;
  renderer: Renderer;
  report: Reporter;
  /** Dates fired per trigger and invocation at most; a long backfill carries on at the next one. Default 500. */
  maxDatesPerTrigger?: number;
  context?: { globals?: Record<string, unknown>; envs?: Record<string, string> };
}

export interface ScheduleOutcome {
  started: Execution[];
  /** The earliest date any trigger is due next, for a local loop's timer. */
  nextDue?: Date;
}

export async function fireDueSchedules(deps: SchedulerDeps, targets: readonly ScheduleTarget[], now: Date): Promise<ScheduleOutcome> {
  const started: Execution[] = [];
  let nextDue: Date | undefined;
  for (const target of targets) {
    if (target.trigger.disabled || target.flow.disabled) continue;
    try {
      started.push(...(await fireOne(deps, target, now)));
      const next = nextCronDate(target.trigger.spec, now);
      if (!nextDue || next < nextDue) nextDue = next;
    } catch (err) {
      deps.report({
        level: 'ERROR', flow: flowKey(target.flow.namespace, target.flow.id), trigger: target.trigger.id,
        message: `schedule ${target.trigger.id} of ${flowKey(target.flow.namespace, target.flow.id)} failed: ${toErrorData(err).message}`,
        error: toErrorData(err),
      });
    }
  }
  return { started, ...(nextDue ? { nextDue } : {}) };
}

async function fireOne(deps: SchedulerDeps, { flow, trigger }: ScheduleTarget, now: Date): Promise<Execution[]> {
  const key = triggerKey(flow.namespace, flow.id, trigger.id);
  const last = await deps.state.getLastDate(key);
  const plan = planSchedule(trigger.spec, last ? new Date(last) : undefined, now, deps.maxDatesPerTrigger ?? 500);
  if (plan.baseline) await deps.state.initSchedule(key, plan.baseline.toISOString());
  const out: Execution[] = [];
  for (const date of plan.due) {
    if (!(await deps.state.claimScheduleDate(key, date.toISOString()))) continue;
    try {
      const execution = await fireDate(deps, flow, trigger, key, date);
      if (execution) out.push(execution);
    } catch (err) {
      // The date stays claimed: a bad input or condition must not be retried every tick forever.
      const data = toErrorData(err, ErrorCode.INTERNAL);
      deps.report({
        level: 'ERROR', flow: flowKey(flow.namespace, flow.id), trigger: trigger.id,
        message: `schedule ${trigger.id} of ${flowKey(flow.namespace, flow.id)} could not start the execution of ${date.toISOString()}: ${data.message}`,
        error: data,
      });
    }
  }
  return out;
}

async function fireDate(deps: SchedulerDeps, flow: Flow, trigger: ParsedTriggerOf<'Schedule'>, key: string, date: Date): Promise<Execution | null> {
  const variables = scheduleVariables(trigger.spec, date);
  const vars = {
    flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision },
    vars: flow.variables ?? {},
    globals: deps.context?.globals ?? {},
    envs: deps.context?.envs ?? {},
    trigger: variables,
  };
  const cx = { flow: { namespace: flow.namespace, id: flow.id }, renderer: deps.renderer, vars: async () => vars };
  if (!(await testAll(trigger.spec.conditions, cx))) return null;
  const inputs = trigger.spec.inputs ? ((await deps.renderer.renderValue(trigger.spec.inputs, vars)) as Record<string, unknown>) : {};
  return startOnce(deps.start, {
    flow,
    id: derivedId('schedule', key, date.toISOString()),
    inputs,
    trigger: { id: trigger.id, type: trigger.type, variables },
  });
}
