// The BigQuery client for one attempt: @google-cloud/bigquery, loaded on first use, pointed at
// BIGQUERY_EMULATOR_HOST when the runtime's environment sets it (an emulator or a test's fake), with
// the library's own request retries off so that the task's retry policy (./retry.ts) is the only one.
import { StringDecoder } from 'node:string_decoder';
import { PassThrough, type Readable } from 'node:stream';
import type { BigQuery } from '@google-cloud/bigquery';
import { AloftError, ErrorCode, type ErrorLocation } from '../../../model/errors';
import type { TaskContext } from '../../types';
import { authorizer, parseServiceAccount } from '../credentials';
import { BigQueryFailure, failureOf } from './errors';
import { PageReader, type PageEvent } from './page-reader';

export interface ConnectionProperties {
  projectId?: string;
  serviceAccount?: string;
  scopes?: string[];
  location?: string;
}

export interface JobReference {
  projectId: string;
  jobId: string;
  location?: string;
}

/** A job resource as jobs.get returns it (only what the tasks read). */
export interface JobResource {
  jobReference: JobReference;
  configuration?: Record<string, any>;
  status?: { state?: string; errorResult?: { reason?: string; message?: string; location?: string }; errors?: Array<{ reason?: string; message?: string; location?: string }> };
  statistics?: Record<string, any>;
}

export interface BigQueryApi {
  readonly projectId: string;
  readonly location?: string;
  /** One REST call; `uri` is relative to /projects/{projectId}. Throws a BigQueryFailure. */
  call<T = any>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', uri: string, opts?: { qs?: Record<string, unknown>; body?: unknown }): Promise<T>;
  /**
   * A GET of a page of rows, read as it arrives (./page-reader.ts): its members, then its rows a network
   * chunk at a time. `call` would hold the page as text and objects, and deep-copy it (the library's
   * response handling). Throws a BigQueryFailure.
   */
  getPage(uri: string, qs?: Record<string, unknown>): AsyncGenerator<PageEvent>;
  /** A load job whose data is uploaded with it (the upload endpoint, multipart as the library sends it). */
  upload(ref: JobReference, configuration: Record<string, unknown>, data: () => Promise<Readable>): Promise<JobResource>;
}

/** The project: the property, else the key's, else the runtime's GOOGLE_CLOUD_PROJECT. */
function projectOf(props: ConnectionProperties, keyProject: string | undefined, env: TaskContext['env'], location: ErrorLocation): string {
  const project = props.projectId ?? keyProject ?? env.GOOGLE_CLOUD_PROJECT ?? env.GCLOUD_PROJECT;
  if (!project) {
    throw new AloftError(ErrorCode.TASK_FAILED, 'projectId is required: set it, or give a serviceAccount key, or GOOGLE_CLOUD_PROJECT', { ...location, property: 'projectId' });
  }
  return project;
}

export function connect(ctx: TaskContext, props: ConnectionProperties, location: ErrorLocation): BigQueryApi {
  const key = props.serviceAccount !== undefined ? parseServiceAccount(props.serviceAccount, location) : undefined;
  const projectId = projectOf(props, key?.project_id, ctx.env, location);
  const emulator = ctx.env.BIGQUERY_EMULATOR_HOST;
  const authorize = authorizer({ serviceAccount: key, scopes: props.scopes, emulator: !!emulator });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: `aloft run` of other flows never loads it
  const lib: typeof import('@google-cloud/bigquery') = require('@google-cloud/bigquery');
  const apiEndpoint = emulator ? (emulator.includes('://') ? emulator : `http://${emulator}`).replace(/\/+$/, '') : undefined;
  const bq: BigQuery = new lib.BigQuery({
    projectId, location: props.location, autoRetry: false, maxRetries: 0,
    ...(apiEndpoint ? { apiEndpoint } : {}),
    // The library's GoogleAuth takes any client with getRequestHeaders: ours (see ../credentials.ts).
    authClient: { getRequestHeaders: authorize } as never,
  });
  return {
    projectId,
    location: props.location,
    call: (method, uri, opts = {}) => new Promise((resolve, reject) => {
      bq.request({ method, uri, qs: opts.qs, json: opts.body ?? (method === 'GET' || method === 'DELETE' ? undefined : {}) }, (err: unknown, body: unknown) => {
        if (err) reject(failureOf(err));
        else resolve(body as never);
      });
    }),
    getPage: (uri, qs) => readPage(bq.requestStream({ method: 'GET', uri, qs })),
    upload: async (ref, configuration, data) => {
      const source = await data();
      return new Promise<JobResource>((resolve, reject) => {
        let settled = false;
        const fail = (err: unknown) => {
          if (settled) return;
          settled = true;
          source.destroy();
          reject(failureOf(err));
        };
        source.on('error', fail);
        // The upload endpoint, multipart (job metadata, then the data), as Table.createWriteStream sends
        // it; called directly because that method puts nothing beside `configuration.load` (no labels).
        const reqOpts = {
          method: 'POST', uri: `${bq.apiEndpoint}/upload/bigquery/v2/projects/${encodeURIComponent(ref.projectId)}/jobs`,
          qs: { uploadType: 'multipart' }, timeout: 0,
          multipart: [
            { 'Content-Type': 'application/json', body: JSON.stringify({ jobReference: ref, configuration }) },
            { 'Content-Type': 'application/octet-stream', body: source },
          ],
        };
        (bq.makeAuthenticatedRequest as (o: object, cb: (err: unknown, body: unknown) => void) => void)(reqOpts, (err, body) => {
          if (err) return fail(err);
          settled = true;
          resolve(body as JobResource);
        });
      });
    },
  };
}

/** A page answer, parsed as it streams in; an HTTP error's body becomes BigQuery's failure. */
async function* readPage(stream: Readable): AsyncGenerator<PageEvent> {
  let status = 0;
  stream.on('response', (res: { statusCode?: number }) => { status = res.statusCode ?? 0; });
  const decoder = new StringDecoder('utf8');
  const reader = new PageReader();
  let errorText = '';
  // The library's stream (duplexify over retry-request) is read through a core stream: pipe keeps its
  // backpressure, and a core stream's async iterator is the one that is dependable.
  const body = new PassThrough();
  stream.on('error', (err: Error) => body.destroy(err));
  stream.pipe(body);
  try {
    for await (const chunk of body) {
      const text = decoder.write(chunk as Buffer);
      // An error answer is small: kept whole, read below.
      if (status >= 400) errorText += text;
      else yield* reader.push(text);
    }
  } catch (err) {
    throw failureOf(err);
  } finally {
    stream.destroy();
    body.destroy();
  }
  if (status >= 400) {
    let e: { code?: number; errors?: unknown; message?: string } = {};
    try {
      e = (JSON.parse(errorText + decoder.end()) as { error?: typeof e }).error ?? {};
    } catch {
      // not JSON: the status says enough
    }
    throw failureOf({ code: e.code ?? status, errors: e.errors, message: e.message ?? `HTTP ${status}` });
  }
  decoder.end();
  try {
    yield* reader.end();
  } catch {
    throw failureOf({ code: status || 500, message: `unreadable answer from BigQuery (HTTP ${status})` });
  }
}

export { BigQueryFailure };
