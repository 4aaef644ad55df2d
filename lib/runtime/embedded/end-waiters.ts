// Callers waiting for an execution to settle (`LocalRuntime.waitForEnd`): ended, or PAUSED with
// nothing left that could wake it, and in both cases with no event waiting to be folded.
import { AloftError, ErrorCode } from '../../model/errors';
import type { Execution, TaskRun } from '../../model/execution';
import { isTerminal, State } from '../../model/states';

export interface EndWaitersDeps {
  get(executionId: string): Promise<Execution | null>;
  /** The processor is folding or about to fold the execution. */
  isBusy(executionId: string): boolean;
  /** A process timer (a pause's timeout, a retry delay) will wake the execution. */
  hasTimer(executionId: string): boolean;
}

interface Waiter {
  resolve: (e: Execution) => void;
  reject: (err: Error) => void;
}

export class EndWaiters {
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(private readonly deps: EndWaitersDeps) {}

  async wait(executionId: string): Promise<Execution> {
    const current = await this.deps.get(executionId);
    if (current && this.settled(current)) return current;
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(executionId) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(executionId, list);
    });
  }

  /** The execution changed: waiters are checked when it may have settled. */
  updated(execution: Execution): void {
    const s = execution.state.current;
    if (this.waiters.has(execution.id) && (isTerminal(s) || s === State.PAUSED)) this.check(execution.id);
  }

  /** The executor failed on the execution for a reason that is not the user's. */
  failed(executionId: string, message: string): void {
    const waiting = this.waiters.get(executionId);
    if (!waiting) return;
    this.waiters.delete(executionId);
    for (const w of waiting) w.reject(new AloftError(ErrorCode.INTERNAL, `the executor failed on execution ${executionId}: ${message}`));
  }

  private settled(e: Execution): boolean {
    if (this.deps.isBusy(e.id)) return false;
    if (isTerminal(e.state.current)) return true;
    return e.state.current === State.PAUSED && !this.deps.hasTimer(e.id) && onlyPausesActive(e);
  }

  /**
   * Waiters are answered after the pass that made the state final has published its effects (a pause's
   * timeout timer is only registered then), so the check runs once the processor is done with it.
   */
  private check(executionId: string): void {
    setImmediate(() => {
      if (!this.waiters.has(executionId)) return;
      if (this.deps.isBusy(executionId)) { this.check(executionId); return; }
      void this.deps.get(executionId).then((e) => {
        const waiting = this.waiters.get(executionId);
        if (!e || !waiting || !this.settled(e)) return;
        this.waiters.delete(executionId);
        for (const w of waiting) w.resolve(e);
      });
    });
  }
}

/** True when every run still active is a paused run or one of its ancestors (a sibling branch may still work). */
function onlyPausesActive(e: Execution): boolean {
  const byId = new Map(e.taskRunList.map((r) => [r.id, r]));
  const waiting = new Set<string>();
  for (const r of e.taskRunList) {
    if (r.state.current !== State.PAUSED) continue;
    for (let at: TaskRun | undefined = r; at && !waiting.has(at.id); at = at.parentTaskRunId ? byId.get(at.parentTaskRunId) : undefined) waiting.add(at.id);
  }
  return e.taskRunList.every((r) => isTerminal(r.state.current) || waiting.has(r.id));
}
