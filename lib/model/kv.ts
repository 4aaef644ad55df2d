// Key-value store entries as Kestra 1.x has them: keys per namespace, typed values (`kvType`) and
// an optional expiry. Shared by the tasks, the kv() function and the API routes.
import { AloftError, ErrorCode, type ErrorLocation } from './errors';
import { parseDurationMs } from './duration';

export const KV_TYPES = ['STRING', 'NUMBER', 'BOOLEAN', 'DATETIME', 'DATE', 'DURATION', 'JSON'] as const;
export type KvType = (typeof KV_TYPES)[number];

/** Kestra's key rule: a letter or digit, then letters, digits, `.`, `_` or `-`. */
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_KEY_LENGTH = 255;

export function checkKvKey(key: unknown, where: ErrorLocation = {}): string {
  if (typeof key !== 'string' || key.length > MAX_KEY_LENGTH || !KEY.test(key)) {
    throw new AloftError(
      ErrorCode.INPUT_INVALID,
      `invalid key-value key ${JSON.stringify(String(key).slice(0, 100))}: keys are letters, digits, '.', '_' and '-', starting with a letter or digit`,
      where,
    );
  }
  return key;
}

/** The type Kestra gives a value set without `kvType`. */
export function inferKvType(value: unknown): KvType {
  if (typeof value === 'number') return 'NUMBER';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (value !== null && typeof value === 'object') return 'JSON';
  return 'STRING';
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Converts a value to the stored form of `type` (what Get and kv() give back), or INPUT_INVALID
 * naming the type. Dates stay ISO-8601 strings, durations ISO-8601 durations, JSON any JSON value
 * (a string is parsed).
 */
export function toKvValue(type: KvType, value: unknown, where: ErrorLocation = {}): unknown {
  const bad = (): never => {
    throw new AloftError(ErrorCode.INPUT_INVALID, `value ${JSON.stringify(value)?.slice(0, 100)} is not a ${type}`, where);
  };
  switch (type) {
    case 'STRING':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'NUMBER': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      return Number.isFinite(n) ? n : bad();
    }
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return bad();
    case 'DATETIME': {
      const t = typeof value === 'string' ? Date.parse(value) : NaN;
      return Number.isNaN(t) ? bad() : new Date(t).toISOString();
    }
    case 'DATE':
      return typeof value === 'string' && DATE_ONLY.test(value) && !Number.isNaN(Date.parse(value)) ? value : bad();
    case 'DURATION':
      return typeof value === 'string' && parseDurationMs(value) !== undefined ? value : bad();
    case 'JSON':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return bad();
      }
  }
}

/** The expiry date of a `ttl` (ISO-8601 duration) from `now`, or INPUT_INVALID naming the ttl. */
export function kvExpiry(ttl: string | undefined, now: Date, where: ErrorLocation = {}): string | undefined {
  if (ttl === undefined) return undefined;
  const ms = parseDurationMs(ttl);
  if (ms === undefined || ms <= 0) throw new AloftError(ErrorCode.INPUT_INVALID, `ttl '${ttl}' is not a positive ISO-8601 duration (e.g. PT1H)`, where);
  return new Date(now.getTime() + ms).toISOString();
}
