import { checkValue } from '../../../../lib/model/flow-zod';
import { kafkaTasks } from '../../../../lib/plugins/kafka';
import { durationMs } from '../../../../lib/plugins/kafka/properties';

const def = (name: string) => kafkaTasks.find((t) => t.type === `io.kestra.plugin.kafka.${name}`)!;

// Produce as the 0.4 release notes and Kestra's documentation write it.
const PRODUCE = {
  from: '{{ outputs.fileTransform.uri }}', keySerializer: 'STRING', properties: { 'bootstrap.servers': 'local:9092' },
  serdeProperties: { 'schema.registry.url': 'http://local:8085' }, topic: 'test_kestra', valueAvroSchema: '{"type":"record"}', valueSerializer: 'AVRO',
};

describe('Kafka task properties', () => {
  it('Produce accepts the properties Kestra documents', () => {
    expect(checkValue(def('Produce').properties, PRODUCE, { strictRoot: true })).toEqual([]);
  });

  it('Produce rejects unknown and missing properties, and needs both serializers as at Kestra 0.4', () => {
    const { topic: _topic, keySerializer: _key, ...rest } = PRODUCE;
    const issues = checkValue(def('Produce').properties, { ...rest, topik: 'x' });
    expect(issues.map((i) => i.message).filter((m) => m.includes('topi')).sort()).toEqual([
      "missing required property 'topic'", "unknown property 'topik'; did you mean 'topic'?",
    ]);
    expect(issues.find((i) => i.path[0] === 'keySerializer')?.message).toMatch(/^expected one of "STRING", .*, got nothing$/);
  });

  it('properties must contain bootstrap.servers', () => {
    expect(checkValue(def('Produce').properties, { ...PRODUCE, properties: { 'client.id': 'x' } }).map((i) => i.message)).toEqual(["must contain 'bootstrap.servers'"]);
  });

  it('Consume defaults its deserializers to STRING and pollDuration to PT5S, as Kestra', () => {
    const parsed = def('Consume').properties.parse({ properties: { 'bootstrap.servers': 'b:9092' }, topic: 't' });
    expect(parsed).toMatchObject({ keyDeserializer: 'STRING', valueDeserializer: 'STRING', pollDuration: 'PT5S' });
  });

  it('Consume needs exactly one of topic and topicPattern, and a group with topicPattern, with Kestra messages', () => {
    const base = { properties: { 'bootstrap.servers': 'b:9092' } };
    const messages = (v: Record<string, unknown>) => checkValue(def('Consume').properties, { ...base, ...v }).map((i) => i.message);
    expect(messages({})).toEqual(['Invalid Configuration: You must configure one of the following two settings: `topic` or `topicPattern`.']);
    expect(messages({ topic: 't', topicPattern: 't.*', groupId: 'g' })[0]).toMatch(/^Invalid Configuration: Both `topic` and `topicPattern` was configured/);
    expect(messages({ topicPattern: 't.*' })).toEqual(['Invalid Configuration: `groupId` cannot be null when `topicPattern` is configured.']);
    expect(messages({ topic: ['a', 'b'], partitions: [0, 1], onSerdeError: { type: 'DLQ' } })).toEqual(['type DLQ needs a topic']);
  });

  it('reads ISO 8601 durations', () => {
    expect([durationMs('PT5S'), durationMs('PT0.5S'), durationMs('PT1M30S'), durationMs('P1DT1H')]).toEqual([5000, 500, 90_000, 90_000_000]);
    expect(checkValue(def('Consume').properties, { properties: { 'bootstrap.servers': 'b' }, topic: 't', pollDuration: '5s' }).map((i) => i.message))
      .toEqual(['must be an ISO 8601 duration such as PT5S']);
  });
});
