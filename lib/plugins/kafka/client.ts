// The Kafka client adapter: the only file that knows the client (@confluentinc/kafka-javascript,
// librdkafka underneath), loaded on a Kafka task's first run only. It turns Kestra's `properties` (Java
// client keys) into librdkafka's, and offers what the tasks do: write records (in a transaction or not),
// read them in batches (in a group or from given offsets), commit a group's offsets.
import type * as Confluent from '@confluentinc/kafka-javascript';
import { AloftError, ErrorCode } from '../../model/errors';
import { pemStores } from './tls';

export type KafkaModule = typeof Confluent;
/** librdkafka configuration: its own keys (CONFIGURATION.md), not the Java client's. */
export type ClientConfig = Record<string, string | number | boolean>;

let loaded: Promise<KafkaModule> | undefined;

export function loadKafka(): Promise<KafkaModule> {
  loaded ??= import('@confluentinc/kafka-javascript').then(
    (m) => ((m as { default?: KafkaModule }).default ?? m) as KafkaModule,
    (err: unknown) => {
      loaded = undefined;
      // The native module is built when npm installs (scripts/kafka-client.mjs); say so rather than a loader trace.
      throw new AloftError(ErrorCode.TASK_FAILED, `the Kafka client (@confluentinc/kafka-javascript) cannot be loaded: ${(err as Error).message.split('\n')[0]}; run \`node scripts/kafka-client.mjs\` in the Aloft folder to build it`);
    },
  );
  return loaded;
}

const invalid = (message: string): AloftError => new AloftError(ErrorCode.TASK_FAILED, message, { property: 'properties' });

/** Java client keys this client has an equivalent for; the others are logged and ignored. */
export const UNDERSTOOD = new Set([
  'bootstrap.servers', 'client.id', 'security.protocol', 'sasl.mechanism', 'sasl.jaas.config', 'ssl.endpoint.identification.algorithm',
  'ssl.keystore.location', 'ssl.keystore.password', 'ssl.keystore.type', 'ssl.key.password', 'ssl.keystore.key', 'ssl.keystore.certificate.chain',
  'ssl.truststore.location', 'ssl.truststore.password', 'ssl.truststore.type', 'ssl.truststore.certificates',
  'request.timeout.ms', 'acks', 'group.id', 'auto.offset.reset', 'isolation.level', 'enable.auto.commit', 'session.timeout.ms',
  // Java and librdkafka share these names and meanings.
  'linger.ms', 'batch.size', 'compression.type', 'max.in.flight.requests.per.connection',
]);
const SHARED = ['linger.ms', 'compression.type', 'session.timeout.ms'];

/**
 * librdkafka's configuration from Kestra's `properties`: brokers, client id, TLS (keystore and
 * truststore as tls.ts reads them, given as PEM), and SASL PLAIN or SCRAM from sasl.mechanism and
 * the username and password of the JAAS line, as the Java client reads them.
 */
export function clientConfig(properties: Readonly<Record<string, string>>): ClientConfig {
  const brokers = properties['bootstrap.servers'].split(',').map((b) => b.trim().replace(/^[A-Za-z_]+:\/\//, '')).filter(Boolean);
  const protocol = (properties['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) throw invalid(`security.protocol ${properties['security.protocol']} is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL`);
  const config: ClientConfig = {
    'bootstrap.servers': brokers.join(','),
    'client.id': properties['client.id'] ?? 'aloft',
    'security.protocol': protocol.toLowerCase(),
    'socket.connection.setup.timeout.ms': 5000,
    // An unreachable cluster fails the task in seconds, not minutes (librdkafka otherwise retries for ever).
    'reconnect.backoff.max.ms': 2000,
    'log_level': 0,
  };
  for (const key of SHARED) if (properties[key] !== undefined) config[key] = properties[key];
  if (protocol.endsWith('SSL')) {
    const pem = pemStores(properties);
    if (pem.ca) config['ssl.ca.pem'] = pem.ca;
    if (pem.cert) config['ssl.certificate.pem'] = pem.cert;
    if (pem.key) config['ssl.key.pem'] = pem.key;
    if (pem.keyPassword) config['ssl.key.password'] = pem.keyPassword;
    // As the Java client: an empty identification algorithm turns the host name check off.
    config['ssl.endpoint.identification.algorithm'] = properties['ssl.endpoint.identification.algorithm'] === '' ? 'none' : 'https';
  }
  if (protocol.startsWith('SASL')) {
    const mechanism = (properties['sasl.mechanism'] ?? 'PLAIN').toUpperCase();
    const jaas = properties['sasl.jaas.config'] ?? '';
    const username = /\busername\s*=\s*"([^"]*)"/.exec(jaas)?.[1];
    const password = /\bpassword\s*=\s*"([^"]*)"/.exec(jaas)?.[1];
    if (username === undefined || password === undefined) throw invalid('sasl.jaas.config must give username="..." and password="..." (PlainLoginModule or ScramLoginModule)');
    if (!['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'].includes(mechanism)) throw invalid(`sasl.mechanism ${mechanism} is not supported (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)`);
    Object.assign(config, { 'sasl.mechanisms': mechanism, 'sasl.username': username, 'sasl.password': password });
  }
  return config;
}

/** Properties given that this client has no equivalent for. */
export const ignoredProperties = (properties: Readonly<Record<string, string>>): string[] => Object.keys(properties).filter((k) => !UNDERSTOOD.has(k));

/** A client error's message, with the cause it wraps, secrets masked. */
export function describeKafkaError(err: unknown, properties: Readonly<Record<string, string>> = {}): string {
  const e = err as { message?: string; cause?: { message?: string } } | undefined;
  let message = String(e?.message ?? err);
  if (e?.cause?.message && !message.includes(e.cause.message)) message += `: ${e.cause.message}`;
  const jaas = properties['sasl.jaas.config'];
  const password = jaas ? /\bpassword\s*=\s*"([^"]*)"/.exec(jaas)?.[1] : undefined;
  if (password && password.length >= 3) message = message.split(password).join('***');
  return message;
}

export { openReader, committedOffsets, topicWatermarks, type KafkaRecord, type RecordReader, type ReaderOptions, type TopicPartitionOffset } from './client-reader';
export { openWriter, type OutgoingRecord, type RecordWriter } from './client-writer';
