// Response documents, shaped like Kestra's.
import { toExecutionJson, type ExecutionJson } from './execution-json';
import type { Execution } from '../model/execution';
import type { StoredFlow } from '../ports/flow-repository';

export type { ExecutionJson };

/** The normalised flow with its revision, the time it was saved and its YAML source. */
export function flowJson(stored: StoredFlow): Record<string, unknown> {
  return { ...stored.flow, revision: stored.revision, updated: stored.updated, source: stored.source };
}

export const executionJson = (e: Execution): ExecutionJson => toExecutionJson(e);
