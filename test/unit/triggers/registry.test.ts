import { TriggerRegistry } from '../../../lib/triggers/registry';
import { collectingReporter, flowWith } from './fixtures';

const flow = (id: string, triggers: Record<string, unknown>[]) => flowWith('io.aloft', id, triggers as never);

describe('TriggerRegistry', () => {
  it('sorts a flow triggers into schedules, Pub/Sub targets and the flow-trigger index', () => {
    const { report } = collectingReporter();
    const r = new TriggerRegistry(report);
    r.set(flow('f', [
      { id: 's', type: 'io.kestra.core.models.triggers.types.Schedule', cron: '@daily' },
      { id: 'p', type: 'io.kestra.plugin.gcp.pubsub.Trigger', topic: 't' },
      { id: 'l', type: 'io.kestra.core.models.triggers.types.Flow' },
      { id: 'w', type: 'io.kestra.core.models.triggers.types.Webhook', key: 'k' },
    ]));
    expect(r.scheduleTargets().map((t) => t.trigger.id)).toEqual(['s']);
    expect(r.pubSubTargets().map((t) => t.trigger.id)).toEqual(['p']);
    expect(r.flowIndex.size()).toBe(1);
  });

  it('replaces the triggers of a new revision and forgets a removed flow', () => {
    const r = new TriggerRegistry(collectingReporter().report);
    r.set(flow('f', [{ id: 's', type: 'io.kestra.core.models.triggers.types.Schedule', cron: '@daily' }]));
    r.set(flow('f', [{ id: 's2', type: 'io.kestra.core.models.triggers.types.Schedule', cron: '@hourly' }]));
    expect(r.scheduleTargets().map((t) => t.trigger.id)).toEqual(['s2']);
    r.remove('io.aloft', 'f');
    expect(r.scheduleTargets()).toEqual([]);
  });

  it('reports an invalid trigger with its flow and keeps the valid ones', () => {
    const { report, reports } = collectingReporter();
    const r = new TriggerRegistry(report);
    r.set(flow('f', [
      { id: 'bad', type: 'io.kestra.core.models.triggers.types.Schedule', cron: 'nope' },
      { id: 'good', type: 'io.kestra.core.models.triggers.types.Schedule', cron: '@daily' },
    ]));
    expect(r.scheduleTargets().map((t) => t.trigger.id)).toEqual(['good']);
    expect(reports).toEqual([expect.objectContaining({ level: 'ERROR', flow: 'io.aloft.f', trigger: 'bad' })]);
  });
});
