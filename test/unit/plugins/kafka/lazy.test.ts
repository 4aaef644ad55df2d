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
});
