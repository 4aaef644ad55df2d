// A fake of the Cloud Run Admin API v2 on loopback, at the wire level (REST/JSON, as @google-cloud/run
// sends it in its HTTP fallback): the real client reaches it through RUN_EMULATOR_HOST.
// - jobs.create stores the job and answers a done operation; jobs.delete marks it deleted.
// - jobs.run starts an execution: the job's container command runs here, as a process, in the folder
//   that stands for its Cloud Storage volume (`bucketRoot/<only-dir>`), with the job's env. Its stdout
//   and stderr lines go to the fake Cloud Logging as resource cloud_run_job, labelled job_name.
// - executions.get answers the execution; completionTime is set once the process ended, with
//   succeededCount, or failedCount and a condition naming the exit code.
// - executions.cancel kills the process and marks the execution cancelled.
// - With `bucket` (the emulated cloud, whose workers put the job files in the Cloud Storage emulator),
//   the folder is filled from the bucket before the process starts and written back after it ended,
//   before the execution shows as ended: a coarse stand-in for the Cloud Storage volume.
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FakeCloudLogging } from './fake-cloud-logging';

export interface FakeRunJob {
  name: string;
  resource: any;
  deleted: boolean;
}

export interface FakeRunExecution {
  name: string;
  job: string;
  process?: ChildProcess;
  completionTime?: string;
  exitCode?: number | null;
  cancelled: boolean;
}

export interface FakeCloudRun {
  /** host:port, for RUN_EMULATOR_HOST. */
  endpoint: string;
  jobs: Map<string, FakeRunJob>;
  executions: Map<string, FakeRunExecution>;
  /** Method and path of every request, in order. */
  requests: string[];
  /** Resolves with the next execution once its process started. */
  nextStarted(): Promise<FakeRunExecution>;
  close(): Promise<void>;
}

const PREFIX = 'type.googleapis.com/google.cloud.run.v2.';

const send = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};
const notFound = (res: ServerResponse, what: string): void => send(res, 404, { error: { code: 404, message: `${what} not found`, status: 'NOT_FOUND' } });

function readBody(req: IncomingMessage): Promise<any> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (c: Buffer) => { text += c.toString('utf8'); }).on('end', () => resolve(text ? JSON.parse(text) : {})).on('error', reject);
  });
}

function executionJson(e: FakeRunExecution): Record<string, unknown> {
  const ended = e.completionTime !== undefined;
  const failed = ended && !e.cancelled && e.exitCode !== 0;
  return {
    name: e.name,
    ...(ended ? { completionTime: e.completionTime } : {}),
    succeededCount: ended && e.exitCode === 0 && !e.cancelled ? 1 : 0,
    failedCount: failed ? 1 : 0,
    cancelledCount: e.cancelled ? 1 : 0,
    ...(failed ? { conditions: [{ type: 'Completed', state: 'CONDITION_FAILED', message: `Task ${e.name}-task0 failed with exit code: ${e.exitCode}` }] } : {}),
  };
}

/** A bucket the job folder is synced with (as job-files.ts's JobFiles). */
export interface FakeRunBucket {
  download(prefix: string, dir: string): Promise<void>;
  upload(dir: string, prefix: string): Promise<void>;
}

export async function startFakeCloudRun(opts: { logging: FakeCloudLogging; bucketRoot: string; bucket?: FakeRunBucket }): Promise<FakeCloudRun> {
  const jobs = new Map<string, FakeRunJob>();
  const executions = new Map<string, FakeRunExecution>();
  const requests: string[] = [];
  const waiting: ((e: FakeRunExecution) => void)[] = [];
  let n = 0;

  function start(job: FakeRunJob): FakeRunExecution {
    const name = `${job.name}/executions/${job.name.split('/').pop()}-${++n}`;
    const e: FakeRunExecution = { name, job: job.name, cancelled: false };
    executions.set(name, e);
    const spec = job.resource.template.template;
    const container = spec.containers[0];
    const volume = spec.volumes[0];
    const onlyDir = String(volume.gcs.mountOptions.find((o: string) => o.startsWith('only-dir='))).slice('only-dir='.length);
    const env = Object.fromEntries((container.env ?? []).map((v: { name: string; value: string }) => [v.name, v.value]));
    const folder = join(opts.bucketRoot, onlyDir);
    const synced = opts.bucket ? mkdir(folder, { recursive: true }).then(() => opts.bucket!.download(onlyDir, folder)) : Promise.resolve();
    void synced.then(() => {
      if (e.cancelled) return;
      run(e, spawn(container.command[0], container.args ?? [], { cwd: folder, env: { PATH: process.env.PATH, ...env } }), job, folder, onlyDir);
    }, (err: Error) => {
      e.exitCode = 125;
      e.completionTime = new Date().toISOString();
      opts.logging.write({ resource: { type: 'cloud_run_job', labels: { job_name: job.name.split('/').pop() as string } }, textPayload: `fake Cloud Run: ${err.message}` });
    });
    return e;
  }

  function run(e: FakeRunExecution, child: ChildProcessWithoutNullStreams, job: FakeRunJob, folder: string, onlyDir: string): void {
    e.process = child;
    const jobName = job.name.split('/').pop() as string;
    for (const [stream, logName] of [[child.stdout, 'stdout'], [child.stderr, 'stderr']] as const) {
      createInterface({ input: stream }).on('line', (line) => {
        opts.logging.write({ resource: { type: 'cloud_run_job', labels: { job_name: jobName } }, textPayload: line, logName: `projects/p/logs/run.googleapis.com%2F${logName}` });
      });
    }
    child.on('close', (code) => {
      e.exitCode = code;
      const back = opts.bucket && !e.cancelled ? opts.bucket.upload(folder, onlyDir) : Promise.resolve();
      // The lines are in before the execution shows as ended, as Cloud Run's ingestion would have them.
      void back.catch(() => undefined).then(() => setImmediate(() => { e.completionTime = new Date().toISOString(); }));
    });
    child.on('spawn', () => waiting.shift()?.(e));
    child.on('error', (err) => {
      opts.logging.write({ resource: { type: 'cloud_run_job', labels: { job_name: jobName } }, textPayload: `fake Cloud Run: ${err.message}` });
      e.exitCode = 127;
      e.completionTime = new Date().toISOString();
    });
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = decodeURIComponent(url.pathname).replace(/^\/v2\//, '');
      requests.push(`${req.method} ${path}`);
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      if (req.method === 'POST' && path.endsWith('/jobs')) {
        const name = `${path.slice(0, -'/jobs'.length)}/jobs/${url.searchParams.get('jobId')}`;
        const job = { name, resource: body, deleted: false };
        jobs.set(name, job);
        return send(res, 200, { name: `${name}/operations/create`, done: true, response: { '@type': `${PREFIX}Job`, name } });
      }
      if (req.method === 'POST' && path.endsWith(':run')) {
        const job = jobs.get(path.slice(0, -':run'.length));
        if (!job || job.deleted) return notFound(res, 'job');
        const e = start(job);
        return send(res, 200, { name: `${e.name}/operations/run`, done: false, metadata: { '@type': `${PREFIX}Execution`, name: e.name } });
      }
      if (req.method === 'POST' && path.endsWith(':cancel')) {
        const e = executions.get(path.slice(0, -':cancel'.length));
        if (!e) return notFound(res, 'execution');
        e.cancelled = true;
        if (e.process) e.process.kill('SIGKILL');
        else e.completionTime ??= new Date().toISOString();
        return send(res, 200, { name: `${e.name}/operations/cancel`, done: true, response: { '@type': `${PREFIX}Execution`, ...executionJson(e) } });
      }
      if (req.method === 'GET' && executions.has(path)) return send(res, 200, executionJson(executions.get(path) as FakeRunExecution));
      if (req.method === 'DELETE' && jobs.has(path)) {
        (jobs.get(path) as FakeRunJob).deleted = true;
        return send(res, 200, { name: `${path}/operations/delete`, done: true, response: { '@type': `${PREFIX}Job`, name: path } });
      }
      return notFound(res, path);
    })().catch((err: Error) => send(res, 500, { error: { code: 500, message: err.message } }));
  });
  // Longer than the client's idle gaps (loading a client's protos takes seconds): a connection the
  // server closed while the client reuses it would reset a request.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `127.0.0.1:${port}`,
    jobs, executions, requests,
    nextStarted: () => new Promise((resolve) => waiting.push(resolve)),
    async close() {
      for (const e of executions.values()) if (e.completionTime === undefined) e.process?.kill('SIGKILL');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
