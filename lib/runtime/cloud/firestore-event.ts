// Decoding the executor's trigger: a `google.cloud.firestore.document.v1.created` (or `.written`) CloudEvent whose data
// is protobuf DocumentEventData. Eventarc sends the bytes raw; the Firestore emulator sends them as
// base64 text, doubles `projects/` in ce-source and leaves updateMask empty. Both decode here, as does
// the JSON form (Eventarc with `application/json`). The schema is built on first use, not at import.
import { Root } from 'protobufjs';
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import { FIRESTORE_DATA_PROTO } from './protos/firestore-data';

/** A Firestore document as the event carries it, with fields turned into plain values. */
export interface EventDocument {
  /** projects/{p}/databases/{d}/documents/{path} */
  name: string;
  fields: Record<string, unknown>;
  createTime?: string;
  updateTime?: string;
}

export interface DocumentEventData {
  value?: EventDocument;
  oldValue?: EventDocument;
  updateMask: string[];
}

/** The CloudEvent fields the executor reads (functions-framework passes the whole CloudEvent). */
export const FirestoreCloudEvent = z.object({
  id: z.string().optional(),
  type: z.string().optional(),
  source: z.string().optional(),
  subject: z.string().optional(),
  document: z.string().optional(),
  data: z.unknown(),
}).passthrough();
export type FirestoreCloudEvent = z.infer<typeof FirestoreCloudEvent>;

type ProtoType = { decode(b: Uint8Array): unknown; toObject(m: unknown, o: Record<string, unknown>): Record<string, unknown> };
let eventDataType: ProtoType | undefined;

function protoType(): ProtoType {
  // Built on first use: nothing happens at import time.
  eventDataType ??= Root.fromJSON(FIRESTORE_DATA_PROTO).lookupType('google.events.cloud.firestore.v1.DocumentEventData') as unknown as ProtoType;
  return eventDataType;
}

const BASE64_TEXT = /^[A-Za-z0-9+/_-]+={0,2}\s*$/;

/** Bytes of the event data: raw protobuf as is, base64 text (the emulator) decoded. */
function bytesOf(data: unknown): Uint8Array | null {
  if (typeof data === 'string') return Buffer.from(data.trim(), 'base64');
  if (data instanceof Uint8Array) {
    // Raw DocumentEventData starts with a field tag (0x0a, 0x12 or 0x1a), never a base64 character.
    const first = data[0];
    if (data.length > 0 && first !== 0x0a && first !== 0x12 && first !== 0x1a) {
      const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
      if (BASE64_TEXT.test(text)) return Buffer.from(text.trim(), 'base64');
    }
    return data;
  }
  if (data && typeof data === 'object' && (data as { type?: unknown }).type === 'Buffer' && Array.isArray((data as { data?: unknown }).data)) {
    return bytesOf(Buffer.from((data as { data: number[] }).data));
  }
  return null;
}

const TIMESTAMP = z.object({ seconds: z.union([z.string(), z.number()]).optional(), nanos: z.number().optional() });

function isoOf(ts: unknown): string | undefined {
  if (typeof ts === 'string') return ts;
  const t = TIMESTAMP.safeParse(ts);
  if (!t.success) return undefined;
  const ms = Number(t.data.seconds ?? 0) * 1000 + Math.floor((t.data.nanos ?? 0) / 1e6);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** A Firestore Value (proto object or JSON form) as a plain value. */
export function plainValue(v: unknown): unknown {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if ('nullValue' in o) return null;
  if ('booleanValue' in o) return Boolean(o.booleanValue);
  if ('integerValue' in o) return Number(o.integerValue);
  if ('doubleValue' in o) return Number(o.doubleValue);
  if ('stringValue' in o) return String(o.stringValue);
  if ('referenceValue' in o) return String(o.referenceValue);
  if ('timestampValue' in o) return isoOf(o.timestampValue);
  if ('bytesValue' in o) return typeof o.bytesValue === 'string' ? o.bytesValue : Buffer.from(o.bytesValue as Uint8Array).toString('base64');
  if ('geoPointValue' in o) return o.geoPointValue;
  if ('arrayValue' in o) return (((o.arrayValue as { values?: unknown[] }) ?? {}).values ?? []).map(plainValue);
  if ('mapValue' in o) return plainFields(((o.mapValue as { fields?: unknown }) ?? {}).fields);
  return undefined;
}

function plainFields(fields: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!fields || typeof fields !== 'object') return out;
  for (const [k, v] of Object.entries(fields as Record<string, unknown>)) out[k] = plainValue(v);
  return out;
}

function documentOf(d: unknown): EventDocument | undefined {
  if (!d || typeof d !== 'object') return undefined;
  const o = d as Record<string, unknown>;
  if (typeof o.name !== 'string' || o.name === '') return undefined;
  const doc: EventDocument = { name: o.name, fields: plainFields(o.fields) };
  const created = isoOf(o.createTime ?? o.create_time);
  const updated = isoOf(o.updateTime ?? o.update_time);
  if (created) doc.createTime = created;
  if (updated) doc.updateTime = updated;
  return doc;
}

/** Decodes DocumentEventData from raw bytes, base64 text or its JSON form. MESSAGE_INVALID when it is none of them. */
export function decodeDocumentEventData(data: unknown): DocumentEventData {
  let obj: Record<string, unknown>;
  const bytes = bytesOf(data);
  if (bytes) {
    try {
      const type = protoType();
      obj = type.toObject(type.decode(bytes), { longs: String, bytes: String, defaults: false, oneofs: false });
    } catch (err) {
      throw new AloftError(ErrorCode.MESSAGE_INVALID, `the event data is not a protobuf DocumentEventData: ${(err as Error).message}`);
    }
  } else if (data && typeof data === 'object') {
    obj = data as Record<string, unknown>;
  } else {
    throw new AloftError(ErrorCode.MESSAGE_INVALID, `the event carries no DocumentEventData (data is ${data === undefined ? 'missing' : typeof data})`);
  }
  const mask = (obj.updateMask ?? obj.update_mask) as { fieldPaths?: unknown; field_paths?: unknown } | undefined;
  const paths = mask?.fieldPaths ?? mask?.field_paths;
  const out: DocumentEventData = { updateMask: Array.isArray(paths) ? paths.map(String) : [] };
  const value = documentOf(obj.value);
  const oldValue = documentOf(obj.oldValue ?? obj.old_value);
  if (value) out.value = value;
  if (oldValue) out.oldValue = oldValue;
  return out;
}

/** The path of a document inside its database: `a/b/c/d` from `projects/p/databases/d/documents/a/b/c/d` or `documents/a/b`. */
export function documentPath(name: string): string {
  const i = name.indexOf('documents/');
  return i >= 0 ? name.slice(i + 'documents/'.length) : name;
}

export const DocumentChange = { created: 'created', updated: 'updated', deleted: 'deleted' } as const;
export type DocumentChange = (typeof DocumentChange)[keyof typeof DocumentChange];

/** What a write to `{prefix}executions/{executionId}/inbox/{eventKey}` tells the executor. */
export interface InboxWrite {
  executionId: string;
  eventKey: string;
  change: DocumentChange;
  /** True when the written document is an event the executor already folded (its own update). */
  consumed: boolean;
  /** The event's idempotency key as the document holds it (the document id is an encoding of it). */
  key?: string;
  /** The document's delivery hint (PendingEvent.alone): fold it without the execution lease. */
  alone: boolean;
  /** The event's CloudEvent id, for logs. */
  eventId?: string;
}

/** ce-subject may percent-encode a document id; a stray `%` is kept as it is. */
function unescape(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Reads an executor trigger: the inbox document it is about, from the data (the document's name) or,
 * when the data has none, from ce-subject / ce-document. MESSAGE_INVALID for anything else.
 */
export function decodeInboxWrite(event: unknown, collectionPrefix = ''): InboxWrite {
  const parsed = FirestoreCloudEvent.safeParse(event);
  if (!parsed.success) throw new AloftError(ErrorCode.MESSAGE_INVALID, 'the executor was called with something that is not a CloudEvent');
  const ce = parsed.data;
  const data = decodeDocumentEventData(ce.data);
  const name = data.value?.name ?? data.oldValue?.name ?? ce.subject ?? ce.document;
  if (!name) throw new AloftError(ErrorCode.MESSAGE_INVALID, `event ${ce.id ?? '(no id)'} names no document`);
  const path = documentPath(name);
  const parts = path.split('/');
  if (parts.length !== 4 || parts[0] !== `${collectionPrefix}executions` || parts[2] !== 'inbox' || !parts[1] || !parts[3]) {
    throw new AloftError(ErrorCode.MESSAGE_INVALID, `event ${ce.id ?? '(no id)'} is about ${path}, not an inbox document under ${collectionPrefix}executions/{executionId}/inbox/{eventId}`);
  }
  const change = !data.value ? DocumentChange.deleted : data.oldValue ? DocumentChange.updated : DocumentChange.created;
  const fields = data.value?.fields;
  return {
    executionId: unescape(parts[1]), eventKey: unescape(parts[3]), change,
    consumed: fields?.consumed === true, alone: fields?.alone === true,
    ...(typeof fields?.key === 'string' ? { key: fields.key } : {}), ...(ce.id ? { eventId: ce.id } : {}),
  };
}
