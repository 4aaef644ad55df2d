// What the serdes tasks share: their `from` property, their output, and property helpers.
import { z } from 'zod';
import type { TaskContext } from '../types';

/** Values still holding an expression are checked once rendered, not while a flow is validated. */
export const templated = (v: string): boolean => v.includes('{{') || v.includes('{%');

export const Bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
export const Count = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, 'must be a whole number').transform(Number)]);
/** Kestra's `Character` properties. */
export const Char = z.string().length(1, 'must be a single character');

/** Every serdes task outputs the URI of the file it wrote, as in Kestra 0.4. */
export const SerdesOutputs = z.object({ uri: z.string() }).strict();
export type SerdesOutputs = z.infer<typeof SerdesOutputs>;

/** The number of rows converted, as Kestra's `records` metric. */
export function counted<T>(ctx: TaskContext, rows: AsyncIterable<T>): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      let n = 0;
      try {
        for await (const row of rows) {
          n++;
          yield row;
        }
      } finally {
        ctx.metrics.counter('records', n);
      }
    },
  };
}
