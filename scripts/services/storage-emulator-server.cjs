// The Cloud Storage emulator from firebase-tools, started in-process.
// Its CLI (`firebase emulators:start`) wants Java 21 and downloads a rules runtime jar; the GCS JSON API
// that @google-cloud/storage speaks (through STORAGE_EMULATOR_HOST) needs neither: admin requests skip
// security rules. So the rules runtime is replaced by a no-op and nothing is downloaded.
// Usage: node storage-emulator-server.cjs --port P [--host 127.0.0.1] [--project ID] [--data-dir DIR]
'use strict';
const path = require('node:path');
const fs = require('node:fs');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main() {
  const host = arg('host', '127.0.0.1');
  const port = Number(arg('port', '0'));
  const projectId = arg('project', 'aloft-local');
  const dataDir = path.resolve(arg('data-dir', path.join(process.cwd(), '.aloft', 'run', 'storage-emulator-data')));
  if (!Number.isInteger(port) || port <= 0) throw new Error('--port is required');
  fs.mkdirSync(dataDir, { recursive: true });

  let StorageEmulator, EmulatorRegistry;
  try {
    ({ StorageEmulator } = require('firebase-tools/lib/emulator/storage'));
    // The registry is how the emulator learns its own URL (it writes it into object metadata).
    ({ EmulatorRegistry } = require('firebase-tools/lib/emulator/registry'));
  } catch (e) {
    throw new Error(`firebase-tools is not installed (npm install --save-dev firebase-tools): ${e.message}`);
  }

  // Blobs go to our own folder: the default is one shared folder under the OS tmpdir, which stop() deletes.
  class AloftStorageEmulator extends StorageEmulator {
    getPersistenceTmpDir() {
      return dataDir;
    }
  }
  // An empty, resource-based rules config: no rules file to watch, no rules to compile.
  const emulator = new AloftStorageEmulator({ host, port, projectId, auto_download: false, rules: [] });
  emulator._rulesRuntime.start = async () => {};
  emulator._rulesRuntime.stop = async () => {};

  await EmulatorRegistry.start(emulator);
  process.stdout.write(`storage emulator listening on http://${host}:${port}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await EmulatorRegistry.stop(emulator.getName());
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`storage emulator failed to start: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
