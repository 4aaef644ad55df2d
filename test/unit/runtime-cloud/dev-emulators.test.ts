import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMULATOR_JVM_FLAGS } from '../../../lib/dev/emulators';

describe('the JVM flags of the emulators', () => {
  it('are the same for the emulated cloud and for the shared emulators of scripts/services', () => {
    const lib = readFileSync(join(__dirname, '../../../scripts/services/gcp-emulators.lib.sh'), 'utf8');
    const declared = /^EMULATOR_JVM_FLAGS=\(([^)]*)\)$/m.exec(lib);
    expect(declared).not.toBeNull();
    expect(declared![1].trim().split(/\s+/)).toEqual([...EMULATOR_JVM_FLAGS]);
  });

  it('reach both scripts\' JVMs', () => {
    const firestore = readFileSync(join(__dirname, '../../../scripts/services/firestore-emulator.sh'), 'utf8');
    const pubsub = readFileSync(join(__dirname, '../../../scripts/services/pubsub-emulator.sh'), 'utf8');
    expect(firestore).toMatch(/spawn_detached java "\$\{EMULATOR_JVM_FLAGS\[@\]\}"/);
    expect(pubsub).toMatch(/CLOUD_PUBSUB_EMULATOR_OPTS="\$\{EMULATOR_JVM_FLAGS\[\*\]\}"/);
  });
});
