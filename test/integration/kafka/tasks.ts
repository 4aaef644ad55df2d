// Runs Kafka task definitions the way the worker does once properties are rendered: parsed by the
// type's schema, then `run` with a real task context on a temporary folder BlobStore.
import { kafkaTasks } from '../../../lib/plugins/kafka';
import type { TaskContext } from '../../../lib/plugins/types';
import { KAFKA_BOOTSTRAP } from './service';

export async function runTask(ctx: TaskContext, type: 'Produce' | 'Consume', props: Record<string, unknown>): Promise<any> {
  const def = kafkaTasks.find((t) => t.type === `io.kestra.plugin.kafka.${type}`)!;
  return def.run(ctx, def.properties.parse({ properties: { 'bootstrap.servers': KAFKA_BOOTSTRAP }, ...props }));
}

/** The rows of a JSON Lines file in storage. */
export async function readRows(ctx: TaskContext, uri: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const row of ctx.storage.readRows(uri)) rows.push(row);
  return rows;
}
