// Runs one BigQuery job to its end under the automatic retry policy, for every BigQuery task.
// - Job ids are deterministic: kestra_{taskRunId}_{attempt}_{try}. A try whose answer was lost is sent
//   again with the same id, and BigQuery's "already exists" makes the task adopt the job it started,
//   so a job that succeeded is never run twice. Only a job that failed gets a new try, with a new id.
// - Kill cancels the running job.
// - Before the invocation's deadline the task hands over a continuation that names the job, and the
//   next invocation resumes waiting on it. A retry delay that would outlive the invocation is handed
//   over the same way, and the next invocation sends the next try when the delay is over.
import { z } from 'zod';
import type { ErrorLocation } from '../../../model/errors';
import type { Suspend, TaskContext } from '../../types';
import type { BigQueryApi, JobReference, JobResource } from './client';
import { BigQueryFailure, abortError, failureOf, jobFailure, sleep, taskError } from './errors';
import { isRetryable, nextDelayMs, type RetrySettings } from './retry';

const POLL_FIRST_MS = 50;
const POLL_MAX_MS = 2000;

const Continuation = z.object({
  bigquery: z.object({
    jobReference: z.object({ projectId: z.string(), jobId: z.string(), location: z.string().optional() }),
    tryNumber: z.number().int().positive(),
    startedAt: z.number(),
    /** False when the job is still to be sent, not before `notBefore` (a retry's delay outlived an invocation). */
    submitted: z.boolean().optional(),
    notBefore: z.number().optional(),
  }),
});
type Continuation = z.infer<typeof Continuation>;

export interface JobSpec {
  /** What the job is, for messages: "BigQuery query", "BigQuery load". */
  what: string;
  configuration: Record<string, unknown>;
  /** How the job is created when it is not a plain jobs.insert (a load with its data). */
  submit?: (ref: JobReference) => Promise<JobResource>;
  retry: RetrySettings;
  location: ErrorLocation;
  /** The property a failure is blamed on, when it depends on the failure (a source or a destination). */
  propertyOf?: (f: BigQueryFailure) => string | undefined;
}

const failed = (f: BigQueryFailure, spec: JobSpec) => {
  const property = spec.propertyOf?.(f);
  return taskError(f, spec.what, property ? { ...spec.location, property } : spec.location);
};

const sanitize = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_');

export function jobIdOf(ctx: TaskContext, tryNumber: number): string {
  return `kestra_${sanitize(ctx.taskRun.id)}_${ctx.taskRun.attempt}_${tryNumber}`;
}

/** The kestra_* labels Kestra sets on every job (lowercase, dots as underscores, at most 63 characters). */
export function kestraLabels(ctx: TaskContext): Record<string, string> {
  const label = (v: string) => v.replace(/\./g, '_').toLowerCase().slice(0, 63);
  return {
    kestra_namespace: label(ctx.execution.namespace),
    kestra_flow_id: label(ctx.execution.flowId),
    kestra_execution_id: label(ctx.execution.id),
    kestra_task_id: label(ctx.taskRun.taskId),
  };
}

async function insertOrAdopt(ctx: TaskContext, api: BigQueryApi, spec: JobSpec, ref: JobReference): Promise<JobResource> {
  try {
    return spec.submit ? await spec.submit(ref) : await api.call<JobResource>('POST', '/jobs', { body: { jobReference: ref, configuration: spec.configuration } });
  } catch (err) {
    const f = failureOf(err);
    if (f.status !== 409) throw f;
    ctx.logger.info(`Adopting job '${ref.jobId}' already started by this task run instead of submitting a duplicate`);
    return getJob(api, ref);
  }
}

const getJob = (api: BigQueryApi, ref: JobReference): Promise<JobResource> =>
  api.call<JobResource>('GET', `/jobs/${encodeURIComponent(ref.jobId)}`, { qs: ref.location ? { location: ref.location } : undefined });

async function cancel(ctx: TaskContext, api: BigQueryApi, ref: JobReference): Promise<void> {
  try {
    await api.call('POST', `/jobs/${encodeURIComponent(ref.jobId)}/cancel`, { qs: ref.location ? { location: ref.location } : undefined });
    ctx.logger.warn(`Cancelled job '${ref.jobId}'`);
  } catch (err) {
    ctx.logger.warn(`Could not cancel job '${ref.jobId}': ${failureOf(err).message}`);
  }
}

/** Polls until DONE; undefined when the deadline comes first. */
async function waitDone(ctx: TaskContext, api: BigQueryApi, job: JobResource): Promise<JobResource | undefined> {
  let delay = POLL_FIRST_MS;
  while (job.status?.state !== 'DONE') {
    if (ctx.now().getTime() + delay >= ctx.deadline.getTime()) return undefined;
    await sleep(delay, ctx.signal);
    delay = Math.min(delay * 2, POLL_MAX_MS);
    job = await getJob(api, job.jobReference);
  }
  return job;
}

/** The finished, successful job; or a Suspend naming it when the invocation must end first. */
export async function runJob(ctx: TaskContext, api: BigQueryApi, spec: JobSpec, continuation?: unknown): Promise<JobResource | Suspend> {
  const resumed = continuation === undefined ? undefined : Continuation.parse(continuation).bigquery;
  let tryNumber = resumed?.tryNumber ?? 1;
  const startedAt = resumed?.startedAt ?? ctx.now().getTime();
  let ref: JobReference = resumed?.jobReference ?? { projectId: api.projectId, jobId: jobIdOf(ctx, tryNumber), ...(api.location ? { location: api.location } : {}) };
  let job: JobResource | undefined = resumed && resumed.submitted !== false ? { jobReference: ref } : undefined;
  const handOver = (submitted: boolean, notBefore?: number): Suspend => {
    const next: Continuation = { bigquery: { jobReference: ref, tryNumber, startedAt, ...(submitted ? {} : { submitted, notBefore }) } };
    return { suspend: true, continuation: next };
  };
  /** Waits until `at`, or hands over when the invocation ends first. */
  const waitUntil = async (at: number): Promise<Suspend | undefined> => {
    const now = ctx.now().getTime();
    if (at <= now) return undefined;
    if (at >= ctx.deadline.getTime()) {
      // Sleep out this invocation rather than hand over at once: the next one starts right away.
      await sleep(Math.max(0, ctx.deadline.getTime() - now), ctx.signal);
      ctx.logger.info(`Next try of job '${ref.jobId}' is due after this invocation; handing over to a continuation`);
      return handOver(false, at);
    }
    await sleep(at - now, ctx.signal);
    return undefined;
  };
  if (resumed?.submitted === false && resumed.notBefore !== undefined) {
    const over = await waitUntil(resumed.notBefore);
    if (over) return over;
  }
  for (;;) {
    try {
      if (!job) {
        job = await insertOrAdopt(ctx, api, spec, ref);
        ref = { ...ref, ...job.jobReference };
        ctx.logger.debug(`Starting job '${ref.jobId}'`);
      }
      const done = await waitDone(ctx, api, job);
      if (!done) {
        ctx.logger.info(`Job '${ref.jobId}' is still running; handing over to a continuation`);
        return handOver(true);
      }
      job = done;
      const failed = jobFailure(done);
      if (failed) throw failed;
      return done;
    } catch (err) {
      if (ctx.signal.aborted) {
        if (job && job.status?.state !== 'DONE') await cancel(ctx, api, ref);
        throw abortError(ctx.signal);
      }
      if (!(err instanceof BigQueryFailure) && !isHttpError(err)) throw err;
      const f = failureOf(err);
      const where = job ? `job '${ref.jobId}'` : 'create job';
      ctx.logger.warn(`Error on ${where} with errors: ${f.errors.map((e) => `${e.reason}: ${e.message}`).join('; ')}`);
      if (!isRetryable(f, spec.retry)) throw failed(f, spec);
      const elapsed = ctx.now().getTime() - startedAt;
      const delay = nextDelayMs(spec.retry.policy, tryNumber, elapsed, ref.jobId);
      if (delay === undefined) {
        ctx.logger.error(`Stop retry, attempts ${tryNumber} elapsed ${Math.round(elapsed / 1000)} seconds`);
        throw failed(f, spec);
      }
      ctx.logger.warn(`Retrying, attempts ${tryNumber} elapsed ${Math.round(elapsed / 1000)} seconds`);
      if (f.transport) {
        // No answer: the job may exist. Poll it again, or send it again under the same id.
        if (job && !job.status) job = undefined;
      } else {
        tryNumber++;
        ref = { ...ref, jobId: jobIdOf(ctx, tryNumber) };
        job = undefined;
      }
      if (!job) {
        const over = await waitUntil(ctx.now().getTime() + delay);
        if (over) return over;
      } else await sleep(Math.min(delay, Math.max(0, ctx.deadline.getTime() - ctx.now().getTime())), ctx.signal);
    }
  }
}

const isHttpError = (err: unknown): boolean => !!err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'number';
