import { clientConfig, describeKafkaError, ignoredProperties } from '../../../../lib/plugins/kafka/client';

describe('Kafka client configuration from Kestra properties', () => {
  it('takes the brokers from bootstrap.servers', () => {
    expect(clientConfig({ 'bootstrap.servers': 'a:9092, b:9093,PLAINTEXT://c:9094' })['bootstrap.servers']).toBe('a:9092,b:9093,c:9094');
  });

  it('reads SASL PLAIN and SCRAM credentials from the JAAS line, as the Java client does', () => {
    const jaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cret";';
    expect(clientConfig({ 'bootstrap.servers': 'a:1', 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512', 'sasl.jaas.config': jaas }))
      .toMatchObject({ 'security.protocol': 'sasl_ssl', 'ssl.endpoint.identification.algorithm': 'https', 'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': 'alice', 'sasl.password': 's3cret' });
    expect(clientConfig({ 'bootstrap.servers': 'a:1', 'security.protocol': 'SASL_PLAINTEXT', 'sasl.jaas.config': jaas.replace('scram.Scram', 'plain.Plain') }))
      .toMatchObject({ 'security.protocol': 'sasl_plaintext', 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'alice' });
    expect(() => clientConfig({ 'bootstrap.servers': 'a:1', 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'GSSAPI', 'sasl.jaas.config': jaas }))
      .toThrow('sasl.mechanism GSSAPI is not supported (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)');
    expect(() => clientConfig({ 'bootstrap.servers': 'a:1', 'security.protocol': 'SASL_SSL' })).toThrow(/^sasl.jaas.config must give/);
  });

  it('lists the properties it has no equivalent for, and masks the SASL password in errors', () => {
    expect(ignoredProperties({ 'bootstrap.servers': 'a', 'linger.ms': '5', acks: 'all', 'max.poll.records': '10' })).toEqual(['max.poll.records']);
    const props = { 'sasl.jaas.config': 'x username="u" password="hunter2";' };
    expect(describeKafkaError(new Error('auth failed for hunter2'), props)).toBe('auth failed for ***');
  });
});
