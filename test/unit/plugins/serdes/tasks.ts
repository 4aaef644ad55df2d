// Runs serdes task definitions as the worker does once properties are rendered (schema, then run).
import { serdesTasks } from '../../../../lib/plugins/serdes';
import type { TaskContext } from '../../../../lib/plugins/types';

export async function runSerdes(ctx: TaskContext, type: string, props: Record<string, unknown>): Promise<{ uri: string }> {
  const def = serdesTasks.find((t) => t.type === `io.kestra.plugin.serdes.${type}`);
  if (!def) throw new Error(`no task type ${type}`);
  return def.run(ctx, def.properties.parse(props)) as Promise<{ uri: string }>;
}

export async function text(ctx: TaskContext, uri: string, encoding: BufferEncoding = 'utf8'): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await ctx.storage.get(uri)) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString(encoding);
}

export async function rows(ctx: TaskContext, uri: string): Promise<unknown[]> {
  return (await text(ctx, uri)).split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
