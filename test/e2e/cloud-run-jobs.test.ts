// A DOCKER script step as a Cloud Run Job on the emulated cloud (functions served by functions-framework
// on the Firestore, Pub/Sub and Cloud Storage emulators), against the fake Cloud Run Admin API v2 (REST
// wire protocol) and the fake Cloud Logging (gRPC wire protocol), with a function limit of 3 s: the job
// outlives several worker invocations, handed over through continuations.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulatedCloud, type EmulatedCloud } from '../../lib/dev/cloud';
import type { WorkerTask } from '../../lib/model/worker-messages';
import { JOBS_PREFIX, jobIdOf } from '../../lib/plugins/gcp/run/container-job';
import { runClients } from '../../lib/plugins/gcp/run/clients';
import { gcsJobFiles, type JobFiles } from '../../lib/plugins/gcp/run/job-files';
import { loggingService } from '../../lib/plugins/gcp/vertexai/clients';
import type { CloudAdapters } from '../../lib/runtime/cloud/deps';
import { startFakeCloudLogging, type FakeCloudLogging } from '../helpers/fake-cloud-logging';
import { startFakeCloudRun, type FakeCloudRun } from '../helpers/fake-cloud-run';
import { createFlow, startExecution, waitForExecution } from '../helpers/emulated-cloud';
import { tempDir } from '../helpers/temp-dirs';

jest.setTimeout(600_000);

// The job waits for a file the test writes into its folder once a hand-over happened: it outlives an
// invocation whatever the machine's speed. Its outputs line before the wait must survive the hand-over.
const FLOW = `
id: cloud-run-long
namespace: aloft.run
tasks:
  - id: job
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.scripts.runner.docker.Docker
    containerImage: ubuntu:24.04
    warningOnStdErr: false
    outputFiles: [out.txt]
    commands:
      - for i in 1 2 3; do echo "line $i"; done
      - echo '::{"outputs":{"before":1}}::'
      - while [ ! -f go ]; do sleep 0.05; done
      - for i in 4 5 6; do echo "line $i"; done
      - echo '::{"outputs":{"after":2}}::'
      - echo made > out.txt
`;

describe('a DOCKER script step as a Cloud Run Job on the emulated cloud with a 3 s function limit, against the fake Cloud Run Admin API (REST) and fake Cloud Logging (wire protocols)', () => {
  let cloud: EmulatedCloud;
  let logging: FakeCloudLogging;
  let run: FakeCloudRun;
  let adapters: CloudAdapters;
  let bucketRoot: string;
  let files: JobFiles | undefined;
  /** Called with each continuation a worker hands over, before it is published. */
  let onHandOver: (task: WorkerTask) => Promise<void> = async () => undefined;
  const handedOver: WorkerTask[] = [];

  const folderOf = (task: Pick<WorkerTask, 'taskRunId' | 'attempt'>): string => join(bucketRoot, JOBS_PREFIX, jobIdOf(task.taskRunId, task.attempt, 0));
  const openGate = (task: WorkerTask): Promise<void> => writeFile(join(folderOf(task), 'go'), '');

  beforeAll(async () => {
    process.env.METADATA_SERVER_DETECTION = 'none';
    bucketRoot = tempDir('aloft-run-e2e-');
    logging = await startFakeCloudLogging();
    // The fake's job folder is synced with the emulated bucket, where the workers put the job files.
    run = await startFakeCloudRun({
      logging, bucketRoot,
      bucket: { download: (prefix, dir) => files!.download(prefix, dir), upload: (dir, prefix) => files!.upload(dir, prefix) },
    });
    // Loading the clients' protos blocks the event loop for seconds the first time: done before the flow runs.
    runClients('warm', { RUN_EMULATOR_HOST: '127.0.0.1:1' });
    loggingService({ projectId: 'warm', scopes: [], env: { LOGGING_EMULATOR_HOST: '127.0.0.1:1' } });
    cloud = await startEmulatedCloud({
      logSink: () => undefined,
      env: {
        ALOFT_CLOUD_RUN_REGION: 'europe-west1', RUN_EMULATOR_HOST: run.endpoint, LOGGING_EMULATOR_HOST: logging.endpoint,
        ALOFT_CLOUD_RUN_POLL_MS: '200', ALOFT_FUNCTION_TIMEOUT_MS: '3000', ALOFT_DEADLINE_MARGIN_MS: '1000',
      },
      instrument: (a) => {
        adapters = a;
        const queue = a.queue;
        return {
          ...a,
          queue: {
            publish: async (task, hints) => {
              if (task.continuation !== undefined) {
                handedOver.push(task);
                await onHandOver(task);
              }
              return queue.publish(task, hints);
            },
            subscribe: (group, handler) => queue.subscribe(group, handler),
          },
        };
      },
    });
    files = gcsJobFiles(cloud.bucket, cloud.projectId);
    await createFlow(cloud.apiUrl, FLOW);
  });

  afterAll(async () => {
    await cloud?.stop();
    await run?.close();
    await logging?.close();
  });

  const logMessages = async (id: string): Promise<string[]> => {
    const res = await fetch(`${cloud.apiUrl}/api/v1/logs/${id}`);
    return ((await res.json()) as { message: string }[]).map((l) => l.message);
  };
  const jobObjectsLeft = async (): Promise<number> => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- as the code under test loads it
    const { Storage } = require('@google-cloud/storage') as typeof import('@google-cloud/storage');
    const [left] = await new Storage({ projectId: cloud.projectId }).bucket(cloud.bucket).getFiles({ prefix: `${JOBS_PREFIX}/` });
    return left.length;
  };

  it('runs one execution over several invocations: every log line once and in order, outputs from before and after a hand-over, the output file, one attempt; the job and its bucket folder removed', async () => {
    handedOver.length = 0;
    onHandOver = async (task) => {
      if (handedOver.length === 1) await openGate(task);
    };
    try {
      const started = await startExecution(cloud.apiUrl, 'aloft.run', 'cloud-run-long');
      const done = await waitForExecution(cloud.apiUrl, started.id, 300_000);
      expect(done.state.current).toBe('SUCCESS');
      expect(handedOver.length).toBeGreaterThanOrEqual(1);
      const [taskRun] = done.taskRunList;
      expect(taskRun.attempts).toHaveLength(1);
      expect(taskRun.outputs).toMatchObject({ vars: { before: 1, after: 2 }, exitCode: 0, outputFiles: { 'out.txt': expect.stringMatching(/^kestra:\/\/\//) } });
      expect(run.jobs.size).toBe(1);
      const [job] = [...run.jobs.values()];
      expect(job.deleted).toBe(true);
      expect([...run.executions.values()].filter((e) => e.job === job.name)).toHaveLength(1);
      // Each invocation opened its own tail; the lines came once each.
      expect(logging.tails.length).toBeGreaterThan(1);
      expect((await logMessages(started.id)).filter((m) => m.startsWith('line '))).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
      expect(await jobObjectsLeft()).toBe(0);
    } finally {
      onHandOver = async () => undefined;
    }
  });

  it('a kill that arrives exactly between two invocations (continuation handed over, next run not started) cancels the Cloud Run execution: KILLED, no further continuation', async () => {
    handedOver.length = 0;
    let killed: Promise<void> | undefined;
    // The first hand-over is held until the kill's stop request is stored; only then is the
    // continuation published, so the kill lands after one invocation ended and before the next began.
    onHandOver = async (task) => {
      killed ??= (async () => {
        const res = await fetch(`${cloud.apiUrl}/api/v1/executions/${task.executionId}/kill`, { method: 'DELETE' });
        expect(res.status).toBeLessThan(300);
        const key = { executionId: task.executionId, taskRunId: task.taskRunId, attempt: task.attempt };
        while (!(await adapters.stops.requested(key))) await new Promise((r) => setTimeout(r, 50));
      })();
      await killed;
    };
    try {
      const jobsBefore = run.jobs.size;
      const started = await startExecution(cloud.apiUrl, 'aloft.run', 'cloud-run-long');
      const done = await waitForExecution(cloud.apiUrl, started.id, 120_000);
      expect(done.state.current).toBe('KILLED');
      expect(done.taskRunList[0].state.current).toBe('KILLED');
      expect(done.taskRunList[0].attempts).toHaveLength(1);
      expect(run.jobs.size).toBe(jobsBefore + 1);
      const job = [...run.jobs.values()].at(-1)!;
      const execution = [...run.executions.values()].find((e) => e.job === job.name)!;
      expect(execution.cancelled).toBe(true);
      expect(run.requests).toContain(`POST ${execution.name}:cancel`);
      expect(job.deleted).toBe(true);
      // The invocation that found the kill handed nothing over: the held continuation is the only one.
      expect(handedOver).toHaveLength(1);
      expect(await jobObjectsLeft()).toBe(0);
    } finally {
      onHandOver = async () => undefined;
    }
  });
});
