// Installs the native part of the Kafka client (@confluentinc/kafka-javascript), run by npm after it
// installed the dependencies (package.json "postinstall"). The package's own install script is not
// approved (package.json "allowScripts"): it downloads a prebuilt binary, and offline it falls back to
// a build whose default downloads OpenSSL, zstd and others, so `npm ci` would fail. Here:
//   1. a binary that is already there and loads: nothing to do;
//   2. otherwise the prebuilt binary, as the package would fetch it (needs GitHub);
//   3. otherwise a build of the librdkafka the package ships (deps/librdkafka), linked against the
//      system's OpenSSL, zlib, zstd, lz4 and SASL (CKJS_LINKING=dynamic): no download. It takes about
//      2.5 CPU minutes (docs/plugins-kafka.md).
// A failure warns and exits 0: everything but the Kafka tasks works without the client, and a Kafka
// task then fails saying to run this script.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const say = (message) => process.stderr.write(`kafka-client: ${message}\n`);

let dir;
try {
  dir = dirname(require.resolve('@confluentinc/kafka-javascript/package.json'));
} catch {
  say('@confluentinc/kafka-javascript is not installed (npm ci --omit=optional?): nothing to build');
  process.exit(0);
}

/** Loads the client in a child process, so a broken binary cannot crash this one. */
function works() {
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(require('@confluentinc/kafka-javascript').librdkafkaVersion)"], { cwd: dir, encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
}

/** Runs node-pre-gyp; its output (a thousand lines of compiler warnings for a build) is shown only when it fails. */
function run(args, env = {}, show = true) {
  const r = spawnSync(process.execPath, [join(dirname(require.resolve('@mapbox/node-pre-gyp/package.json', { paths: [dir] })), 'bin/node-pre-gyp'), ...args], {
    cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 256 << 20,
  });
  if (r.status !== 0 && show) process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-60).join('\n'));
  return r.status === 0;
}

const binary = join(dir, 'build/Release/confluent-kafka-javascript.node');
if (existsSync(binary) && works()) process.exit(0);

if (process.env.ALOFT_KAFKA_BUILD !== '1' && run(['install'], {}, false)) {
  const version = works();
  if (version) {
    say(`prebuilt client with librdkafka ${version}`);
    process.exit(0);
  }
}

say('no prebuilt client could be fetched: building librdkafka and the client from the package\'s sources (a few minutes)');
const started = Date.now();
// node-gyp downloads Node's headers unless told where they are: those installed beside this node.
const prefix = join(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir ?? (existsSync(join(prefix, 'include/node/node.h')) ? prefix : undefined);
if (run(['rebuild'], { CKJS_LINKING: 'dynamic', BUILD_LIBRDKAFKA: '1', ...(nodedir ? { npm_config_nodedir: nodedir } : {}) })) {
  const version = works();
  if (version) {
    say(`built the client with librdkafka ${version} in ${Math.round((Date.now() - started) / 1000)} s`);
    process.exit(0);
  }
}
say('the Kafka client could not be built: the Kafka tasks will fail until it is. It needs a C/C++ compiler, make, python3 and the headers of libssl, zlib (and optionally libzstd, liblz4, libsasl2): apt-get install build-essential python3 libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev, then run `node scripts/kafka-client.mjs`');
process.exit(0);
