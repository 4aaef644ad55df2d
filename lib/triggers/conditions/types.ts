// Condition types, with Kestra's 0.x class names and the later names as aliases.
// `kind` is the short name the evaluator switches on; `type` in a flow may be any alias.
import type { State } from '../../model/states';

export const ConditionKind = {
  ExecutionStatus: 'ExecutionStatus',
  ExecutionFlow: 'ExecutionFlow',
  ExecutionNamespace: 'ExecutionNamespace',
  Variable: 'Variable',
  Multiple: 'Multiple',
  DayWeek: 'DayWeek',
  DayWeekInMonth: 'DayWeekInMonth',
  DateTimeBetween: 'DateTimeBetween',
  TimeBetween: 'TimeBetween',
  Weekend: 'Weekend',
  Flow: 'Flow',
  FlowNamespace: 'FlowNamespace',
  Not: 'Not',
  Or: 'Or',
} as const;
export type ConditionKind = (typeof ConditionKind)[keyof typeof ConditionKind];

const OLD = 'io.kestra.core.models.conditions.types.';
const NEW = 'io.kestra.plugin.core.condition.';

/** Kestra's class name for each kind (0.x), then the 0.17+ name and the 0.23+ short name. */
const NAMES: Record<ConditionKind, { cls: string; short: string }> = {
  ExecutionStatus: { cls: 'ExecutionStatusCondition', short: 'ExecutionStatus' },
  ExecutionFlow: { cls: 'ExecutionFlowCondition', short: 'ExecutionFlow' },
  ExecutionNamespace: { cls: 'ExecutionNamespaceCondition', short: 'ExecutionNamespace' },
  Variable: { cls: 'VariableCondition', short: 'Expression' },
  Multiple: { cls: 'MultipleCondition', short: 'MultipleCondition' },
  DayWeek: { cls: 'DayWeekCondition', short: 'DayWeek' },
  DayWeekInMonth: { cls: 'DayWeekInMonthCondition', short: 'DayWeekInMonth' },
  DateTimeBetween: { cls: 'DateTimeBetweenCondition', short: 'DateTimeBetween' },
  TimeBetween: { cls: 'TimeBetweenCondition', short: 'TimeBetween' },
  Weekend: { cls: 'WeekendCondition', short: 'Weekend' },
  Flow: { cls: 'FlowCondition', short: 'FlowCondition' },
  FlowNamespace: { cls: 'FlowNamespaceCondition', short: 'FlowNamespaceCondition' },
  Not: { cls: 'NotCondition', short: 'Not' },
  Or: { cls: 'OrCondition', short: 'Or' },
};

export interface ConditionTypeName {
  kind: ConditionKind;
  type: string;
  aliases: readonly string[];
}

export const CONDITION_TYPES: readonly ConditionTypeName[] = (Object.keys(NAMES) as ConditionKind[]).map((kind) => {
  const { cls, short } = NAMES[kind];
  const aliases = [...new Set([`${NEW}${cls}`, `${NEW}${short}`])];
  // VariableCondition became ExpressionCondition before it became Expression.
  if (kind === ConditionKind.Variable) aliases.push(`${NEW}ExpressionCondition`);
  return { kind, type: `${OLD}${cls}`, aliases };
});

const BY_NAME = new Map<string, ConditionTypeName>();
for (const t of CONDITION_TYPES) for (const name of [t.type, ...t.aliases]) BY_NAME.set(name, t);

export const conditionTypeOf = (type: string): ConditionTypeName | undefined => BY_NAME.get(type);
export const ALL_CONDITION_TYPE_NAMES: readonly string[] = [...BY_NAME.keys()];

export const DAYS_OF_WEEK = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];
export const DAYS_IN_MONTH = ['FIRST', 'SECOND', 'THIRD', 'FOURTH', 'LAST'] as const;
export type DayInMonth = (typeof DAYS_IN_MONTH)[number];

/** A condition after parsing: the canonical type, its kind and its checked properties. */
export type Condition =
  | { kind: 'ExecutionStatus'; type: string; in?: State[]; notIn?: State[] }
  | { kind: 'ExecutionFlow'; type: string; namespace: string; flowId: string }
  | { kind: 'ExecutionNamespace'; type: string; namespace: string; prefix: boolean }
  | { kind: 'Variable'; type: string; expression: string }
  | { kind: 'Multiple'; type: string; id: string; windowMs: number; windowAdvanceMs: number; conditions: Record<string, Condition> }
  | { kind: 'DayWeek'; type: string; date: string; dayOfWeek: DayOfWeek }
  | { kind: 'DayWeekInMonth'; type: string; date: string; dayOfWeek: DayOfWeek; dayInMonth: DayInMonth }
  | { kind: 'DateTimeBetween'; type: string; date: string; after?: string; before?: string }
  | { kind: 'TimeBetween'; type: string; date: string; after?: string; before?: string }
  | { kind: 'Weekend'; type: string; date: string }
  | { kind: 'Flow'; type: string; namespace: string; flowId: string }
  | { kind: 'FlowNamespace'; type: string; namespace: string; prefix: boolean }
  | { kind: 'Not'; type: string; conditions: Condition[] }
  | { kind: 'Or'; type: string; conditions: Condition[] };
export type ConditionOf<K extends ConditionKind> = Extract<Condition, { kind: K }>;

/** Conditions about an ended execution: only Flow triggers have one. */
export const EXECUTION_KINDS: ReadonlySet<ConditionKind> = new Set([
  ConditionKind.ExecutionStatus, ConditionKind.ExecutionFlow, ConditionKind.ExecutionNamespace, ConditionKind.Multiple,
]);
