// Request (Kestra's io.kestra.plugin.core.http.Request): one HTTP request, its response as outputs.
// A body too large to travel in outputs is streamed into internal storage instead, as `bodyUri`.
import { Readable } from 'node:stream';
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import type { RunnableTaskDefinition } from '../types';
import { bodyError, send } from './http-client';
import { HttpProperties } from './http-properties';

export const RequestProperties = HttpProperties.strict();
export type RequestProperties = z.infer<typeof RequestProperties>;

export const RequestOutputs = z.object({
  /** The URL requested. */
  uri: z.string(),
  code: z.number().int(),
  headers: z.record(z.string(), z.array(z.string())),
  /** The response body as text, when it is at most MAX_INLINE_BODY bytes. */
  body: z.string().optional(),
  /** The response body in internal storage, when it is larger. */
  bodyUri: z.string().optional(),
}).strict();
export type RequestOutputs = z.infer<typeof RequestOutputs>;

/** Outputs travel in messages (at most 200 KiB with everything else); larger bodies go to storage. */
export const MAX_INLINE_BODY = 128 * 1024;

export const requestTask: RunnableTaskDefinition<RequestProperties, RequestOutputs> = {
  // Kestra 0.x had it in plugin-fs; 1.x in core.
  type: 'io.kestra.plugin.fs.http.Request',
  aliases: ['io.kestra.plugin.core.http.Request'],
  group: PluginGroup.core,
  properties: RequestProperties,
  outputs: RequestOutputs,
  async run(ctx, props) {
    const res = await send(ctx, props);
    const out: RequestOutputs = { uri: props.uri, code: res.code, headers: res.headers };
    const chunks: Buffer[] = [];
    let size = 0;
    const it = res.body[Symbol.asyncIterator]();
    try {
      for (let next = await it.next(); !next.done; next = await it.next()) {
        const chunk = next.value as Buffer;
        chunks.push(chunk);
        size += chunk.length;
        if (size > MAX_INLINE_BODY) {
          const stored = await ctx.storage.put('body', Readable.from(rest(chunks, it)));
          ctx.metrics.counter('response.length', stored.size);
          return { ...out, bodyUri: stored.uri };
        }
      }
    } catch (err) {
      throw bodyError(ctx, props, err);
    }
    ctx.metrics.counter('response.length', size);
    return { ...out, body: Buffer.concat(chunks).toString('utf8') };
  },
};

/** The chunks read so far, then the rest of the body. */
async function* rest(head: Buffer[], it: AsyncIterator<unknown>): AsyncIterable<Buffer> {
  yield* head;
  for (let next = await it.next(); !next.done; next = await it.next()) yield next.value as Buffer;
}
