// Cloud Logging's TailLogEntries and ListLogEntries messages, encoded and decoded at the wire level for
// the log tail.
// - The client library decodes each response into full LogEntry objects (the monitored resource, its
//   labels map, every timestamp turned into strings): that cost most of the worker's CPU per line.
//   The tail reads five fields of an entry, so a response is decoded straight into `TailEntry`s and
//   the other fields are skipped unread.
// - Field numbers are those of google/logging/v2/logging.proto and log_entry.proto, and of
//   google/protobuf/struct.proto, as @google-cloud/logging ships them.
import type { Reader } from 'protobufjs/minimal';

// Loaded on first use: `aloft run` reaches this module through the script runners and must not load protobufjs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protobuf = (): typeof import('protobufjs/minimal') => require('protobufjs/minimal');

/** What the tail keeps of a log entry. */
export interface TailEntry {
  insertId: string;
  /** The entry's timestamp: seconds since the epoch, and nanoseconds within that second. */
  seconds: number;
  nanos: number;
  /** google.logging.type.LogSeverity (DEBUG 100, INFO 200, ... EMERGENCY 800). */
  severity: number;
  message: string;
}

/** TailLogEntriesRequest: resource_names = 1, filter = 2. */
export function encodeTailRequest(req: { resourceNames: string[]; filter: string }): Buffer {
  const w = protobuf().Writer.create();
  for (const name of req.resourceNames) w.uint32((1 << 3) | 2).string(name);
  if (req.filter) w.uint32((2 << 3) | 2).string(req.filter);
  return Buffer.from(w.finish());
}

/** TailLogEntriesResponse: entries = 1 (suppression_info = 2 is skipped). */
export function decodeTailResponse(buf: Uint8Array): { entries: TailEntry[] } {
  return { entries: decodeEntries(buf, false).entries };
}

export interface ListRequest {
  resourceNames: string[];
  filter: string;
  orderBy: string;
  pageSize: number;
  pageToken?: string;
}

/** ListLogEntriesRequest: filter = 2, order_by = 3, page_size = 4, page_token = 5, resource_names = 8. */
export function encodeListRequest(req: ListRequest): Buffer {
  const w = protobuf().Writer.create();
  if (req.filter) w.uint32((2 << 3) | 2).string(req.filter);
  if (req.orderBy) w.uint32((3 << 3) | 2).string(req.orderBy);
  if (req.pageSize) w.uint32((4 << 3) | 0).int32(req.pageSize);
  if (req.pageToken) w.uint32((5 << 3) | 2).string(req.pageToken);
  for (const name of req.resourceNames) w.uint32((8 << 3) | 2).string(name);
  return Buffer.from(w.finish());
}

/** ListLogEntriesResponse: entries = 1, next_page_token = 2. */
export function decodeListResponse(buf: Uint8Array): { entries: TailEntry[]; nextPageToken: string } {
  return decodeEntries(buf, true);
}

/** Both responses: entries = 1; field 2 is the next page's token in a ListLogEntriesResponse (skipped in a tail's). */
function decodeEntries(buf: Uint8Array, listing: boolean): { entries: TailEntry[]; nextPageToken: string } {
  const r = protobuf().Reader.create(buf);
  const entries: TailEntry[] = [];
  let nextPageToken = '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) {
      const len = r.uint32();
      entries.push(logEntry(r, r.pos + len));
    } else if (tag === ((2 << 3) | 2) && listing) {
      nextPageToken = r.string();
    } else r.skipType(tag & 7);
  }
  return { entries, nextPageToken };
}

/**
 * A Timestamp's seconds (int64) read as a plain number, without the Long protobufjs would make per
 * entry: a log's seconds are positive and far below 2^53. A negative one (ten bytes) reads as 0.
 */
function seconds(r: Reader): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (r.pos >= r.len) throw new RangeError('index out of range: a truncated varint');
    const b = r.buf[r.pos++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return i === 9 ? 0 : value;
    scale *= 128;
  }
  throw new RangeError('invalid varint encoding');
}

/** LogEntry: text_payload = 3, insert_id = 4, json_payload = 6, timestamp = 9, severity = 10. */
function logEntry(r: Reader, end: number): TailEntry {
  let insertId = '';
  let secs = 0;
  let nanos = 0;
  let severity = 0;
  let text: string | undefined;
  let json: Record<string, unknown> | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (3 << 3) | 2: text = r.string(); break;
      case (4 << 3) | 2: insertId = r.string(); break;
      case (6 << 3) | 2: { const len = r.uint32(); json = struct(r, r.pos + len); break; }
      case (9 << 3) | 2: {
        const stop = r.uint32() + r.pos;
        while (r.pos < stop) {
          const t = r.uint32();
          if (t === ((1 << 3) | 0)) secs = seconds(r);
          else if (t === ((2 << 3) | 0)) nanos = r.int32();
          else r.skipType(t & 7);
        }
        break;
      }
      case (10 << 3) | 0: severity = r.int32(); break;
      default: r.skipType(tag & 7);
    }
  }
  return { insertId, seconds: secs, nanos, severity, message: messageOf(text, json) };
}

/** A text payload as it is; a JSON payload's `message` field, or else the payload as JSON. */
export function messageOf(text: string | null | undefined, json: Record<string, unknown> | undefined): string {
  if (typeof text === 'string') return text;
  if (!json) return '';
  return typeof json.message === 'string' ? json.message : JSON.stringify(json);
}

/** google.protobuf.Struct: map<string, Value> fields = 1 (each entry: key = 1, value = 2). */
function struct(r: Reader, end: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== ((1 << 3) | 2)) { r.skipType(tag & 7); continue; }
    const stop = r.uint32() + r.pos;
    let key = '';
    let value: unknown = null;
    while (r.pos < stop) {
      const t = r.uint32();
      if (t === ((1 << 3) | 2)) key = r.string();
      else if (t === ((2 << 3) | 2)) { const len = r.uint32(); value = protoValue(r, r.pos + len); }
      else r.skipType(t & 7);
    }
    out[key] = value;
  }
  return out;
}

/** google.protobuf.Value: null = 1, number = 2, string = 3, bool = 4, struct = 5, list = 6. */
function protoValue(r: Reader, end: number): unknown {
  let value: unknown = null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | 0: r.int32(); value = null; break;
      case (2 << 3) | 1: value = r.double(); break;
      case (3 << 3) | 2: value = r.string(); break;
      case (4 << 3) | 0: value = r.bool(); break;
      case (5 << 3) | 2: { const len = r.uint32(); value = struct(r, r.pos + len); break; }
      case (6 << 3) | 2: {
        const stop = r.uint32() + r.pos;
        const list: unknown[] = [];
        while (r.pos < stop) {
          const t = r.uint32();
          if (t === ((1 << 3) | 2)) { const len = r.uint32(); list.push(protoValue(r, r.pos + len)); } else r.skipType(t & 7);
        }
        value = list;
        break;
      }
      default: r.skipType(tag & 7);
    }
  }
  return value;
}
