// What the worker reads from a worker task's variables: who the execution is, which executions'
// files it may read, and the `envs` variables.
import { envsFrom } from '../model/envs';
import { executionPrefix } from '../model/storage-uri';
import type { Env } from './types';

export interface ExecutionIdentity {
  id: string;
  namespace: string;
  flowId: string;
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** The execution, from the Kestra variables `flow.{id,namespace}` and `execution.id`. */
export function identityOf(executionId: string, variables: Record<string, unknown>): ExecutionIdentity {
  const flow = obj(variables.flow);
  return { id: executionId, namespace: str(flow?.namespace) ?? '', flowId: str(flow?.id) ?? '' };
}

function refPrefix(ref: Record<string, unknown> | undefined): string | undefined {
  const executionId = str(ref?.executionId);
  const namespace = str(ref?.namespace);
  const flowId = str(ref?.flowId);
  return executionId && namespace && flowId ? executionPrefix(namespace, flowId, executionId) : undefined;
}

/**
 * Storage prefixes a task may read: its own execution, the execution that triggered it
 * (`trigger.executionId/namespace/flowId`, set by Flow triggers and subflows) and the parent
 * execution (`execution.parent`), plus its flow's own state files.
 */
export function readablePrefixes(who: ExecutionIdentity, variables: Record<string, unknown>): string[] {
  const out = [executionPrefix(who.namespace, who.flowId, who.id)];
  if (who.namespace && who.flowId) out.push(`${who.namespace.split('.').join('/')}/${who.flowId}/states`);
  const trigger = refPrefix(obj(variables.trigger)) ?? refPrefix(obj(obj(variables.trigger)?.variables));
  if (trigger) out.push(trigger);
  const parent = refPrefix(obj(obj(variables.execution)?.parent));
  if (parent) out.push(parent);
  return out;
}

const envsCache = new WeakMap<Env, Record<string, string>>();

/** `envs` (see lib/model/envs): ENV_FOO_BAR becomes envs.foo_bar. Computed once per env object. */
export function envsOf(env: Env): Record<string, string> {
  let envs = envsCache.get(env);
  if (!envs) {
    envs = envsFrom(env);
    envsCache.set(env, envs);
  }
  return envs;
}

/** The variables to render with: the task's, plus `envs` when the executor did not provide them. */
export function withEnvs(variables: Record<string, unknown>, env: Env): Record<string, unknown> {
  return 'envs' in variables ? variables : { ...variables, envs: envsOf(env) };
}
