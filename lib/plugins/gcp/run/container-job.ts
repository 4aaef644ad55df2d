// A DOCKER step in the cloud: one Cloud Run Job execution of the image, where a worker function has
// no Docker engine. Used by Singer and the script tasks through `runInRunner` when the runtime's
// ALOFT_CLOUD_RUN_REGION is set (infra/ sets it for worker-singer and worker-scripts).
// - The working directory travels through the internal storage bucket (./job-files.ts), mounted at
//   the same path inside the job.
// - The job's log lines (Cloud Logging, resource cloud_run_job) come back as the step's lines.
// - Kill (or the attempt's timeout) cancels the execution; the job is deleted once it ended.
// - Before the invocation's deadline the step hands over to a continuation (./hand-over.ts), and the
//   next invocation waits on the same execution, tailing its logs from the cursor.
import { AloftError, ErrorCode } from '../../../model/errors';
import type { ProcessEnd } from '../../scripts/process';
import type { LogLevel, TaskContext, TaskLogger } from '../../types';
import { abortError, sleep } from '../bigquery/errors';
import { loggingService } from '../vertexai/clients';
import { LogTail } from '../vertexai/log-tail';
import { runClients, type RunClients, type RunExecution } from './clients';
import { containerSteps, HandOver } from './hand-over';
import { gcsJobFiles, type JobFiles } from './job-files';

/** Cloud Run is polled every 5 s; ALOFT_CLOUD_RUN_POLL_MS changes it (tests). */
const POLL_MS = 5_000;
const MOUNT_VOLUME = 'aloft-work';
/** The bucket folder of the job files (infra/storage.tf's lifecycle rule deletes what is left there). */
export const JOBS_PREFIX = '_jobs';
/**
 * Cloud Run's own limit on an execution (24 h): the task's timeout is Aloft's to enforce (a kill
 * cancels the execution), and an invocation's deadline only hands the wait over.
 */
const JOB_TIMEOUT_S = 86_400;

export const usesCloudRun = (env: Readonly<Record<string, string | undefined>>): boolean => !!env.ALOFT_CLOUD_RUN_REGION;

export interface ContainerStep {
  image: string;
  /** Interpreter and arguments (`/bin/sh -c <line>`). */
  command: readonly string[];
  env: Record<string, string>;
  /** The task's working directory, the same path inside the job. */
  dir: string;
  /** Numbers the steps of one attempt (each is its own job). */
  step: number;
}

export interface CloudRunDeps {
  clients?: RunClients;
  files?: JobFiles;
}

/** Job ids: lowercase letters, digits and hyphens, starting with a letter, at most 63 characters. */
export function jobIdOf(taskRunId: string, attempt: number, step: number): string {
  const base = `aloft-${taskRunId}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 50).replace(/-+$/, '');
  return `${base}-${attempt}-${step}`;
}

/** The Job resource: one task, no retry (Aloft retries), the bucket folder mounted at the directory. */
export function jobSpecOf(s: ContainerStep, bucket: string, prefix: string, serviceAccount: string | undefined, timeoutS: number): Record<string, unknown> {
  return {
    labels: { 'managed-by': 'aloft' },
    template: {
      taskCount: 1,
      parallelism: 1,
      template: {
        maxRetries: 0,
        timeout: { seconds: String(Math.max(1, timeoutS)) },
        ...(serviceAccount ? { serviceAccount } : {}),
        containers: [{
          image: s.image,
          command: [s.command[0]],
          args: s.command.slice(1),
          env: Object.entries(s.env).map(([name, value]) => ({ name, value })),
          workingDir: s.dir,
          volumeMounts: [{ name: MOUNT_VOLUME, mountPath: s.dir }],
        }],
        volumes: [{ name: MOUNT_VOLUME, gcs: { bucket, readOnly: false, mountOptions: [`only-dir=${prefix}`] } }],
      },
    },
  };
}

function settings(ctx: TaskContext): { projectId: string; region: string; bucket: string; serviceAccount?: string } {
  const projectId = ctx.env.GOOGLE_CLOUD_PROJECT ?? ctx.env.GCLOUD_PROJECT;
  const region = ctx.env.ALOFT_CLOUD_RUN_REGION ?? '';
  const bucket = ctx.env.ALOFT_BUCKET;
  if (!projectId || !bucket) {
    throw new AloftError(ErrorCode.CONFIG_INVALID, 'running a container as a Cloud Run Job needs GOOGLE_CLOUD_PROJECT and ALOFT_BUCKET', { property: 'taskRunner' });
  }
  return { projectId, region, bucket, serviceAccount: ctx.env.ALOFT_CLOUD_RUN_SERVICE_ACCOUNT || undefined };
}

/** Exit code of an ended execution: 0 when its task succeeded, else the code its condition names (1 if none). */
export function exitCodeOf(e: RunExecution): number {
  if ((e.succeededCount ?? 0) > 0) return 0;
  for (const c of e.conditions ?? []) {
    const m = /exit code:? (\d+)/i.exec(c.message ?? '');
    if (m) return Number(m[1]);
  }
  return 1;
}

/** A logger whose lines go to the step's line handler (Singer's stderr tail, the scripts' protocol). */
function lineLogger(onLine: (line: string, stderr: boolean) => void): TaskLogger {
  const log = (level: LogLevel, message: string): void => onLine(message, level !== 'INFO' && level !== 'DEBUG');
  return {
    log, debug: (m: string) => log('DEBUG', m), info: (m: string) => log('INFO', m), warn: (m: string) => log('WARN', m), error: (m: string) => log('ERROR', m),
  } as TaskLogger;
}

export async function runContainerJob(
  ctx: TaskContext, s: ContainerStep, onLine: (line: string, stderr: boolean) => void, deps: CloudRunDeps = {},
): Promise<ProcessEnd> {
  const cfg = settings(ctx);
  const steps = containerSteps(ctx);
  const resumed = steps.resumed;
  const files = (steps.files ??= deps.files ?? gcsJobFiles(cfg.bucket, cfg.projectId));
  const prefix = (steps.prefix = `${JOBS_PREFIX}/${jobIdOf(ctx.taskRun.id, ctx.taskRun.attempt, 0)}`);
  if (resumed && s.step <= resumed.step && !steps.restored) {
    // What the steps before wrote, and the directory as the last hand-over left it.
    await files.download(prefix, s.dir);
    steps.restored = true;
  }
  // Ended in an earlier invocation (with exit code 0, or the task would have ended there).
  if (resumed && s.step < resumed.step) return { exitCode: 0, signal: null };
  const { jobs, executions } = deps.clients ?? runClients(cfg.projectId, ctx.env);
  const jobId = jobIdOf(ctx.taskRun.id, ctx.taskRun.attempt, s.step);
  const parent = `projects/${cfg.projectId}/locations/${cfg.region}`;
  // The jobs mount the bucket where the first invocation's directory was: the virtualenv names it.
  const mountDir = resumed?.dir ?? s.dir;

  const logging = loggingService({ projectId: cfg.projectId, scopes: ['https://www.googleapis.com/auth/cloud-platform'], env: ctx.env });
  // The lean Logging client sets its channel up once, before the first tail; before the job exists, so a
  // failure leaves nothing to delete.
  await logging.ready();
  const again = resumed?.step === s.step ? resumed : undefined;
  let jobName: string;
  let sinceNs: bigint;
  if (again) {
    jobName = again.job;
    sinceNs = BigInt(again.sinceNs);
    ctx.logger.debug(`Resuming the wait on Cloud Run execution ${again.execution}`);
  } else {
    await files.upload(s.dir, prefix);
    const [created] = await jobs.createJob({ parent, jobId, job: jobSpecOf({ ...s, dir: mountDir }, files.bucket, prefix, cfg.serviceAccount, JOB_TIMEOUT_S) });
    const [job] = await created.promise();
    jobName = job.name ?? `${parent}/jobs/${jobId}`;
    ctx.logger.info(`Cloud Run job ${jobName} created for image ${s.image}`);
    sinceNs = BigInt(ctx.now().getTime()) * 1_000_000n;
  }
  const tail = new LogTail({
    api: logging,
    projectId: cfg.projectId, logger: lineLogger(onLine), sinceNs, cursor: again?.cursor,
    filter: `resource.type="cloud_run_job" AND resource.labels.job_name="${jobName.slice(jobName.lastIndexOf('/') + 1)}"`,
  });
  let execution = again?.execution ?? '';
  let handedOver = false;
  try {
    if (!again) {
      const [run] = await jobs.runJob({ name: jobName });
      // The operation's metadata is the execution; its name is all the runner needs.
      execution = (run.metadata as RunExecution | undefined)?.name ?? (await run.promise())[0].name ?? '';
    }
    tail.start();
    const pollMs = Number(ctx.env.ALOFT_CLOUD_RUN_POLL_MS) > 0 ? Number(ctx.env.ALOFT_CLOUD_RUN_POLL_MS) : POLL_MS;
    let ended: RunExecution | undefined;
    while (!ended) {
      let e: RunExecution | undefined;
      try {
        [e] = await executions.getExecution({ name: execution });
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        // A failed poll is not the job's failure: the next poll tells.
        ctx.logger.warn(`Could not read Cloud Run execution ${execution} (${(err as Error).message}); trying again at the next poll`);
      }
      if (e?.completionTime) {
        ended = e;
        break;
      }
      const left = ctx.deadline.getTime() - ctx.now().getTime();
      if (left <= pollMs) {
        await sleep(Math.max(0, left), ctx.signal);
        const cursor = await tail.stop();
        ctx.logger.debug(`Cloud Run execution ${execution} is still running; handing over to a continuation`);
        handedOver = true;
        throw new HandOver({
          cloudRun: { step: s.step, job: jobName, execution, sinceNs: String(sinceNs), cursor, dir: mountDir, carry: steps.carry?.() },
        });
      }
      await sleep(pollMs, ctx.signal);
    }
    await tail.stop();
    await files.download(prefix, s.dir);
    return { exitCode: exitCodeOf(ended), signal: null };
  } catch (err) {
    if (handedOver) throw err;
    await tail.stop().catch(() => undefined);
    if (ctx.signal.aborted) {
      if (execution) {
        await executions.cancelExecution({ name: execution }).then(
          () => ctx.logger.warn(`Cancelled Cloud Run execution ${execution}`),
          (e: unknown) => ctx.logger.warn(`Could not cancel Cloud Run execution ${execution}: ${(e as Error).message}`),
        );
      }
      throw abortError(ctx.signal);
    }
    throw err;
  } finally {
    if (!handedOver) {
      await jobs.deleteJob({ name: jobName }).then(([op]) => op.promise()).catch((e: unknown) => ctx.logger.warn(`Could not delete Cloud Run job ${jobName}: ${(e as Error).message}`));
    }
  }
}
