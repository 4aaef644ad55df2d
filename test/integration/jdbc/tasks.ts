// Runs JDBC task definitions the way the worker does once properties are rendered: parsed by the
// type's schema, then `run` with a real task context on a temporary folder BlobStore.
import { jdbcTasks } from '../../../lib/plugins/jdbc';
import type { TaskContext } from '../../../lib/plugins/types';

export function definition(type: string) {
  const def = jdbcTasks.find((t) => t.type === `io.kestra.plugin.jdbc.${type}`);
  if (!def) throw new Error(`no task type ${type}`);
  return def;
}

export async function runTask(ctx: TaskContext, type: string, props: Record<string, unknown>): Promise<any> {
  const def = definition(type);
  return def.run(ctx, def.properties.parse(props));
}

/** The rows of a JSON Lines file in storage. */
export async function readRows(ctx: TaskContext, uri: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const row of ctx.storage.readRows(uri)) rows.push(row);
  return rows;
}
