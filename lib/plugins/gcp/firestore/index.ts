// The Firestore task types of the `gcp` plugin group (io.kestra.plugin.gcp.firestore.*).
import type { z } from 'zod';
import type { RunnableTaskDefinition } from '../../types';
import { DeleteProperties, GetOutputs, GetProperties, QueryOutputs, QueryProperties, SetProperties, WriteOutputs } from './properties';
import { get, query, remove, set } from './tasks';

function task<P, O>(name: string, properties: z.ZodType<P>, outputs: z.ZodType<O>, run: RunnableTaskDefinition<P, O>['run']): RunnableTaskDefinition<P, O> {
  return { type: `io.kestra.plugin.gcp.firestore.${name}`, aliases: [], group: 'gcp', properties, outputs, run };
}

export const firestoreTasks: readonly RunnableTaskDefinition[] = [
  task('Get', GetProperties, GetOutputs, (ctx, p) => get(ctx, p)),
  task('Set', SetProperties, WriteOutputs, (ctx, p) => set(ctx, p)),
  task('Delete', DeleteProperties, WriteOutputs, (ctx, p) => remove(ctx, p)),
  task('Query', QueryProperties, QueryOutputs, (ctx, p) => query(ctx, p)),
];
