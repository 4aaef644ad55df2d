// The Kafka client (kafkajs), loaded on first use so that nothing that runs no Kafka task loads it;
// and Kestra's `properties` (Java client keys) turned into its configuration.
import type * as KafkaJs from 'kafkajs';
import { AloftError, ErrorCode } from '../../model/errors';
import { tlsOptions } from './tls';

export type KafkaModule = typeof KafkaJs;

let loaded: Promise<KafkaModule> | undefined;

export function loadKafka(): Promise<KafkaModule> {
  loaded ??= import('kafkajs').then((m) => ((m as { default?: KafkaModule }).default ?? m) as KafkaModule);
  return loaded;
}

const invalid = (message: string): AloftError => new AloftError(ErrorCode.TASK_FAILED, message, { property: 'properties' });

/** Java client keys this client has an equivalent for; the others are logged and ignored. */
export const UNDERSTOOD = new Set([
  'bootstrap.servers', 'client.id', 'security.protocol', 'sasl.mechanism', 'sasl.jaas.config', 'ssl.endpoint.identification.algorithm',
  'ssl.keystore.location', 'ssl.keystore.password', 'ssl.keystore.type', 'ssl.key.password', 'ssl.keystore.key', 'ssl.keystore.certificate.chain',
  'ssl.truststore.location', 'ssl.truststore.password', 'ssl.truststore.type', 'ssl.truststore.certificates',
  'request.timeout.ms', 'acks', 'group.id', 'auto.offset.reset', 'isolation.level', 'enable.auto.commit', 'session.timeout.ms',
]);

/**
 * kafkajs configuration from Kestra's `properties`: brokers, client id, TLS (keystore and truststore
 * as tls.ts reads them), and SASL PLAIN or SCRAM
 * from sasl.mechanism and the username and password of the JAAS line, as the Java client reads them.
 */
export function clientConfig(properties: Readonly<Record<string, string>>): KafkaJs.KafkaConfig {
  const brokers = properties['bootstrap.servers'].split(',').map((b) => b.trim().replace(/^[A-Za-z_]+:\/\//, '')).filter(Boolean);
  const protocol = (properties['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) throw invalid(`security.protocol ${properties['security.protocol']} is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL`);
  const config: KafkaJs.KafkaConfig = {
    brokers,
    clientId: properties['client.id'] ?? 'aloft',
    connectionTimeout: 5000,
    requestTimeout: properties['request.timeout.ms'] ? Number(properties['request.timeout.ms']) : 30000,
    // A few quick retries: an unreachable cluster fails the task in seconds, not minutes.
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: 0,
  };
  if (protocol.endsWith('SSL')) config.ssl = tlsOptions(properties);
  if (protocol.startsWith('SASL')) {
    const mechanism = (properties['sasl.mechanism'] ?? 'PLAIN').toUpperCase();
    const jaas = properties['sasl.jaas.config'] ?? '';
    const username = /\busername\s*=\s*"([^"]*)"/.exec(jaas)?.[1];
    const password = /\bpassword\s*=\s*"([^"]*)"/.exec(jaas)?.[1];
    if (username === undefined || password === undefined) throw invalid('sasl.jaas.config must give username="..." and password="..." (PlainLoginModule or ScramLoginModule)');
    if (mechanism === 'PLAIN') config.sasl = { mechanism: 'plain', username, password };
    else if (mechanism === 'SCRAM-SHA-256') config.sasl = { mechanism: 'scram-sha-256', username, password };
    else if (mechanism === 'SCRAM-SHA-512') config.sasl = { mechanism: 'scram-sha-512', username, password };
    else throw invalid(`sasl.mechanism ${mechanism} is not supported (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)`);
  }
  return config;
}

/** Properties given that this client has no equivalent for. */
export const ignoredProperties = (properties: Readonly<Record<string, string>>): string[] => Object.keys(properties).filter((k) => !UNDERSTOOD.has(k));

/** A client error's message, with the cause kafkajs wraps it around, secrets masked. */
export function describeKafkaError(err: unknown, properties: Readonly<Record<string, string>> = {}): string {
  const e = err as { message?: string; cause?: { message?: string } } | undefined;
  let message = String(e?.message ?? err);
  if (e?.cause?.message && !message.includes(e.cause.message)) message += `: ${e.cause.message}`;
  const jaas = properties['sasl.jaas.config'];
  const password = jaas ? /\bpassword\s*=\s*"([^"]*)"/.exec(jaas)?.[1] : undefined;
  if (password && password.length >= 3) message = message.split(password).join('***');
  return message;
}
