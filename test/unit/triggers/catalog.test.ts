import { parseTrigger, triggerCatalog } from '../../../lib/triggers/catalog';

describe('triggerCatalog', () => {
  it('knows each trigger by its Kestra 0.x name and its later alias', () => {
    expect(triggerCatalog.get('io.kestra.core.models.triggers.types.Schedule')?.kind).toBe('Schedule');
    expect(triggerCatalog.get('io.kestra.plugin.core.trigger.Schedule')?.type).toBe('io.kestra.core.models.triggers.types.Schedule');
    expect(triggerCatalog.get('io.kestra.plugin.core.trigger.Flow')?.kind).toBe('Flow');
    expect(triggerCatalog.get('io.kestra.plugin.core.trigger.Webhook')?.kind).toBe('Webhook');
    expect(triggerCatalog.get('io.kestra.plugin.gcp.pubsub.Trigger')?.kind).toBe('PubSub');
    expect(triggerCatalog.get('io.kestra.plugin.gcp.pubsub.RealtimeTrigger')?.kind).toBe('PubSub');
    expect(triggerCatalog.get('io.kestra.plugin.kafka.Trigger')?.kind).toBe('Kafka');
    expect(triggerCatalog.get('io.kestra.plugin.kafka.RealtimeTrigger')?.kind).toBe('Kafka');
    expect(triggerCatalog.get('io.kestra.plugin.aws.sqs.Trigger')).toBeUndefined();
    expect(triggerCatalog.types()).toHaveLength(7);
  });

  it('has strict property schemas', () => {
    const r = triggerCatalog.get('io.kestra.core.models.triggers.types.Webhook')!.properties.safeParse({ key: 'k', secret: 'x' });
    expect(r.success).toBe(false);
  });
});

describe('parseTrigger', () => {
  it('types a Schedule with its defaults', () => {
    expect(parseTrigger({ id: 's', type: 'io.kestra.plugin.core.trigger.Schedule', cron: '@hourly' })).toEqual({
      ok: true, trigger: { id: 's', type: 'io.kestra.core.models.triggers.types.Schedule', disabled: false, kind: 'Schedule', spec: { cron: '@hourly', timezone: 'UTC', conditions: [] } },
    });
  });

  it('names MultipleConditions without an id after their position', () => {
    const r = parseTrigger({
      id: 'f', type: 'io.kestra.core.models.triggers.types.Flow',
      conditions: [{ type: 'io.kestra.core.models.conditions.types.MultipleCondition', conditions: { a: { type: 'io.kestra.core.models.conditions.types.ExecutionStatusCondition', in: ['SUCCESS'] } } }],
    });
    expect(r.ok === true && r.trigger.kind === 'Flow' && r.trigger.conditions[0]).toMatchObject({ kind: 'Multiple', id: 'multiple-0' });
  });

  it('explains the first problem of an invalid trigger', () => {
    expect(parseTrigger({ id: 's', type: 'io.kestra.core.models.triggers.types.Schedule', cron: 'every day' }))
      .toEqual({ ok: false, message: "trigger s: cron: invalid cron expression 'every day': a cron expression has 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first; got 2" });
  });

  it('leaves unknown trigger types to the flow validation warning', () => {
    expect(parseTrigger({ id: 'k', type: 'io.kestra.plugin.aws.sqs.Trigger' })).toEqual({ ok: 'unknown' });
  });
});
