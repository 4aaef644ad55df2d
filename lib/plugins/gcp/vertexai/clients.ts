// The Vertex AI and Cloud Logging gRPC clients for one attempt, loaded on first use (flows without
// Vertex AI tasks never load them). Vertex AI is regional: `{region}-aiplatform.googleapis.com`.
// VERTEXAI_EMULATOR_HOST and LOGGING_EMULATOR_HOST (host:port, plain gRPC, no credentials) point them
// at an emulator or a test's fake.
import { dirname } from 'node:path';
import type { ErrorLocation } from '../../../model/errors';
import { AloftError, ErrorCode } from '../../../model/errors';
import type { TaskContext } from '../../types';
import { DEFAULT_SCOPES, parseServiceAccount, type ServiceAccountKey } from '../credentials';
import { isTransient } from './errors';
import { decodeListResponse, decodeTailResponse, encodeListRequest, encodeTailRequest, type ListRequest, type TailEntry } from './log-entries';

export interface ConnectionProperties {
  projectId?: string;
  serviceAccount?: string;
  scopes?: string[];
}

/** What both clients are built from. */
export interface Connection {
  projectId: string;
  key?: ServiceAccountKey;
  scopes: string[];
  env: TaskContext['env'];
}

export function connection(ctx: TaskContext, props: ConnectionProperties, location: ErrorLocation): Connection {
  const key = props.serviceAccount !== undefined ? parseServiceAccount(props.serviceAccount, location) : undefined;
  const projectId = props.projectId ?? key?.project_id ?? ctx.env.GOOGLE_CLOUD_PROJECT ?? ctx.env.GCLOUD_PROJECT;
  if (!projectId) {
    throw new AloftError(ErrorCode.TASK_FAILED, 'projectId is required: set it, or give a serviceAccount key, or GOOGLE_CLOUD_PROJECT', { ...location, property: 'projectId' });
  }
  return { projectId, key, scopes: [...(props.scopes ?? DEFAULT_SCOPES)], env: ctx.env };
}

/** The options a gax client takes: the endpoint, and either a plain channel to a fake or credentials. */
function clientOptions(pkg: string, c: Connection, emulator: string | undefined, apiEndpoint: string | undefined): Record<string, unknown> {
  const options: Record<string, unknown> = { projectId: c.projectId, scopes: c.scopes };
  if (emulator) {
    const at = emulator.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
    const colon = at.lastIndexOf(':');
    // The channel credentials must come from the grpc-js this client loads (grpc-js checks instanceof).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
    const gax = require(require.resolve('google-gax', { paths: [dirname(require.resolve(pkg))] }));
    return { ...options, apiEndpoint: at.slice(0, colon), port: Number(at.slice(colon + 1)), sslCreds: gax.grpc.credentials.createInsecure() };
  }
  if (apiEndpoint) options.apiEndpoint = apiEndpoint;
  if (c.key) options.credentials = { client_email: c.key.client_email, private_key: c.key.private_key };
  return options;
}

/**
 * Clients are kept per process and per connection: building one parses the package's protos, which
 * costs far more CPU than a job's polls and log lines, and a warm function instance runs the
 * continuations of the same job again and again. Keyed by everything that makes a client different.
 */
const clients = new Map<string, unknown>();
function cached<T>(kind: string, c: Connection, extra: string, make: () => T): T {
  const key = JSON.stringify([kind, extra, c.projectId, c.scopes, c.key?.client_email, c.key?.private_key_id, c.key?.private_key.length,
    c.env.VERTEXAI_EMULATOR_HOST, c.env.LOGGING_EMULATOR_HOST]);
  let client = clients.get(key) as T | undefined;
  if (!client) clients.set(key, (client = make()));
  return client;
}

/** Only what the tasks call; the gax clients' promise API. */
export interface JobServiceApi {
  createCustomJob(req: { parent: string; customJob: Record<string, unknown> }, opts?: unknown): Promise<[VertexCustomJob, ...unknown[]]>;
  getCustomJob(req: { name: string }, opts?: unknown): Promise<[VertexCustomJob, ...unknown[]]>;
  cancelCustomJob(req: { name: string }, opts?: unknown): Promise<unknown>;
  deleteCustomJob(req: { name: string }, opts?: unknown): Promise<[{ promise(): Promise<unknown> }, ...unknown[]]>;
}

export interface ProtoTimestamp { seconds?: string | number | { toString(): string } | null; nanos?: number | null }

export interface VertexCustomJob {
  name?: string | null;
  displayName?: string | null;
  state?: string | number | null;
  createTime?: ProtoTimestamp | null;
  updateTime?: ProtoTimestamp | null;
  startTime?: ProtoTimestamp | null;
  endTime?: ProtoTimestamp | null;
  error?: { code?: number | null; message?: string | null } | null;
  webAccessUris?: Record<string, string> | null;
}

export function jobService(c: Connection, region: string): JobServiceApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
  const ai: typeof import('@google-cloud/aiplatform') = require('@google-cloud/aiplatform');
  return cached('jobs', c, region, () => new ai.v1.JobServiceClient(clientOptions('@google-cloud/aiplatform', c, c.env.VERTEXAI_EMULATOR_HOST, `${region}-aiplatform.googleapis.com`) as never) as unknown as JobServiceApi);
}

export interface PredictionServiceApi {
  generateContent(req: Record<string, unknown>, opts?: unknown): Promise<[Record<string, any>, ...unknown[]]>;
}

export function predictionService(c: Connection, region: string): PredictionServiceApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
  const ai: typeof import('@google-cloud/aiplatform') = require('@google-cloud/aiplatform');
  return cached('prediction', c, region, () => new ai.v1.PredictionServiceClient(clientOptions('@google-cloud/aiplatform', c, c.env.VERTEXAI_EMULATOR_HOST, `${region}-aiplatform.googleapis.com`) as never) as unknown as PredictionServiceApi);
}

export interface TailStream {
  on(event: 'data', listener: (res: { entries: TailEntry[] }) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  removeAllListeners(event: string): unknown;
  write(request: { resourceNames: string[]; filter: string }): unknown;
  end(): unknown;
  cancel?(): void;
}

export interface LoggingApi {
  /** Sets the client's channel up (credentials, the stub); before the first call. */
  ready(): Promise<void>;
  /** A duplex of TailLogEntries requests and responses, decoded lean (log-entries.ts). */
  tailLogEntries(): TailStream;
  /** One page of ListLogEntries, decoded lean; transient errors are tried again a few times, as the client library does. */
  listLogEntries(req: ListRequest): Promise<{ entries: TailEntry[]; nextPageToken: string }>;
}

const TAIL_METHOD = '/google.logging.v2.LoggingServiceV2/TailLogEntries';
const LIST_METHOD = '/google.logging.v2.LoggingServiceV2/ListLogEntries';
/** The client library's own policy for ListLogEntries: about a minute per call, transient codes tried again. */
const LIST_DEADLINE_MS = 60_000;
const LIST_TRIES = 4;
const LIST_BACKOFF_MS = 100;

/** The grpc-js Client the gax client builds (its channel carries the credentials). */
interface GrpcStub {
  makeBidiStreamRequest(method: string, serialize: (v: never) => Buffer, deserialize: (b: Buffer) => unknown): TailStream;
  makeUnaryRequest(
    method: string, serialize: (v: never) => Buffer, deserialize: (b: Buffer) => unknown, argument: unknown,
    options: { deadline: Date }, callback: (err: Error | null, value?: unknown) => void,
  ): unknown;
}

/**
 * TailLogEntries and ListLogEntries on the client library's own authenticated channel (its grpc-js
 * stub), with the lean codec of log-entries.ts: the library's decoding of every field of every entry
 * cost more CPU than all the rest of the tail.
 */
class LeanLogging implements LoggingApi {
  private stub: GrpcStub | undefined;
  private init: Promise<void> | undefined;

  constructor(private readonly client: { initialize(): Promise<GrpcStub> }) {}

  ready(): Promise<void> {
    this.init ??= this.client.initialize().then((stub) => { this.stub = stub; }, (err: unknown) => {
      this.init = undefined;
      throw err;
    });
    return this.init;
  }

  private readyStub(): GrpcStub {
    if (!this.stub) throw new Error('the Logging client is not ready');
    return this.stub;
  }

  tailLogEntries(): TailStream {
    return this.readyStub().makeBidiStreamRequest(TAIL_METHOD, encodeTailRequest as (v: never) => Buffer, decodeTailResponse);
  }

  async listLogEntries(req: ListRequest): Promise<{ entries: TailEntry[]; nextPageToken: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.listOnce(req);
      } catch (err) {
        if (attempt >= LIST_TRIES || !isTransient(err)) throw err;
        await new Promise((r) => setTimeout(r, LIST_BACKOFF_MS * 2 ** (attempt - 1)));
      }
    }
  }

  private listOnce(req: ListRequest): Promise<{ entries: TailEntry[]; nextPageToken: string }> {
    const stub = this.readyStub();
    return new Promise((resolve, reject) => {
      stub.makeUnaryRequest(LIST_METHOD, encodeListRequest as (v: never) => Buffer, decodeListResponse, req, { deadline: new Date(Date.now() + LIST_DEADLINE_MS) },
        (err, value) => (err ? reject(err) : resolve(value as { entries: TailEntry[]; nextPageToken: string })));
    });
  }
}

export function loggingService(c: Connection): LoggingApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
  const logging: typeof import('@google-cloud/logging') = require('@google-cloud/logging');
  return cached('logging', c, '', () => new LeanLogging(
    new logging.v2.LoggingServiceV2Client(clientOptions('@google-cloud/logging', c, c.env.LOGGING_EMULATOR_HOST, undefined) as never) as unknown as { initialize(): Promise<GrpcStub> },
  ));
}

/** An RFC 3339 date of a protobuf Timestamp, with milliseconds (as Kestra's outputs show it). */
export function isoOfTimestamp(t: ProtoTimestamp | null | undefined): string | undefined {
  if (!t || t.seconds === undefined || t.seconds === null) return undefined;
  const ms = Number(String(t.seconds)) * 1000 + Math.floor((t.nanos ?? 0) / 1_000_000);
  return new Date(ms).toISOString();
}
