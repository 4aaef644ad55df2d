// How triggers start executions: through a function the runtime provides (local or cloud), with an
// id derived from what fired, so that a duplicate firing creates nothing new.
import { ErrorCode } from '../model/errors';
import type { Execution, TriggerContext } from '../model/execution';
import type { Flow } from '../model/flow';

export interface TriggeredStart {
  flow: Flow;
  id: string;
  inputs: Record<string, unknown>;
  trigger: TriggerContext;
}

/** Creates and starts an execution; rejects with CONFLICT when the id exists. */
export type StartFn = (req: TriggeredStart) => Promise<Execution>;

/** Starts the execution, or returns null when one with this id already exists (a duplicate firing). */
export async function startOnce(start: StartFn, req: TriggeredStart): Promise<Execution | null> {
  try {
    return await start(req);
  } catch (err) {
    if ((err as { code?: unknown })?.code === ErrorCode.CONFLICT) return null;
    throw err;
  }
}
