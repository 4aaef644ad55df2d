// Creating an execution: check inputs against the flow, store FILE inputs, save, queue ExecutionCreated.
// Used by the CLI, the API, subflows and triggers alike.
import type { Readable } from 'node:stream';
import { checksBehavior, checksError, failedChecks, newExecution } from '../../engine';
import { renderTyped } from '../../expr';
import { AloftError, DiagnosticsError, ErrorCode, type AloftErrorData } from '../../model/errors';
import type { Execution, ParentRef, TriggerContext } from '../../model/execution';
import { CheckBehavior, type Flow } from '../../model/flow';
import { coerceInputs } from '../../model/inputs';
import { inputFileKey, keyToUri } from '../../model/storage-uri';
import type { BlobStore, Clock, Ids, StateStore } from '../../ports';
import { pending } from './events';

/** Every input problem at once; each diagnostic names the flow and the input (`inputs.<id>`). */
export class InputsInvalidError extends DiagnosticsError {
  constructor(diagnostics: AloftErrorData[], flow: string) {
    super(ErrorCode.INPUT_INVALID, diagnostics, { flow });
  }
}

export interface StartDeps {
  store: StateStore;
  blobs: BlobStore;
  clock: Clock;
  ids: Ids;
  wake(executionId: string): void;
}

export interface FileInput {
  fileName: string;
  data: Readable | Buffer | string;
}

export interface StartRequest {
  flow: Flow;
  inputs?: Record<string, unknown>;
  /** FILE inputs, stored under the execution before the inputs are checked. */
  files?: Record<string, FileInput>;
  id?: string;
  trigger?: TriggerContext;
  parent?: ParentRef;
  labels?: Record<string, string>;
  originalId?: string;
  /** Kestra's scheduleDate (ISO): created now, started then (a subflow's). */
  scheduleDate?: string;
  /**
   * A person starts it (the API's create, `aloft run`): the flow's `checks` apply, as in Kestra's
   * ExecutionController. Triggers, subflows and replays leave them out.
   */
  checks?: boolean;
}

export async function startExecution(deps: StartDeps, req: StartRequest): Promise<Execution> {
  const id = req.id ?? deps.ids.next();
  const flowRef = { namespace: req.flow.namespace, flowId: req.flow.id, executionId: id };
  const given: Record<string, unknown> = { ...(req.inputs ?? {}) };
  for (const [name, file] of Object.entries(req.files ?? {})) {
    const declared = req.flow.inputs?.find((i) => i.id === name);
    if (!declared || declared.type !== 'FILE') {
      throw new AloftError(ErrorCode.INPUT_INVALID, `input ${name} is not a FILE input of flow ${req.flow.namespace}.${req.flow.id}`,
        { flow: `${req.flow.namespace}.${req.flow.id}`, property: `inputs.${name}` });
    }
    const uri = keyToUri(inputFileKey(flowRef, name, file.fileName));
    await deps.blobs.put(uri, file.data);
    given[name] = uri;
  }
  // dependsOn.condition renders as Kestra's renderTyped: only a boolean true enables the input.
  const checked = coerceInputs(req.flow, given, { condition: (expression, vars) => renderTyped(expression, vars, { now: deps.clock.now() }) });
  if (!checked.ok) {
    throw new InputsInvalidError(checked.errors, `${req.flow.namespace}.${req.flow.id}`);
  }
  const now = deps.clock.now();
  const failed = req.checks ? failedChecks(req.flow, checked.inputs, now) : [];
  const behavior = checksBehavior(failed);
  if (behavior === CheckBehavior.BLOCK_EXECUTION) {
    const e = checksError(req.flow, failed, behavior);
    throw new AloftError(e.code, e.message, { flow: e.flow });
  }
  const created = newExecution({
    id, flow: req.flow, inputs: checked.inputs, now, trigger: req.trigger, parent: req.parent,
    labels: { ...(req.flow.labels ?? {}), ...(req.labels ?? {}) }, originalId: req.originalId, scheduleDate: req.scheduleDate,
  });
  // Its first step ends it FAILED, having run nothing (lib/engine/checks.ts).
  const execution = behavior === CheckBehavior.FAIL_EXECUTION ? { ...created, error: checksError(req.flow, failed, behavior) } : created;
  await deps.store.create(execution, pending({ type: 'ExecutionCreated' }, now, () => deps.ids.next()));
  deps.wake(id);
  return execution;
}
