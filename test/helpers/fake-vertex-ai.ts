// A fake of Vertex AI on loopback, at the wire level (gRPC, with the protos @google-cloud/aiplatform
// ships): the real JobServiceClient and PredictionServiceClient reach it through VERTEXAI_EMULATOR_HOST.
// - JobService: CreateCustomJob, GetCustomJob, CancelCustomJob and DeleteCustomJob (a finished
//   long-running operation), with Vertex's states: PENDING at creation, RUNNING, then SUCCEEDED, FAILED
//   (with the plan's error) or, after a cancel, CANCELLED. Deleting a job that still runs is refused
//   with FAILED_PRECONDITION, as Vertex does.
// - Each job follows a plan: how long it runs and the log lines it writes, at given offsets, into a
//   FakeCloudLogging as `ml_job` entries labelled with the job id (what the real training service does).
// - PredictionService.GenerateContent answers what `generate` returns for the request.
// - `deny` answers PERMISSION_DENIED to every call on a project, with Vertex's message.
import type * as grpc from '@grpc/grpc-js';
import type { FakeCloudLogging, FakeLogEntryInput } from './fake-cloud-logging';
import { grpcError, loadProtos, startGrpcServer, stopGrpcServer } from './google-protos';

export interface FakeLine { atMs: number; severity?: FakeLogEntryInput['severity']; text: string }

export interface FakeJobPlan {
  durationMs: number;
  /** Lines in offset order; a generator for the benchmark's hundred thousand. */
  lines?: FakeLine[] | { count: number; line(i: number): FakeLine };
  /** The job ends FAILED with this google.rpc.Status. */
  fail?: { code: number; message: string };
}

export interface FakeJob {
  name: string;
  id: string;
  resource: Record<string, any>;
  plan: FakeJobPlan;
  deleted: boolean;
}

export interface FakeVertexAi {
  /** host:port, for VERTEXAI_EMULATOR_HOST. */
  endpoint: string;
  /** Every job ever created, by name (deleted ones stay, marked). */
  readonly jobs: Map<string, FakeJob>;
  /** Method and resource of each call, in order: "CreateCustomJob projects/p/locations/r". */
  readonly calls: string[];
  /** The plan of the next jobs (default: 50 ms, no lines, success). */
  plan: (request: Record<string, any>) => FakeJobPlan;
  /** Projects on which every call is refused with PERMISSION_DENIED. */
  readonly deny: Set<string>;
  /** GenerateContent's answer to a request (default: an echo of the last text part). */
  generate: (request: Record<string, any>) => Record<string, any>;
  close(): Promise<void>;
}

const TICK_MS = 10;

const timestamp = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 });

export async function startFakeVertexAi(opts: { logging?: FakeCloudLogging } = {}): Promise<FakeVertexAi> {
  const proto = loadProtos(['google/cloud/aiplatform/v1/job_service.proto', 'google/cloud/aiplatform/v1/prediction_service.proto']) as any;
  const v1 = proto.google.cloud.aiplatform.v1;
  const jobs = new Map<string, FakeJob>();
  const calls: string[] = [];
  const deny = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let nextId = 1000;

  const fake: FakeVertexAi = {
    endpoint: '',
    jobs,
    calls,
    deny,
    plan: () => ({ durationMs: 50 }),
    generate: (req) => {
      const parts = (req.contents ?? []).flatMap((c: any) => c.parts ?? []);
      const text = [...parts].reverse().find((p: any) => p.text)?.text ?? '';
      return {
        candidates: [{ index: 0, content: { role: 'model', parts: [{ text: `echo: ${text}` }] }, finishReason: 'STOP', safetyRatings: [] }],
        usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 },
        modelVersion: 'fake-1',
      };
    },
    close: async () => {
      for (const t of timers) clearInterval(t);
      await stopGrpcServer(server);
    },
  };

  /** The project of a resource name, refused when denied. */
  const check = (method: string, resource: string): void => {
    calls.push(`${method} ${resource}`);
    const project = /^projects\/([^/]+)/.exec(resource)?.[1] ?? '';
    if (deny.has(project)) {
      const permission = method === 'GenerateContent' ? 'aiplatform.endpoints.predict' : `aiplatform.customJobs.${method.replace(/CustomJob$/, '').toLowerCase()}`;
      throw grpcError(7 /* PERMISSION_DENIED */, `Permission '${permission}' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`);
    }
  };

  const finish = (job: FakeJob, state: string, error?: { code: number; message: string }): void => {
    const now = Date.now();
    Object.assign(job.resource, { state, endTime: timestamp(now), updateTime: timestamp(now) }, error ? { error: { ...error, details: [] } } : {});
  };

  const run = (job: FakeJob): void => {
    const started = Date.now();
    const lines = job.plan.lines;
    const count = !lines ? 0 : Array.isArray(lines) ? lines.length : lines.count;
    const at = (i: number): FakeLine => (Array.isArray(lines) ? lines[i] : (lines as { line(i: number): FakeLine }).line(i));
    let next = 0;
    const timer = setInterval(() => {
      if (job.resource.endTime) { clearInterval(timer); timers.delete(timer); return; }
      const elapsed = Date.now() - started;
      if (job.resource.state === 'JOB_STATE_PENDING') Object.assign(job.resource, { state: 'JOB_STATE_RUNNING', startTime: timestamp(Date.now()) });
      for (; next < count && at(next).atMs <= elapsed; next++) {
        const line = at(next);
        opts.logging?.write({
          resource: { type: 'ml_job', labels: { job_id: job.id, project_id: job.name.split('/')[1], task_name: 'workerpool0-0' } },
          severity: line.severity ?? 'INFO', textPayload: line.text,
        });
      }
      if (elapsed >= job.plan.durationMs && next >= count) {
        finish(job, job.plan.fail ? 'JOB_STATE_FAILED' : 'JOB_STATE_SUCCEEDED', job.plan.fail);
        clearInterval(timer);
        timers.delete(timer);
      }
    }, TICK_MS);
    timers.add(timer);
  };

  const unary = (method: string, handle: (req: any) => unknown) => (call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<any>) => {
    try {
      callback(null, handle(call.request) as any);
    } catch (err) {
      callback(err as grpc.ServiceError);
    }
  };
  const found = (name: string): FakeJob => {
    const job = jobs.get(name);
    if (!job || job.deleted) throw grpcError(5 /* NOT_FOUND */, `The CustomJob does not exist: ${name}`);
    return job;
  };

  const jobService = {
    createCustomJob: unary('CreateCustomJob', (req) => {
      check('CreateCustomJob', req.parent);
      if (!req.customJob?.displayName) throw grpcError(3, 'CustomJob.display_name is required.');
      const id = String(nextId++);
      const name = `${req.parent}/customJobs/${id}`;
      const now = timestamp(Date.now());
      const resource = { ...req.customJob, name, state: 'JOB_STATE_PENDING', createTime: now, updateTime: now };
      const job: FakeJob = { name, id, resource, plan: fake.plan(req), deleted: false };
      jobs.set(name, job);
      run(job);
      return resource;
    }),
    getCustomJob: unary('GetCustomJob', (req) => {
      check('GetCustomJob', req.name);
      return found(req.name).resource;
    }),
    cancelCustomJob: unary('CancelCustomJob', (req) => {
      check('CancelCustomJob', req.name);
      const job = found(req.name);
      if (!job.resource.endTime) finish(job, 'JOB_STATE_CANCELLED', { code: 1, message: 'CANCELED' });
      return {};
    }),
    deleteCustomJob: unary('DeleteCustomJob', (req) => {
      check('DeleteCustomJob', req.name);
      const job = found(req.name);
      if (!job.resource.endTime) throw grpcError(9 /* FAILED_PRECONDITION */, `The CustomJob cannot be deleted because it is running: ${req.name}`);
      job.deleted = true;
      return { name: `${req.name}/operations/delete-${job.id}`, done: true, response: { typeUrl: 'type.googleapis.com/google.protobuf.Empty', value: Buffer.alloc(0) } };
    }),
  };

  const predictionService = {
    generateContent: unary('GenerateContent', (req) => {
      check('GenerateContent', req.model);
      return fake.generate(req);
    }),
  };

  const { server, endpoint } = await startGrpcServer((s) => {
    s.addService(v1.JobService.service, jobService as any);
    s.addService(v1.PredictionService.service, predictionService as any);
  });
  fake.endpoint = endpoint;
  return fake;
}
