// Makes the Kafka client's native binding (@confluentinc/kafka-javascript) usable after `npm ci`.
// npm never runs that package's own install script (allowScripts false in package.json): offline, it
// fails, and its failure would fail `npm ci`. This step, run by `prepare`, never fails the install:
//   1. binding already built: nothing to do;
//   2. the prebuilt binary for this platform downloads (any machine online, Cloud Build): done;
//   3. librdkafka's headers are installed (Debian: apt-get install librdkafka-dev): build against them
//      (CKJS_LINKING=dynamic, no download; a few minutes);
//   4. otherwise: a warning. Everything but the Kafka tasks works, and those say how to fix it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let dir;
try {
  dir = dirname(require.resolve('@confluentinc/kafka-javascript/package.json'));
} catch {
  process.exit(0); // not installed (e.g. npm ci --omit): nothing to build
}
const binding = join(dir, 'build', 'Release', 'confluent-kafka-javascript.node');
const preGyp = join(dirname(require.resolve('@mapbox/node-pre-gyp/package.json', { paths: [dir] })), 'bin', 'node-pre-gyp');
const run = (args, env = {}) => spawnSync(process.execPath, [preGyp, ...args], { cwd: dir, stdio: 'inherit', env: { ...process.env, ...env } }).status === 0;
const hasLibrdkafka = () => {
  try {
    execFileSync('pkg-config', ['--exists', 'rdkafka'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

if (existsSync(binding)) process.exit(0);
if (run(['install'])) process.exit(0);
if (hasLibrdkafka()) {
  console.error('kafka-client: no prebuilt binary reachable; building against the system librdkafka (a few minutes)');
  if (run(['install', '--build-from-source'], { CKJS_LINKING: 'dynamic' })) process.exit(0);
}
console.error('kafka-client: warning: the Kafka client is not built, so Kafka tasks cannot run here. ' +
  'Install librdkafka-dev (apt-get install -y librdkafka-dev) and run `node scripts/kafka-client.mjs`.');
