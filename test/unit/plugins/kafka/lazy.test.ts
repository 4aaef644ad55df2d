// The Kafka client loads on a Kafka task's first run only: a flow without one never loads it.
describe('the kafka plugin group', () => {
  it('does not load the Kafka client when the catalog is built and a flow is validated', async () => {
    await jest.isolateModulesAsync(async () => {
      jest.doMock('@confluentinc/kafka-javascript', () => {
        throw new Error('the Kafka client was loaded');
      });
      const { catalog } = await import('../../../../lib/plugins/catalog');
      const produce = catalog().runnable('io.kestra.plugin.kafka.Produce')!;
      expect(produce.properties.safeParse({ properties: { 'bootstrap.servers': 'a:1' }, topic: 't', from: {}, keySerializer: 'STRING', valueSerializer: 'JSON' }).success).toBe(true);
    });
  });

  it('loads protobufjs for a PROTOBUF serde only, when the serializer is made', async () => {
    await jest.isolateModulesAsync(async () => {
      jest.doMock('protobufjs', () => {
        throw new Error('protobufjs was loaded');
      });
      const { serializer, deserializer } = await import('../../../../lib/plugins/kafka/serdes');
      const { SerdeType } = await import('../../../../lib/plugins/kafka/properties');
      const { SchemaRegistry } = await import('../../../../lib/plugins/kafka/registry');
      const registry = new SchemaRegistry('http://127.0.0.1:1');
      for (const type of SerdeType.options.filter((t) => t !== 'PROTOBUF')) {
        expect(typeof serializer(type, { isKey: false, avroSchema: '"string"', registry })).toBe('function');
        expect(typeof deserializer(type, registry).decode).toBe('function');
      }
      await expect(serializer('PROTOBUF', { isKey: false, protobufSchema: 'syntax = "proto3"; message M {}', registry })).rejects.toThrow('protobufjs was loaded');
    });
  });
});
