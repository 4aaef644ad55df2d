// The one place that owns every state, every transition and the predicates over them.
// Names and meanings are Kestra's (io.kestra.core.models.flows.State.Type).

export const State = {
  CREATED: 'CREATED',
  QUEUED: 'QUEUED',
  RUNNING: 'RUNNING',
  PAUSED: 'PAUSED',
  RETRYING: 'RETRYING',
  RESTARTED: 'RESTARTED',
  KILLING: 'KILLING',
  SUCCESS: 'SUCCESS',
  WARNING: 'WARNING',
  FAILED: 'FAILED',
  KILLED: 'KILLED',
  /** Kestra 1.x: a task whose `runIf` rendered false. Terminal, and counts as SUCCESS in a branch. */
  SKIPPED: 'SKIPPED',
  /**
   * Kestra 1.x: refused by the flow's `concurrency` limit with `behavior: CANCEL` (nothing ran), or ended
   * by an Exit task with `state: CANCELED` (the Exit run and its parents end CANCELLED too). Terminal.
   */
  CANCELLED: 'CANCELLED',
} as const;
export type State = (typeof State)[keyof typeof State];
export const STATES = Object.values(State) as readonly State[];

const TERMINAL: ReadonlySet<State> = new Set([State.SUCCESS, State.WARNING, State.FAILED, State.KILLED, State.SKIPPED, State.CANCELLED]);

/** Allowed moves, for executions and task runs alike. Anything else is a bug in the caller. */
export const TRANSITIONS: Readonly<Record<State, readonly State[]>> = {
  CREATED: [State.QUEUED, State.RUNNING, State.PAUSED, State.KILLING, State.KILLED, State.SUCCESS, State.WARNING, State.FAILED, State.SKIPPED, State.CANCELLED],
  // A flow's `concurrency`: waits for a slot, then runs; or is killed while it waits.
  QUEUED: [State.CREATED, State.RUNNING, State.KILLING, State.KILLED, State.FAILED, State.CANCELLED],
  RUNNING: [State.PAUSED, State.RETRYING, State.KILLING, State.SUCCESS, State.WARNING, State.FAILED, State.KILLED, State.CANCELLED],
  PAUSED: [State.RUNNING, State.KILLING, State.KILLED, State.FAILED, State.SUCCESS],
  // A task run waits RETRYING after a FAILED attempt, then is CREATED again; an execution waits RETRYING
  // while one of its runs does, and ends from there as from RUNNING (an Exit or a Kill elsewhere).
  RETRYING: [State.RUNNING, State.CREATED, State.PAUSED, State.KILLING, State.KILLED, State.SUCCESS, State.WARNING, State.FAILED, State.CANCELLED],
  RESTARTED: [State.CREATED, State.QUEUED, State.RUNNING, State.KILLING, State.KILLED, State.FAILED, State.SUCCESS, State.WARNING, State.SKIPPED, State.CANCELLED],
  KILLING: [State.KILLED, State.FAILED, State.SUCCESS, State.WARNING],
  SUCCESS: [State.RESTARTED],
  WARNING: [State.RESTARTED],
  // RETRYING: a failed attempt of a task run with retries left (Kestra records FAILED, then RETRYING).
  FAILED: [State.RESTARTED, State.RETRYING],
  KILLED: [State.RESTARTED],
  SKIPPED: [State.RESTARTED],
  CANCELLED: [],
};

// The table as sets: the engine checks every change it makes.
const ALLOWED = {} as Record<State, ReadonlySet<State>>;
for (const s of STATES) ALLOWED[s] = new Set(TRANSITIONS[s]);

/** True when `from -> to` is an allowed move (staying in the same state is not a move). */
export function canTransition(from: State, to: State): boolean {
  return ALLOWED[from]?.has(to) === true;
}

export const isTerminal = (s: State): boolean => TERMINAL.has(s);
/** A failure: it stops its branch and opens the `errors` branch. */
export const isFailed = (s: State): boolean => s === State.FAILED || s === State.KILLED;
export const isSuccessLike = (s: State): boolean => s === State.SUCCESS || s === State.WARNING;

/** Priority for an aggregate: KILLED > FAILED > WARNING > PAUSED > SUCCESS; SKIPPED counts as SUCCESS (Kestra's guessFinalState). */
const PRIORITY: Partial<Record<State, number>> = {
  KILLED: 5, FAILED: 4, WARNING: 3, PAUSED: 2, SUCCESS: 1,
};

/** The worst of the given terminal (or PAUSED) states; SUCCESS for an empty list. */
export function worstState(states: Iterable<State>): State {
  let worst: State = State.SUCCESS;
  for (const s of states) if ((PRIORITY[s] ?? 0) > (PRIORITY[worst] ?? 0)) worst = s;
  return worst;
}

export interface StateHistory { state: State; date: string }
export interface StateRecord { current: State; histories: StateHistory[] }

export function newStateRecord(state: State, now: Date): StateRecord {
  return { current: state, histories: [{ state, date: now.toISOString() }] };
}

/** Appends a change to a state record (immutably). A no-op for the same state. */
export function withState(record: StateRecord, state: State, now: Date): StateRecord {
  if (record.current === state) return record;
  return { current: state, histories: [...record.histories, { state, date: now.toISOString() }] };
}
