// The `worker-<group>` functions: one Pub/Sub message asks for one attempt of one task run. The
// message is decoded and checked (a bad one is dead-lettered with its reason and acknowledged), then
// the shared worker handler claims the attempt, runs it with heartbeats and appends its result. The
// attempt gets a deadline a little before the function's own limit, so a resumable task hands its
// handle to a continuation message instead of being cut off.
import { ErrorCode, toErrorData } from '../../model/errors';
import type { WorkerTask } from '../../model/worker-messages';
import type { Clock } from '../../ports';
import type { DeadLetter } from '../../ports/task-queue';
import type { CloudLog } from './log';
import { handleWorkerTask, type WorkerHandlerDeps } from '../core/worker-handler';
import { pending } from '../core/events';
import type { LoneEventStore } from './lone-events';

export type DecodedWorkerMessage =
  /** `alone`: the transport's lone hint (lone-events.ts): the result is appended for the executor to fold by name. */
  | { ok: true; task: WorkerTask; messageId?: string; alone?: boolean }
  | { ok: false; reason: string; data: string; attributes?: Record<string, string>; messageId?: string };

export interface CloudWorkerDeps {
  handler: WorkerHandlerDeps;
  /** Reads a `messagePublished` CloudEvent (or a raw push body) into a worker task. */
  decode(event: unknown): Promise<DecodedWorkerMessage> | DecodedWorkerMessage;
  /** Publishes a refused message to the group's dead-letter topic. */
  deadLetter(letter: DeadLetter): Promise<void>;
  /** Where a lone result is appended (lone-events.ts). */
  lone: Pick<LoneEventStore, 'appendAlone'>;
  log: CloudLog;
  clock: Clock;
  functionTimeoutMs: number;
  deadlineMarginMs: number;
}

export const WorkerStatus = { ran: 'ran', deadLettered: 'dead-lettered', failed: 'failed' } as const;
export type WorkerStatus = (typeof WorkerStatus)[keyof typeof WorkerStatus];

/** Codes after which the same message may succeed later: thrown so that Pub/Sub delivers it again. */
const RETRY: ReadonlySet<string> = new Set([ErrorCode.INFRA_RETRYABLE, ErrorCode.CONFLICT]);

/** When this invocation must hand over: the function's limit minus a margin (never less than half the limit). */
export function invocationDeadline(startedAt: Date, timeoutMs: number, marginMs: number): Date {
  return new Date(startedAt.getTime() + Math.max(timeoutMs - marginMs, timeoutMs / 2));
}

export async function handleWorkerEvent(deps: CloudWorkerDeps, group: string, event: unknown): Promise<WorkerStatus> {
  const startedAt = deps.clock.now();
  const decoded = await deps.decode(event);
  if (!decoded.ok) return deadLetter(deps, group, decoded);
  const { task } = decoded;
  if (task.group !== group) {
    return deadLetter(deps, group, {
      ok: false, reason: `a task of group ${task.group} (${task.type}) arrived on the topic of group ${group}`, data: JSON.stringify(task),
      attributes: { executionId: task.executionId, taskRunId: task.taskRunId, attempt: String(task.attempt) }, messageId: decoded.messageId,
    });
  }
  const labels = { executionId: task.executionId, taskRunId: task.taskRunId };
  try {
    await handleWorkerTask(deps.handler, task, {
      deadline: invocationDeadline(startedAt, deps.functionTimeoutMs, deps.deadlineMarginMs),
      ...(decoded.alone ? { appendResult: (id, event) => deps.lone.appendAlone(id, pending(event, deps.clock.now(), () => deps.handler.ids.next())) } : {}),
    });
    return WorkerStatus.ran;
  } catch (err) {
    const code = toErrorData(err).code;
    if (code === ErrorCode.NOT_FOUND) {
      deps.log.warn(`worker-${group}: execution ${task.executionId} is gone; task ${task.taskId} is dropped`, labels);
      return WorkerStatus.failed;
    }
    if (RETRY.has(code)) {
      deps.log.warn(`worker-${group}: task ${task.taskId} of execution ${task.executionId} will be delivered again (${code})`, labels);
      throw err;
    }
    deps.log.error(`worker-${group}: task ${task.taskId} of execution ${task.executionId} failed outside the task`, err, labels);
    return WorkerStatus.failed;
  }
}

async function deadLetter(deps: CloudWorkerDeps, group: string, bad: Extract<DecodedWorkerMessage, { ok: false }>): Promise<WorkerStatus> {
  deps.log.error(`worker-${group}: message ${bad.messageId ?? '(no id)'} refused and dead-lettered`, { code: ErrorCode.MESSAGE_INVALID, message: bad.reason },
    {}, { messageId: bad.messageId });
  // If dead-lettering fails this throws, and the message comes back: it is never dropped silently.
  await deps.deadLetter({ group, reason: bad.reason, data: bad.data, ...(bad.attributes ? { attributes: bad.attributes } : {}) });
  return WorkerStatus.deadLettered;
}
