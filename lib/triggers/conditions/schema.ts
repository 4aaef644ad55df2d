// Zod schemas of conditions. A condition list is checked against the kinds its trigger allows,
// and each condition is parsed into the `Condition` union with its canonical type.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { parseDurationMs } from '../../model/duration';
import { StateSchema } from '../../model/execution';
import { checkValue, isPlainObject } from '../../model/flow-zod';
import { didYouMean } from '../../model/flow-suggest';
import {
  ALL_CONDITION_TYPE_NAMES, conditionTypeOf, ConditionKind, DAYS_IN_MONTH, DAYS_OF_WEEK, type Condition,
} from './types';

const isoDateTime = z.string().refine((s) => s.includes('{{') || DateTime.fromISO(s, { setZone: true }).isValid, {
  message: 'expected an ISO-8601 date-time such as 2024-03-14T10:00:00+01:00',
});
const isoTime = z.string().regex(/^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/, 'expected a time such as 16:19:12+02:00');
const duration = z.string().refine((s) => parseDurationMs(s) !== undefined, { message: 'expected an ISO-8601 duration such as PT1H or P1D' });

/** Every kind's own properties (not `type`). */
function propertiesOf(kind: ConditionKind, allowed: ReadonlySet<ConditionKind>): z.ZodType {
  const nested = conditionSchema;
  switch (kind) {
    case 'ExecutionStatus':
      return z.object({ in: z.array(StateSchema).optional(), notIn: z.array(StateSchema).optional() }).strict()
        .refine((p) => p.in !== undefined || p.notIn !== undefined, { message: "set 'in' or 'notIn'" });
    case 'ExecutionFlow':
    case 'Flow':
      return z.object({ namespace: z.string().min(1), flowId: z.string().min(1) }).strict();
    case 'ExecutionNamespace':
    case 'FlowNamespace':
      return z.object({ namespace: z.string().min(1), prefix: z.boolean().optional() }).strict();
    case 'Variable':
      return z.object({ expression: z.string().min(1) }).strict();
    case 'Multiple':
      return z.object({
        id: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'condition ids use letters, digits, - and _').optional(),
        window: duration.optional(),
        windowAdvance: duration.optional(),
        conditions: z.record(z.string(), nested(MULTIPLE_INNER)).refine((m) => Object.keys(m).length > 0, { message: 'a MultipleCondition needs at least one condition' }),
      }).strict();
    case 'DayWeek':
      return z.object({ date: z.string().optional(), dayOfWeek: z.enum(DAYS_OF_WEEK) }).strict();
    case 'DayWeekInMonth':
      return z.object({ date: z.string().optional(), dayOfWeek: z.enum(DAYS_OF_WEEK), dayInMonth: z.enum(DAYS_IN_MONTH) }).strict();
    case 'DateTimeBetween':
      return z.object({ date: z.string().optional(), after: isoDateTime.optional(), before: isoDateTime.optional() }).strict()
        .refine((p) => p.after !== undefined || p.before !== undefined, { message: "set 'after' or 'before'" });
    case 'TimeBetween':
      return z.object({ date: z.string().optional(), after: isoTime.optional(), before: isoTime.optional() }).strict()
        .refine((p) => p.after !== undefined || p.before !== undefined, { message: "set 'after' or 'before'" });
    case 'Weekend':
      return z.object({ date: z.string().optional() }).strict();
    case 'Not':
    case 'Or':
      return z.object({ conditions: z.array(nested(withoutMultiple(allowed))).min(1) }).strict();
  }
}

const ALL_KINDS = Object.values(ConditionKind) as ConditionKind[];
const withoutMultiple = (kinds: ReadonlySet<ConditionKind>): ReadonlySet<ConditionKind> =>
  new Set([...kinds].filter((k) => k !== ConditionKind.Multiple));
/** Inside a MultipleCondition any condition may test the ended execution, except another Multiple. */
const MULTIPLE_INNER: ReadonlySet<ConditionKind> = withoutMultiple(new Set(ALL_KINDS));

/** Dates default to the trigger's date, as in Kestra (DateTimeBetween used `now()`, which is the same instant for a schedule). */
const DEFAULT_DATE = '{{ trigger.date }}';

/** One condition, checked against the kinds its trigger allows and normalised. */
export function conditionSchema(allowed: ReadonlySet<ConditionKind>): z.ZodType<Condition> {
  return z.unknown().transform((value, ctx): Condition => {
    if (!isPlainObject(value)) {
      ctx.addIssue({ code: 'custom', message: 'expected a condition (a map with a type)', input: value });
      return z.NEVER;
    }
    const { type, ...props } = value;
    if (typeof type !== 'string') {
      ctx.addIssue({ code: 'custom', message: "missing required property 'type'", path: ['type'], input: value });
      return z.NEVER;
    }
    const known = conditionTypeOf(type);
    if (!known) {
      ctx.addIssue({ code: 'custom', message: `unknown condition type '${type}'${didYouMean(type, ALL_CONDITION_TYPE_NAMES)}`, path: ['type'], input: value });
      return z.NEVER;
    }
    if (!allowed.has(known.kind)) {
      ctx.addIssue({ code: 'custom', message: `condition ${known.type} cannot be used here`, path: ['type'], input: value });
      return z.NEVER;
    }
    const schema = propertiesOf(known.kind, allowed);
    const issues = checkValue(schema, props);
    for (const issue of issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, input: value });
    if (issues.length > 0) return z.NEVER;
    const p = schema.parse(props) as Record<string, any>;
    return normalise(known.kind, known.type, p);
  });
}

export function conditionListSchema(allowed: ReadonlySet<ConditionKind>): z.ZodType<Condition[]> {
  return z.array(conditionSchema(allowed));
}

function normalise(kind: ConditionKind, type: string, p: Record<string, any>): Condition {
  switch (kind) {
    case 'ExecutionStatus': return { kind, type, ...(p.in ? { in: p.in } : {}), ...(p.notIn ? { notIn: p.notIn } : {}) };
    case 'ExecutionFlow': case 'Flow': return { kind, type, namespace: p.namespace, flowId: p.flowId };
    case 'ExecutionNamespace': case 'FlowNamespace': return { kind, type, namespace: p.namespace, prefix: p.prefix === true };
    case 'Variable': return { kind, type, expression: p.expression };
    case 'Multiple':
      return {
        // An empty id is replaced by the trigger with one based on the condition's position.
        kind, type, id: p.id ?? '',
        windowMs: parseDurationMs(p.window ?? 'P1D') as number,
        windowAdvanceMs: parseDurationMs(p.windowAdvance ?? 'PT0S') as number,
        conditions: p.conditions,
      };
    case 'DayWeek': return { kind, type, date: p.date ?? DEFAULT_DATE, dayOfWeek: p.dayOfWeek };
    case 'DayWeekInMonth': return { kind, type, date: p.date ?? DEFAULT_DATE, dayOfWeek: p.dayOfWeek, dayInMonth: p.dayInMonth };
    case 'DateTimeBetween': case 'TimeBetween':
      return { kind, type, date: p.date ?? DEFAULT_DATE, ...(p.after ? { after: p.after } : {}), ...(p.before ? { before: p.before } : {}) };
    case 'Weekend': return { kind, type, date: p.date ?? DEFAULT_DATE };
    case 'Not': case 'Or': return { kind, type, conditions: p.conditions };
  }
}
