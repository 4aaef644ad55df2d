// The Cloud Run Admin API v2 clients (@google-cloud/run) for container jobs, loaded on first use.
// They speak REST (gax's HTTP/JSON fallback), so RUN_EMULATOR_HOST (host:port, plain HTTP, no
// credentials) points them at a test's fake of the REST API.
import type { ProtoTimestamp } from '../vertexai/clients';

/** An execution as the client decodes it (only what the runner reads). */
export interface RunExecution {
  name?: string | null;
  completionTime?: ProtoTimestamp | null;
  succeededCount?: number | null;
  failedCount?: number | null;
  cancelledCount?: number | null;
  conditions?: { type?: string | null; state?: string | number | null; message?: string | null }[] | null;
}

interface Operation<T> {
  promise(): Promise<[T, ...unknown[]]>;
  metadata?: unknown;
}

/** Only what the runner calls: the gax clients' promise API. */
export interface RunJobsApi {
  createJob(req: { parent: string; jobId: string; job: Record<string, unknown> }): Promise<[Operation<{ name?: string | null }>, ...unknown[]]>;
  runJob(req: { name: string }): Promise<[Operation<RunExecution>, ...unknown[]]>;
  deleteJob(req: { name: string }): Promise<[Operation<unknown>, ...unknown[]]>;
}

export interface RunExecutionsApi {
  getExecution(req: { name: string }): Promise<[RunExecution, ...unknown[]]>;
  cancelExecution(req: { name: string }): Promise<unknown>;
}

export interface RunClients {
  jobs: RunJobsApi;
  executions: RunExecutionsApi;
}

const clients = new Map<string, RunClients>();

/** One pair of clients per process and endpoint (building one parses the package's protos). */
export function runClients(projectId: string, env: Readonly<Record<string, string | undefined>>): RunClients {
  const emulator = env.RUN_EMULATOR_HOST;
  const key = `${projectId} ${emulator ?? ''}`;
  let c = clients.get(key);
  if (c) return c;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
  const run: typeof import('@google-cloud/run') = require('@google-cloud/run');
  const options: Record<string, unknown> = { projectId, fallback: true };
  if (emulator) {
    const at = emulator.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
    const colon = at.lastIndexOf(':');
    // No credentials for a fake: an auth client that only sends the request.
    const authClient = { getRequestHeaders: async () => new Headers(), fetch: (url: string, init: RequestInit) => fetch(url, init) };
    Object.assign(options, { protocol: 'http', apiEndpoint: at.slice(0, colon), port: Number(at.slice(colon + 1)), authClient });
  }
  c = {
    jobs: new run.v2.JobsClient(options as never) as unknown as RunJobsApi,
    executions: new run.v2.ExecutionsClient(options as never) as unknown as RunExecutionsApi,
  };
  clients.set(key, c);
  return c;
}
