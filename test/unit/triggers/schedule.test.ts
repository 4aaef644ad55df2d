import { cronDates, cronProblem, isValidTimezone, planSchedule, ScheduleProperties, scheduleSpec, scheduleVariables } from '../../../lib/triggers/schedule';

const at = (iso: string): Date => new Date(iso);
const iso = (dates: Date[]): string[] => dates.map((d) => d.toISOString());
const spec = (props: Record<string, unknown>) => scheduleSpec(ScheduleProperties.parse(props));

describe('cron expressions', () => {
  it('accepts 5 fields, 6 fields with seconds first, and the Kestra nicknames', () => {
    expect(cronProblem('*/15 * * * *')).toBeUndefined();
    expect(cronProblem('30 */5 * * * *')).toBeUndefined();
    for (const n of ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']) expect(cronProblem(n)).toBeUndefined();
  });

  it('refuses a wrong number of fields, an out-of-range value and an unknown nickname', () => {
    expect(cronProblem('* * *')).toMatch(/5 fields .* got 3/);
    expect(cronProblem('* * * * * * *')).toMatch(/got 7/);
    expect(cronProblem('61 * * * *')).toMatch(/61/);
    expect(cronProblem('@sometimes')).toMatch(/unknown cron nickname '@sometimes'/);
  });

  it('reports a malformed cron in the property schema with the expression quoted', () => {
    const r = ScheduleProperties.safeParse({ cron: '0 25 * * *' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toMatch(/^invalid cron expression '0 25 \* \* \*'/);
  });

  it('refuses an unknown timezone with a clear message and accepts IANA names', () => {
    expect(isValidTimezone('Europe/Paris')).toBe(true);
    const r = ScheduleProperties.safeParse({ cron: '@daily', timezone: 'Mars/Olympus_Mons' });
    expect(r.error?.issues[0].message).toBe("unknown timezone 'Mars/Olympus_Mons'; use an IANA name such as Europe/Paris or UTC");
  });

  it('turns @midnight into a daily schedule', () => {
    expect(iso(cronDates(spec({ cron: '@midnight' }), at('2024-03-14T10:00:00Z'), at('2024-03-16T10:00:00Z'), 10)))
      .toEqual(['2024-03-15T00:00:00.000Z', '2024-03-16T00:00:00.000Z']);
  });
});

describe('planSchedule', () => {
  const hourly = spec({ cron: '0 * * * *' });

  it('fires nothing the first time and takes now as the baseline', () => {
    expect(planSchedule(hourly, undefined, at('2024-03-14T10:30:00Z'))).toEqual({ baseline: at('2024-03-14T10:30:00Z'), due: [] });
  });

  it('fires every date after the last one up to now, in order', () => {
    const plan = planSchedule(hourly, at('2024-03-14T10:00:00Z'), at('2024-03-14T13:00:00Z'));
    expect(iso(plan.due)).toEqual(['2024-03-14T11:00:00.000Z', '2024-03-14T12:00:00.000Z', '2024-03-14T13:00:00.000Z']);
    expect(plan.baseline).toBeUndefined();
  });

  it('fires nothing when the next date is still in the future', () => {
    expect(planSchedule(hourly, at('2024-03-14T10:00:00Z'), at('2024-03-14T10:59:59Z')).due).toEqual([]);
  });

  it('backfills from backfill.start, its first date included, in order', () => {
    const s = spec({ cron: '0 0 * * *', backfill: { start: '2024-03-10T00:00:00Z' } });
    expect(iso(planSchedule(s, undefined, at('2024-03-13T08:00:00Z')).due))
      .toEqual(['2024-03-10T00:00:00.000Z', '2024-03-11T00:00:00.000Z', '2024-03-12T00:00:00.000Z', '2024-03-13T00:00:00.000Z']);
  });

  it('caps a long backfill per invocation and carries on from the last claimed date', () => {
    const s = spec({ cron: '* * * * *', backfill: { start: '2024-03-01T00:00:00Z' } });
    const first = planSchedule(s, undefined, at('2024-03-14T00:00:00Z'), 3);
    expect(iso(first.due)).toEqual(['2024-03-01T00:00:00.000Z', '2024-03-01T00:01:00.000Z', '2024-03-01T00:02:00.000Z']);
    expect(iso(planSchedule(s, first.due[2], at('2024-03-14T00:00:00Z'), 2).due)).toEqual(['2024-03-01T00:03:00.000Z', '2024-03-01T00:04:00.000Z']);
  });

  it('skips the dates older than lateMaximumDelay', () => {
    const s = spec({ cron: '0 * * * *', lateMaximumDelay: 'PT2H' });
    expect(iso(planSchedule(s, at('2024-03-14T00:00:00Z'), at('2024-03-14T10:30:00Z')).due))
      .toEqual(['2024-03-14T09:00:00.000Z', '2024-03-14T10:00:00.000Z']);
  });

  it('keeps a date exactly lateMaximumDelay old', () => {
    const s = spec({ cron: '0 * * * *', lateMaximumDelay: 'PT1H' });
    expect(iso(planSchedule(s, at('2024-03-14T00:00:00Z'), at('2024-03-14T10:00:00Z')).due)).toEqual(['2024-03-14T09:00:00.000Z', '2024-03-14T10:00:00.000Z']);
  });

  it('evaluates the cron in the trigger timezone, across a daylight saving change', () => {
    const s = spec({ cron: '0 9 * * *', timezone: 'Europe/Paris' });
    // Paris moves from +01:00 to +02:00 on 2024-03-31.
    expect(iso(planSchedule(s, at('2024-03-30T00:00:00Z'), at('2024-04-01T12:00:00Z')).due))
      .toEqual(['2024-03-30T08:00:00.000Z', '2024-03-31T07:00:00.000Z', '2024-04-01T07:00:00.000Z']);
  });
});

describe('scheduleVariables', () => {
  it('gives trigger.date, trigger.next and trigger.previous in the trigger timezone', () => {
    expect(scheduleVariables(spec({ cron: '0 * * * *', timezone: 'Europe/Paris' }), at('2024-03-14T10:00:00Z'))).toEqual({
      date: '2024-03-14T11:00:00+01:00', next: '2024-03-14T12:00:00+01:00', previous: '2024-03-14T10:00:00+01:00',
    });
  });

  it('writes UTC dates with a Z', () => {
    expect(scheduleVariables(spec({ cron: '0 0 * * *' }), at('2024-03-14T00:00:00Z')).date).toBe('2024-03-14T00:00:00Z');
  });
});
