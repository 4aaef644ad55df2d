import { testCondition, type ConditionContext, type EndedExecutionRef } from '../../../lib/triggers/conditions/evaluate';
import { conditionListSchema, conditionSchema } from '../../../lib/triggers/conditions/schema';
import { CONDITION_TYPES, ConditionKind, type Condition } from '../../../lib/triggers/conditions/types';
import { renderer } from './fixtures';

const T = 'io.kestra.core.models.conditions.types.';
const ALL = new Set(Object.values(ConditionKind));

const parse = (c: Record<string, unknown>): Condition => conditionSchema(ALL).parse(c);

const ended: EndedExecutionRef = { id: 'up1', namespace: 'io.aloft.sales', flowId: 'orders', flowRevision: 3, state: 'SUCCESS' };

function cx(over: Partial<ConditionContext> = {}, vars: Record<string, unknown> = {}): ConditionContext {
  return { flow: { namespace: 'io.aloft.reports', id: 'daily' }, execution: ended, renderer, vars: async () => vars, ...over };
}

const test = (c: Record<string, unknown>, context = cx()): Promise<boolean> => testCondition(parse(c), context);

describe('condition types', () => {
  it('names every kind by its Kestra 0.x class and accepts the later names as aliases', () => {
    const status = CONDITION_TYPES.find((t) => t.kind === 'ExecutionStatus');
    expect(status).toEqual({
      kind: 'ExecutionStatus', type: `${T}ExecutionStatusCondition`,
      aliases: ['io.kestra.plugin.core.condition.ExecutionStatusCondition', 'io.kestra.plugin.core.condition.ExecutionStatus'],
    });
    expect(parse({ type: 'io.kestra.plugin.core.condition.ExecutionStatus', in: ['SUCCESS'] })).toEqual({ kind: 'ExecutionStatus', type: `${T}ExecutionStatusCondition`, in: ['SUCCESS'] });
    expect(parse({ type: 'io.kestra.plugin.core.condition.Expression', expression: 'x' }).kind).toBe('Variable');
  });

  it('refuses an unknown type with a suggestion, an unknown property and a bad state', () => {
    const issues = (v: unknown) => conditionListSchema(ALL).safeParse([v]).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ type: `${T}ExecutionStatusConditon`, in: ['SUCCESS'] })).toEqual([`0.type: unknown condition type '${T}ExecutionStatusConditon'; did you mean '${T}ExecutionStatusCondition'?`]);
    expect(issues({ type: `${T}ExecutionFlowCondition`, namespace: 'a', flowId: 'b', flow: 'c' })).toEqual(["0.flow: unknown property 'flow'; did you mean 'flowId'?"]);
    expect(issues({ type: `${T}ExecutionStatusCondition`, in: ['DONE'] })?.[0]).toMatch(/^0\.in\.0: expected one of .*"SUCCESS"/);
  });

  it('refuses a condition its trigger cannot use', () => {
    const r = conditionListSchema(new Set([ConditionKind.DayWeek])).safeParse([{ type: `${T}ExecutionStatusCondition`, in: ['FAILED'] }]);
    expect(r.error?.issues[0].message).toBe(`condition ${T}ExecutionStatusCondition cannot be used here`);
  });
});

describe('ExecutionStatusCondition', () => {
  it('holds for a state in `in` and not for one outside it', async () => {
    expect(await test({ type: `${T}ExecutionStatusCondition`, in: ['SUCCESS', 'WARNING'] })).toBe(true);
    expect(await test({ type: `${T}ExecutionStatusCondition`, in: ['FAILED'] })).toBe(false);
  });

  it('fails for a state in `notIn`', async () => {
    expect(await test({ type: `${T}ExecutionStatusCondition`, notIn: ['SUCCESS'] })).toBe(false);
    expect(await test({ type: `${T}ExecutionStatusCondition`, notIn: ['FAILED', 'KILLED'] })).toBe(true);
  });

  it("needs 'in' or 'notIn'", () => {
    expect(conditionSchema(ALL).safeParse({ type: `${T}ExecutionStatusCondition` }).error?.issues[0].message).toBe("set 'in' or 'notIn'");
  });
});

describe('ExecutionFlowCondition', () => {
  it('holds only for executions of that flow', async () => {
    expect(await test({ type: `${T}ExecutionFlowCondition`, namespace: 'io.aloft.sales', flowId: 'orders' })).toBe(true);
    expect(await test({ type: `${T}ExecutionFlowCondition`, namespace: 'io.aloft.sales', flowId: 'refunds' })).toBe(false);
    expect(await test({ type: `${T}ExecutionFlowCondition`, namespace: 'io.aloft', flowId: 'orders' })).toBe(false);
  });
});

describe('ExecutionNamespaceCondition', () => {
  it('matches the exact namespace by default', async () => {
    expect(await test({ type: `${T}ExecutionNamespaceCondition`, namespace: 'io.aloft.sales' })).toBe(true);
    expect(await test({ type: `${T}ExecutionNamespaceCondition`, namespace: 'io.aloft' })).toBe(false);
  });

  it('matches by a plain startsWith with prefix: true', async () => {
    expect(await test({ type: `${T}ExecutionNamespaceCondition`, namespace: 'io.aloft', prefix: true })).toBe(true);
    expect(await test({ type: `${T}ExecutionNamespaceCondition`, namespace: 'io.alo', prefix: true })).toBe(true);
    expect(await test({ type: `${T}ExecutionNamespaceCondition`, namespace: 'io.other', prefix: true })).toBe(false);
  });
});

describe('VariableCondition', () => {
  it('is false for blank or "false" output and true otherwise', async () => {
    const vars = { trigger: { state: 'SUCCESS' }, outputs: { t: { n: 3 } } };
    expect(await test({ type: `${T}VariableCondition`, expression: "{{ trigger.state == 'SUCCESS' }}" }, cx({}, vars))).toBe(true);
    expect(await test({ type: `${T}VariableCondition`, expression: '{{ outputs.t.n > 5 }}' }, cx({}, vars))).toBe(false);
    expect(await test({ type: `${T}VariableCondition`, expression: '  ' }, cx({}, vars))).toBe(false);
  });

  it('fails with EXPRESSION on an undefined variable', async () => {
    await expect(test({ type: `${T}VariableCondition`, expression: '{{ nothing.here }}' })).rejects.toMatchObject({ code: 'EXPRESSION' });
  });
});

describe('date conditions', () => {
  // 2024-03-14 is a Thursday; 2024-03-16 a Saturday.
  const on = (date: string) => cx({}, { trigger: { date } });

  it('DayWeekCondition tests the day of the trigger date in its own offset', async () => {
    expect(await test({ type: `${T}DayWeekCondition`, dayOfWeek: 'THURSDAY' }, on('2024-03-14T23:30:00+01:00'))).toBe(true);
    expect(await test({ type: `${T}DayWeekCondition`, dayOfWeek: 'THURSDAY' }, on('2024-03-15T00:30:00+01:00'))).toBe(false);
  });

  it('DayWeekInMonthCondition tests the nth or last such day of the month', async () => {
    const c = { type: `${T}DayWeekInMonthCondition`, dayOfWeek: 'THURSDAY' };
    expect(await test({ ...c, dayInMonth: 'SECOND' }, on('2024-03-14T10:00:00Z'))).toBe(true);
    expect(await test({ ...c, dayInMonth: 'FIRST' }, on('2024-03-14T10:00:00Z'))).toBe(false);
    expect(await test({ ...c, dayInMonth: 'LAST' }, on('2024-03-28T10:00:00Z'))).toBe(true);
  });

  it('WeekendCondition holds on Saturday and Sunday', async () => {
    expect(await test({ type: `${T}WeekendCondition` }, on('2024-03-16T10:00:00Z'))).toBe(true);
    expect(await test({ type: `${T}WeekendCondition` }, on('2024-03-14T10:00:00Z'))).toBe(false);
  });

  it('DateTimeBetweenCondition compares instants strictly', async () => {
    const c = { type: `${T}DateTimeBetweenCondition`, after: '2024-03-14T00:00:00Z', before: '2024-03-15T00:00:00+01:00' };
    expect(await test(c, on('2024-03-14T22:59:59Z'))).toBe(true);
    expect(await test(c, on('2024-03-14T23:00:00Z'))).toBe(false);
    expect(await test({ type: `${T}DateTimeBetweenCondition`, after: '2024-03-14T00:00:00Z' }, on('2024-03-13T10:00:00Z'))).toBe(false);
  });

  it('TimeBetweenCondition compares the time of day, converting offsets', async () => {
    const c = { type: `${T}TimeBetweenCondition`, after: '08:00:00', before: '18:00:00' };
    expect(await test(c, on('2024-03-14T10:00:00Z'))).toBe(true);
    expect(await test(c, on('2024-03-14T19:00:00Z'))).toBe(false);
    expect(await test({ type: `${T}TimeBetweenCondition`, after: '10:00:00+01:00' }, on('2024-03-14T09:30:00Z'))).toBe(true);
  });

  it('reads an explicit date template', async () => {
    expect(await test({ type: `${T}WeekendCondition`, date: '{{ vars.day }}' }, cx({}, { vars: { day: '2024-03-17' } }))).toBe(true);
  });

  it('fails with EXPRESSION when the date is not a date', async () => {
    await expect(test({ type: `${T}WeekendCondition` }, on('someday'))).rejects.toMatchObject({ code: 'EXPRESSION' });
  });
});

describe('FlowCondition and FlowNamespaceCondition', () => {
  it('test the flow that owns the trigger', async () => {
    expect(await test({ type: `${T}FlowCondition`, namespace: 'io.aloft.reports', flowId: 'daily' })).toBe(true);
    expect(await test({ type: `${T}FlowCondition`, namespace: 'io.aloft.sales', flowId: 'orders' })).toBe(false);
    expect(await test({ type: `${T}FlowNamespaceCondition`, namespace: 'io.aloft', prefix: true })).toBe(true);
    expect(await test({ type: `${T}FlowNamespaceCondition`, namespace: 'io.aloft' })).toBe(false);
  });
});

describe('NotCondition and OrCondition', () => {
  const failed = { type: `${T}ExecutionStatusCondition`, in: ['FAILED'] };
  const orders = { type: `${T}ExecutionFlowCondition`, namespace: 'io.aloft.sales', flowId: 'orders' };

  it('NotCondition holds when none of its conditions holds', async () => {
    expect(await test({ type: `${T}NotCondition`, conditions: [failed] })).toBe(true);
    expect(await test({ type: `${T}NotCondition`, conditions: [failed, orders] })).toBe(false);
  });

  it('OrCondition holds when one of its conditions holds', async () => {
    expect(await test({ type: `${T}OrCondition`, conditions: [failed, orders] })).toBe(true);
    expect(await test({ type: `${T}OrCondition`, conditions: [failed] })).toBe(false);
  });
});

describe('MultipleCondition', () => {
  it('reads the result computed from the trigger windows', async () => {
    const c = { type: `${T}MultipleCondition`, id: 'both', window: 'P1D', windowAdvance: 'P0D', conditions: { a: { type: `${T}ExecutionFlowCondition`, namespace: 'n', flowId: 'a' } } };
    expect(await test(c, cx({ multiple: () => true }))).toBe(true);
    expect(await test(c, cx({ multiple: () => false }))).toBe(false);
  });

  it('parses its window and defaults a missing one to one day', () => {
    const m = parse({ type: `${T}MultipleCondition`, window: 'PT5M', windowAdvance: 'PT1M', conditions: { a: { type: `${T}ExecutionStatusCondition`, in: ['SUCCESS'] } } });
    expect(m).toMatchObject({ kind: 'Multiple', windowMs: 300_000, windowAdvanceMs: 60_000 });
    expect(parse({ type: `${T}MultipleCondition`, conditions: { a: { type: `${T}ExecutionStatusCondition`, in: ['SUCCESS'] } } })).toMatchObject({ windowMs: 86_400_000, windowAdvanceMs: 0 });
  });

  it('refuses an empty condition map and a MultipleCondition inside another', () => {
    const r = conditionSchema(ALL).safeParse({ type: `${T}MultipleCondition`, conditions: {} });
    expect(r.error?.issues[0].message).toBe('a MultipleCondition needs at least one condition');
    const nested = conditionSchema(ALL).safeParse({ type: `${T}MultipleCondition`, conditions: { a: { type: `${T}MultipleCondition`, conditions: {} } } });
    expect(nested.error?.issues[0].message).toBe(`condition ${T}MultipleCondition cannot be used here`);
  });
});
