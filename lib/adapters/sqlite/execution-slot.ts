// One execution as the SQLite state store holds it in memory: its current state, what the
// database holds of it, and what is still to write.
import type { Execution, TaskRun } from '../../model/execution';
import { isTerminal } from '../../model/states';
import type { ExecutionHeader, PendingEvent } from '../../ports/state-store';

export interface Slot {
  execution: Execution;
  /** The execution as last written (journal or tables); undefined before its first write. */
  stored: Execution | undefined;
  /** The state in its `executions` row; undefined before the row exists. */
  rowState: string | undefined;
  /** The execution whose header its `executions` row holds, when known. */
  rowOf: Execution | undefined;
  /** The task runs its `executions` row holds. */
  tableRuns: readonly TaskRun[];
  /** True when event_keys may hold keys of it (it was written to the tables, or read from them). */
  tableKeys: boolean;
  /** Events waiting to be folded, oldest first; undefined when none. */
  inbox: PendingEvent[] | undefined;
  /** Keys appended since its tables were written: still to add to event_keys. */
  keys: Set<string> | undefined;
  /** Keys written to event_keys in batch `sentSeq`, kept until it is committed (reads see it then). */
  sent: Set<string> | undefined;
  sentSeq: number;
  /** Keys the inbox table holds as pending, consumed since: their rows are still to delete. */
  gone: string[] | undefined;
  /** Appended since the last flush. */
  fresh: PendingEvent[] | undefined;
  /** Keys consumed since the last flush (of events appended before it). */
  consumed: string[] | undefined;
  /** Seq of its first journal row since its tables were written; 0 when none. */
  firstSeq: number;
  /** Bumped by every change, so a fold that re-entered the store is detected. */
  changes: number;
  dirty: boolean;
  /** Waiting in `settling` to be written to the tables. */
  settling: boolean;
  /** Live, with task runs too long for its row: not checkpointed (runs-limit.ts); it stays in the journal until it ends. */
  unfit: boolean;
}

const NO_RUNS: readonly TaskRun[] = [];

export function newSlot(execution: Execution, stored: Execution | undefined): Slot {
  return {
    execution, stored, rowState: undefined, rowOf: undefined, tableRuns: NO_RUNS, tableKeys: false, inbox: undefined, keys: undefined, sent: undefined, sentSeq: 0, gone: undefined,
    fresh: undefined, consumed: undefined, firstSeq: 0, changes: 0, dirty: false, settling: false, unfit: false,
  };
}

/** Ended, with nothing pending: its final state can go to the keyed tables. */
export const settled = (slot: Slot): boolean => slot.inbox === undefined && isTerminal(slot.execution.state.current);

export function headerOf(execution: Execution): ExecutionHeader {
  const { taskRunList: _runs, ...header } = execution;
  return header;
}

export const startOf = (e: Execution | ExecutionHeader): string => e.state.histories[0]?.date ?? '';

/**
 * Header JSON, kept while its execution object lives: the journal row of the commit that changed the
 * header and the `executions` row written in that commit (or at settle) share it. Task runs are not
 * kept so: their strings would stay alive with every live execution (measured: 80 MB more peak RSS and
 * more GC in bench:burst, for no gain in wall time).
 */
export class JsonOf {
  private readonly headers = new WeakMap<Execution, string>();

  run(run: TaskRun): string {
    return JSON.stringify(run);
  }

  header(execution: Execution): string {
    let json = this.headers.get(execution);
    if (json === undefined) {
      json = JSON.stringify(headerOf(execution));
      this.headers.set(execution, json);
    }
    return json;
  }
}
