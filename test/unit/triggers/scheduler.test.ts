import { MemoryTriggerStateStore } from '../../../lib/adapters/local/trigger-state';
import type { ParsedTriggerOf } from '../../../lib/triggers/catalog';
import { fireDueSchedules, type ScheduleTarget, type SchedulerDeps } from '../../../lib/triggers/scheduler';
import { collectingReporter, flowWith, parsed, recordingStart, renderer } from './fixtures';

const SCHEDULE = 'io.kestra.core.models.triggers.types.Schedule';
const at = (iso: string): Date => new Date(iso);

function target(props: Record<string, unknown>, flowExtra = {}): ScheduleTarget {
  const t = { id: 'every', type: SCHEDULE, ...props };
  return { flow: flowWith('io.aloft.tests', 'scheduled', [t], flowExtra), trigger: parsed(t) as ParsedTriggerOf<'Schedule'> };
}

function setup(): { deps: SchedulerDeps; calls: ReturnType<typeof recordingStart>['calls']; state: MemoryTriggerStateStore; reports: ReturnType<typeof collectingReporter>['reports'] } {
  const { start, calls } = recordingStart();
  const { report, reports } = collectingReporter();
  const state = new MemoryTriggerStateStore();
  return { deps: { state, start, renderer, report }, calls, state, reports };
}

describe('fireDueSchedules', () => {
  it('starts nothing on the first invocation, then one execution per date that came due, in order', async () => {
    const { deps, calls } = setup();
    const t = target({ cron: '*/10 * * * *' });
    expect((await fireDueSchedules(deps, [t], at('2024-03-14T10:05:00Z'))).started).toEqual([]);
    await fireDueSchedules(deps, [t], at('2024-03-14T10:31:00Z'));
    expect(calls.map((c) => c.trigger.variables.date)).toEqual(['2024-03-14T10:10:00Z', '2024-03-14T10:20:00Z', '2024-03-14T10:30:00Z']);
    expect(calls[0].trigger).toEqual({
      id: 'every', type: SCHEDULE,
      variables: { date: '2024-03-14T10:10:00Z', next: '2024-03-14T10:20:00Z', previous: '2024-03-14T10:00:00Z' },
    });
  });

  it('fires each date exactly once when two scheduler invocations race on it', async () => {
    // Duplicate ids are accepted here, so only the claim in the trigger state keeps a date from firing twice.
    const { start, calls } = recordingStart({ dedupe: false });
    const deps = { ...setup().deps, start };
    const t = target({ cron: '* * * * *', backfill: { start: '2024-03-14T10:00:00Z' } });
    const now = at('2024-03-14T10:04:30Z');
    await Promise.all([fireDueSchedules(deps, [t], now), fireDueSchedules(deps, [t], now)]);
    expect(calls.map((c) => c.trigger.variables.date).sort()).toEqual([
      '2024-03-14T10:00:00Z', '2024-03-14T10:01:00Z', '2024-03-14T10:02:00Z', '2024-03-14T10:03:00Z', '2024-03-14T10:04:00Z',
    ]);
  });

  it('fires a date once even when the claim is lost after the execution exists (same derived id)', async () => {
    const { deps, calls, state } = setup();
    const t = target({ cron: '0 * * * *', backfill: { start: '2024-03-14T10:00:00Z' } });
    await fireDueSchedules(deps, [t], at('2024-03-14T10:30:00Z'));
    await state.deleteTrigger('io.aloft.tests:scheduled:every');
    await fireDueSchedules(deps, [t], at('2024-03-14T10:30:00Z'));
    expect(calls).toHaveLength(1);
  });

  it('renders inputs with the trigger variables', async () => {
    const { deps, calls } = setup();
    const t = target({ cron: '0 0 * * *', backfill: { start: '2024-03-14T00:00:00Z' }, inputs: { day: "{{ trigger.date | date('yyyy-MM-dd') }}" } });
    await fireDueSchedules(deps, [t], at('2024-03-14T01:00:00Z'));
    expect(calls[0].inputs).toEqual({ day: '2024-03-14' });
  });

  it('skips a date whose conditions do not hold, without retrying it', async () => {
    const { deps, calls } = setup();
    const t = target({
      cron: '0 9 * * *', backfill: { start: '2024-03-14T00:00:00Z' },
      conditions: [{ type: 'io.kestra.core.models.conditions.types.DayWeekCondition', dayOfWeek: 'FRIDAY' }],
    });
    await fireDueSchedules(deps, [t], at('2024-03-16T10:00:00Z'));
    await fireDueSchedules(deps, [t], at('2024-03-16T10:00:00Z'));
    // 2024-03-14 is a Thursday, 15 a Friday, 16 a Saturday.
    expect(calls.map((c) => c.trigger.variables.date)).toEqual(['2024-03-15T09:00:00Z']);
  });

  it('reports a date whose inputs fail to render, keeps it claimed and goes on with the next', async () => {
    const { deps, calls, reports } = setup();
    const t = target({ cron: '0 * * * *', backfill: { start: '2024-03-14T10:00:00Z' }, inputs: { x: '{{ nope.missing }}' } });
    await fireDueSchedules(deps, [t], at('2024-03-14T11:30:00Z'));
    expect(calls).toEqual([]);
    expect(reports.filter((r) => r.level === 'ERROR')).toHaveLength(2);
    expect(reports[0]).toMatchObject({ flow: 'io.aloft.tests.scheduled', trigger: 'every', error: { code: 'EXPRESSION' } });
    await fireDueSchedules(deps, [t], at('2024-03-14T11:30:00Z'));
    expect(reports.filter((r) => r.level === 'ERROR')).toHaveLength(2);
  });

  it('ignores disabled triggers and disabled flows', async () => {
    const { deps, calls } = setup();
    const backfill = { start: '2024-03-14T10:00:00Z' };
    await fireDueSchedules(deps, [target({ cron: '0 * * * *', backfill, disabled: true }), target({ cron: '0 * * * *', backfill }, { disabled: true })], at('2024-03-14T12:00:00Z'));
    expect(calls).toEqual([]);
  });

  it('tells when the next date is due', async () => {
    const { deps } = setup();
    const out = await fireDueSchedules(deps, [target({ cron: '0 * * * *' }), target({ cron: '*/20 * * * *' })], at('2024-03-14T10:05:00Z'));
    expect(out.nextDue).toEqual(at('2024-03-14T10:20:00Z'));
  });
});
