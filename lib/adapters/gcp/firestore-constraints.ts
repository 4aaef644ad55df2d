// What Firestore accepts, for every Firestore adapter: its limits, the mapping of its errors, document ids and JSON fields.
//
// User data (inputs, outputs, variables, events, effects) is arbitrary JSON, which Firestore maps do
// not hold faithfully: nested arrays are refused and `undefined` is rejected. So such values are kept
// as one JSON string field per document (`data`), parsed back with zod on every read; the fields that
// queries need are copied beside it as plain typed fields.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { AloftError, ErrorCode, isRetryableInfra } from '../../model/errors';

/** Firestore's document size limit is 1 MiB; keep room for the typed fields and the document name. */
export const MAX_DOC_DATA_BYTES = 1_000_000;
/** Writes in one transaction or batch (DESIGN.md, "Firestore model and its limits"). */
export const MAX_WRITES = 500;
/** One commit request is at most 10 MiB. */
export const MAX_COMMIT_BYTES = 9 * 1024 * 1024;

/** gRPC status codes the adapters look at. */
export const Grpc = {
  NOT_FOUND: 5, ALREADY_EXISTS: 6, FAILED_PRECONDITION: 9, ABORTED: 10,
} as const;

export function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Maps a client failure onto the closed error set: AloftErrors pass through; a transaction that lost
 * (ABORTED) is a CONFLICT when `abortedIsConflict`; the retryable table (lib/model/errors.ts) gives
 * INFRA_RETRYABLE; anything else is INTERNAL with the client's message.
 */
export function toAloftError(err: unknown, what: string, opts: { abortedIsConflict?: boolean } = {}): AloftError {
  if (err instanceof AloftError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (Object.values(ErrorCode) as string[]).includes(code)) {
    const e = err as { message?: string };
    return new AloftError(code as ErrorCode, String(e.message ?? code));
  }
  const message = `${what}: ${(err as { message?: string } | null)?.message ?? String(err)}`;
  if (grpcCode(err) === Grpc.ABORTED && opts.abortedIsConflict) return new AloftError(ErrorCode.CONFLICT, message);
  if (isRetryableInfra(err)) return new AloftError(ErrorCode.INFRA_RETRYABLE, message);
  return new AloftError(ErrorCode.INTERNAL, message);
}

const SAFE_ID = /^[A-Za-z0-9_.:=+@,-]{1,300}$/;

/**
 * A Firestore document id for an arbitrary key, the same for the same key: the key itself when it is
 * safe (no `/`, not `.`/`..`, not `__x__`), otherwise a hash of it. The key is also stored in the document.
 */
export function docIdFor(key: string): string {
  if (SAFE_ID.test(key) && key !== '.' && key !== '..' && !/^__.*__$/.test(key)) return key;
  return `h_${createHash('sha256').update(key).digest('base64url')}`;
}

/** JSON text for a document field, refused with PAYLOAD_TOO_LARGE when it would not fit in a document. */
export function jsonField(value: unknown, what: string, limit = MAX_DOC_DATA_BYTES): string {
  const text = JSON.stringify(value) ?? 'null';
  const bytes = Buffer.byteLength(text);
  if (bytes > limit) {
    throw new AloftError(ErrorCode.PAYLOAD_TOO_LARGE,
      `${what} is ${bytes} bytes, over Firestore's 1 MiB document limit`, {},
      'large values belong in internal storage: write them to a kestra:/// file and pass its URI');
  }
  return text;
}

/** Parses a JSON field with its schema; a document that does not parse is reported, never trusted. */
export function parseJsonField<S extends z.ZodType>(schema: S, text: unknown, where: string): z.infer<S> {
  if (typeof text !== 'string') throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${where}: no data field`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${where}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${where}: ${issues}`);
  }
  return parsed.data;
}

export const isAlreadyExists = (err: unknown): boolean => grpcCode(err) === Grpc.ALREADY_EXISTS;
export const isNotFound = (err: unknown): boolean => grpcCode(err) === Grpc.NOT_FOUND;
export const isFailedPrecondition = (err: unknown): boolean => grpcCode(err) === Grpc.FAILED_PRECONDITION;

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
