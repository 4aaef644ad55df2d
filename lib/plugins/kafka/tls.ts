// TLS options from Kestra's SSL properties. As Kestra, `ssl.keystore.location` and
// `ssl.truststore.location` hold the base64 content of the store file, not a path; the store may be
// JKS, PKCS12 or PEM, told apart by its content as the Java client's default JKS type does since Java 9.
import { createHash } from 'node:crypto';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import type * as Forge from 'node-forge';
import { AloftError, ErrorCode } from '../../model/errors';

const invalid = (key: string, message: string): AloftError =>
  new AloftError(ErrorCode.TASK_FAILED, `properties.${key}: ${message}`, { property: 'properties' });

const JKS_MAGIC = 0xfeedfeed;
const JKS_TRUSTED_CERT = 2;
const JKS_PRIVATE_KEY = 1;

/** Loaded only when a PKCS12 store is given: nothing else needs it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const forge = (): typeof Forge => require('node-forge') as typeof Forge;

const pem = (label: string, der: Buffer): string =>
  `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;

function decodeLocation(key: string, value: string): Buffer {
  const text = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw invalid(key, 'must be the base64 content of the store file (as Kestra takes it), not a path');
  return Buffer.from(text, 'base64');
}

interface Store {
  certificates: string[];
  key?: string;
  /** A PKCS12 keystore Node's OpenSSL reads itself, with its password. */
  pfx?: { buf: Buffer; passphrase: string };
}

/** A JKS store: its trusted certificates, after the check of its integrity with the store password. */
function readJks(key: string, bytes: Buffer, password: string | undefined): Store {
  let at = 0;
  const need = (n: number): void => {
    if (at + n > bytes.length - 20) throw invalid(key, 'the JKS store is truncated');
  };
  const u16 = (): number => { need(2); const v = bytes.readUInt16BE(at); at += 2; return v; };
  const u32 = (): number => { need(4); const v = bytes.readUInt32BE(at); at += 4; return v; };
  const take = (n: number): Buffer => { need(n); const v = bytes.subarray(at, at + n); at += n; return v; };
  u32();
  const version = u32();
  const count = u32();
  const certificates: string[] = [];
  for (let i = 0; i < count; i++) {
    const tag = u32();
    take(u16()); // alias
    take(8); // creation date
    if (tag === JKS_PRIVATE_KEY) {
      throw invalid(key, 'a JKS store holding a private key cannot be read here: convert it to PKCS12 (keytool -importkeystore -deststoretype PKCS12) and give that file');
    }
    if (tag !== JKS_TRUSTED_CERT) throw invalid(key, `the JKS store has an entry of unknown kind ${tag}`);
    if (version === 2) take(u16()); // certificate type, X.509
    certificates.push(pem('CERTIFICATE', Buffer.from(take(u32()))));
  }
  if (password !== undefined) {
    // The JDK's integrity digest: SHA-1 over the password (UTF-16BE), "Mighty Aphrodite" and the store.
    const digest = createHash('sha1').update(Buffer.from(password, 'utf16le').swap16()).update('Mighty Aphrodite').update(bytes.subarray(0, at)).digest();
    if (!digest.equals(bytes.subarray(at, at + 20))) throw invalid(key, 'the store password does not open this JKS store (its integrity check failed)');
  }
  return { certificates };
}

function readPkcs12(key: string, bytes: Buffer, password: string | undefined): Store {
  const f = forge();
  let p12: Forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = f.pkcs12.pkcs12FromAsn1(f.asn1.fromDer(f.util.createBuffer(bytes.toString('binary'))), false, password ?? '');
  } catch (err) {
    const message = (err as Error).message;
    throw invalid(key, /MAC|password|decrypt/i.test(message) ? 'the store password does not open this PKCS12 store' : `not a PKCS12 store: ${message}`);
  }
  const der = (a: Forge.asn1.Asn1): Buffer => Buffer.from(f.asn1.toDer(a).getBytes(), 'binary');
  const certificates = (p12.getBags({ bagType: f.pki.oids.certBag })[f.pki.oids.certBag] ?? [])
    .map((b) => (b.cert ? f.pki.certificateToPem(b.cert) : b.asn1 ? pem('CERTIFICATE', der(b.asn1)) : undefined))
    .filter((c): c is string => c !== undefined);
  const keyBags = [
    ...(p12.getBags({ bagType: f.pki.oids.pkcs8ShroudedKeyBag })[f.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(p12.getBags({ bagType: f.pki.oids.keyBag })[f.pki.oids.keyBag] ?? []),
  ];
  const bag = keyBags[0];
  const privateKey = bag?.key ? f.pki.privateKeyToPem(bag.key) : bag?.asn1 ? pem('PRIVATE KEY', der(bag.asn1)) : undefined;
  return { certificates, key: privateKey };
}

/**
 * A PKCS12 keystore goes to OpenSSL as is (fast, any key type); node-forge reads only those OpenSSL 3
 * refuses, such as Java 8's RC2-encrypted certificates.
 */
function readPkcs12Keystore(key: string, bytes: Buffer, password: string | undefined): Store {
  const pfx = { buf: bytes, passphrase: password ?? '' };
  try {
    createSecureContext({ pfx: [pfx] });
    return { certificates: [], pfx };
  } catch (err) {
    if (/mac verify|password/i.test((err as Error).message)) throw invalid(key, 'the store password does not open this PKCS12 store');
    return readPkcs12(key, bytes, password);
  }
}

function readStore(kind: 'keystore' | 'truststore', properties: Readonly<Record<string, string>>): Store | undefined {
  const key = `ssl.${kind}.location`;
  const location = properties[key];
  if (location === undefined || location.trim() === '') return undefined;
  const password = properties[`ssl.${kind}.password`];
  if (location.includes('-----BEGIN ')) return splitPem(location);
  const bytes = decodeLocation(key, location);
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN ')) return splitPem(text);
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC) return readJks(key, bytes, password);
  if (bytes[0] === 0x30) return kind === 'keystore' ? readPkcs12Keystore(key, bytes, password) : readPkcs12(key, bytes, password);
  throw invalid(key, 'is neither a JKS, a PKCS12 nor a PEM store');
}

function splitPem(text: string): Store {
  const blocks = text.match(/-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g) ?? [];
  return {
    certificates: blocks.filter((b) => b.startsWith('-----BEGIN CERTIFICATE')).map((b) => `${b}\n`),
    key: blocks.find((b) => / PRIVATE KEY-----$/.test(b.split('\n')[0])),
  };
}

/**
 * Node TLS options for the SSL and SASL_SSL protocols: the truststore's certificates as the CAs
 * (the system's otherwise), the keystore's key and chain for client authentication, and no host
 * name check when ssl.endpoint.identification.algorithm is empty, as the Java client.
 */
export function tlsOptions(properties: Readonly<Record<string, string>>): ConnectionOptions {
  const options: ConnectionOptions = { rejectUnauthorized: true };
  const trust = readStore('truststore', properties);
  const inlineCas = properties['ssl.truststore.certificates'];
  const cas = [...(trust?.certificates ?? []), ...(inlineCas ? splitPem(inlineCas).certificates : [])];
  if (trust && cas.length === 0) throw invalid('ssl.truststore.location', 'the truststore holds no certificate');
  if (cas.length > 0) options.ca = cas;
  const keystore = readStore('keystore', properties)
    ?? (properties['ssl.keystore.key'] ? { key: properties['ssl.keystore.key'], certificates: splitPem(properties['ssl.keystore.certificate.chain'] ?? '').certificates } : undefined);
  if (keystore?.pfx) options.pfx = [keystore.pfx];
  else if (keystore) {
    if (!keystore.key) throw invalid('ssl.keystore.location', 'the keystore holds no private key');
    if (keystore.certificates.length === 0) throw invalid('ssl.keystore.location', 'the keystore holds no certificate for its key');
    options.key = keystore.key;
    options.cert = keystore.certificates.join('');
    // A PEM key may be encrypted with ssl.key.password; a PKCS12 key is decrypted already.
    if (properties['ssl.key.password']) options.passphrase = properties['ssl.key.password'];
  }
  if (properties['ssl.endpoint.identification.algorithm'] === '') options.checkServerIdentity = () => undefined;
  return options;
}

/**
 * The same stores as PEM text, which librdkafka takes in memory (ssl.ca.pem, ssl.certificate.pem,
 * ssl.key.pem): a PKCS12 keystore Node's OpenSSL would open as is is read by node-forge here.
 */
export function pemStores(properties: Readonly<Record<string, string>>): { ca?: string; cert?: string; key?: string; keyPassword?: string } {
  const options = tlsOptions(properties);
  const out: { ca?: string; cert?: string; key?: string; keyPassword?: string } = {};
  if (Array.isArray(options.ca)) out.ca = options.ca.join('');
  const pfx = Array.isArray(options.pfx) ? (options.pfx[0] as { buf: Buffer; passphrase?: string }) : undefined;
  if (pfx) {
    const store = readPkcs12('ssl.keystore.location', pfx.buf, pfx.passphrase);
    if (!store.key) throw invalid('ssl.keystore.location', 'the keystore holds no private key');
    out.key = store.key;
    out.cert = store.certificates.join('');
  } else if (typeof options.key === 'string') {
    out.key = options.key;
    out.cert = typeof options.cert === 'string' ? options.cert : undefined;
    if (options.passphrase) out.keyPassword = options.passphrase;
  }
  return out;
}
