// Shared by the trigger unit tests: flows with triggers, a fixed clock and a recording StartFn.
import { AloftError, ErrorCode } from '../../../lib/model/errors';
import type { Execution } from '../../../lib/model/execution';
import type { Flow, Trigger } from '../../../lib/model/flow';
import { parseTrigger, type ParsedTrigger } from '../../../lib/triggers/catalog';
import { exprRenderer } from '../../../lib/triggers/expr-renderer';
import type { TriggerReport } from '../../../lib/triggers/report';
import type { StartFn, TriggeredStart } from '../../../lib/triggers/start';

export const renderer = exprRenderer({ now: () => new Date('2024-03-14T10:00:00Z') });

export function flowWith(namespace: string, id: string, triggers: Trigger[] = [], extra: Partial<Flow> = {}): Flow {
  return { id, namespace, revision: 1, tasks: [{ id: 'ret', type: 'io.kestra.core.tasks.debugs.Return', format: 'x' }], triggers, ...extra };
}

export function parsed(trigger: Trigger): ParsedTrigger {
  const r = parseTrigger(trigger);
  if (r.ok !== true) throw new Error(`trigger does not parse: ${JSON.stringify(r)}`);
  return r.trigger;
}

/**
 * A StartFn that records what it was asked to start and refuses a second start with the same id, as a
 * StateStore does; `dedupe: false` accepts duplicates, to test the other safeguards alone.
 */
export function recordingStart(opts: { dedupe?: boolean } = {}): { start: StartFn; calls: TriggeredStart[] } {
  const calls: TriggeredStart[] = [];
  const ids = new Set<string>();
  const start: StartFn = async (req) => {
    if (opts.dedupe !== false && ids.has(req.id)) throw new AloftError(ErrorCode.CONFLICT, `execution ${req.id} already exists`);
    ids.add(req.id);
    calls.push(req);
    return {
      id: req.id, namespace: req.flow.namespace, flowId: req.flow.id, flowRevision: req.flow.revision ?? 1,
      state: { current: 'CREATED', histories: [{ state: 'CREATED', date: '2024-03-14T10:00:00.000Z' }] },
      inputs: req.inputs, trigger: req.trigger, taskRunList: [], version: 0,
    } satisfies Execution;
  };
  return { start, calls };
}

export function collectingReporter(): { report: (r: TriggerReport) => void; reports: TriggerReport[] } {
  const reports: TriggerReport[] = [];
  return { report: (r) => { reports.push(r); }, reports };
}
