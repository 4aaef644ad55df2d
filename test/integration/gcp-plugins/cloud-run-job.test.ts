// A container step as a Cloud Run Job against the fake Cloud Run Admin API v2 (REST wire protocol, the
// real @google-cloud/run client) and the fake Cloud Logging (gRPC wire protocol), the job's volume a
// local folder standing for the bucket (folderJobFiles).
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runClients } from '../../../lib/plugins/gcp/run/clients';
import { exitCodeOf, jobIdOf, jobSpecOf, runContainerJob } from '../../../lib/plugins/gcp/run/container-job';
import { withContainerJobs } from '../../../lib/plugins/gcp/run/hand-over';
import { filesUnder, folderJobFiles, type JobFiles } from '../../../lib/plugins/gcp/run/job-files';
import { isSuspend, type Suspend, type TaskContext } from '../../../lib/plugins/types';
import { AloftError, ErrorCode } from '../../../lib/model/errors';
import { fakeTaskContext } from '../../../lib/worker/testing';
import { startFakeCloudLogging, type FakeCloudLogging } from '../../helpers/fake-cloud-logging';
import { startFakeCloudRun, type FakeCloudRun } from '../../helpers/fake-cloud-run';
import { tempDir } from '../../helpers/temp-dirs';

jest.setTimeout(60_000);

const PROJECT = 'aloft-run';
let logging: FakeCloudLogging;
let run: FakeCloudRun;
let bucketRoot: string;
let env: Record<string, string>;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(() => { process.env.METADATA_SERVER_DETECTION = 'none'; });

beforeEach(async () => {
  bucketRoot = tempDir('aloft-run-bucket-');
  logging = await startFakeCloudLogging();
  run = await startFakeCloudRun({ logging, bucketRoot });
  env = {
    RUN_EMULATOR_HOST: run.endpoint, LOGGING_EMULATOR_HOST: logging.endpoint, GOOGLE_CLOUD_PROJECT: PROJECT, ALOFT_BUCKET: 'aloft-data',
    ALOFT_CLOUD_RUN_REGION: 'europe-west1', ALOFT_CLOUD_RUN_POLL_MS: '20',
  };
});

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await run.close();
  await logging.close();
});

async function world(signal?: AbortSignal) {
  const w = await fakeTaskContext({ taskId: 'singer', env, signal });
  cleanups.push(() => w.cleanup());
  const dir = await w.ctx.tempDir();
  return { ...w, dir };
}

const step = (dir: string, script: string, n = 1) => ({ image: 'python:3.8', command: ['/bin/sh', '-c', script], env: { GREETING: 'hello' }, dir, step: n });

describe('a container step as a Cloud Run Job, on the fake Cloud Run Admin API (REST) and fake Cloud Logging', () => {
  it('runs the image\'s command with the working directory through the bucket, its log lines back, then deletes the job', async () => {
    const w = await world();
    await writeFile(join(w.dir, 'in.txt'), 'input\n');
    const lines: string[] = [];
    const files = folderJobFiles(bucketRoot, 'aloft-data');
    const end = await runContainerJob(w.ctx, step(w.dir, 'cat in.txt > out.txt; echo "$GREETING from the job"; echo "to stderr" >&2'), (l) => lines.push(l), { files });

    expect(end).toEqual({ exitCode: 0, signal: null });
    expect(await readFile(join(w.dir, 'out.txt'), 'utf8')).toBe('input\n');
    expect(lines.sort()).toEqual(['hello from the job', 'to stderr']);
    const [job] = [...run.jobs.values()];
    const jobId = jobIdOf(w.ctx.taskRun.id, 0, 1);
    expect(job.name).toBe(`projects/${PROJECT}/locations/europe-west1/jobs/${jobId}`);
    expect(job.resource.template.template).toMatchObject({
      maxRetries: 0,
      containers: [{
        image: 'python:3.8', command: ['/bin/sh'], args: ['-c', expect.stringContaining('cat in.txt')], env: [{ name: 'GREETING', value: 'hello' }],
        workingDir: w.dir, volumeMounts: [{ name: 'aloft-work', mountPath: w.dir }],
      }],
      volumes: [{ name: 'aloft-work', gcs: { bucket: 'aloft-data', readOnly: false, mountOptions: [`only-dir=_jobs/${jobIdOf(w.ctx.taskRun.id, 0, 0)}`] } }],
    });
    expect(job.deleted).toBe(true);
    expect(logging.tails[0].filter).toBe(`resource.type="cloud_run_job" AND resource.labels.job_name="${jobId}"`);
  });

  it('gives the exit code of a container that fails, and still deletes the job', async () => {
    const w = await world();
    const lines: string[] = [];
    const end = await runContainerJob(w.ctx, step(w.dir, 'echo "bad record" >&2; exit 3'), (l) => lines.push(l), { files: folderJobFiles(bucketRoot) });
    expect(end).toEqual({ exitCode: 3, signal: null });
    expect(lines).toEqual(['bad record']);
    expect([...run.jobs.values()][0].deleted).toBe(true);
  });

  it('cancels the execution when the task is killed', async () => {
    const abort = new AbortController();
    const w = await world(abort.signal);
    const started = run.nextStarted();
    const running = runContainerJob(w.ctx, step(w.dir, 'sleep 30'), () => undefined, { files: folderJobFiles(bucketRoot) });
    const execution = await started;
    abort.abort();
    await expect(running).rejects.toThrow();
    expect(execution.cancelled).toBe(true);
    expect(run.requests).toContain(`POST ${execution.name}:cancel`);
    expect([...run.jobs.values()][0].deleted).toBe(true);
  });

  it('keeps the virtualenv in the bucket between steps and brings back only the task\'s files', async () => {
    const w = await world();
    const files = folderJobFiles(bucketRoot);
    await runContainerJob(w.ctx, step(w.dir, 'mkdir -p venv/bin && echo py > venv/bin/python && echo made > made.txt', 1), () => undefined, { files });
    expect(await filesUnder(w.dir)).toEqual(['made.txt']);
    const end = await runContainerJob(w.ctx, step(w.dir, 'test -f venv/bin/python', 2), () => undefined, { files });
    expect(end.exitCode).toBe(0);
    expect(run.jobs.size).toBe(2);
  });
});

describe('a container step longer than one invocation, on the fake Cloud Run Admin API (REST) and fake Cloud Logging', () => {
  // The job waits for a file the test writes into its folder of the bucket: it outlives the first
  // invocation whatever the machine's speed.
  const gated = 'for i in 1 2 3; do echo "line $i"; done; while [ ! -f go ]; do sleep 0.05; done; for i in 4 5 6; do echo "line $i"; done; echo made > out.txt';
  const twoSteps = async (ctx: TaskContext, dir: string, files: JobFiles, lines: string[]) => {
    const first = await runContainerJob(ctx, step(dir, 'mkdir -p venv/bin && echo one > one.txt', 1), (l) => lines.push(l), { files });
    const second = await runContainerJob(ctx, step(dir, gated, 2), (l) => lines.push(l), { files });
    return [first.exitCode, second.exitCode];
  };
  /** An invocation of the attempt: a context of its own (as the worker builds one per invocation), with this deadline. */
  const invocation = (ctx: TaskContext, deadline: Date, over: Record<string, unknown> = {}): TaskContext =>
    Object.create(ctx, Object.fromEntries(Object.entries({ deadline, ...over }).map(([k, value]) => [k, { value }])));
  /** The next invocation, with its own folder. */
  const nextInvocation = async (ctx: TaskContext, opts: { deadline: Date; signal?: AbortSignal }) => {
    const dir = tempDir('aloft-run-next-');
    return { ctx: invocation(ctx, opts.deadline, { tempDir: async () => dir, signal: opts.signal ?? ctx.signal }), dir };
  };

  it('hands over before the deadline, then waits on the same execution: earlier steps skipped, every line once and in order, files back, bucket folder removed', async () => {
    const w = await world();
    const ctx = invocation(w.ctx, new Date(Date.now() + 1500));
    const files = folderJobFiles(bucketRoot);
    const lines: string[] = [];
    const folder = join(bucketRoot, `_jobs/${jobIdOf(w.ctx.taskRun.id, 0, 0)}`);
    // Invocations of 1.5 s until the task ends; the gate opens once the second step was handed over
    // (the first one may be too, on a slow machine).
    let result = await withContainerJobs(ctx, undefined, () => twoSteps(ctx, w.dir, files, lines));
    const handedSteps: number[] = [];
    let last = ctx;
    while (isSuspend(result)) {
      const handed = (result as Suspend).continuation as any;
      handedSteps.push(handed.cloudRun.step);
      expect(handed.cloudRun).toMatchObject({ dir: w.dir, job: expect.stringMatching(new RegExp(`-0-${handed.cloudRun.step}$`)) });
      if (handed.cloudRun.step === 2 && !existsSync(join(folder, 'go'))) {
        // Nothing cleaned up at a hand-over: the job runs on, its folder kept.
        expect(existsSync(join(folder, 'one.txt'))).toBe(true);
        expect(run.executions.get(handed.cloudRun.execution)!.completionTime).toBeUndefined();
        expect([...run.jobs.values()].map((j) => j.deleted)).toEqual([true, false]);
        await writeFile(join(folder, 'go'), '');
      }
      const next = await nextInvocation(last, { deadline: new Date(Date.now() + 1500) });
      last = next.ctx;
      result = await withContainerJobs(next.ctx, handed, () => twoSteps(next.ctx, next.dir, files, lines));
    }
    const second = result;
    const lastDir = await last.tempDir();
    expect(handedSteps).toContain(2);
    expect(second).toEqual([0, 0]);
    expect(lines).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    expect(run.jobs.size).toBe(2);
    expect(await readFile(join(lastDir, 'one.txt'), 'utf8')).toBe('one\n');
    expect(await readFile(join(lastDir, 'out.txt'), 'utf8')).toBe('made\n');
    expect([...run.jobs.values()].every((j) => j.deleted)).toBe(true);
    expect(existsSync(folder)).toBe(false);
  });

  it('a kill that came between two invocations cancels the execution at once in the next one, and removes the job and its folder', async () => {
    const w = await world();
    const ctx = invocation(w.ctx, new Date(Date.now() + 1000));
    const files = folderJobFiles(bucketRoot);
    const first = await withContainerJobs(ctx, undefined, () => runContainerJob(ctx, step(w.dir, gated, 1), () => undefined, { files }));
    expect(isSuspend(first)).toBe(true);
    const handed = (first as Suspend).continuation as any;

    const killed = new AbortController();
    killed.abort(new AloftError(ErrorCode.KILLED, 'killed'));
    const next = await nextInvocation(ctx, { deadline: new Date(Date.now() + 60_000), signal: killed.signal });
    await expect(withContainerJobs(next.ctx, handed, () => runContainerJob(next.ctx, step(next.dir, gated, 1), () => undefined, { files })))
      .rejects.toMatchObject({ code: ErrorCode.KILLED });
    const execution = run.executions.get(handed.cloudRun.execution)!;
    expect(execution.cancelled).toBe(true);
    expect(run.requests).toContain(`POST ${execution.name}:cancel`);
    expect([...run.jobs.values()][0].deleted).toBe(true);
    expect(existsSync(join(bucketRoot, `_jobs/${jobIdOf(w.ctx.taskRun.id, 0, 0)}`))).toBe(false);
  });

  it('removes the task\'s folder of the bucket when the task fails', async () => {
    const w = await world();
    const files = folderJobFiles(bucketRoot);
    const body = async () => {
      const end = await runContainerJob(w.ctx, step(w.dir, 'echo partial > part.txt; exit 2'), () => undefined, { files });
      throw new Error(`exit ${end.exitCode}`);
    };
    await expect(withContainerJobs(w.ctx, undefined, body)).rejects.toThrow('exit 2');
    expect(existsSync(join(bucketRoot, `_jobs/${jobIdOf(w.ctx.taskRun.id, 0, 0)}`))).toBe(false);
  });
});

describe('Cloud Run job names and results', () => {
  it('makes a valid job id from any task run id', () => {
    expect(jobIdOf('7Hx_Ab.C', 2, 3)).toBe('aloft-7hx-ab-c-2-3');
    expect(jobIdOf('x'.repeat(80), 0, 1)).toMatch(/^[a-z][a-z0-9-]{0,62}$/);
  });

  it('reads the exit code from a failed execution\'s condition', () => {
    expect(exitCodeOf({ succeededCount: 1 })).toBe(0);
    expect(exitCodeOf({ failedCount: 1, conditions: [{ message: 'Task t failed with exit code: 7' }] })).toBe(7);
    expect(exitCodeOf({ failedCount: 1 })).toBe(1);
  });

  it('sets the service account and timeout of the job when given', () => {
    const spec = jobSpecOf({ image: 'i', command: ['/bin/sh', '-c', 'x'], env: {}, dir: '/w', step: 1 }, 'b', '_jobs/p', 'sa@p.iam.gserviceaccount.com', 500) as any;
    expect(spec.template.template).toMatchObject({ serviceAccount: 'sa@p.iam.gserviceaccount.com', timeout: { seconds: '500' } });
  });

  it('reuses its clients for one project and endpoint', () => {
    expect(runClients('p', { RUN_EMULATOR_HOST: '127.0.0.1:1' })).toBe(runClients('p', { RUN_EMULATOR_HOST: '127.0.0.1:1' }));
  });
});

