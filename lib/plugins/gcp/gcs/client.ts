// The Cloud Storage client for one attempt: @google-cloud/storage, loaded on first use, pointed at
// STORAGE_EMULATOR_HOST when the runtime's environment sets it, with the task's credentials.
import type { Storage } from '@google-cloud/storage';
import { AloftError, ErrorCode, type ErrorLocation } from '../../../model/errors';
import type { TaskContext } from '../../types';
import { authorizer, parseServiceAccount } from '../credentials';

export interface GcsConnection {
  projectId?: string;
  serviceAccount?: string;
  scopes?: string[];
}

export function locationOf(ctx: TaskContext, property?: string): ErrorLocation {
  return { flow: `${ctx.execution.namespace}.${ctx.execution.flowId}`, task: ctx.taskRun.taskId, ...(property ? { property } : {}) };
}

export function storageClient(ctx: TaskContext, p: GcsConnection): Storage {
  const key = p.serviceAccount !== undefined ? parseServiceAccount(p.serviceAccount, locationOf(ctx)) : undefined;
  const emulator = ctx.env.STORAGE_EMULATOR_HOST;
  const projectId = p.projectId ?? key?.project_id ?? ctx.env.GOOGLE_CLOUD_PROJECT ?? ctx.env.GCLOUD_PROJECT;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: `aloft run` of other flows never loads it
  const lib: typeof import('@google-cloud/storage') = require('@google-cloud/storage');
  const apiEndpoint = emulator ? (emulator.includes('://') ? emulator : `http://${emulator}`).replace(/\/+$/, '') : undefined;
  return new lib.Storage({
    ...(projectId ? { projectId } : {}),
    ...(apiEndpoint ? { apiEndpoint, useAuthWithCustomEndpoint: !!key } : {}),
    // The library's GoogleAuth takes any client with getRequestHeaders: ours (see ../credentials.ts).
    authClient: { getRequestHeaders: authorizer({ serviceAccount: key, scopes: p.scopes, emulator: !!emulator }) } as never,
  });
}

/** gs://bucket/path split; the property is named when it is not such a URI. */
export function gsUri(value: string, location: ErrorLocation): { bucket: string; path: string } {
  const m = /^gs:\/\/([^/]+)\/?(.*)$/.exec(value);
  if (!m) throw new AloftError(ErrorCode.TASK_FAILED, `'${value}' is not a gs://bucket/path URI`, location);
  return { bucket: m[1], path: m[2] };
}

/** A client library error as the user reads it: Google's reason and message. */
export function gcsError(err: unknown, what: string, location: ErrorLocation): AloftError {
  if (err instanceof AloftError) return err;
  const e = (err ?? {}) as { code?: unknown; errors?: Array<{ reason?: string; message?: string }>; message?: string };
  const reasons = Array.isArray(e.errors) && e.errors.length
    ? e.errors.map((x) => `${x.reason ?? 'unknown'}: ${x.message ?? ''}`).join('; ')
    : `${typeof e.code === 'number' ? `http${e.code}` : String(e.code ?? 'error')}: ${e.message ?? String(err)}`;
  return new AloftError(ErrorCode.TASK_FAILED, `${what} failed: ${reasons}`, location);
}
