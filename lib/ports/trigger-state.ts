// Trigger state: the last fired date of each Schedule trigger (and polling trigger's slot), the windows
// of MultipleConditions, and what a polling trigger remembers between polls (lib/triggers/polling.ts).
// Firestore keeps it under `triggers/{triggerKey}`; every change is a transaction, so two scheduler
// invocations racing on the same date fire it once.

/** The results a MultipleCondition collected inside one window. Dates are ISO-8601 UTC. */
export interface ConditionWindow {
  start: string;
  end: string;
  /** One entry per condition key of the MultipleCondition; only `true` results are kept. */
  results: Record<string, boolean>;
}

export interface WindowFold<T> {
  /** The window to store; null deletes it. */
  next: ConditionWindow | null;
  result: T;
}

/** What a polling trigger remembers between two polls (the objects it saw, ...): a JSON object. */
export type PollState = Record<string, unknown>;

export interface TriggerStateStore {
  /** The last claimed date of a schedule (or its baseline), ISO-8601 UTC; undefined when the trigger has no state. */
  getLastDate(triggerKey: string): Promise<string | undefined>;

  /** Sets the baseline date of a schedule that has no state yet. False when state already existed (nothing changed). */
  initSchedule(triggerKey: string, date: string): Promise<boolean>;

  /**
   * Claims one schedule date, atomically: when `date` is later than the last date (or there is none),
   * the last date becomes `date` and the caller owns it (true). Otherwise false: someone else fired it.
   */
  claimScheduleDate(triggerKey: string, date: string): Promise<boolean>;

  /**
   * Folds one MultipleCondition window in a transaction. `fold` must be pure: it may run more than once
   * when writers race. Returns the fold's result from the run that committed.
   */
  updateWindow<T>(triggerKey: string, conditionId: string, fold: (current: ConditionWindow | null) => WindowFold<T>): Promise<T>;

  getWindow(triggerKey: string, conditionId: string): Promise<ConditionWindow | null>;

  /** The state a polling trigger kept after its last poll; null when it has none. */
  getPollState(triggerKey: string): Promise<PollState | null>;

  /**
   * Folds a polling trigger's state in a transaction; a null result deletes it. `fold` must be pure:
   * it may run more than once when writers race, so two overlapping polls merge rather than overwrite.
   */
  updatePollState(triggerKey: string, fold: (current: PollState | null) => PollState | null): Promise<void>;

  /** Forgets a trigger: its last date, its windows and its poll state (its flow or the trigger was deleted). */
  deleteTrigger(triggerKey: string): Promise<void>;
}
