// The three emulators of the emulated cloud, each started by this process on 127.0.0.1 and a free
// port, in its own process group: the Firestore emulator jar (directly, because gcloud's wrapper hides
// --functions_emulator, which makes it push document CloudEvents), the Pub/Sub emulator jar, and the
// Cloud Storage emulator of firebase-tools (scripts/services/storage-emulator-server.cjs).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isPortTaken } from './ports';
import { freePort, logSince, logSize, projectRoot, spawnService, waitReady, type Service } from './processes';

export interface Emulator {
  service: Service;
  /** host:port (Firestore, Pub/Sub) or http://host:port (Storage), as the clients' env variables want them. */
  host: string;
  port: number;
}

export interface EmulatorOptions {
  /** Folder for logs and data. */
  dir: string;
  /** Seconds to wait for readiness. */
  timeoutS?: number;
  /** JVM options after EMULATOR_JVM_FLAGS (default: a heap limit); a later -XX flag overrides an earlier one. */
  javaOpts?: string[];
}

/**
 * How the emulators' JVMs run here, and in scripts/services (gcp-emulators.lib.sh keeps the same list;
 * a test compares them). The C1 compiler only: the emulators are big, short-lived programs, and C2 spent
 * more CPU compiling them than it saved. Measured with bench:cloud (400 x 10 after a 200-execution
 * warm-up): Firestore emulator 2.5 -> 1.3 ms CPU per task, Pub/Sub emulator 0.43 -> 0.15; on the cold
 * warm-up burst Firestore 5-7 -> 2.2. The parallel collector: the default G1 costs more CPU on two cores.
 */
export const EMULATOR_JVM_FLAGS: readonly string[] = ['-XX:TieredStopAtLevel=1', '-XX:+UseParallelGC'];

/** The Google Cloud SDK folder: GCLOUD_SDK_DIR, else found from `gcloud` on the PATH. */
export function sdkDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GCLOUD_SDK_DIR) return env.GCLOUD_SDK_DIR;
  let gcloud: string;
  try {
    gcloud = execFileSync('sh', ['-c', 'command -v gcloud'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('gcloud not found: install the Google Cloud SDK with its Pub/Sub and Firestore emulators, or set GCLOUD_SDK_DIR');
  }
  return dirname(dirname(realpathSync(gcloud)));
}

function requireJava(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new Error('java not found: the emulators need Java 11+ (apt-get install -y openjdk-17-jre-headless)');
  }
}

const ok = async (url: string, init?: RequestInit): Promise<boolean> => (await fetch(url, init)).ok;

/**
 * Starts a service on a free port, and again on another one (three tries) when its port was taken
 * between the pick and its bind; the log keeps every try, and each try is judged by what it wrote
 * (`logFrom`: where its output begins). Another failure is thrown at once.
 */
export async function onFreePort<T>(logFile: string, start: (port: number, logFrom: number) => Promise<T>, pick: () => Promise<number> = freePort): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await pick();
    const logFrom = logSize(logFile);
    try {
      return await start(port, logFrom);
    } catch (err) {
      if (attempt >= 3 || /would not stop/.test((err as Error).message) || !isPortTaken(`${(err as Error).message}\n${logSince(logFile, logFrom)}`)) throw err;
    }
  }
}

export async function startFirestoreEmulator(opts: EmulatorOptions & { functionsPort: number }): Promise<Emulator> {
  requireJava();
  const jar = join(sdkDir(), 'platform/cloud-firestore-emulator/cloud-firestore-emulator.jar');
  if (!existsSync(jar)) throw new Error(`${jar} not found: gcloud components install cloud-firestore-emulator (or apt-get install google-cloud-cli-firestore-emulator)`);
  const logFile = join(opts.dir, 'firestore-emulator.log');
  return onFreePort(logFile, async (port, logFrom) => {
    const service = spawnService('firestore-emulator', 'java', [
      ...EMULATOR_JVM_FLAGS, ...(opts.javaOpts ?? ['-Xmx2g']), '-Duser.language=en', '-cp', jar, 'com.google.cloud.datastore.emulator.firestore.CloudFirestore', 'start',
      '--host=127.0.0.1', `--port=${port}`, `--functions_emulator=127.0.0.1:${opts.functionsPort}`,
    ], { logFile });
    await waitReady(service, () => ok(`http://127.0.0.1:${port}/`), (opts.timeoutS ?? 90) * 1000, { logSays: `API endpoint: http://127.0.0.1:${port}`, logFrom });
    return { service, host: `127.0.0.1:${port}`, port };
  });
}

export async function startPubSubEmulator(opts: EmulatorOptions): Promise<Emulator> {
  requireJava();
  const lib = join(sdkDir(), 'platform/pubsub-emulator/lib');
  const jar = existsSync(lib) ? readdirSync(lib).find((f) => /^cloud-pubsub-emulator-.*\.jar$/.test(f)) : undefined;
  if (!jar) throw new Error(`no Pub/Sub emulator jar in ${lib}: gcloud components install pubsub-emulator (or apt-get install google-cloud-cli-pubsub-emulator)`);
  const logFile = join(opts.dir, 'pubsub-emulator.log');
  return onFreePort(logFile, async (port, logFrom) => {
    const service = spawnService('pubsub-emulator', 'java', [
      ...EMULATOR_JVM_FLAGS, ...(opts.javaOpts ?? ['-Xmx1g']), '-jar', join(lib, jar), '--host=127.0.0.1', `--port=${port}`,
    ], { logFile });
    await waitReady(service, () => ok(`http://127.0.0.1:${port}/v1/projects/aloft-probe/topics`), (opts.timeoutS ?? 90) * 1000, { logSays: `listening on ${port}`, logFrom });
    return { service, host: `127.0.0.1:${port}`, port };
  });
}

export async function startStorageEmulator(opts: EmulatorOptions & { projectId: string }): Promise<Emulator> {
  const root = projectRoot();
  const script = join(root, 'scripts/services/storage-emulator-server.cjs');
  if (!existsSync(join(root, 'node_modules/firebase-tools'))) throw new Error('firebase-tools is missing: npm install --save-dev firebase-tools');
  const logFile = join(opts.dir, 'storage-emulator.log');
  return onFreePort(logFile, async (port, logFrom) => {
    const service = spawnService('storage-emulator', process.execPath, [
      script, '--host', '127.0.0.1', '--port', String(port), '--project', opts.projectId, '--data-dir', join(opts.dir, 'storage-data'),
    ], { cwd: root, logFile });
    await waitReady(service, () => ok(`http://127.0.0.1:${port}/b?project=${opts.projectId}`), (opts.timeoutS ?? 90) * 1000, { logSays: `listening on http://127.0.0.1:${port}`, logFrom });
    return { service, host: `http://127.0.0.1:${port}`, port };
  });
}
