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
    expect(triggerCatalog.get('io.kestra.plugin.gcp.bigquery.Trigger')?.kind).toBe('BigQuery');
    expect(triggerCatalog.get('io.kestra.plugin.gcp.gcs.Trigger')?.kind).toBe('Gcs');
    expect(triggerCatalog.get('io.kestra.plugin.aws.sqs.Trigger')).toBeUndefined();
    expect(triggerCatalog.get('io.kestra.plugin.core.http.Trigger')?.kind).toBe('Http');
    expect(triggerCatalog.get('io.kestra.plugin.fs.http.Trigger')?.type).toBe('io.kestra.plugin.core.http.Trigger');
    expect(triggerCatalog.types()).toHaveLength(10);
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

  it('types a BigQuery Trigger with its interval and the fetch its 0.4 booleans or fetchType ask', () => {
    expect(parseTrigger({ id: 'q', type: 'io.kestra.plugin.gcp.bigquery.Trigger', sql: 'SELECT 1', fetchType: 'FETCH', store: true, interval: 'PT30S' })).toEqual({
      ok: true,
      trigger: {
        id: 'q', type: 'io.kestra.plugin.gcp.bigquery.Trigger', disabled: false, kind: 'BigQuery', intervalMs: 30_000, conditions: [],
        query: { sql: 'SELECT 1', fetchType: 'FETCH', store: true }, fetchType: 'STORE',
      },
    });
  });

  it('refuses a BigQuery Trigger that fetches nothing, since it fires on the rows it finds', () => {
    expect(parseTrigger({ id: 'q', type: 'io.kestra.plugin.gcp.bigquery.Trigger', sql: 'SELECT 1' })).toEqual({
      ok: false, message: 'trigger q: fetch: a BigQuery Trigger fires on the rows its query returns: set fetch, fetchOne or store (or fetchType FETCH, FETCH_ONE or STORE)',
    });
  });

  it('types a GCS Trigger with Kestra\'s defaults (PT1M, on CREATE_OR_UPDATE) and requires moveDirectory for MOVE', () => {
    expect(parseTrigger({ id: 'w', type: 'io.kestra.plugin.gcp.gcs.Trigger', from: 'gs://b/in/', action: 'NONE' })).toEqual({
      ok: true,
      trigger: {
        id: 'w', type: 'io.kestra.plugin.gcp.gcs.Trigger', disabled: false, kind: 'Gcs', intervalMs: 60_000, conditions: [],
        gcs: { from: 'gs://b/in/', action: 'NONE', on: 'CREATE_OR_UPDATE' },
      },
    });
    expect(parseTrigger({ id: 'w', type: 'io.kestra.plugin.gcp.gcs.Trigger', from: 'gs://b/in/', action: 'MOVE' }))
      .toEqual({ ok: false, message: 'trigger w: moveDirectory: moveDirectory is required when action is MOVE' });
    expect(parseTrigger({ id: 'w', type: 'io.kestra.plugin.gcp.gcs.Trigger', from: 'gs://b/in/', action: 'ARCHIVE' }).ok).toBe(false);
  });

  it('explains the first problem of an invalid trigger', () => {
    expect(parseTrigger({ id: 's', type: 'io.kestra.core.models.triggers.types.Schedule', cron: 'every day' }))
      .toEqual({ ok: false, message: "trigger s: cron: invalid cron expression 'every day': a cron expression has 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first; got 2" });
  });

  it('leaves unknown trigger types to the flow validation warning', () => {
    expect(parseTrigger({ id: 'k', type: 'io.kestra.plugin.aws.sqs.Trigger' })).toEqual({ ok: 'unknown' });
  });
});
