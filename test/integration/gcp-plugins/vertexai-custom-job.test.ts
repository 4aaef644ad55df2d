// Vertex AI CustomJob against the fake Vertex AI JobService and the fake Cloud Logging (both gRPC wire
// protocol, with the protos the client packages ship): the real clients, the real task.
import { CustomJob } from '../../../lib/plugins/gcp/vertexai';
import { isSuspend } from '../../../lib/plugins/types';
import { runAttempt } from '../../../lib/worker';
import { fakeTaskContext, fakeWorker } from '../../../lib/worker/testing';
import { startFakeCloudLogging, type FakeCloudLogging } from '../../helpers/fake-cloud-logging';
import { startFakeVertexAi, type FakeLine, type FakeVertexAi } from '../../helpers/fake-vertex-ai';

jest.setTimeout(60_000);

const PROJECT = 'aloft-vertex';
let logging: FakeCloudLogging;
let vertex: FakeVertexAi;
let env: Record<string, string>;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(() => { process.env.METADATA_SERVER_DETECTION = 'none'; });

beforeEach(async () => {
  logging = await startFakeCloudLogging();
  vertex = await startFakeVertexAi({ logging });
  env = { VERTEXAI_EMULATOR_HOST: vertex.endpoint, LOGGING_EMULATOR_HOST: logging.endpoint, ALOFT_VERTEXAI_POLL_MS: '20' };
});

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await vertex.close();
  await logging.close();
});

async function world(opts: Parameters<typeof fakeTaskContext>[0] = {}) {
  const w = await fakeTaskContext({ taskId: 'train', ...opts, env: { ...env, ...opts.env } });
  cleanups.push(() => w.cleanup());
  return w;
}

const props = (extra: Record<string, unknown> = {}) => CustomJob.properties.parse({
  projectId: PROJECT, region: 'europe-west1', displayName: 'train',
  spec: { workerPoolSpecs: [{ containerSpec: { imageUri: 'gcr.io/p/train:1', commands: ['/app/start.sh'], args: ['-e', 'prod'], env: { MODE: 'fast' } }, machineSpec: { machineType: 'n1-standard-4' }, replicaCount: 1 }] },
  ...extra,
});

const numbered = (count: number, spacingMs: number, from = 0): FakeLine[] =>
  Array.from({ length: count }, (_, i) => ({ atMs: from + i * spacingMs, text: `line ${i + 1}` }));

const taskLines = async (w: { logLines(): Promise<{ level: string; message: string }[]> }) => (await w.logLines()).map((l) => `${l.level} ${l.message}`);

describe('Vertex AI CustomJob on the fake Vertex AI and fake Cloud Logging (gRPC wire protocol)', () => {
  it('runs a job that succeeds, maps every log severity to a level, returns its outputs and deletes it', async () => {
    const severities = ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'] as const;
    vertex.plan = () => ({ durationMs: 150, lines: severities.map((severity, i) => ({ atMs: i * 5, severity, text: `at ${severity}` })) });
    const w = await world();
    const out = await CustomJob.run(w.ctx, props());
    const [job] = [...vertex.jobs.values()];
    expect(out).toEqual({
      name: job.name, state: 'JOB_STATE_SUCCEEDED',
      createDate: expect.stringMatching(/Z$/), updateDate: expect.stringMatching(/Z$/), endDate: expect.stringMatching(/Z$/),
    });
    expect(job.name).toMatch(new RegExp(`^projects/${PROJECT}/locations/europe-west1/customJobs/\\d+$`));
    expect(job.resource.jobSpec.workerPoolSpecs[0]).toMatchObject({
      containerSpec: { imageUri: 'gcr.io/p/train:1', command: ['/app/start.sh'], args: ['-e', 'prod'], env: [{ name: 'MODE', value: 'fast' }] },
      machineSpec: { machineType: 'n1-standard-4' }, replicaCount: '1',
    });
    expect(job.deleted).toBe(true);
    await w.ctx.close();
    const lines = (await taskLines(w)).filter((l) => l.includes(' at '));
    expect(lines).toEqual([
      'INFO at DEFAULT', 'DEBUG at DEBUG', 'INFO at INFO', 'INFO at NOTICE', 'WARN at WARNING',
      'ERROR at ERROR', 'ERROR at CRITICAL', 'ERROR at ALERT', 'ERROR at EMERGENCY',
    ]);
    expect(logging.tails[0].filter).toBe(`resource.labels.job_id="${job.id}" AND resource.type="ml_job"`);
  });

  it('fails with the final job\'s Vertex error, not the create response, and still deletes the job', async () => {
    vertex.plan = () => ({ durationMs: 60, lines: [{ atMs: 0, severity: 'ERROR', text: 'Traceback: out of memory' }], fail: { code: 3, message: 'The replica workerpool0-0 exited with a non-zero status of 1.' } });
    const w = await world();
    const err = await CustomJob.run(w.ctx, props()).catch((e: unknown) => e);
    const [job] = [...vertex.jobs.values()];
    expect(err).toMatchObject({
      code: 'TASK_FAILED', location: { task: 'train' },
      message: `Vertex AI custom job '${job.name}' ended with state JOB_STATE_FAILED: INVALID_ARGUMENT: The replica workerpool0-0 exited with a non-zero status of 1.`,
    });
    expect(job.deleted).toBe(true);
    await w.ctx.close();
    expect(await taskLines(w)).toContain('ERROR Traceback: out of memory');
  });

  it('a kill cancels the job', async () => {
    vertex.plan = () => ({ durationMs: 60_000, lines: numbered(3, 5) });
    const kill = new AbortController();
    const w = await world({ signal: kill.signal });
    const running = CustomJob.run(w.ctx, props()).catch((e: unknown) => e);
    await until(() => logging.entries.length === 3 && vertex.calls.some((c) => c.startsWith('GetCustomJob')));
    kill.abort();
    expect(await running).toMatchObject({ code: 'KILLED' });
    const [job] = [...vertex.jobs.values()];
    expect(job.resource.state).toBe('JOB_STATE_CANCELLED');
    expect(vertex.calls.filter((c) => c.startsWith('CancelCustomJob'))).toEqual([`CancelCustomJob ${job.name}`]);
    await w.ctx.close();
    expect(await taskLines(w)).toContain(`WARN Cancelled job ${job.name}`);
  });

  it('a log stream that drops is resumed without gaps or duplicates', async () => {
    vertex.plan = () => ({ durationMs: 60_000 });
    logging.dropStreamsAfter(4);
    const w = await world();
    const running = CustomJob.run(w.ctx, props());
    // The lines come once the tail is open: a drop needs a stream that delivers.
    await until(() => logging.tails.length === 1);
    const [job] = [...vertex.jobs.values()];
    // Four batches of ten lines; each stream is dropped after four, and the next batch waits for the tail to be reopened.
    for (let i = 1; i <= 40; i++) {
      logging.write({ resource: { type: 'ml_job', labels: { job_id: job.id } }, severity: 'INFO', textPayload: `line ${i}` });
      if (i % 10 === 0) await until(() => logging.tails.length > i / 10);
    }
    job.plan.durationMs = 0;
    await running;
    await w.ctx.close();
    expect(logging.tails.length).toBeGreaterThan(4);
    expect((await taskLines(w)).filter((l) => l.startsWith('INFO line '))).toEqual(numbered(40, 10).map((l) => `INFO ${l.text}`));
  });

  it('wait: false returns at once with the job\'s name, and neither waits nor deletes', async () => {
    vertex.plan = () => ({ durationMs: 60_000 });
    const w = await world();
    const out = await CustomJob.run(w.ctx, props({ wait: false }));
    const [job] = [...vertex.jobs.values()];
    expect(out).toMatchObject({ name: job.name, state: 'JOB_STATE_PENDING' });
    expect(out).not.toHaveProperty('endDate');
    expect(vertex.calls.map((c) => c.split(' ')[0])).toEqual(['CreateCustomJob']);
    expect(logging.tails).toEqual([]);
    expect(job.deleted).toBe(false);
  });

  it('delete: false keeps the job', async () => {
    const w = await world();
    const out = await CustomJob.run(w.ctx, props({ delete: false }));
    const [job] = [...vertex.jobs.values()];
    expect(out).toMatchObject({ state: 'JOB_STATE_SUCCEEDED' });
    expect(job.deleted).toBe(false);
    expect(vertex.calls.some((c) => c.startsWith('DeleteCustomJob'))).toBe(false);
  });

  it('hands over continuations before each deadline; the next invocations resume with every line once, in order, on one job', async () => {
    vertex.plan = () => ({ durationMs: 1200, lines: numbered(60, 20) });
    const first = await world();
    await first.ctx.close();
    const lines: string[] = [];
    let continuation: unknown;
    let out: unknown;
    let invocations = 0;
    for (;;) {
      invocations++;
      const deadline = new Date(Date.now() + 250);
      const w = await world({ dataDir: first.dataDir, execution: first.execution, deadline });
      out = await CustomJob.run(w.ctx, props(), continuation === undefined ? undefined : JSON.parse(JSON.stringify(continuation)));
      await w.ctx.close();
      lines.push(...await taskLines(w));
      if (!isSuspend(out)) break;
      continuation = out.continuation;
      expect(continuation).toMatchObject({ vertexai: { name: expect.any(String), cursor: { ns: expect.any(String) } } });
    }
    expect(invocations).toBeGreaterThan(2);
    expect(vertex.jobs.size).toBe(1);
    expect(out).toMatchObject({ state: 'JOB_STATE_SUCCEEDED' });
    expect(lines.filter((l) => l.startsWith('INFO line '))).toEqual(numbered(60, 20).map((l) => `INFO ${l.text}`));
  });
});

describe('bad input to Vertex AI CustomJob gives an error naming the task and property', () => {
  async function attempt(task: Record<string, unknown>) {
    const w = await fakeWorker({ env });
    cleanups.push(() => w.cleanup());
    const out = await runAttempt(w.task(CustomJob.type, { id: 'train', ...task }), w.deps, { workerId: 'w' });
    if (out.kind !== 'result') throw new Error('suspended');
    return out.result;
  }
  const good = {
    projectId: PROJECT, region: 'europe-west1', displayName: 'train',
    spec: { workerPoolSpecs: [{ containerSpec: { imageUri: 'gcr.io/p/train:1' }, machineSpec: { machineType: 'n1-standard-4' } }] },
  };

  it('a missing imageUri', async () => {
    const r = await attempt({ ...good, spec: { workerPoolSpecs: [{ containerSpec: {}, machineSpec: { machineType: 'n1-standard-4' } }] } });
    expect(r.state).toBe('FAILED');
    expect(r.error).toMatchObject({ code: 'FLOW_INVALID', task: 'train', property: 'spec.workerPoolSpecs.0.containerSpec.imageUri' });
    expect(vertex.calls).toEqual([]);
  });

  it('an unknown region', async () => {
    const r = await attempt({ ...good, region: 'europe-wset1' });
    expect(r.error).toMatchObject({ code: 'FLOW_INVALID', task: 'train', property: 'region', message: expect.stringContaining("unknown Vertex AI region 'europe-wset1'") });
    expect(vertex.calls).toEqual([]);
  });

  it('a malformed spec', async () => {
    const r = await attempt({ ...good, spec: { workerPools: [] } });
    expect(r.error).toMatchObject({ code: 'FLOW_INVALID', task: 'train', property: expect.stringMatching(/^spec/) });
    expect(r.error?.message).toContain('spec');
  });

  it('a permission error from Vertex', async () => {
    vertex.deny.add(PROJECT);
    const r = await attempt(good);
    expect(r.state).toBe('FAILED');
    expect(r.error).toMatchObject({
      code: 'TASK_FAILED', task: 'train', property: 'serviceAccount',
      message: expect.stringContaining(`Creating the Vertex AI custom job 'train' failed: PERMISSION_DENIED: Permission 'aiplatform.customJobs.create' denied on resource '//aiplatform.googleapis.com/projects/${PROJECT}/locations/europe-west1'`),
    });
    expect(r.error?.message).not.toMatch(/\n\s+at /);
  });
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}
