import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { clientConfig, loadKafka } from '../../../../lib/plugins/kafka/client';
import { tlsOptions } from '../../../../lib/plugins/kafka/tls';

const fixtures = join(__dirname, '../../../fixtures/kafka-tls');
const file = (name: string): Buffer => readFileSync(join(fixtures, name));
/** As Kestra takes a store: the file's content in base64. */
const b64 = (name: string): string => file(name).toString('base64');

/**
 * A real TLS handshake on loopback against a server that trusts only the test CA for client
 * certificates; resolves with the client certificate's common name the server saw.
 */
async function handshake(options: tls.ConnectionOptions): Promise<string> {
  const server = tls.createServer({ key: file('server.key'), cert: file('server.pem'), ca: file('ca.pem'), requestCert: true, rejectUnauthorized: true });
  const seen = new Promise<string>((resolve) => server.on('secureConnection', (s) => {
    resolve(String(s.getPeerCertificate().subject?.CN));
    s.end();
  }));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = tls.connect({ ...options, host: '127.0.0.1', port, servername: 'localhost' }, () => {
        socket.end();
        resolve();
      });
      socket.on('error', reject);
    });
    return await seen;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('Kafka TLS options from Kestra SSL properties (base64 store content)', () => {
  it('authenticates with a JKS truststore and a PKCS12 keystore made by keytool, in a real TLS handshake on loopback', async () => {
    const options = tlsOptions({
      'ssl.truststore.location': b64('truststore.jks'), 'ssl.truststore.password': 'changeit',
      'ssl.keystore.location': b64('keystore.p12'), 'ssl.keystore.password': 'changeit', 'ssl.keystore.type': 'PKCS12',
    });
    await expect(handshake(options)).resolves.toBe('aloft-client');
  });

  it('authenticates with a PKCS12 truststore and a PEM keystore', async () => {
    const options = tlsOptions({
      'ssl.truststore.location': b64('truststore.p12'), 'ssl.truststore.password': 'changeit', 'ssl.truststore.type': 'PKCS12',
      'ssl.keystore.location': b64('client-keystore.pem'), 'ssl.keystore.type': 'PEM',
    });
    await expect(handshake(options)).resolves.toBe('aloft-client');
    // node-forge derives the PKCS12 keys in JavaScript: seconds on a loaded machine.
  }, 60_000);

  it('takes PEM stores inline (ssl.truststore.certificates, ssl.keystore.key and ssl.keystore.certificate.chain)', async () => {
    const pem = file('client-keystore.pem').toString();
    const options = tlsOptions({
      'ssl.truststore.certificates': file('ca.pem').toString(),
      'ssl.keystore.key': pem.slice(0, pem.indexOf('-----BEGIN CERTIFICATE')), 'ssl.keystore.certificate.chain': pem.slice(pem.indexOf('-----BEGIN CERTIFICATE')),
    });
    await expect(handshake(options)).resolves.toBe('aloft-client');
  });

  it('fails the handshake without the truststore, since the test CA is not a system CA', async () => {
    await expect(handshake(tlsOptions({ 'ssl.keystore.location': b64('client-keystore.pem') }))).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
  });

  it('refuses a wrong store password, naming the property', () => {
    expect(() => tlsOptions({ 'ssl.truststore.location': b64('truststore.jks'), 'ssl.truststore.password': 'wrong' }))
      .toThrow('properties.ssl.truststore.location: the store password does not open this JKS store (its integrity check failed)');
    expect(() => tlsOptions({ 'ssl.keystore.location': b64('keystore.p12'), 'ssl.keystore.password': 'wrong' }))
      .toThrow('properties.ssl.keystore.location: the store password does not open this PKCS12 store');
  });

  it('refuses a JKS keystore holding a private key with how to convert it, and a path given instead of the content', () => {
    expect(() => tlsOptions({ 'ssl.keystore.location': b64('keystore.jks'), 'ssl.keystore.password': 'changeit' }))
      .toThrow(/^properties.ssl.keystore.location: a JKS store holding a private key cannot be read here: convert it to PKCS12/);
    expect(() => tlsOptions({ 'ssl.truststore.location': '/etc/kafka/truststore.jks' }))
      .toThrow('properties.ssl.truststore.location: must be the base64 content of the store file (as Kestra takes it), not a path');
    expect(() => tlsOptions({ 'ssl.truststore.location': Buffer.from('hello').toString('base64') }))
      .toThrow('properties.ssl.truststore.location: is neither a JKS, a PKCS12 nor a PEM store');
  });

  it('is what the client configuration gives librdkafka as PEM for SSL, without a host name check when the identification algorithm is empty', () => {
    const config = clientConfig({
      'bootstrap.servers': 'a:1', 'security.protocol': 'SSL', 'ssl.endpoint.identification.algorithm': '',
      'ssl.truststore.location': b64('truststore.jks'), 'ssl.truststore.password': 'changeit',
      'ssl.keystore.location': b64('keystore.p12'), 'ssl.keystore.password': 'changeit', 'ssl.keystore.type': 'PKCS12',
    });
    expect(config).toMatchObject({
      'security.protocol': 'ssl', 'ssl.endpoint.identification.algorithm': 'none',
      'ssl.ca.pem': expect.stringContaining('-----BEGIN CERTIFICATE-----'),
      'ssl.certificate.pem': expect.stringContaining('-----BEGIN CERTIFICATE-----'),
      'ssl.key.pem': expect.stringMatching(/-----BEGIN (RSA )?PRIVATE KEY-----/),
    });
    expect(clientConfig({ 'bootstrap.servers': 'a:1' })['ssl.ca.pem']).toBeUndefined();
  }, 60_000);
});

describe('librdkafka with the TLS configuration made from keytool stores', () => {
  it('completes a TLS handshake with client authentication against a loopback server that trusts only the test CA', async () => {
    const { KafkaConsumer } = await loadKafka();
    const server = tls.createServer({ key: file('server.key'), cert: file('server.pem'), ca: file('ca.pem'), requestCert: true, rejectUnauthorized: true });
    const seen = new Promise<string>((resolve) => server.on('secureConnection', (s) => {
      resolve(String(s.getPeerCertificate().subject?.CN));
      s.destroy();
    }));
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const config = clientConfig({
      'bootstrap.servers': `localhost:${port}`, 'security.protocol': 'SSL',
      'ssl.truststore.location': b64('truststore.jks'), 'ssl.truststore.password': 'changeit',
      'ssl.keystore.location': b64('keystore.p12'), 'ssl.keystore.password': 'changeit', 'ssl.keystore.type': 'PKCS12',
    });
    // The server speaks no Kafka after the handshake: the client's connect fails, which is not what is tested.
    const client = new KafkaConsumer({ ...config, 'group.id': 'tls-test' } as ConstructorParameters<typeof KafkaConsumer>[0], {});
    client.connect({ timeout: 5_000 }, () => undefined);
    try {
      await expect(seen).resolves.toBe('aloft-client');
    } finally {
      await new Promise((resolve) => client.disconnect(resolve));
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);
});
