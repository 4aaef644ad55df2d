// The emulator scripts start a second instance of each emulator in a folder of their own
// (ALOFT_RUN_DIR), bound to 127.0.0.1, and `stop` leaves no process of its tree behind: for
// Pub/Sub that is gcloud's Python wrapper and the emulator JVM it spawned.
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { createFirestore } from '../../../lib/adapters/gcp/clients';
import { tempDir } from '../../helpers/temp-dirs';

const ROOT = resolve(__dirname, '../../..');

function script(name: string, action: 'start' | 'stop', runDir: string): { status: number | null; out: string } {
  const r = spawnSync('bash', [join(ROOT, 'scripts/services', `${name}.sh`), action], {
    env: { ...process.env, ALOFT_RUN_DIR: runDir }, encoding: 'utf8', timeout: 150_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Commands of the processes in a process group. */
function group(pgid: string): string[] {
  const r = spawnSync('pgrep', ['-a', '-g', pgid], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

describe.each([
  ['firestore-emulator', 'FIRESTORE_EMULATOR_HOST', /java/],
  ['pubsub-emulator', 'PUBSUB_EMULATOR_HOST', /java .*cloud-pubsub-emulator/],
  ['storage-emulator', 'STORAGE_EMULATOR_HOST', /node .*storage-emulator-server/],
])('scripts/services/%s.sh', (name, variable, process) => {
  it('starts on 127.0.0.1, writes its PID and env files, and stop kills its whole process tree', () => {
    const runDir = tempDir(`aloft-${name}-`);
    const started = script(name, 'start', runDir);
    expect(started.out).toContain('ready on 127.0.0.1:');
    expect(started.status).toBe(0);
    const pid = readFileSync(join(runDir, `${name}.pid`), 'utf8').trim();
    const env = readFileSync(join(runDir, `${name}.env`), 'utf8');
    expect(env).toMatch(new RegExp(`^${variable}=(http://)?127\\.0\\.0\\.1:\\d+$`, 'm'));
    expect(env).toContain('METADATA_SERVER_DETECTION=none');
    expect(group(pid).some((line) => process.test(line))).toBe(true);
    // Running start again leaves the running instance alone.
    expect(script(name, 'start', runDir).out).toContain('already running');

    const stopped = script(name, 'stop', runDir);
    expect(stopped.status).toBe(0);
    expect(group(pid)).toEqual([]);
    expect(existsSync(join(runDir, `${name}.pid`))).toBe(false);
    expect(script(name, 'stop', runDir)).toEqual({ status: 0, out: `${name}: not running\n` });
  }, 300_000);
});


describe('scripts/services/firestore-emulator.sh with ALOFT_FIRESTORE_FUNCTIONS_PORT', () => {
  it('makes the emulator push document.v1.written CloudEvents to the functions port', async () => {
    const runDir = tempDir('aloft-firestore-fn-');
    const started = spawnSync('bash', [join(ROOT, 'scripts/services/firestore-emulator.sh'), 'start'], {
      env: { ...process.env, ALOFT_RUN_DIR: runDir, ALOFT_FIRESTORE_FUNCTIONS_PORT: 'auto' }, encoding: 'utf8', timeout: 150_000,
    });
    expect(started.status).toBe(0);
    const env = Object.fromEntries(readFileSync(join(runDir, 'firestore-emulator.env'), 'utf8').trim().split('\n').map((l) => l.split('=', 2)));
    const fnPort = Number(env.ALOFT_FIRESTORE_FUNCTIONS_PORT);
    expect(fnPort).toBeGreaterThan(0);
    const received: Array<{ url: string; type: string | undefined }> = [];
    const server = createServer((req, res) => {
      received.push({ url: req.url ?? '', type: req.headers['ce-type'] as string | undefined });
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((r) => server.listen(fnPort, '127.0.0.1', r));
    try {
      const host = env.FIRESTORE_EMULATOR_HOST;
      const trigger = await fetch(`http://${host}/emulator/v1/projects/aloft-fn/eventarcTrigger?eventarcTriggerId=inbox`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          eventType: 'google.cloud.firestore.document.v1.written', database: '(default)', namespace: '(default)',
          document: { value: 'executions/{executionId}/inbox/{eventId}', matchType: 'PATH_PATTERN' },
        }),
      });
      expect(trigger.ok).toBe(true);
      // The Firestore client prefers FIRESTORE_EMULATOR_HOST over `host`; with the shared emulator's env loaded the write would go there.
      const shared = process.env.FIRESTORE_EMULATOR_HOST;
      delete process.env.FIRESTORE_EMULATOR_HOST;
      const db = createFirestore({ projectId: 'aloft-fn', firestoreDatabase: '(default)', firestoreEmulatorHost: host });
      if (shared !== undefined) process.env.FIRESTORE_EMULATOR_HOST = shared;
      await db.doc('executions/e1/inbox/k1').set({ consumed: false });
      for (let i = 0; i < 500 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await db.terminate();
      expect(received).toEqual([{ url: '/functions/projects/aloft-fn/triggers/inbox', type: 'google.cloud.firestore.document.v1.written' }]);
    } finally {
      await new Promise((r) => server.close(r));
      spawnSync('bash', [join(ROOT, 'scripts/services/firestore-emulator.sh'), 'stop'], { env: { ...process.env, ALOFT_RUN_DIR: runDir }, timeout: 60_000 });
    }
  }, 300_000);
});
