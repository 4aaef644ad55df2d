// The BigQuery client for one attempt: @google-cloud/bigquery, loaded on first use, pointed at
// BIGQUERY_EMULATOR_HOST when the runtime's environment sets it (an emulator or a test's fake), with
// the library's own request retries off so that the task's retry policy (./retry.ts) is the only one.
import type { Readable } from 'node:stream';
import type { BigQuery } from '@google-cloud/bigquery';
import { AloftError, ErrorCode, type ErrorLocation } from '../../../model/errors';
import type { TaskContext } from '../../types';
import { authorizer, parseServiceAccount } from '../credentials';
import { BigQueryFailure, failureOf } from './errors';

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
   * A GET whose answer may be large (a page of results): read as a stream and parsed once, where
   * `call` would also deep-copy it (the library's response handling), which costs a page's size again.
   */
  getLarge<T = any>(uri: string, qs?: Record<string, unknown>): Promise<T>;
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
    getLarge: (uri, qs) => new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status = 0;
      bq.requestStream({ method: 'GET', uri, qs })
        .on('response', (res: { statusCode?: number }) => { status = res.statusCode ?? 0; })
        .on('data', (c: Buffer) => chunks.push(c))
        .on('error', (err: unknown) => reject(failureOf(err)))
        .on('end', () => {
          let body: any;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return reject(failureOf({ code: status || 500, message: `unreadable answer from BigQuery (HTTP ${status})` }));
          }
          if (status >= 400 || body?.error) {
            const e = body?.error ?? {};
            return reject(failureOf({ code: e.code ?? status, errors: e.errors, message: e.message ?? `HTTP ${status}` }));
          }
          resolve(body as never);
        });
    }),
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

export { BigQueryFailure };
