// Immutable updates of task runs and attempts. Each returns a new object and appends every state
// change to the history with its time; nothing here copies more than the object it changes.
import { AloftError, ErrorCode, type AloftErrorData } from '../model/errors';
import type { TaskRun, TaskRunAttempt } from '../model/execution';
import { State, canTransition, isTerminal, type StateHistory, type StateRecord } from '../model/states';

export type ErrorData = NonNullable<TaskRun['error']>;

// A step stamps every change with the same `now`: format it once.
let lastTime = Number.NaN;
let lastIso = '';
export function iso(now: Date): string {
  const t = now.getTime();
  if (t !== lastTime) {
    lastIso = now.toISOString();
    lastTime = t;
  }
  return lastIso;
}

// History entries are immutable, so every change to the same state in the same millisecond shares
// one entry object: runs and their attempts record the same changes, and a burst steps many
// executions per millisecond. Entries are never written after creation (see step's frozen-input test).
// Two times are current at once: a step's `now` and the start a worker reported.
let entriesDate = '';
let entries: Partial<Record<State, StateHistory>> = {};
let olderDate = '';
let olderEntries: Partial<Record<State, StateHistory>> = {};
/** The shared history entry for a change to `state` at `date`. */
export function historyEntry(state: State, date: string): StateHistory {
  if (date !== entriesDate) {
    if (date === olderDate) return (olderEntries[state] ??= { state, date });
    olderDate = entriesDate;
    olderEntries = entries;
    entriesDate = date;
    entries = {};
  }
  return (entries[state] ??= { state, date });
}

/** A copy of `list` with `item` appended, allocated at its exact size (a spread over-allocates). */
export function appended<T>(list: readonly T[], item: T): T[] {
  const n = list.length;
  const out = new Array<T>(n + 1);
  for (let i = 0; i < n; i++) out[i] = list[i];
  out[n] = item;
  return out;
}

/** A new state record (as newStateRecord in lib/model/states, with the formatted time cached). */
export function newRecord(state: State, now: Date): StateRecord {
  return { current: state, histories: [historyEntry(state, iso(now))] };
}

/** What a state record belongs to, named when a change is impossible: the execution, or a task run. */
export interface StateOwner { readonly id: string; readonly taskId?: string; readonly attempts?: readonly unknown[] }

/**
 * Throws unless lib/model/states allows the move. An impossible move is a bug in the engine, never
 * the user's: it must stop the step rather than be saved into a history.
 */
export function checkTransition(from: State, to: State, owner?: StateOwner, ofAttempt = false): void {
  if (canTransition(from, to)) return;
  const run = owner?.taskId !== undefined ? `task run ${owner.id} (task ${owner.taskId})` : undefined;
  const what = run === undefined ? (owner ? `execution ${owner.id}` : 'a state record')
    : ofAttempt ? `attempt ${owner!.attempts?.length ?? '?'} of ${run}` : run;
  throw new AloftError(ErrorCode.INTERNAL, `impossible state change ${from} -> ${to} of ${what}`, owner?.taskId !== undefined ? { task: owner.taskId } : {});
}

/** Appends a change to a state record, immutably; a no-op for the same state. */
export function recordState(record: StateRecord, state: State, now: Date, owner?: StateOwner, ofAttempt = false): StateRecord {
  return recordStateAt(record, state, iso(now), owner, ofAttempt);
}

/** `recordState` with the time already formatted (an ISO-8601 instant, as `iso` gives). */
export function recordStateAt(record: StateRecord, state: State, date: string, owner?: StateOwner, ofAttempt = false): StateRecord {
  if (record.current === state) return record;
  checkTransition(record.current, state, owner, ofAttempt);
  return { current: state, histories: appended(record.histories, historyEntry(state, date)) };
}

/**
 * A time reported from elsewhere (a worker's start), kept within the record's last change and `now`
 * so that histories stay in order even when clocks disagree; `now` when it is not an ISO instant.
 * ISO instants of the same form compare as strings.
 */
export function reportedTime(record: StateRecord, reported: string | undefined, now: Date): string {
  const upper = iso(now);
  if (reported === undefined || reported.length !== upper.length || reported[reported.length - 1] !== 'Z' || reported > upper) return upper;
  const last = record.histories[record.histories.length - 1]?.date;
  return last !== undefined && last.length === upper.length && reported < last ? last : reported;
}

export function runState(run: TaskRun, state: State, now: Date): TaskRun {
  if (run.state.current === state) return run;
  return withRunState(run, recordState(run.state, state, now, run));
}

/**
 * The run with another state record. A run outside loops and without error is written as a literal
 * (same keys, same order): a spread copies the out-of-object slot array that `outputs` (added after
 * creation) needs, and every finished run keeps it.
 */
// Fails to compile when the model gains a task run field that the literal below would drop.
type WrittenRunKeys = 'id' | 'executionId' | 'namespace' | 'flowId' | 'taskId' | 'parentTaskRunId' | 'value' | 'attempts' | 'outputs' | 'state' | 'error' | 'internal';
const everyRunKeyWritten: [Exclude<keyof TaskRun, WrittenRunKeys>] extends [never] ? true : false = true;
void everyRunKeyWritten;

export function withRunState(run: TaskRun, state: StateRecord): TaskRun {
  if (run.parentTaskRunId !== undefined || run.value !== undefined || run.error !== undefined || run.internal !== undefined) return { ...run, state };
  const { id, executionId, namespace, flowId, taskId, attempts, outputs } = run;
  return outputs === undefined
    ? { id, executionId, namespace, flowId, taskId, attempts, state }
    : { id, executionId, namespace, flowId, taskId, attempts, state, outputs };
}

/** Moves through each state in turn (for example RESTARTED then RUNNING), recording both. */
export function runStates(run: TaskRun, states: readonly State[], now: Date): TaskRun {
  let out = run;
  for (const s of states) out = runState(out, s, now);
  return out;
}

export function newAttempt(now: Date): TaskRunAttempt {
  return { state: newRecord(State.CREATED, now) };
}

export function lastAttempt(run: TaskRun): TaskRunAttempt | undefined {
  return run.attempts.length ? run.attempts[run.attempts.length - 1] : undefined;
}

export function currentAttemptIndex(run: TaskRun): number {
  return run.attempts.length - 1;
}

/** Replaces the last attempt with `fn(last)`. */
export function withLastAttempt(run: TaskRun, fn: (a: TaskRunAttempt) => TaskRunAttempt): TaskRun {
  const i = run.attempts.length - 1;
  if (i < 0) return run;
  const attempts = run.attempts.slice();
  attempts[i] = fn(attempts[i]);
  return { ...run, attempts };
}

/** The run's last attempt `a` in `state`; `of` is the run, named when the change is impossible. */
export function attemptState(a: TaskRunAttempt, state: State, now: Date, of?: TaskRun): TaskRunAttempt {
  if (a.state.current === state) return a;
  return { ...a, state: recordState(a.state, state, now, of, true) };
}

/** Ends a non-terminal attempt in `state`, passing through RUNNING when it never started. */
export function endAttempt(a: TaskRunAttempt, state: State, now: Date, of?: TaskRun): TaskRunAttempt {
  if (isTerminal(a.state.current)) return a;
  const started = a.state.current === State.CREATED && state !== State.KILLED ? attemptState(a, State.RUNNING, now, of) : a;
  return attemptState(started, state, now, of);
}

/** A copy of an error without undefined fields (Firestore rejects them). */
export function cleanError(e: AloftErrorData | ErrorData): ErrorData {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (v !== undefined) out[k] = v;
  return out as ErrorData;
}

/** Ends the run FAILED with an error; a non-terminal last attempt fails with it. */
export function failRun(run: TaskRun, error: ErrorData, now: Date): TaskRun {
  const attempts = lastAttempt(run) && !isTerminal(lastAttempt(run)!.state.current)
    ? withLastAttempt(run, (a) => endAttempt(a, State.FAILED, now, run)).attempts
    : run.attempts;
  return { ...runState(run, State.FAILED, now), attempts, error: cleanError(error) };
}

export function withoutKeys<T extends object, K extends keyof T>(obj: T, ...keys: K[]): Omit<T, K> {
  let out: T | undefined;
  for (const k of keys) {
    if (k in obj) {
      out ??= { ...obj };
      delete out[k];
    }
  }
  return (out ?? obj) as Omit<T, K>;
}

/** Reads a field of a run's engine bookkeeping. */
export function internalOf<T>(run: TaskRun, key: string): T | undefined {
  return run.internal?.[key] as T | undefined;
}

export function withInternal(run: TaskRun, patch: Record<string, unknown>): TaskRun {
  const internal: Record<string, unknown> = { ...(run.internal ?? {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete internal[k];
    else internal[k] = v;
  }
  return { ...run, internal };
}
