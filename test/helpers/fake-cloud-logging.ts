// A fake of Cloud Logging's LoggingServiceV2 on loopback, at the wire level (gRPC, with the protos that
// @google-cloud/logging ships): the real client reaches it through LOGGING_EMULATOR_HOST.
//
// Interface (also used by the Singer/Cloud Run tests):
// - `write(entry)` ingests one entry; its timestamp defaults to now, each a nanosecond after the last.
// - TailLogEntries streams, to every open stream whose filter matches, the entries ingested after the
//   stream opened (as the real tail does: it has no backlog), in batches of up to `batchSize`. Entries
//   are held for the request's `bufferWindow` and then sent together, as the service buffers them
//   (its default window is 2 s; this fake's default, `bufferWindowMs`, is none, so that tests see lines
//   at once: the benchmark asks for the service's).
// - ListLogEntries answers the stored entries matching a filter, oldest first, `pageSize` at a time.
// - `dropStreamsAfter(n)` ends each tail stream with UNAVAILABLE once it delivered n more entries (a
//   dropped connection), and `dropStreams()` drops every open one at once.
// Filters understand what the tasks send: `field="value"` and `timestamp>="RFC 3339"` joined by AND,
// where field is resource.type, resource.labels.<name>, logName or severity.
import type * as grpc from '@grpc/grpc-js';
import { grpcError, loadProtos, startGrpcServer, stopGrpcServer } from './google-protos';

export interface FakeLogEntryInput {
  resource: { type: string; labels: Record<string, string> };
  severity?: 'DEFAULT' | 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL' | 'ALERT' | 'EMERGENCY';
  textPayload: string;
  logName?: string;
}

export interface FakeLogEntry extends Required<FakeLogEntryInput> {
  insertId: string;
  /** Nanoseconds since the epoch. */
  ns: bigint;
}

export interface FakeCloudLogging {
  /** host:port, for LOGGING_EMULATOR_HOST. */
  endpoint: string;
  /** Every ingested entry, in order. */
  readonly entries: FakeLogEntry[];
  write(entry: FakeLogEntryInput): FakeLogEntry;
  /** Each tail stream opened so far, with its filter. */
  readonly tails: { filter: string }[];
  /** Ends every open tail stream with UNAVAILABLE. */
  dropStreams(): void;
  /** Ends each open or future tail stream with UNAVAILABLE after it delivered `n` more entries (undefined: never). */
  dropStreamsAfter(n: number | undefined): void;
  /** Number of ListLogEntries calls served. */
  readonly listCalls: number;
  close(): Promise<void>;
}

type Term = { field: string; op: '=' | '>='; value: string };

function parseFilter(filter: string): Term[] {
  if (!filter.trim()) return [];
  return filter.split(/\s+AND\s+/).map((part) => {
    const m = /^\s*([\w.]+)\s*(>=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(part);
    if (!m) throw grpcError(3 /* INVALID_ARGUMENT */, `unsupported filter term: ${part}`);
    return { field: m[1], op: m[2] as Term['op'], value: m[3] };
  });
}

/** RFC 3339 with up to nanoseconds, to nanoseconds since the epoch. */
export function nsOf(rfc3339: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(rfc3339);
  if (!m) throw grpcError(3, `bad timestamp in filter: ${rfc3339}`);
  const seconds = BigInt(Date.parse(`${m[1]}Z`) / 1000);
  return seconds * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

function fieldOf(e: FakeLogEntry, field: string): string | undefined {
  if (field === 'resource.type') return e.resource.type;
  if (field.startsWith('resource.labels.')) return e.resource.labels[field.slice('resource.labels.'.length)];
  if (field === 'logName') return e.logName;
  if (field === 'severity') return e.severity;
  return undefined;
}

const matches = (e: FakeLogEntry, terms: Term[]): boolean =>
  terms.every((t) => (t.field === 'timestamp' ? t.op === '>=' && e.ns >= nsOf(t.value) : fieldOf(e, t.field) === t.value));

/** The LogEntry message as the protos shape it. */
function wire(e: FakeLogEntry): Record<string, unknown> {
  return {
    logName: e.logName, resource: e.resource, insertId: e.insertId, severity: e.severity, textPayload: e.textPayload,
    timestamp: { seconds: String(e.ns / 1_000_000_000n), nanos: Number(e.ns % 1_000_000_000n) },
    receiveTimestamp: { seconds: String(e.ns / 1_000_000_000n), nanos: Number(e.ns % 1_000_000_000n) },
  };
}

interface Tail {
  call: grpc.ServerDuplexStream<any, any>;
  terms: Term[];
  delivered: number;
  dropAt?: number;
  pending: FakeLogEntry[];
  scheduled: boolean;
  /** How long entries are held before they are sent. */
  windowMs: number;
}

/** A google.protobuf.Duration as proto-loader decodes it (seconds as a string), in milliseconds. */
const msOf = (d: { seconds?: string; nanos?: number } | null | undefined): number | undefined =>
  d ? Number(d.seconds ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1_000_000) : undefined;

export async function startFakeCloudLogging(opts: { batchSize?: number; bufferWindowMs?: number } = {}): Promise<FakeCloudLogging> {
  const batchSize = opts.batchSize ?? 1000;
  const proto = loadProtos(['google/logging/v2/logging.proto']) as any;
  const entries: FakeLogEntry[] = [];
  const tails: { filter: string }[] = [];
  const open = new Set<Tail>();
  let dropAfter: number | undefined;
  let lastNs = 0n;
  let listCalls = 0;

  const drop = (t: Tail): void => {
    open.delete(t);
    // grpc-js ends a server stream with an error status when the stream emits the error.
    t.call.emit('error', grpcError(14 /* UNAVAILABLE */, 'the fake dropped the tail stream'));
  };
  // Entries go out in batches, as the real tail's buffer window sends them.
  const flush = (t: Tail): void => {
    t.scheduled = false;
    while (t.pending.length && open.has(t)) {
      let n = Math.min(batchSize, t.pending.length);
      if (t.dropAt !== undefined) n = Math.min(n, t.dropAt - t.delivered);
      if (n > 0) {
        const batch = t.pending.splice(0, n);
        t.call.write({ entries: batch.map(wire) });
        t.delivered += n;
      }
      if (t.dropAt !== undefined && t.delivered >= t.dropAt) return drop(t);
    }
  };

  const service = {
    tailLogEntries(call: grpc.ServerDuplexStream<any, any>) {
      let tail: Tail | undefined;
      call.on('data', (req: { filter?: string; bufferWindow?: { seconds?: string; nanos?: number } | null }) => {
        if (tail) return;
        try {
          const filter = req.filter ?? '';
          const windowMs = msOf(req.bufferWindow) ?? opts.bufferWindowMs ?? 0;
          tail = { call, terms: parseFilter(filter), delivered: 0, pending: [], scheduled: false, windowMs, ...(dropAfter !== undefined ? { dropAt: dropAfter } : {}) };
          tails.push({ filter });
          open.add(tail);
        } catch (err) {
          call.destroy(err as Error);
        }
      });
      const end = () => { if (tail) open.delete(tail); };
      call.on('end', () => { end(); call.end(); });
      call.on('cancelled', end);
      call.on('error', end);
    },
    listLogEntries(call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<any>) {
      listCalls++;
      try {
        const terms = parseFilter(call.request.filter ?? '');
        const size = call.request.pageSize > 0 ? call.request.pageSize : 1000;
        const from = call.request.pageToken ? Number(call.request.pageToken) : 0;
        const found: FakeLogEntry[] = [];
        let i = from;
        for (; i < entries.length && found.length < size; i++) if (matches(entries[i], terms)) found.push(entries[i]);
        callback(null, { entries: found.map(wire), nextPageToken: i < entries.length ? String(i) : '' });
      } catch (err) {
        callback(err as grpc.ServiceError);
      }
    },
  };

  const { server, endpoint } = await startGrpcServer((s) => s.addService(proto.google.logging.v2.LoggingServiceV2.service, service as any));

  return {
    endpoint,
    entries,
    tails,
    get listCalls() { return listCalls; },
    write(input) {
      const now = BigInt(Date.now()) * 1_000_000n;
      lastNs = now > lastNs ? now : lastNs + 1n;
      const entry: FakeLogEntry = {
        severity: 'DEFAULT', logName: 'projects/p/logs/workerpool0-0', ...input, insertId: `i${entries.length + 1}`, ns: lastNs,
      };
      entries.push(entry);
      for (const t of open) {
        if (!matches(entry, t.terms)) continue;
        t.pending.push(entry);
        if (!t.scheduled) {
          t.scheduled = true;
          if (t.windowMs > 0) setTimeout(() => flush(t), t.windowMs).unref();
          else setImmediate(() => flush(t));
        }
      }
      return entry;
    },
    dropStreams() { for (const t of [...open]) drop(t); },
    dropStreamsAfter(n) {
      dropAfter = n;
      for (const t of open) t.dropAt = n === undefined ? undefined : t.delivered + n;
    },
    close: () => stopGrpcServer(server),
  };
}
