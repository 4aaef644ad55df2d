// Vertex AI CustomJob on the emulated cloud (functions served by functions-framework on the Firestore
// and Pub/Sub emulators), against the fake Vertex AI and the fake Cloud Logging (gRPC wire protocol),
// with a function limit of 3 s: a job of several limits runs over several worker invocations, handed
// over through continuations.
import { startEmulatedCloud, type EmulatedCloud } from '../../lib/dev/cloud';
import type { Execution } from '../../lib/model/execution';
import type { WorkerTask } from '../../lib/model/worker-messages';
import type { CloudAdapters } from '../../lib/runtime/cloud/deps';
import { jobService, loggingService } from '../../lib/plugins/gcp/vertexai/clients';
import { startFakeCloudLogging, type FakeCloudLogging } from '../helpers/fake-cloud-logging';
import { startFakeVertexAi, type FakeVertexAi } from '../helpers/fake-vertex-ai';
import { createFlow, startExecution, waitForExecution } from '../helpers/emulated-cloud';
import { seedVertexEnv, seedVertexFlow } from '../helpers/vertex-seed';

jest.setTimeout(600_000);

const LINES = 80;
const JOB_MS = 10_000;

describe('the seed\'s Vertex AI CustomJob flow on the emulated cloud with a 3 s function limit, against the fake Vertex AI and fake Cloud Logging (wire protocol)', () => {
  let cloud: EmulatedCloud;
  let logging: FakeCloudLogging;
  let vertex: FakeVertexAi;
  let adapters: CloudAdapters;
  /** Called with each continuation a worker hands over, before it is published (the kill test holds one there). */
  let onHandOver: (task: WorkerTask) => Promise<void> = async () => undefined;

  beforeAll(async () => {
    process.env.METADATA_SERVER_DETECTION = 'none';
    // The first Vertex AI client of a process loads aiplatform's protos synchronously, blocking the
    // event loop (and the in-process api function) for seconds under jest; a poll then meets a
    // keep-alive socket closed meanwhile (ECONNRESET). Warmed first: the test is about the flow.
    const warm = { projectId: 'warm', scopes: [], env: { VERTEXAI_EMULATOR_HOST: '127.0.0.1:1', LOGGING_EMULATOR_HOST: '127.0.0.1:1' } };
    jobService(warm, 'europe-west1');
    loggingService(warm);
    logging = await startFakeCloudLogging();
    vertex = await startFakeVertexAi({ logging });
    cloud = await startEmulatedCloud({
      logSink: () => undefined,
      env: { ...seedVertexEnv(vertex, logging, 200), ALOFT_FUNCTION_TIMEOUT_MS: '3000', ALOFT_DEADLINE_MARGIN_MS: '1000' },
      instrument: (a) => {
        adapters = a;
        const queue = a.queue;
        return {
          ...a,
          queue: {
            publish: async (task, hints) => {
              if (task.continuation !== undefined) await onHandOver(task);
              return queue.publish(task, hints);
            },
            subscribe: (group, handler) => queue.subscribe(group, handler),
          },
        };
      },
    });
    await createFlow(cloud.apiUrl, seedVertexFlow());
  });

  afterAll(async () => {
    await cloud?.stop();
    await vertex?.close();
    await logging?.close();
  });

  const logMessages = async (id: string): Promise<string[]> => {
    const res = await fetch(`${cloud.apiUrl}/api/v1/logs/${id}`);
    return ((await res.json()) as { message: string }[]).map((l) => l.message);
  };

  it('runs one job over several invocations: every log line once and in order, one attempt, SUCCESS', async () => {
    vertex.plan = () => ({
      durationMs: JOB_MS,
      lines: Array.from({ length: LINES }, (_, i) => ({ atMs: (i * JOB_MS) / LINES, severity: i % 10 === 9 ? 'WARNING' : 'INFO', text: `epoch ${i + 1}` })),
    });
    const started = await startExecution(cloud.apiUrl, 'aloft.seed', 'vertexai-custom-job');
    const done: Execution = await waitForExecution(cloud.apiUrl, started.id, 300_000);
    expect(done.state.current).toBe('SUCCESS');
    expect(vertex.jobs.size).toBe(1);
    const [job] = [...vertex.jobs.values()];
    expect(done.taskRunList).toHaveLength(1);
    expect(done.taskRunList[0].attempts).toHaveLength(1);
    expect(done.taskRunList[0].outputs).toMatchObject({ name: job.name, state: 'JOB_STATE_SUCCEEDED' });
    // Several invocations: each one opened its own log tail.
    expect(logging.tails.length).toBeGreaterThan(2);
    const epochs = (await logMessages(started.id)).filter((m) => m.startsWith('epoch '));
    expect(epochs).toEqual(Array.from({ length: LINES }, (_, i) => `epoch ${i + 1}`));
  });

  it('a kill while the job runs over several invocations cancels the job (the next invocation looks for the kill at once)', async () => {
    vertex.plan = () => ({ durationMs: 120_000, lines: [{ atMs: 0, text: 'training' }] });
    const tailsBefore = logging.tails.length;
    const started = await startExecution(cloud.apiUrl, 'aloft.seed', 'vertexai-custom-job');
    // Past at least one hand-over: a second invocation opened its tail.
    while (logging.tails.length < tailsBefore + 2) await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`${cloud.apiUrl}/api/v1/executions/${started.id}/kill`, { method: 'DELETE' });
    expect(res.status).toBeLessThan(300);
    const done = await waitForExecution(cloud.apiUrl, started.id, 120_000);
    expect(done.state.current).toBe('KILLED');
    const job = [...vertex.jobs.values()].at(-1)!;
    expect(job.resource.state).toBe('JOB_STATE_CANCELLED');
  });

  it('a kill that arrives exactly between two invocations (continuation handed over, next run not started) cancels the job: KILLED, no further continuation', async () => {
    vertex.plan = () => ({ durationMs: 120_000, lines: [{ atMs: 0, text: 'training' }] });
    const handedOver: WorkerTask[] = [];
    let killed: Promise<void> | undefined;
    // The first hand-over is held until the kill's stop request is stored; only then is the
    // continuation published, so the kill lands after one invocation ended and before the next began.
    onHandOver = async (task) => {
      handedOver.push(task);
      killed ??= (async () => {
        const res = await fetch(`${cloud.apiUrl}/api/v1/executions/${task.executionId}/kill`, { method: 'DELETE' });
        expect(res.status).toBeLessThan(300);
        const key = { executionId: task.executionId, taskRunId: task.taskRunId, attempt: task.attempt };
        while (!(await adapters.stops.requested(key))) await new Promise((r) => setTimeout(r, 50));
      })();
      await killed;
    };
    try {
      const started = await startExecution(cloud.apiUrl, 'aloft.seed', 'vertexai-custom-job');
      const done = await waitForExecution(cloud.apiUrl, started.id, 120_000);
      expect(done.state.current).toBe('KILLED');
      expect(done.taskRunList).toHaveLength(1);
      expect(done.taskRunList[0].state.current).toBe('KILLED');
      expect(done.taskRunList[0].attempts).toHaveLength(1);
      const job = [...vertex.jobs.values()].at(-1)!;
      expect(vertex.calls).toContain(`CancelCustomJob ${job.name}`);
      expect(job.resource.state).toBe('JOB_STATE_CANCELLED');
      // The invocation that found the kill handed nothing over: the held continuation is the only one.
      expect(handedOver).toHaveLength(1);
    } finally {
      onHandOver = async () => undefined;
    }
  });
});
