// Tests one condition. Pure but for rendering, which reads only the variables it is given.
import { DateTime } from 'luxon';
import { AloftError, ErrorCode } from '../../model/errors';
import type { State } from '../../model/states';
import type { Renderer, Vars } from '../render';
import { DAYS_OF_WEEK, type Condition, type ConditionOf } from './types';

/** The ended execution a Flow trigger looks at. */
export interface EndedExecutionRef {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  state: State;
}

export interface ConditionContext {
  /** The flow that owns the trigger. */
  flow: { namespace: string; id: string };
  /** Flow triggers only: the execution that ended. */
  execution?: EndedExecutionRef;
  /** The variables templates see; built on first use because it may need a read. */
  vars(): Promise<Vars>;
  renderer: Renderer;
  /** MultipleCondition results, computed beforehand from the trigger's stored windows. */
  multiple?(condition: ConditionOf<'Multiple'>): boolean;
}

/**
 * The result of a condition that needs no rendering (execution, flow and namespace tests, and Not/Or
 * of those); undefined when it does. Flow triggers test most conditions this way, without awaiting.
 */
export function testConditionNow(c: Condition, cx: ConditionContext): boolean | undefined {
  switch (c.kind) {
    case 'ExecutionStatus': {
      const state = ended(cx, c).state;
      return (!c.in || c.in.includes(state)) && (!c.notIn || !c.notIn.includes(state));
    }
    case 'ExecutionFlow': {
      const e = ended(cx, c);
      return e.namespace === c.namespace && e.flowId === c.flowId;
    }
    case 'ExecutionNamespace':
      return namespaceMatches(ended(cx, c).namespace, c.namespace, c.prefix);
    case 'Flow':
      return cx.flow.namespace === c.namespace && cx.flow.id === c.flowId;
    case 'FlowNamespace':
      return namespaceMatches(cx.flow.namespace, c.namespace, c.prefix);
    case 'Multiple':
      return cx.multiple ? cx.multiple(c) : undefined;
    case 'Not': {
      let unknown = false;
      for (const inner of c.conditions) {
        const r = testConditionNow(inner, cx);
        if (r === true) return false;
        if (r === undefined) unknown = true;
      }
      return unknown ? undefined : true;
    }
    case 'Or': {
      let unknown = false;
      for (const inner of c.conditions) {
        const r = testConditionNow(inner, cx);
        if (r === true) return true;
        if (r === undefined) unknown = true;
      }
      return unknown ? undefined : false;
    }
    default:
      return undefined;
  }
}

/** All conditions hold (true), one does not (false), or rendering is needed to tell (undefined). */
export function testAllNow(conditions: readonly Condition[], cx: ConditionContext): boolean | undefined {
  let unknown = false;
  for (const c of conditions) {
    const r = testConditionNow(c, cx);
    if (r === false) return false;
    if (r === undefined) unknown = true;
  }
  return unknown ? undefined : true;
}

export async function testCondition(c: Condition, cx: ConditionContext): Promise<boolean> {
  const now = testConditionNow(c, cx);
  if (now !== undefined) return now;
  switch (c.kind) {
    case 'Variable': {
      // Kestra: blank or "false" is false, anything else is true.
      const out = String(await cx.renderer.render(c.expression, await cx.vars())).trim();
      return out !== '' && out !== 'false';
    }
    case 'Multiple':
      throw new AloftError(ErrorCode.NOT_SUPPORTED, 'a MultipleCondition only works in a Flow trigger');
    case 'DayWeek': {
      const d = await dateOf(c, cx);
      return d.weekday === DAYS_OF_WEEK.indexOf(c.dayOfWeek) + 1;
    }
    case 'DayWeekInMonth': {
      const d = await dateOf(c, cx);
      return d.weekday === DAYS_OF_WEEK.indexOf(c.dayOfWeek) + 1 && weekOfMonthMatches(d, c.dayInMonth);
    }
    case 'Weekend': {
      const d = await dateOf(c, cx);
      return d.weekday === 6 || d.weekday === 7;
    }
    case 'DateTimeBetween': {
      const d = await dateOf(c, cx);
      const after = c.after ? parseDate(c.after, c) : undefined;
      const before = c.before ? parseDate(c.before, c) : undefined;
      return (!after || d > after) && (!before || d < before);
    }
    case 'TimeBetween': {
      const d = await dateOf(c, cx);
      const t = secondsOfDay(d);
      const after = c.after ? timeSeconds(c.after, d) : undefined;
      const before = c.before ? timeSeconds(c.before, d) : undefined;
      return (after === undefined || t > after) && (before === undefined || t < before);
    }
    case 'Not': {
      for (const inner of c.conditions) if (await testCondition(inner, cx)) return false;
      return true;
    }
    case 'Or': {
      for (const inner of c.conditions) if (await testCondition(inner, cx)) return true;
      return false;
    }
    default:
      // Every other kind was answered by testConditionNow.
      throw new AloftError(ErrorCode.INTERNAL, `condition ${c.type} was not evaluated`);
  }
}

/** All conditions hold (an empty list holds). */
export async function testAll(conditions: readonly Condition[], cx: ConditionContext): Promise<boolean> {
  const now = testAllNow(conditions, cx);
  if (now !== undefined) return now;
  for (const c of conditions) if (!(await testCondition(c, cx))) return false;
  return true;
}

/** Kestra's prefix match is a plain, case-sensitive startsWith. */
export const namespaceMatches = (actual: string, namespace: string, prefix: boolean): boolean =>
  prefix ? actual.startsWith(namespace) : actual === namespace;

function ended(cx: ConditionContext, c: Condition): EndedExecutionRef {
  if (!cx.execution) throw new AloftError(ErrorCode.NOT_SUPPORTED, `${c.type} only works in a Flow trigger, which has an ended execution`);
  return cx.execution;
}

async function dateOf(c: { date: string; type: string }, cx: ConditionContext): Promise<DateTime> {
  const text = String(await cx.renderer.render(c.date, await cx.vars())).trim();
  return parseDate(text, c);
}

function parseDate(text: string, c: { type: string }): DateTime {
  const d = DateTime.fromISO(text, { setZone: true, zone: 'UTC' });
  if (!d.isValid) throw new AloftError(ErrorCode.EXPRESSION, `${c.type}: '${text}' is not an ISO-8601 date`);
  return d;
}

function weekOfMonthMatches(d: DateTime, which: string): boolean {
  if (which === 'LAST') return d.day + 7 > (d.daysInMonth ?? 31);
  return Math.ceil(d.day / 7) === ['FIRST', 'SECOND', 'THIRD', 'FOURTH'].indexOf(which) + 1;
}

const secondsOfDay = (d: DateTime): number => d.hour * 3600 + d.minute * 60 + d.second + d.millisecond / 1000;

/** A time of day, with its own offset if it has one, seen in the zone of `d`. */
function timeSeconds(text: string, d: DateTime): number {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text) as RegExpExecArray;
  const local = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0) + Number(m[4] ?? 0);
  if (!m[5]) return local;
  const offsetMin = m[5] === 'Z' ? 0 : (m[5][0] === '-' ? -1 : 1) * (Number(m[5].slice(1, 3)) * 60 + Number(m[5].slice(-2)));
  // Shift the time from its offset to the offset of the date being tested.
  return (((local - offsetMin * 60 + d.offset * 60) % 86400) + 86400) % 86400;
}
