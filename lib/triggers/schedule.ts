// The Schedule trigger: its properties, and the pure computation of which dates are due.
import { CronExpressionParser } from 'cron-parser';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { parseDurationMs } from '../model/duration';
import { conditionListSchema } from './conditions/schema';
import { ConditionKind, type Condition } from './conditions/types';

/** Kestra's cron nicknames; `@midnight` is cron-parser's `@daily`. */
const NICKNAMES: Readonly<Record<string, string>> = {
  '@yearly': '@yearly', '@annually': '@annually', '@monthly': '@monthly', '@weekly': '@weekly',
  '@daily': '@daily', '@midnight': '@daily', '@hourly': '@hourly',
};

/** Why a cron expression is refused, or undefined when it is valid (5 fields, 6 with seconds first, or a nickname). */
export function cronProblem(cron: string): string | undefined {
  const text = cron.trim();
  if (text.startsWith('@')) {
    return NICKNAMES[text] ? undefined : `unknown cron nickname '${text}' (use ${Object.keys(NICKNAMES).join(', ')})`;
  }
  const fields = text.split(/\s+/).filter(Boolean).length;
  if (fields !== 5 && fields !== 6) return `a cron expression has 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first; got ${fields}`;
  try {
    CronExpressionParser.parse(text, { tz: 'UTC', currentDate: 0 });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export const isValidTimezone = (tz: string): boolean => IANAZone.isValidZone(tz);

const Cron = z.string().superRefine((s, ctx) => {
  const problem = cronProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: `invalid cron expression '${s}': ${problem}` });
});
const Timezone = z.string().superRefine((tz, ctx) => {
  if (!isValidTimezone(tz)) ctx.addIssue({ code: 'custom', message: `unknown timezone '${tz}'; use an IANA name such as Europe/Paris or UTC` });
});
const IsoDateTime = z.string().refine((s) => DateTime.fromISO(s, { setZone: true }).isValid, {
  message: 'expected an ISO-8601 date-time such as 2024-01-01T00:00:00Z',
});
const Duration = z.string().refine((s) => parseDurationMs(s) !== undefined, { message: 'expected an ISO-8601 duration such as PT1H' });

/** Conditions that make sense without an ended execution. */
export const SCHEDULE_CONDITION_KINDS: ReadonlySet<ConditionKind> = new Set([
  ConditionKind.Variable, ConditionKind.DayWeek, ConditionKind.DayWeekInMonth, ConditionKind.DateTimeBetween,
  ConditionKind.TimeBetween, ConditionKind.Weekend, ConditionKind.Flow, ConditionKind.FlowNamespace, ConditionKind.Not, ConditionKind.Or,
]);

export const ScheduleProperties = z.object({
  cron: Cron,
  timezone: Timezone.optional(),
  backfill: z.object({ start: IsoDateTime }).strict().optional(),
  lateMaximumDelay: Duration.optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  conditions: conditionListSchema(SCHEDULE_CONDITION_KINDS).optional(),
  /** Kestra 0.7+ name for the same list. */
  scheduleConditions: conditionListSchema(SCHEDULE_CONDITION_KINDS).optional(),
}).strict();
export type ScheduleProperties = z.infer<typeof ScheduleProperties>;

export interface ScheduleSpec {
  cron: string;
  timezone: string;
  backfillStart?: Date;
  lateMaximumDelayMs?: number;
  inputs?: Record<string, unknown>;
  conditions: Condition[];
}

export function scheduleSpec(p: ScheduleProperties, defaultTimezone = 'UTC'): ScheduleSpec {
  return {
    cron: NICKNAMES[p.cron.trim()] ?? p.cron.trim(),
    timezone: p.timezone ?? defaultTimezone,
    ...(p.backfill ? { backfillStart: DateTime.fromISO(p.backfill.start, { setZone: true, zone: 'UTC' }).toJSDate() } : {}),
    ...(p.lateMaximumDelay ? { lateMaximumDelayMs: parseDurationMs(p.lateMaximumDelay) } : {}),
    ...(p.inputs ? { inputs: p.inputs } : {}),
    conditions: [...(p.conditions ?? []), ...(p.scheduleConditions ?? [])],
  };
}

/** Cron dates in (after, upTo], oldest first, at most `limit`. */
export function cronDates(spec: Pick<ScheduleSpec, 'cron' | 'timezone'>, after: Date, upTo: Date, limit: number): Date[] {
  const it = CronExpressionParser.parse(spec.cron, { tz: spec.timezone, currentDate: after });
  const out: Date[] = [];
  while (out.length < limit) {
    const next = it.next().toDate();
    if (next.getTime() > upTo.getTime()) break;
    out.push(next);
  }
  return out;
}

export const nextCronDate = (spec: Pick<ScheduleSpec, 'cron' | 'timezone'>, after: Date): Date =>
  CronExpressionParser.parse(spec.cron, { tz: spec.timezone, currentDate: after }).next().toDate();

export const previousCronDate = (spec: Pick<ScheduleSpec, 'cron' | 'timezone'>, before: Date): Date =>
  CronExpressionParser.parse(spec.cron, { tz: spec.timezone, currentDate: before }).prev().toDate();

export interface SchedulePlan {
  /** Set when the trigger had no state: the date from which it starts counting (not fired). */
  baseline?: Date;
  /** Dates to fire, oldest first. */
  due: Date[];
}

/**
 * Which dates are due at `now`, given the last date fired (or the baseline).
 * - No state and no backfill: nothing fires; `now` becomes the baseline, so the next date after it fires.
 * - No state and a backfill: every date from `backfill.start` on is due, in order.
 * - Dates older than `lateMaximumDelay` are skipped, except with a backfill, whose point is to catch up.
 */
export function planSchedule(spec: ScheduleSpec, lastDate: Date | undefined, now: Date, limit = 500): SchedulePlan {
  let after: Date;
  if (lastDate) after = lastDate;
  else if (spec.backfillStart) after = new Date(spec.backfillStart.getTime() - 1);
  else return { baseline: now, due: [] };
  if (spec.lateMaximumDelayMs !== undefined && !spec.backfillStart) {
    const oldest = now.getTime() - spec.lateMaximumDelayMs - 1;
    if (after.getTime() < oldest) after = new Date(oldest);
  }
  return { due: cronDates(spec, after, now, limit) };
}

/** `trigger.date`, `trigger.next` and `trigger.previous`, in the trigger's time zone. */
export function scheduleVariables(spec: ScheduleSpec, date: Date): Record<string, string> {
  const fmt = (d: Date): string => DateTime.fromJSDate(d, { zone: spec.timezone }).toISO({ suppressMilliseconds: true }) as string;
  return { date: fmt(date), next: fmt(nextCronDate(spec, date)), previous: fmt(previousCronDate(spec, date)) };
}
