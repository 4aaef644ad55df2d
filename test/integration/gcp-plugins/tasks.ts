// Runs BigQuery task definitions the way the worker does once properties are rendered: parsed by the
// type's schema, then `run` with a real task context, against the fake BigQuery (wire protocol).
import { bigqueryTasks } from '../../../lib/plugins/gcp/bigquery';
import type { TaskContext } from '../../../lib/plugins/types';
import { fakeTaskContext } from '../../../lib/worker/testing';
import type { FakeBigQuery } from '../../helpers/fake-bigquery';

export const PROJECT = 'aloft-test';

/** Tries come fast in tests; the default policy's delays are unit-tested (test/unit/plugins/gcp). */
export const FAST_RETRY = { type: 'exponential', interval: 'PT0.01S', maxInterval: 'PT0.04S', maxAttempt: 10 } as const;

export function definition(name: string) {
  const def = bigqueryTasks.find((t) => t.type === `io.kestra.plugin.gcp.bigquery.${name}`);
  if (!def) throw new Error(`no task type ${name}`);
  return def;
}

export async function runTask(ctx: TaskContext, name: string, props: Record<string, unknown>, continuation?: unknown): Promise<any> {
  const def = definition(name);
  return def.run(ctx, def.properties.parse(props), continuation);
}

export function bigqueryWorld(fake: FakeBigQuery, opts: Parameters<typeof fakeTaskContext>[0] = {}) {
  return fakeTaskContext({ taskId: 'bq', ...opts, env: { BIGQUERY_EMULATOR_HOST: fake.endpoint, ...opts.env } });
}

/**
 * Another task run of the same execution, on the same storage. Each task needs its own: job ids come
 * from the task run, so a second job in the same task run would adopt the first.
 */
export async function nextTaskRun(world: Awaited<ReturnType<typeof bigqueryWorld>>, taskId = 'bq'): Promise<TaskContext & { close(): Promise<void> | undefined }> {
  const next = await fakeTaskContext({ taskId, dataDir: world.dataDir, execution: world.execution, env: world.env });
  return next.ctx;
}

/** The rows of a JSON Lines file in storage. */
export async function readRows(ctx: TaskContext, uri: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const row of ctx.storage.readRows(uri)) rows.push(row);
  return rows;
}
