// Helpers for plugin tests: a task context or a whole worker on a temporary folder BlobStore,
// for a fake execution, with real rendering, logs and storage rules.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvSecrets, FolderBlobStore, MemoryKeyValueStore, MemoryLogStore, SystemClock, kestraId } from '../adapters/local';
import { createCatalog, type PluginCatalog } from '../plugins/catalog';
import type { RunnableTaskDefinition } from '../plugins/types';
import type { LogLine } from '../ports/log-store';
import type { StateStore } from '../ports/state-store';
import type { WorkerTask } from '../model/worker-messages';
import { createTaskContext, type AttemptTaskContext, type TaskContextOptions } from './context';
import type { Env, WorkerDeps } from './types';

export interface FakeExecution {
  id: string;
  namespace: string;
  flowId: string;
}

export interface FakeOptions {
  /** Default: a new temporary folder, removed by cleanup(). */
  dataDir?: string;
  /** The runtime environment; secrets are SECRET_<NAME> in base64. Default: empty. */
  env?: Env;
  execution?: Partial<FakeExecution>;
  /** Variables merged over the fake execution's standard ones (flow, execution, task, taskrun, outputs, inputs). */
  variables?: Record<string, unknown>;
  /** The executions execution.Count counts; default: none (it fails with NOT_SUPPORTED). */
  executions?: Pick<StateStore, 'count'>;
}

export interface FakeWorld {
  dataDir: string;
  blobs: FolderBlobStore;
  logs: MemoryLogStore;
  kv: MemoryKeyValueStore;
  execution: FakeExecution;
  env: Env;
  /** The execution's stored log lines. */
  logLines(): Promise<LogLine[]>;
  cleanup(): Promise<void>;
}

async function world(opts: FakeOptions): Promise<FakeWorld> {
  const owned = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? await mkdtemp(join(tmpdir(), 'aloft-test-'));
  const execution: FakeExecution = { id: kestraId(), namespace: 'io.aloft.tests', flowId: 'test', ...opts.execution };
  const logs = new MemoryLogStore();
  return {
    dataDir, execution, logs, env: opts.env ?? {}, kv: new MemoryKeyValueStore(),
    blobs: new FolderBlobStore({ root: join(dataDir, 'storage') }),
    logLines: () => logs.list(execution.id),
    cleanup: async () => { if (owned) await rm(dataDir, { recursive: true, force: true }); },
  };
}

function standardVariables(e: FakeExecution, taskId: string, taskRunId: string, extra?: Record<string, unknown>): Record<string, unknown> {
  return {
    flow: { id: e.flowId, namespace: e.namespace, revision: 1 },
    execution: { id: e.id, startDate: '2024-03-14T10:00:00.000Z' },
    task: { id: taskId, type: 'test' },
    taskrun: { id: taskRunId, startDate: '2024-03-14T10:00:00.000Z', attemptsCount: 0 },
    outputs: {}, inputs: {}, vars: {},
    ...extra,
  };
}

/** A task context for a fake execution, as the worker would build it. */
export async function fakeTaskContext(
  opts: FakeOptions & { taskId?: string; signal?: AbortSignal; deadline?: Date } = {},
): Promise<FakeWorld & { ctx: AttemptTaskContext }> {
  const w = await world(opts);
  const taskId = opts.taskId ?? 'task';
  const taskRunId = kestraId();
  const options: TaskContextOptions = {
    execution: w.execution, taskRun: { id: taskRunId, taskId, attempt: 0 },
    variables: standardVariables(w.execution, taskId, taskRunId, opts.variables),
    blobs: w.blobs, secrets: new EnvSecrets(w.env), kv: w.kv, clock: new SystemClock(), env: w.env, tempRoot: join(w.dataDir, 'tmp'), cacheRoot: join(w.dataDir, 'cache'),
    logs: w.logs, executions: opts.executions, minLogLevel: 'TRACE', signal: opts.signal, deadline: opts.deadline,
  };
  const ctx = createTaskContext(options);
  return {
    ...w, ctx,
    cleanup: async () => {
      await ctx.close();
      await w.cleanup();
    },
  };
}

/** Worker dependencies on a fake world, for running tasks end to end through `runAttempt`. */
export async function fakeWorker(
  opts: FakeOptions & { tasks?: readonly RunnableTaskDefinition[]; catalog?: PluginCatalog } = {},
): Promise<FakeWorld & { deps: WorkerDeps; task(type: string, task: Record<string, unknown>, over?: Partial<WorkerTask>): WorkerTask }> {
  const w = await world(opts);
  const catalog = opts.catalog ?? (opts.tasks ? createCatalog(opts.tasks, []) : createCatalog());
  const deps: WorkerDeps = {
    catalog, blobs: w.blobs, secrets: new EnvSecrets(w.env), kv: w.kv, logs: w.logs, executions: opts.executions, clock: new SystemClock(), env: w.env,
    tempRoot: join(w.dataDir, 'tmp'), cacheRoot: join(w.dataDir, 'cache'), minLogLevel: 'TRACE',
  };
  return {
    ...w, deps,
    task(type, task, over = {}) {
      const taskId = String(task.id ?? 'task');
      const taskRunId = over.taskRunId ?? kestraId();
      const group = catalog.get(type)?.group ?? 'core';
      return {
        executionId: w.execution.id, taskRunId, attempt: 0, taskId, type, group,
        task: { id: taskId, type, ...task },
        variables: standardVariables(w.execution, taskId, taskRunId, opts.variables),
        ...over,
      };
    },
  };
}
