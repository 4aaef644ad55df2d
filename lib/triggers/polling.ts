// Polling triggers, as Kestra's PollingTriggerInterface (`interval`, `evaluate`): every `interval`, a
// trigger looks at a source (a Kafka group, a BigQuery query, a GCS folder) and may start one
// execution with what it found. The runtimes drive them with one core pass (runtime/core/polling.ts):
// each interval slot is claimed in the trigger state, so two scheduler invocations poll it once.
//
// Terms:
//   slot      the interval a poll belongs to: `now` rounded down to a multiple of `interval`.
//   state     what a trigger remembers between polls (a JSON object in the TriggerStateStore).
//   fire      start the execution of what a poll found; it exists once `fire` resolves, so a trigger
//             acknowledges its source (commits offsets, moves files) only afterwards.
import type { Execution } from '../model/execution';
import type { TaskContext } from '../plugins/types';
import type { PollState } from '../ports/trigger-state';
import type { ParsedTriggerOf, TriggerKind } from './catalog';

/** The trigger kinds that poll, each with its implementation in `PollingTriggers`. */
export const PollingKind = { Kafka: 'Kafka', BigQuery: 'BigQuery', Gcs: 'Gcs', Http: 'Http' } as const satisfies Partial<Record<TriggerKind, TriggerKind>>;
export type PollingKind = (typeof PollingKind)[keyof typeof PollingKind];

export type FireOutcome =
  | { status: 'started'; execution: Execution }
  /** An execution with this id exists: an earlier poll of the same items started it. */
  | { status: 'duplicate' }
  /** The trigger's conditions do not hold: nothing started. */
  | { status: 'skipped' };

export interface PollContext {
  now: Date;
  /**
   * The id of the execution a poll starts: derived from `found` when given (so the same items found
   * again, after a crash or by an overlapping poll, name the same execution), else from the slot.
   */
  executionId(found?: readonly string[]): string;
  /** A task context whose stored files belong to execution `executionId`. */
  task(executionId: string): TaskContext;
  /**
   * Folds the trigger's state now, before the poll ends (to note a batch before starting it, say);
   * resolves to the state stored.
   */
  update(fold: StateFold): Promise<PollState | null>;
  /** The current state of an execution (a trigger's `stopAfter` watches those it started); undefined when unknown. */
  executionState(executionId: string): Promise<string | undefined>;
  /** Starts the execution with `trigger.*` = `variables`, unless its conditions do not hold. */
  fire(executionId: string, variables: Record<string, unknown>): Promise<FireOutcome>;
}

/** How the trigger state changes after a poll: a pure fold (it may run again on a lost race); absent, unchanged. */
export type StateFold = (current: PollState | null) => PollState | null;

export interface PollingTrigger<K extends PollingKind> {
  /** The first part of the ids this trigger derives, so two kinds never share an id. */
  idPrefix: string;
  /** Whether the parsed trigger polls (a Kafka RealtimeTrigger, of the same kind, does not). */
  polls(trigger: ParsedTriggerOf<K>): boolean;
  intervalMs(trigger: ParsedTriggerOf<K>): number;
  /** One poll: Kestra's `evaluate`. Properties are rendered by the trigger itself, through `ctx.task(...).render`. */
  poll(ctx: PollContext, trigger: ParsedTriggerOf<K>, state: PollState | null): Promise<{ state?: StateFold }>;
}

/** The implementation of every polling kind: a kind added to `PollingKind` without one does not compile. */
export type PollingTriggers = { readonly [K in PollingKind]: PollingTrigger<K> };

export const isPollingKind = (kind: string): kind is PollingKind => Object.values<string>(PollingKind).includes(kind);

/** The start of the interval slot `now` falls in: the date a poll is claimed for. */
export const pollSlot = (intervalMs: number, now: Date): Date => new Date(Math.floor(now.getTime() / intervalMs) * intervalMs);
