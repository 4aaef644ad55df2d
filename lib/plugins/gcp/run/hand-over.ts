// How a task whose container steps run as Cloud Run Jobs outlives one function invocation, and what
// it leaves in the bucket when it ends.
// - Before the deadline, the step that waits on its execution throws a HandOver carrying the step's
//   number, the job, the execution, the log cursor and the working directory the job mounts;
//   `withContainerJobs` turns it into the task's Suspend, as CustomJob's continuation.
// - The next invocation runs the task again from the top. Its code before and between the steps only
//   writes files from the properties, so running it again is harmless; each step that ended before is
//   skipped (its files are in the bucket, brought back once), the running one is waited on again with
//   its logs tailed from the cursor, and later steps mount the bucket at the first invocation's path
//   (the virtualenv's scripts name it).
// - A caller may carry what it read from the lines so far (`carry`), e.g. the scripts' outputs.
// - When the task ends (success, failure or kill), its `_jobs/` folder is removed from the bucket.
import { z } from 'zod';
import type { Suspend, TaskContext } from '../../types';
import type { JobFiles } from './job-files';

export const ContainerContinuation = z.object({
  cloudRun: z.object({
    /** The step that was running (1-based, as ContainerStep.step). */
    step: z.number().int().positive(),
    job: z.string(),
    execution: z.string(),
    /** The job's start, in nanoseconds since the epoch, and the newest log line delivered. */
    sinceNs: z.string(),
    cursor: z.object({ ns: z.string(), ids: z.array(z.string()) }),
    /** The working directory as the jobs mount it. */
    dir: z.string(),
    carry: z.unknown().optional(),
  }),
});
export type ContainerContinuation = z.infer<typeof ContainerContinuation>;
export type ResumedStep = ContainerContinuation['cloudRun'];

/** Thrown by a waiting step when the invocation's deadline comes before the execution's end. */
export class HandOver extends Error {
  constructor(readonly continuation: ContainerContinuation) {
    super('handing the Cloud Run execution over to a continuation');
  }
}

/** What one invocation of one task knows of its container steps. */
export interface ContainerSteps {
  /** Steps asked for so far by this invocation (skipped ones included). */
  count: number;
  resumed?: ResumedStep;
  /** Whether the bucket's files were brought into this invocation's directory. */
  restored: boolean;
  /** The bucket folder, once a step ran (or was resumed) in the cloud. */
  prefix?: string;
  files?: JobFiles;
  /** What the caller carries across a hand-over. */
  carry?: () => unknown;
}

const byContext = new WeakMap<TaskContext, ContainerSteps>();

export function containerSteps(ctx: TaskContext): ContainerSteps {
  let s = byContext.get(ctx);
  if (!s) byContext.set(ctx, (s = { count: 0, restored: false }));
  return s;
}

/** What the caller carried over from the previous invocation, if any; `save` gives it at the next hand-over. */
export function carryOver(ctx: TaskContext, save: () => unknown): unknown {
  const s = containerSteps(ctx);
  s.carry = save;
  return s.resumed?.carry;
}

/**
 * Runs a task whose steps may run as Cloud Run Jobs: resumes from `continuation`, hands over to a new
 * one, and removes the task's bucket folder once it ends for good.
 */
export async function withContainerJobs<O>(ctx: TaskContext, continuation: unknown, body: () => Promise<O>): Promise<O | Suspend> {
  const s = containerSteps(ctx);
  if (continuation !== undefined) s.resumed = ContainerContinuation.parse(continuation).cloudRun;
  let handedOver = false;
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof HandOver)) throw err;
    handedOver = true;
    return { suspend: true, continuation: err.continuation };
  } finally {
    if (!handedOver) await removeFolder(ctx, s);
  }
}

async function removeFolder(ctx: TaskContext, s: ContainerSteps): Promise<void> {
  if (!s.prefix || !s.files) return;
  try {
    await s.files.remove(s.prefix);
  } catch (err) {
    // The bucket's lifecycle rule (infra/storage.tf) removes what is left.
    ctx.logger.warn(`Could not remove the job files under ${s.prefix}: ${(err as Error).message}`);
  }
}
