// The automatic retry, kill and continuation of BigQuery jobs, against the fake BigQuery (wire protocol).
import { once } from 'node:events';
import { isSuspend } from '../../../lib/plugins/types';
import { startFakeBigQuery, type FakeBigQuery } from '../../helpers/fake-bigquery';
import { FAST_RETRY, PROJECT, bigqueryWorld, runTask } from './tasks';

jest.setTimeout(30_000);

let fake: FakeBigQuery;
let world: Awaited<ReturnType<typeof bigqueryWorld>>;

beforeEach(async () => {
  fake = await startFakeBigQuery();
  fake.queries.set('SELECT 1', { fields: [{ name: 'one', type: 'INTEGER' }], rows: [{ one: 1 }] });
  world = await bigqueryWorld(fake);
});

afterEach(async () => {
  await world.cleanup();
  await fake.close();
});

const query = (extra: Record<string, unknown> = {}) => ({ projectId: PROJECT, sql: 'SELECT 1', fetchOne: true, retryAuto: FAST_RETRY, ...extra });
const messages = async () => (await world.logLines()).map((l) => `${l.level} ${l.message}`);

describe('automatic retry of BigQuery jobs on the fake BigQuery (wire protocol)', () => {
  it('rateLimitExceeded twice, then success: SUCCESS with 3 jobs and the retries logged', async () => {
    const limit = { reason: 'rateLimitExceeded', message: 'Exceeded rate limits: too many table update operations for this table.' };
    fake.failJobs.push(limit, limit);
    const out = await runTask(world.ctx, 'Query', query());
    expect(out.row).toEqual({ one: 1 });
    expect([...fake.jobs.keys()].map((id) => id.slice(-2))).toEqual(['_1', '_2', '_3']);
    expect(out.jobId).toBe([...fake.jobs.keys()][2]);
    await world.ctx.close();
    const logs = await messages();
    expect(logs.filter((l) => l.startsWith('WARN Retrying, attempts'))).toHaveLength(2);
    expect(logs).toContainEqual(expect.stringContaining('rateLimitExceeded: Exceeded rate limits'));
  });

  it('retries a message containing "due to concurrent update", in any case', async () => {
    fake.failJobs.push({ reason: 'invalid', message: 'Could not serialize access to table p:d.t DUE TO CONCURRENT UPDATE' });
    const out = await runTask(world.ctx, 'Query', query());
    expect(out.row).toEqual({ one: 1 });
    expect(fake.jobs.size).toBe(2);
  });

  it('invalidQuery fails at once with BigQuery\'s message', async () => {
    const err = await runTask(world.ctx, 'Query', query({ sql: 'SELEC 1' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TASK_FAILED', message: 'BigQuery query failed: invalidQuery: Syntax error: Unexpected identifier "SELEC" at [1:1]' });
    expect(fake.jobs.size).toBe(1);
  });

  it('an error answered on insert (HTTP 403 rateLimitExceeded) is retried and the job then runs once', async () => {
    fake.failInserts.push({ status: 403, reason: 'rateLimitExceeded', message: 'Exceeded rate limits: too many api requests per user per method' });
    const out = await runTask(world.ctx, 'Query', query());
    expect(out.row).toEqual({ one: 1 });
    expect(fake.jobs.size).toBe(1);
  });

  it('gives up after maxAttempt tries and fails with the last reason', async () => {
    for (let i = 0; i < 3; i++) fake.failJobs.push({ reason: 'backendError', message: `backend ${i}` });
    const err = await runTask(world.ctx, 'Query', query({ retryAuto: { ...FAST_RETRY, maxAttempt: 2 } })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TASK_FAILED', message: 'BigQuery query failed: backendError: backend 1' });
    expect(fake.jobs.size).toBe(2);
    await world.ctx.close();
    expect(await messages()).toContainEqual(expect.stringMatching(/^ERROR Stop retry, attempts 2 elapsed \d+ seconds$/));
  });

  it('retryReasons and retryMessages replace the defaults', async () => {
    fake.failJobs.push({ reason: 'rateLimitExceeded', message: 'Exceeded rate limits' });
    const err = await runTask(world.ctx, 'Query', query({ retryReasons: ['backendError'], retryMessages: [] })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TASK_FAILED', message: 'BigQuery query failed: rateLimitExceeded: Exceeded rate limits' });
    expect(fake.jobs.size).toBe(1);
  });

  it('a retry after a lost response reuses the finished job instead of running it again', async () => {
    fake.dropInsertAnswers = 1;
    const out = await runTask(world.ctx, 'Query', query());
    expect(out.row).toEqual({ one: 1 });
    expect(fake.jobs.size).toBe(1);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs'))).toHaveLength(2);
    await world.ctx.close();
    expect(await messages()).toContain(`INFO Adopting job '${out.jobId}' already started by this task run instead of submitting a duplicate`);
  });

  it('kill cancels the running job', async () => {
    fake.stallJobs = true;
    const controller = new AbortController();
    const w = await bigqueryWorld(fake, { signal: controller.signal });
    const running = runTask(w.ctx, 'Query', query()).catch((e: unknown) => e);
    const [jobId] = await once(fake.events, 'job') as [string];
    controller.abort();
    expect(await running).toMatchObject({ code: 'KILLED' });
    expect(fake.jobs.get(jobId)!.resource.status).toMatchObject({ state: 'DONE', errorResult: { reason: 'stopped' } });
    expect(fake.requests.filter((r) => r.path.endsWith(`/jobs/${jobId}/cancel`))).toHaveLength(1);
    await w.cleanup();
  });

  it('hands over a continuation before the deadline, and the next invocation waits on the same job', async () => {
    const w = await bigqueryWorld(fake, { deadline: new Date(Date.now() - 1) });
    const first = await runTask(w.ctx, 'Query', query());
    expect(isSuspend(first)).toBe(true);
    expect(fake.jobs.size).toBe(1);
    const [jobId] = [...fake.jobs.keys()];
    expect(first.continuation).toMatchObject({ bigquery: { jobReference: { projectId: PROJECT, jobId }, tryNumber: 1 } });
    const out = await runTask(world.ctx, 'Query', query(), JSON.parse(JSON.stringify(first.continuation)));
    expect(out).toMatchObject({ jobId, row: { one: 1 } });
    expect(fake.jobs.size).toBe(1);
    await w.cleanup();
  });

  it('hands over a retry delay that outlives the invocation, and the next invocation sends the next try when it is due', async () => {
    fake.failJobs.push({ reason: 'backendError', message: 'Backend error' });
    const props = query({ retryAuto: { type: 'constant', interval: 'PT0.3S', maxAttempt: 3 } });
    const handovers: any[] = [];
    let out: any;
    let continuation: unknown;
    // Each invocation gets 0.1 s: the first try fails, and its 0.3 s delay is handed over.
    for (let i = 0; i < 50; i++) {
      const w = await bigqueryWorld(fake, { deadline: new Date(Date.now() + 100) });
      try {
        out = await runTask(w.ctx, 'Query', props, continuation === undefined ? undefined : JSON.parse(JSON.stringify(continuation)));
      } finally {
        await w.cleanup();
      }
      if (!isSuspend(out)) break;
      handovers.push(out.continuation);
      continuation = out.continuation;
    }
    expect(out).toMatchObject({ row: { one: 1 }, jobId: expect.stringMatching(/_0_2$/) });
    expect(fake.jobs.size).toBe(2);
    expect(handovers).toContainEqual({ bigquery: expect.objectContaining({ tryNumber: 2, submitted: false, notBefore: expect.any(Number) }) });
  });
});
