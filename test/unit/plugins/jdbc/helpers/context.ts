// A minimal TaskContext on a temporary folder, with the real storage rules (ScopedTaskStorage on a
// FolderBlobStore). Interim: lib/worker's fakeTaskContext replaces it once lib/expr loads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { FolderBlobStore } from '../../../../../lib/adapters/local/blob-store';
import { executionPrefix } from '../../../../../lib/model/storage-uri';
import type { LogLevel, TaskContext } from '../../../../../lib/plugins/types';
import { ScopedTaskStorage } from '../../../../../lib/worker/storage';

export interface TestContext {
  ctx: TaskContext;
  blobs: FolderBlobStore;
  logs: { level: LogLevel; message: string }[];
  metrics: Record<string, number>;
  /** A context for another execution sharing the same storage folder. */
  other(): TaskContext;
  cleanup(): Promise<void>;
}

export async function testContext(opts: { signal?: AbortSignal; taskId?: string } = {}): Promise<TestContext> {
  const dir = await mkdtemp(join(tmpdir(), 'aloft-jdbc-test-'));
  const blobs = new FolderBlobStore({ root: join(dir, 'storage') });
  const logs: { level: LogLevel; message: string }[] = [];
  const metrics: Record<string, number> = {};
  const make = (executionId: string): TaskContext => {
    const execution = { id: executionId, namespace: 'io.aloft.tests', flowId: 'jdbc' };
    const taskRun = { id: randomUUID().replace(/-/g, '').slice(0, 22), taskId: opts.taskId ?? 'task', attempt: 0 };
    const log = (level: LogLevel) => (message: string): void => { logs.push({ level, message }); };
    let temp = 0;
    return {
      render: async <T>(value: unknown): Promise<T> => value as T,
      storage: new ScopedTaskStorage(
        blobs,
        { namespace: execution.namespace, flowId: execution.flowId, executionId, taskId: taskRun.taskId, taskRunId: taskRun.id },
        [executionPrefix(execution.namespace, execution.flowId, executionId)],
      ),
      logger: {
        log: (level, message) => logs.push({ level, message }),
        debug: log('DEBUG'), info: log('INFO'), warn: log('WARN'), error: log('ERROR'),
      },
      secret: async (name) => { throw new Error(`no secret ${name}`); },
      signal: opts.signal ?? new AbortController().signal,
      deadline: new Date(8.64e15),
      metrics: {
        counter: (name, value) => { metrics[name] = (metrics[name] ?? 0) + value; },
        timer: (name, value) => { metrics[name] = (metrics[name] ?? 0) + value; },
      },
      now: () => new Date(),
      tempDir: async () => mkdtemp(join(dir, `tmp-${temp++}-`)),
      execution,
      taskRun,
      env: {},
    };
  };
  return {
    ctx: make(randomUUID()),
    blobs,
    logs,
    metrics,
    other: () => make(randomUUID()),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
