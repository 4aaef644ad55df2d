// Long BigQuery jobs on the emulated cloud (functions served by functions-framework on the Firestore and
// Pub/Sub emulators) against the fake BigQuery (wire protocol), with a function limit of 3 s: a job that
// outlives an invocation is handed over through continuations and waited on, under the same job id, by
// the next invocations; a kill cancels it.
import { startEmulatedCloud, type EmulatedCloud } from '../../lib/dev/cloud';
import { createFlow, startExecution, waitForExecution } from '../helpers/emulated-cloud';
import { startFakeBigQuery, type FakeBigQuery } from '../helpers/fake-bigquery';

jest.setTimeout(600_000);

const NS = 'test.cloudbigquery';
const SQL = 'SELECT 1 AS one';
let cloud: EmulatedCloud;
let fake: FakeBigQuery;
/** Execution id -> continuations its worker invocations handed over. */
const handOvers = new Map<string, number>();

beforeAll(async () => {
  fake = await startFakeBigQuery();
  fake.queries.set(SQL, { fields: [{ name: 'one', type: 'INTEGER' }], rows: [{ one: 1 }] });
  cloud = await startEmulatedCloud({
    logSink: () => undefined,
    env: { BIGQUERY_EMULATOR_HOST: fake.endpoint, ALOFT_FUNCTION_TIMEOUT_MS: '3000', ALOFT_DEADLINE_MARGIN_MS: '1000' },
    instrument: (a) => ({
      ...a,
      queue: {
        publish: async (task, hints) => {
          if (task.continuation !== undefined) handOvers.set(task.executionId, (handOvers.get(task.executionId) ?? 0) + 1);
          return a.queue.publish(task, hints);
        },
        subscribe: (group, handler) => a.queue.subscribe(group, handler),
      },
    }),
  });
  await createFlow(cloud.apiUrl, `id: long-query
namespace: ${NS}
tasks:
  - id: query
    type: io.kestra.plugin.gcp.bigquery.Query
    projectId: ${cloud.projectId}
    sql: ${SQL}
    fetchOne: true
`);
});

afterAll(async () => {
  await cloud?.stop();
  await fake?.close();
});

afterEach(() => {
  fake.stallJobs = false;
});

/** Returns once the worker has handed `executionId`'s task over `times` times. */
async function handedOver(executionId: string, times: number): Promise<void> {
  while ((handOvers.get(executionId) ?? 0) < times) await new Promise((r) => setTimeout(r, 100));
}

/** The fake's jobs that carry this execution's kestra_execution_id label. */
const jobsOf = (executionId: string) => [...fake.jobs.values()].filter((j) => j.resource.configuration.labels?.kestra_execution_id === executionId.toLowerCase());

describe('a BigQuery job longer than a function invocation, on the emulated cloud with a 3 s function limit', () => {
  it('is handed over and waited on by the next invocations under the same job id: one job, one attempt, SUCCESS', async () => {
    fake.stallJobs = true;
    const started = await startExecution(cloud.apiUrl, NS, 'long-query');
    await handedOver(started.id, 2);
    expect(jobsOf(started.id)).toHaveLength(1);
    fake.stallJobs = false;
    const done = await waitForExecution(cloud.apiUrl, started.id);
    expect({ state: done.state.current, errors: done.taskRunList.map((r) => r.error).filter(Boolean) }).toEqual({ state: 'SUCCESS', errors: [] });
    const [job] = jobsOf(started.id);
    expect(jobsOf(started.id)).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs'))).toHaveLength(1);
    expect(done.taskRunList[0].attempts).toHaveLength(1);
    expect(done.taskRunList[0].outputs).toMatchObject({ jobId: job.resource.jobReference.jobId, row: { one: 1 }, size: 1 });
    const res = await fetch(`${cloud.apiUrl}/api/v1/logs/${started.id}`);
    const messages = ((await res.json()) as Array<{ message: string }>).map((l) => l.message);
    expect(messages.filter((m) => m.includes('is still running; handing over to a continuation')).length).toBeGreaterThanOrEqual(2);
  });

  it('a kill while the job runs over several invocations cancels the job: KILLED, the job stopped', async () => {
    fake.stallJobs = true;
    const started = await startExecution(cloud.apiUrl, NS, 'long-query');
    await handedOver(started.id, 1);
    const res = await fetch(`${cloud.apiUrl}/api/v1/executions/${started.id}/kill`, { method: 'DELETE' });
    expect(res.status).toBeLessThan(300);
    const done = await waitForExecution(cloud.apiUrl, started.id);
    expect(done.state.current).toBe('KILLED');
    const [job, ...more] = jobsOf(started.id);
    expect(more).toEqual([]);
    expect(job.resource.status).toMatchObject({ state: 'DONE', errorResult: { reason: 'stopped' } });
    expect(fake.requests.filter((r) => r.path.endsWith(`/jobs/${job.resource.jobReference.jobId}/cancel`))).toHaveLength(1);
  });
});
