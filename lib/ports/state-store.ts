// Execution state. Every change is a version-guarded transaction; events queue in an inbox
// and effects leave through an outbox, so nothing is lost between commit and publish.
import type { Execution } from '../model/execution';
import type { ExecutionEvent } from '../model/events';
import type { Effect } from '../model/effects';
import { AloftError, ErrorCode } from '../model/errors';
import { isTerminal, type State } from '../model/states';
import type { SlotClaim, SlotHolder, SlotOutcome, SlotRelease } from '../model/concurrency-slots';

export interface PendingEvent {
  /** Idempotency key: a second append with the same key is ignored. */
  key: string;
  event: ExecutionEvent;
  at: string;
}

/** An execution without its task runs. */
export type ExecutionHeader = Omit<Execution, 'taskRunList'>;

export interface OutboxEntry {
  id: string;
  executionId: string;
  effect: Effect;
  createdAt: string;
}

export interface TransactOutcome {
  execution: Execution;
  effects: Effect[];
}

export interface ExecutionFilter {
  namespace?: string;
  flowId?: string;
  states?: State[];
  /** ISO dates on the execution's start. */
  from?: string;
  to?: string;
  pageSize?: number;
  /** Opaque token from a previous page. */
  pageToken?: string;
}

export interface ExecutionPage {
  executions: Execution[];
  nextPageToken?: string;
}

/** A flow's concurrency slots as stored: who holds one and who waits, oldest first. */
export interface FlowSlots {
  running: SlotHolder[];
  queued: SlotHolder[];
}

export interface StateStore {
  /** Saves a new execution and queues its first event. CONFLICT if the id exists. */
  create(execution: Execution, first: PendingEvent): Promise<void>;

  get(executionId: string): Promise<Execution | null>;

  /**
   * The execution without its task runs: which flow and revision it runs, never changing. Cheaper than
   * `get`, and an adapter may answer from what it last saw, so its state may be behind.
   */
  getHeader(executionId: string): Promise<ExecutionHeader | null>;

  /** Queues an event for the execution. Returns false when the key was already queued or consumed. NOT_FOUND for an unknown execution. */
  append(executionId: string, pending: PendingEvent): Promise<boolean>;

  /** True when events wait in the execution's inbox. */
  hasPending(executionId: string): Promise<boolean>;

  /**
   * Runs `fold` on the stored execution and its pending events (oldest first). Atomically: saves the
   * returned execution with `version + 1`, consumes the events it was given, and puts the effects in the
   * outbox. `fold` returning null changes nothing. Rejects with CONFLICT (retryable) if another writer won.
   * `fold` must be pure: it may run more than once.
   */
  transact(
    executionId: string,
    fold: (execution: Execution, pending: readonly PendingEvent[]) => TransactOutcome | null,
    now: Date,
  ): Promise<{ execution: Execution; outbox: OutboxEntry[] } | null>;

  /** Removes effects that were published. */
  ackOutbox(entries: readonly OutboxEntry[]): Promise<void>;

  /** Effects committed before `olderThan` and never acknowledged, oldest first. */
  unpublished(olderThan: Date, limit: number): Promise<OutboxEntry[]>;

  list(filter: ExecutionFilter): Promise<ExecutionPage>;

  /**
   * The page token of the matches after the first `n` (from `filter.pageToken` when given), without
   * reading the executions it skips (a page by number); undefined when no match is left to skip to.
   */
  tokenAfter(filter: ExecutionFilter, n: number): Promise<string | undefined>;

  // A flow's `concurrency` (lib/model/concurrency-slots.ts): one record per flow, changed in one
  // transaction per call, so that concurrent claims never hand out more than `limit` slots.

  /** Claims a slot for an execution. Claiming again (same claimId) answers the same, as does a claim already released. */
  claimSlot(claim: SlotClaim): Promise<SlotOutcome>;

  /** Gives a claim's slot back, or withdraws it from the queue; returns the claims promoted. Releasing again returns the same. */
  releaseSlot(release: SlotRelease): Promise<SlotHolder[]>;

  /** The flow's slots now. */
  flowSlots(namespace: string, flowId: string): Promise<FlowSlots>;
  /** How many executions match the filter (its page fields are ignored): the `total` of a search. */
  count(filter: ExecutionFilter): Promise<number>;

  /**
   * Deletes an ended execution with its task runs and events. False when it does not exist; CONFLICT
   * while it has not ended (or still has events pending), since its workers and effects would outlive it.
   */
  delete(executionId: string): Promise<boolean>;
}

/** The check every adapter's `delete` makes: CONFLICT for an execution that has not ended or still has events pending. */
export function assertDeletable(execution: Pick<Execution, 'id' | 'state'>, pending: boolean): void {
  if (!isTerminal(execution.state.current)) {
    throw new AloftError(ErrorCode.CONFLICT, `execution ${execution.id} is ${execution.state.current}; kill it, or wait for it to end, before deleting it`);
  }
  if (pending) throw new AloftError(ErrorCode.CONFLICT, `execution ${execution.id} still has events pending; delete it once they are folded`);
}
