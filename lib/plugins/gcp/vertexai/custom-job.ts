// io.kestra.plugin.gcp.vertexai.CustomJob: starts a Vertex AI custom training job, streams its logs
// into the task's logs, polls it until it ends (every 30 s, as Kestra does), deletes it when `delete`
// is set, and fails with the final job's error when it did not succeed (Kestra 0.4 looked at the
// create response instead, so a failed job passed; not here).
// - Kill cancels the job.
// - Before the invocation's deadline the task hands over a continuation carrying the job's name and
//   the log cursor; the next invocation resumes polling and tailing with no line lost or repeated.
import { z } from 'zod';
import { AloftError, ErrorCode, type ErrorLocation } from '../../../model/errors';
import type { Suspend, TaskContext } from '../../types';
import { abortError, sleep } from '../bigquery/errors';
import { connection, isoOfTimestamp, jobService, loggingService, type JobServiceApi, type VertexCustomJob } from './clients';
import { grpcCodeOf, isTransient, statusName, vertexCallError } from './errors';
import { LogTail } from './log-tail';
import { VERTEX_REGIONS } from './regions';
import type { CustomJobOutputs, CustomJobProperties } from './schema';

/** Kestra polls the job every 30 s; ALOFT_VERTEXAI_POLL_MS changes it (tests, benchmarks). */
const POLL_MS = 30_000;

const JOB_STATES = [
  'JOB_STATE_UNSPECIFIED', 'JOB_STATE_QUEUED', 'JOB_STATE_PENDING', 'JOB_STATE_RUNNING', 'JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED',
  'JOB_STATE_CANCELLING', 'JOB_STATE_CANCELLED', 'JOB_STATE_PAUSED', 'JOB_STATE_EXPIRED', 'JOB_STATE_UPDATING', 'JOB_STATE_PARTIALLY_SUCCEEDED',
] as const;

const Continuation = z.object({
  vertexai: z.object({
    name: z.string(),
    /** The job's creation, in nanoseconds since the epoch: where the first log read starts. */
    sinceNs: z.string(),
    cursor: z.object({ ns: z.string(), ids: z.array(z.string()) }).optional(),
  }),
});
type Continuation = z.infer<typeof Continuation>;

export const locationOf = (ctx: TaskContext): ErrorLocation => ({ flow: `${ctx.execution.namespace}.${ctx.execution.flowId}`, task: ctx.taskRun.taskId });

export function checkRegion(region: string, location: ErrorLocation): void {
  if (!VERTEX_REGIONS.has(region)) {
    throw new AloftError(ErrorCode.FLOW_INVALID, `unknown Vertex AI region '${region}'; expected one of ${[...VERTEX_REGIONS].join(', ')}`, { ...location, property: 'region' });
  }
}

const stateOf = (job: VertexCustomJob): string => (typeof job.state === 'number' ? JOB_STATES[job.state] ?? String(job.state) : job.state ?? 'JOB_STATE_UNSPECIFIED');

function outputsOf(job: VertexCustomJob): CustomJobOutputs {
  const end = isoOfTimestamp(job.endTime);
  return {
    name: job.name ?? '',
    createDate: isoOfTimestamp(job.createTime) ?? '',
    updateDate: isoOfTimestamp(job.updateTime) ?? '',
    ...(end ? { endDate: end } : {}),
    state: stateOf(job),
  };
}

/** The spec as Vertex AI's CustomJobSpec message takes it. */
export function jobSpecOf(spec: CustomJobProperties['spec']): Record<string, unknown> {
  const scheduling = spec.scheduling;
  return {
    workerPoolSpecs: spec.workerPoolSpecs.map((w) => ({
      containerSpec: {
        imageUri: w.containerSpec.imageUri,
        command: w.containerSpec.commands ?? [],
        args: w.containerSpec.args ?? [],
        env: Object.entries(w.containerSpec.env ?? {}).map(([name, value]) => ({ name, value })),
      },
      machineSpec: w.machineSpec,
      ...(w.discSpec ? { diskSpec: w.discSpec } : {}),
      replicaCount: String(w.replicaCount ?? 1),
      ...(w.pythonPackageSpec ? {
        pythonPackageSpec: {
          packageUris: w.pythonPackageSpec.packageUris, args: w.pythonPackageSpec.args,
          env: Object.entries(w.pythonPackageSpec.envs).map(([name, value]) => ({ name, value })),
        },
      } : {}),
    })),
    ...(spec.serviceAccount ? { serviceAccount: spec.serviceAccount } : {}),
    ...(spec.network ? { network: spec.network } : {}),
    ...(spec.tensorboard ? { tensorboard: spec.tensorboard } : {}),
    ...(spec.enableWebAccess !== undefined ? { enableWebAccess: spec.enableWebAccess } : {}),
    ...(scheduling ? { scheduling: { timeout: durationOf(scheduling.timeOut), restartJobOnWorkerRestart: scheduling.restartJobOnWorkerRestart } } : {}),
    ...(spec.baseOutputDirectory ? { baseOutputDirectory: spec.baseOutputDirectory } : {}),
  };
}

/** An ISO-8601 duration (PT1H30M) as a protobuf Duration. */
function durationOf(iso: string): { seconds: string } {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(iso);
  const [d, h, min, s] = (m ?? []).slice(1).map((v) => Number(v ?? 0));
  return { seconds: String(Math.round(((d * 24 + h) * 60 + min) * 60 + s)) };
}

const nsOfIso = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;

export async function runCustomJob(ctx: TaskContext, p: CustomJobProperties, continuation?: unknown): Promise<CustomJobOutputs | Suspend> {
  const location = locationOf(ctx);
  checkRegion(p.region, location);
  const conn = connection(ctx, p, location);
  const resumed = continuation === undefined ? undefined : Continuation.parse(continuation).vertexai;
  const jobs = jobService(conn, p.region);
  let name: string;
  let sinceNs: bigint;
  if (!resumed) {
    const parent = `projects/${conn.projectId}/locations/${p.region}`;
    let created: VertexCustomJob;
    try {
      [created] = await jobs.createCustomJob({ parent, customJob: { displayName: p.displayName, jobSpec: jobSpecOf(p.spec) } });
    } catch (err) {
      throw vertexCallError(err, `Creating the Vertex AI custom job '${p.displayName}'`, location);
    }
    name = created.name ?? '';
    ctx.logger.info(`Job created with name ${name}`);
    if (created.webAccessUris && Object.keys(created.webAccessUris).length) ctx.logger.info(`Web access: ${JSON.stringify(created.webAccessUris)}`);
    if (p.wait === false) return outputsOf(created);
    sinceNs = nsOfIso(isoOfTimestamp(created.createTime) ?? ctx.now().toISOString());
  } else {
    name = resumed.name;
    sinceNs = BigInt(resumed.sinceNs);
    ctx.logger.debug(`Resuming the wait on job ${name}`);
  }
  return waitFor(ctx, p, jobs, conn, name, sinceNs, resumed, location);
}

async function waitFor(
  ctx: TaskContext, p: CustomJobProperties, jobs: JobServiceApi, conn: ReturnType<typeof connection>, name: string, sinceNs: bigint,
  resumed: Continuation['vertexai'] | undefined, location: ErrorLocation,
): Promise<CustomJobOutputs | Suspend> {
  const logging = loggingService(conn);
  try {
    await logging.ready();
  } catch (err) {
    throw vertexCallError(err, 'Connecting to Cloud Logging for the job\'s logs', location);
  }
  const id = name.slice(name.lastIndexOf('/') + 1);
  const tail = new LogTail({
    api: logging, projectId: conn.projectId, logger: ctx.logger, sinceNs, cursor: resumed?.cursor,
    filter: `resource.labels.job_id="${id}" AND resource.type="ml_job"`,
  });
  const pollMs = Number(ctx.env.ALOFT_VERTEXAI_POLL_MS) > 0 ? Number(ctx.env.ALOFT_VERTEXAI_POLL_MS) : POLL_MS;
  const started = ctx.now().getTime();
  tail.start();
  let final: VertexCustomJob | undefined;
  try {
    for (;;) {
      let current: VertexCustomJob | undefined;
      try {
        [current] = await jobs.getCustomJob({ name });
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        if (!isTransient(err)) throw vertexCallError(err, `Reading the Vertex AI custom job '${name}'`, location);
        ctx.logger.warn(`Could not read job ${name} (${statusName(grpcCodeOf(err))}); trying again at the next poll`);
      }
      if (current?.endTime) {
        final = current;
        break;
      }
      const now = ctx.now().getTime();
      const left = ctx.deadline.getTime() - now;
      if (left <= pollMs) {
        await sleep(Math.max(0, left), ctx.signal);
        const cursor = await tail.stop();
        ctx.logger.debug(`Job ${name} is still running; handing over to a continuation`);
        const next: Continuation = { vertexai: { name, sinceNs: String(sinceNs), cursor } };
        return { suspend: true, continuation: next };
      }
      await sleep(pollMs, ctx.signal);
    }
  } catch (err) {
    await tail.stop().catch(() => undefined);
    if (ctx.signal.aborted) {
      await cancel(ctx, jobs, name);
      throw abortError(ctx.signal);
    }
    throw err;
  } finally {
    if (final) await tail.stop().catch((err: unknown) => ctx.logger.warn(`Could not read the job's last log lines: ${(err as Error).message}`));
  }
  const outputs = outputsOf(final);
  ctx.logger.info(`Job ${name} ended in ${Math.round((ctx.now().getTime() - started) / 1000)}s with status ${outputs.state}`);
  if (p.delete !== false) {
    try {
      const [operation] = await jobs.deleteCustomJob({ name });
      await operation.promise();
      ctx.logger.info(`Job ${name} is deleted`);
    } catch (err) {
      throw vertexCallError(err, `Deleting the Vertex AI custom job '${name}'`, location);
    }
  }
  if (outputs.state !== 'JOB_STATE_SUCCEEDED') {
    const e = final.error;
    const why = e?.message ? `: ${statusName(e.code)}: ${e.message}` : '';
    throw new AloftError(ErrorCode.TASK_FAILED, `Vertex AI custom job '${name}' ended with state ${outputs.state}${why}`, location);
  }
  return outputs;
}

async function cancel(ctx: TaskContext, jobs: JobServiceApi, name: string): Promise<void> {
  try {
    await jobs.cancelCustomJob({ name });
    ctx.logger.warn(`Cancelled job ${name}`);
  } catch (err) {
    ctx.logger.warn(`Could not cancel job ${name}: ${(err as Error).message}`);
  }
}
