import { parseTrigger, type ParsedTriggerOf } from '../../../lib/triggers/catalog';
import { handleKafkaRecord, type KafkaTarget, type KafkaTriggerRecord } from '../../../lib/triggers/kafka';
import { flowWith, parsed, recordingStart, renderer } from './fixtures';

const REALTIME = 'io.kestra.plugin.kafka.RealtimeTrigger';
const base = { properties: { 'bootstrap.servers': 'localhost:9092' }, topic: 'orders', groupId: 'g1' };

function target(props: Record<string, unknown> = {}): KafkaTarget {
  const t = { id: 'on-record', type: REALTIME, ...base, ...props };
  return { flow: flowWith('io.aloft', 'orders', [t]), trigger: parsed(t) as ParsedTriggerOf<'Kafka'> };
}

const record = (offset: number, value: unknown = { n: offset }): KafkaTriggerRecord => ({
  key: `k${offset}`, value, topic: 'orders', partition: 2, offset, timestamp: '2024-03-14T10:00:00.000Z', headers: [{ source: 'shop' }],
});

describe('the Kafka trigger types in the catalog', () => {
  it('parses a RealtimeTrigger with Consume defaults and a polling Trigger with its interval', () => {
    expect(target().trigger).toMatchObject({ kind: 'Kafka', realtime: true, consume: { topic: 'orders', groupId: 'g1', keyDeserializer: 'STRING', valueDeserializer: 'STRING' } });
    const poll = parseTrigger({ id: 'poll', type: 'io.kestra.plugin.kafka.Trigger', ...base, interval: 'PT30S', maxRecords: 10 });
    expect(poll).toMatchObject({ ok: true, trigger: { realtime: false, intervalMs: 30_000, consume: { maxRecords: 10, pollDuration: 'PT5S' } } });
  });

  it('refuses a trigger without a group, naming groupId', () => {
    const { groupId: _g, ...noGroup } = base;
    expect(parseTrigger({ id: 't', type: REALTIME, ...noGroup })).toEqual({ ok: false, message: 'trigger t: groupId: a Kafka trigger needs `groupId`: it commits its offsets there' });
    expect(parseTrigger({ id: 't', type: REALTIME, ...noGroup, properties: { 'bootstrap.servers': 'b:1', 'group.id': 'g' } })).toMatchObject({ ok: true });
  });

  it('refuses batch bounds on a RealtimeTrigger and both topic and topicPattern', () => {
    expect(parseTrigger({ id: 't', type: REALTIME, ...base, maxRecords: 5 })).toMatchObject({ ok: false, message: expect.stringContaining('maxRecords') });
    expect(parseTrigger({ id: 't', type: REALTIME, ...base, topicPattern: 'o.*' })).toMatchObject({ ok: false, message: expect.stringContaining('Both `topic` and `topicPattern`') });
  });
});

describe('handleKafkaRecord', () => {
  it('starts an execution with the record as trigger.* and inputs rendered from it', async () => {
    const { start, calls } = recordingStart();
    const out = await handleKafkaRecord({ start, renderer }, target({ inputs: { order: '{{ trigger.value.n }}-{{ trigger.key }}' } }), record(7));
    expect(out.status).toBe('started');
    expect(calls[0]).toMatchObject({
      inputs: { order: '7-k7' },
      trigger: { id: 'on-record', type: REALTIME, variables: { key: 'k7', value: { n: 7 }, topic: 'orders', partition: 2, offset: 7, headers: [{ source: 'shop' }] } },
    });
  });

  it('starts nothing for a record delivered again, and a new execution for the next offset or another group', async () => {
    const { start, calls } = recordingStart();
    expect((await handleKafkaRecord({ start, renderer }, target(), record(1))).status).toBe('started');
    expect(await handleKafkaRecord({ start, renderer }, target(), record(1))).toEqual({ status: 'duplicate' });
    expect((await handleKafkaRecord({ start, renderer }, target(), record(2))).status).toBe('started');
    expect((await handleKafkaRecord({ start, renderer }, target({ groupId: 'g2' }), record(1))).status).toBe('started');
    expect(new Set(calls.map((c) => c.id)).size).toBe(3);
  });

  it('skips a record whose conditions do not hold', async () => {
    const { start, calls } = recordingStart();
    const t = target({ conditions: [{ type: 'io.kestra.core.models.conditions.types.VariableCondition', expression: '{{ trigger.value.n > 5 }}' }] });
    expect(await handleKafkaRecord({ start, renderer }, t, record(1))).toMatchObject({ status: 'skipped' });
    expect(calls).toEqual([]);
  });

  it('rejects a record whose inputs cannot render, naming the record, and throws infrastructure failures', async () => {
    const { start } = recordingStart();
    const out = await handleKafkaRecord({ start, renderer }, target({ inputs: { x: '{{ trigger.value.missing.deeper }}' } }), record(4));
    expect(out).toMatchObject({ status: 'rejected', error: { code: 'EXPRESSION', message: expect.stringMatching(/^record 4 of orders partition 2 rejected by io\.aloft\.orders trigger on-record: /) } });
    const down = async () => { throw new Error('store unavailable'); };
    await expect(handleKafkaRecord({ start: down, renderer }, target(), record(5))).rejects.toThrow('store unavailable');
  });
});
