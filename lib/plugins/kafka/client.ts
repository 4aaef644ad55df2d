// The Kafka client (@confluentinc/kafka-javascript, librdkafka underneath), loaded on first use so that
// nothing that runs no Kafka task ever loads its native binding; and Kestra's `properties` (Java client
// keys) turned into librdkafka configuration, which shares most of them.
import type * as Rdkafka from '@confluentinc/kafka-javascript';
import { AloftError, ErrorCode } from '../../model/errors';

export type KafkaModule = typeof Rdkafka;
export type KafkaConfig = Record<string, string | number | boolean>;

let loaded: Promise<KafkaModule> | undefined;

export function loadKafka(): Promise<KafkaModule> {
  loaded ??= import('@confluentinc/kafka-javascript').then(
    (m) => ((m as { default?: KafkaModule }).default ?? m) as KafkaModule,
    (err: unknown) => {
      loaded = undefined;
      throw new AloftError(ErrorCode.NOT_SUPPORTED,
        `the Kafka client cannot load on this machine: ${(err as Error).message.split('\n')[0]}`, {},
        'install librdkafka-dev (apt-get install -y librdkafka-dev) and run `node scripts/kafka-client.mjs`');
    },
  );
  return loaded;
}

/** Java client settings that librdkafka spells differently or does not have. */
const JAVA_ONLY = new Set(['key.serializer', 'value.serializer', 'key.deserializer', 'value.deserializer', 'sasl.jaas.config']);

/**
 * librdkafka configuration from Kestra's `properties`. A JAAS line of PlainLoginModule or
 * ScramLoginModule becomes sasl.username / sasl.password, as the Java client reads it.
 */
export function clientConfig(properties: Readonly<Record<string, string>>): KafkaConfig {
  const conf: KafkaConfig = {};
  for (const [k, v] of Object.entries(properties)) if (!JAVA_ONLY.has(k)) conf[k] = v;
  const jaas = properties['sasl.jaas.config'];
  if (jaas !== undefined) {
    const user = /\busername\s*=\s*"([^"]*)"/.exec(jaas);
    const pass = /\bpassword\s*=\s*"([^"]*)"/.exec(jaas);
    if (!user || !pass) {
      throw new AloftError(ErrorCode.TASK_FAILED, 'sasl.jaas.config must give username="..." and password="..." (PlainLoginModule or ScramLoginModule)', { property: 'properties' });
    }
    conf['sasl.username'] = user[1];
    conf['sasl.password'] = pass[1];
  }
  return conf;
}

/** A client error's message with librdkafka's code name, secrets masked. */
export function describeKafkaError(err: unknown, properties: Readonly<Record<string, string>> = {}): string {
  const e = err as { message?: string; code?: number; type?: string } | undefined;
  let message = String(e?.message ?? err);
  if (e?.type && !message.includes(e.type)) message += ` (${e.type})`;
  for (const key of ['sasl.password', 'sasl.jaas.config', 'ssl.key.password', 'ssl.keystore.password']) {
    const secret = properties[key];
    if (secret && secret.length >= 3) message = message.split(secret).join('***');
  }
  return message;
}

/** Node-style callback APIs as promises. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the client's callbacks pass several shapes
export function call<T = void>(fn: (cb: (err: any, value?: any) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    fn((err, value) => (err ? reject(err) : resolve(value as T)));
  });
}
