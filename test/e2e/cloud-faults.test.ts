// Faults on the emulated cloud: duplicate deliveries, a killed executor, a killed worker and a
// malformed message. Each emulated cloud starts its own emulators (isolated project id).
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulatedCloud, type EmulatedCloud } from '../../lib/dev/cloud';
import type { CloudAdapters } from '../../lib/runtime/cloud/deps';
import { runsByAttempt, testCatalog } from '../helpers/cloud-test-tasks';
import { createFlow, getExecution, startExecution, waitForExecution } from '../helpers/emulated-cloud';

jest.setTimeout(600_000);

const FIRESTORE_WRITTEN = 'google.cloud.firestore.document.v1.written';
const FAST_PUSH = { minimumBackoff: '1s', maximumBackoff: '5s', maxDeliveryAttempts: 10 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await sleep(250);
  }
}

describe('on an emulated cloud that delivers every worker task twice, with a 2 s function limit', () => {
  let cloud: EmulatedCloud;
  let deliveries = 0;
  const instrument = (a: CloudAdapters): CloudAdapters => ({
    ...a,
    decodeWorkerMessage: (event) => { deliveries++; return a.decodeWorkerMessage(event); },
  });

  beforeAll(async () => {
    cloud = await startEmulatedCloud({
      catalog: testCatalog(), instrument, logSink: () => undefined, duplicateWorkerDeliveries: true, pushPolicy: FAST_PUSH,
      env: { ALOFT_FUNCTION_TIMEOUT_MS: '2000', ALOFT_DEADLINE_MARGIN_MS: '1000' },
    });
  });
  afterAll(() => cloud?.stop());

  it('runs each attempt once', async () => {
    const branches = Array.from({ length: 10 }, (_, i) => `      - id: t${i}\n        type: io.aloft.test.Counted\n        sleepMs: 200\n`).join('');
    await createFlow(cloud.apiUrl, `id: twice\nnamespace: e2e.faults\ntasks:\n  - id: fan\n    type: io.kestra.core.tasks.flows.Parallel\n    tasks:\n${branches}`);
    const started = await startExecution(cloud.apiUrl, 'e2e.faults', 'twice');
    const done = await waitForExecution(cloud.apiUrl, started.id);
    expect(done.state.current).toBe('SUCCESS');
    const runs = done.taskRunList.filter((r) => r.taskId.startsWith('t'));
    expect(runs).toHaveLength(10);
    for (const r of runs) expect(r.attempts).toHaveLength(1);
    const counts = [...runsByAttempt].filter(([k]) => k.startsWith(`${started.id}/`)).map(([, n]) => n);
    expect(counts).toEqual(Array(10).fill(1));
    // Both subscriptions delivered every message.
    await until('the second deliveries', async () => (deliveries >= 20 ? true : undefined));
  });

  it('lets a resumable task outlive the function limit, over several invocations', async () => {
    await createFlow(cloud.apiUrl, 'id: long\nnamespace: e2e.faults\ntasks:\n  - id: job\n    type: io.aloft.test.Resumable\n    slices: 30\n    sliceMs: 100\n');
    const started = await startExecution(cloud.apiUrl, 'e2e.faults', 'long');
    const done = await waitForExecution(cloud.apiUrl, started.id);
    expect(done.state.current).toBe('SUCCESS');
    const [job] = done.taskRunList;
    expect(job.attempts).toHaveLength(1);
    expect(job.outputs).toMatchObject({ slices: 30 });
    expect((job.outputs as { invocations: number }).invocations).toBeGreaterThan(1);
  });

  it('dead-letters a malformed message with its reason', async () => {
    await cloud.pubsub.publish('aloft-worker-core', [{ data: '{"executionId": 42', attributes: { origin: 'e2e' } }]);
    const dead = await until('the dead letter', async () => {
      const got = await cloud.pubsub.pull(cloud.deadLetterSubscription('aloft-worker-core'));
      return got.find((m) => m.attributes.origin === 'e2e');
    });
    expect(dead.data).toBe('{"executionId": 42');
    expect(dead.attributes.reason).toMatch(/^message is not JSON/);
  });

  it('dead-letters a Firestore event about a document outside the inbox with its reason, and acknowledges it', async () => {
    const id = `e2e-outside-${randomUUID()}`;
    const res = await postFirestoreEvent(cloud.urls.executor, id, 'application/json',
      JSON.stringify({ value: { name: `projects/${cloud.projectId}/databases/(default)/documents/flows/elsewhere` } }));
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    const dead = await executorDeadLetter(id);
    expect(dead.attributes.reason).toBe(`event ${id} is about flows/elsewhere, not an inbox document under executions/{executionId}/inbox/{eventId}`);
    expect(dead.attributes.group).toBe('executor');
    expect(JSON.parse(dead.data)).toMatchObject({ id, type: FIRESTORE_WRITTEN });
  });

  it('dead-letters a Firestore event whose data is not protobuf with its reason, and acknowledges it', async () => {
    const id = `e2e-garbage-${randomUUID()}`;
    // Field 1 (value), length-delimited, with a length far past the end.
    const res = await postFirestoreEvent(cloud.urls.executor, id, 'application/protobuf', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    const dead = await executorDeadLetter(id);
    expect(dead.attributes.reason).toMatch(/^the event data is not a protobuf DocumentEventData: /);
  });

  /** Binary-mode CloudEvent, as Eventarc posts Firestore events. */
  async function postFirestoreEvent(url: string, id: string, contentType: string, body: string | Buffer): Promise<Response> {
    const res = await fetch(url, {
      method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body),
      headers: {
        'content-type': contentType, 'ce-specversion': '1.0', 'ce-id': id, 'ce-type': FIRESTORE_WRITTEN,
        'ce-source': `//firestore.googleapis.com/projects/${cloud.projectId}/databases/(default)`, 'ce-subject': 'documents/flows/elsewhere',
        'ce-time': new Date().toISOString(),
      },
    });
    await res.arrayBuffer();
    return res;
  }

  async function executorDeadLetter(eventId: string): Promise<{ data: string; attributes: Record<string, string> }> {
    return until(`the executor's dead letter of ${eventId}`, async () => {
      const got = await cloud.pubsub.pull(cloud.deadLetterSubscription('executor'));
      return got.find((m) => m.attributes.eventId === eventId);
    });
  }
});

describe('on an emulated cloud whose executor and scripts worker run in their own processes', () => {
  let cloud: EmulatedCloud;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    cloud = await startEmulatedCloud({
      isolate: ['executor', 'worker-scripts'], logSink: (l) => lines.push(l), pushPolicy: FAST_PUSH, schedulerIntervalMs: 1000,
      env: { ALOFT_LEASE_MS: '4000', ALOFT_SWEEP_AFTER_MS: '3000', ALOFT_HEARTBEAT_MS: '1000', ALOFT_LOST_AFTER_MS: '5000', ALOFT_OUTBOX_REPUBLISH_MS: '5000' },
    });
  });
  afterAll(() => cloud?.stop());

  it('finishes all of 50 executions when the executor is killed and restarted in their middle', async () => {
    const tasks = Array.from({ length: 5 }, (_, i) => `  - id: s${i}\n    type: io.kestra.core.tasks.debugs.Return\n    format: "{{ outputs.s${i - 1}.value ?: '' }}${i}"\n`).join('');
    await createFlow(cloud.apiUrl, `id: steps\nnamespace: e2e.faults\ntasks:\n${tasks}`);
    const ids = await Promise.all(Array.from({ length: 50 }, async () => (await startExecution(cloud.apiUrl, 'e2e.faults', 'steps')).id));
    // Kill once some executions are under way and none has finished yet, or as soon as any has.
    await until('progress', async () => ((await getExecution(cloud.apiUrl, ids[ids.length - 1])).state.current !== 'CREATED' ? true : undefined));
    await cloud.kill('executor');
    await sleep(2_000);
    await cloud.restart('executor');
    const done = await Promise.all(ids.map((id) => waitForExecution(cloud.apiUrl, id, 300_000)));
    expect(done.map((e) => e.state.current)).toEqual(Array(50).fill('SUCCESS'));
    for (const e of done) expect(e.taskRunList.find((r) => r.taskId === 's4')?.outputs).toEqual({ value: '01234' });
  });

  it('retries an attempt whose worker was killed mid-task, once it is detected as lost', async () => {
    await createFlow(cloud.apiUrl, `
id: lost
namespace: e2e.faults
tasks:
  - id: slow
    type: io.kestra.core.tasks.scripts.Bash
    warningOnStdErr: false
    retry:
      type: constant
      interval: PT1S
      maxAttempt: 3
    commands:
      - 'test {{ taskrun.attemptsCount }} -ge 1 || sleep 15'
      - 'echo "::{\\"outputs\\":{\\"attempt\\":{{ taskrun.attemptsCount }}}}::"'
`);
    const { id } = await startExecution(cloud.apiUrl, 'e2e.faults', 'lost');
    await until('the first attempt running', async () => {
      const run = (await getExecution(cloud.apiUrl, id)).taskRunList[0];
      return run?.attempts[0]?.state.current === 'RUNNING' ? true : undefined;
    });
    await cloud.kill('worker-scripts');
    await cloud.restart('worker-scripts');
    const done = await waitForExecution(cloud.apiUrl, id, 120_000);
    expect(done.state.current).toBe('SUCCESS');
    const run = done.taskRunList[0];
    expect(run.attempts.map((a) => a.state.current)).toEqual(['FAILED', 'SUCCESS']);
    expect(run.outputs).toMatchObject({ vars: { attempt: 1 } });
    expect(lines.some((l) => l.component === 'scheduler' && String(l.message).includes(`attempt 1 of task run ${run.id} is lost`))).toBe(true);
  });

  it('runs again a task without a retry policy whose worker was killed mid-task, as Kestra resends a dead worker\'s task', async () => {
    await createFlow(cloud.apiUrl, `
id: lostplain
namespace: e2e.faults
tasks:
  - id: slow
    type: io.kestra.core.tasks.scripts.Bash
    warningOnStdErr: false
    commands:
      - 'test {{ taskrun.attemptsCount }} -ge 1 || sleep 15'
      - 'echo "::{\\"outputs\\":{\\"attempt\\":{{ taskrun.attemptsCount }}}}::"'
`);
    const { id } = await startExecution(cloud.apiUrl, 'e2e.faults', 'lostplain');
    await until('the first attempt running', async () => {
      const run = (await getExecution(cloud.apiUrl, id)).taskRunList[0];
      return run?.attempts[0]?.state.current === 'RUNNING' ? true : undefined;
    });
    await cloud.kill('worker-scripts');
    await cloud.restart('worker-scripts');
    const done = await waitForExecution(cloud.apiUrl, id, 120_000);
    expect(done.state.current).toBe('SUCCESS');
    const run = done.taskRunList[0];
    expect(run.attempts.map((a) => a.state.current)).toEqual(['FAILED', 'SUCCESS']);
    expect(run.outputs).toMatchObject({ vars: { attempt: 1 } });
  });

  it('runs a WorkingDirectory whose worker was killed mid-group again whole, in a new folder, once the group is detected as lost', async () => {
    const marker = join(tmpdir(), `aloft-wdir-${randomUUID()}`);
    try {
      await createFlow(cloud.apiUrl, `
id: lostgroup
namespace: e2e.faults
tasks:
  - id: wdir
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: write
        type: io.kestra.core.tasks.scripts.Bash
        commands:
          - echo shared > a.txt
      - id: slow
        type: io.kestra.core.tasks.scripts.Bash
        commands:
          - 'if [ ! -f ${marker} ]; then touch ${marker}; sleep 15; fi'
      - id: read
        type: io.kestra.core.tasks.scripts.Bash
        commands:
          - 'echo "::{\\"outputs\\":{\\"a\\":\\"$(cat a.txt)\\"}}::"'
`);
      const { id } = await startExecution(cloud.apiUrl, 'e2e.faults', 'lostgroup');
      await until('the slow task running', async () => {
        const runs = (await getExecution(cloud.apiUrl, id)).taskRunList;
        return runs.some((r) => r.taskId === 'slow' && r.state.current === 'RUNNING') && existsSync(marker) ? true : undefined;
      });
      await cloud.kill('worker-scripts');
      await cloud.restart('worker-scripts');
      const done = await waitForExecution(cloud.apiUrl, id, 120_000);
      expect(done.state.current).toBe('SUCCESS');
      const wdir = done.taskRunList.find((r) => r.taskId === 'wdir')!;
      expect(wdir.attempts.map((a) => a.state.current)).toEqual(['FAILED', 'SUCCESS']);
      expect(done.taskRunList.map((r) => `${r.taskId}:${r.state.current}`)).toEqual(['wdir:SUCCESS', 'write:SUCCESS', 'slow:SUCCESS', 'read:SUCCESS']);
      expect(done.taskRunList.find((r) => r.taskId === 'read')!.outputs).toMatchObject({ vars: { a: 'shared' } });
      expect(lines.some((l) => l.component === 'scheduler' && String(l.message).includes(`attempt 1 of task run ${wdir.id} is lost`))).toBe(true);
    } finally {
      rmSync(marker, { force: true });
    }
  });
});
