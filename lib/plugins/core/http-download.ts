// Download (Kestra's io.kestra.plugin.core.http.Download): the response body streamed into internal
// storage; memory stays flat whatever the size.
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import type { RunnableTaskDefinition } from '../types';
import { bodyError, send } from './http-client';
import { HttpProperties } from './http-properties';

export const DownloadProperties = HttpProperties.extend({
  failOnEmptyResponse: z.boolean().default(true),
}).strict();
export type DownloadProperties = z.infer<typeof DownloadProperties>;

export const DownloadOutputs = z.object({
  /** The file in internal storage. */
  uri: z.string(),
  code: z.number().int(),
  length: z.number().int(),
  headers: z.record(z.string(), z.array(z.string())),
}).strict();
export type DownloadOutputs = z.infer<typeof DownloadOutputs>;

export const downloadTask: RunnableTaskDefinition<DownloadProperties, DownloadOutputs> = {
  // Kestra 0.x had it in plugin-fs; 1.x in core.
  type: 'io.kestra.plugin.fs.http.Download',
  aliases: ['io.kestra.plugin.core.http.Download'],
  group: PluginGroup.core,
  properties: DownloadProperties,
  outputs: DownloadOutputs,
  async run(ctx, props) {
    const res = await send(ctx, props);
    let length = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        length += chunk.length;
        done(null, chunk);
      },
    });
    let stored: { uri: string };
    try {
      [stored] = await Promise.all([ctx.storage.put(fileName(props.uri, res.headers), count), pipeline(res.body, count)]);
    } catch (err) {
      res.body.destroy();
      throw bodyError(ctx, props, err);
    }
    const expected = res.headers['content-length']?.[0];
    if (expected !== undefined && Number(expected) !== length) {
      throw new AloftError(ErrorCode.TASK_FAILED, `invalid size: got ${length} bytes, expected ${expected} (Content-Length)`);
    }
    if (length === 0) {
      if (props.failOnEmptyResponse && !(props.allowFailed ?? props.options?.allowFailed)) {
        throw new AloftError(ErrorCode.TASK_FAILED, `no response from server: ${props.uri} sent an empty body (failOnEmptyResponse)`);
      }
      ctx.logger.warn(`File '${props.uri}' is empty`);
    }
    ctx.metrics.counter('response.length', length);
    return { uri: stored.uri, code: res.code, length, headers: res.headers };
  },
};

/** From Content-Disposition when it names one (its last path segment only), else from the URL. */
export function fileName(uri: string, headers: Record<string, string[]>): string {
  const disposition = headers['content-disposition']?.[0];
  let name: string | undefined;
  if (disposition) {
    for (const part of disposition.split(';').map((p) => p.trim())) {
      const star = /^filename\*\s*=\s*[^']*'[^']*'(.+)$/i.exec(part);
      const plain = /^filename\s*=\s*"?([^"]*)"?$/i.exec(part);
      if (star) {
        try {
          name = decodeURIComponent(star[1]);
        } catch {
          name = star[1];
        }
        break;
      }
      if (plain) name = plain[1];
    }
  }
  name ??= new URL(uri).pathname.split('/').pop();
  name = name?.split(/[\\/]/).pop();
  return name && name !== '.' && name !== '..' ? name : 'download';
}
