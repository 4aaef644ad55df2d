// One input value checked and converted to its declared type, with the input's own constraints (min,
// max, validator, lengths, after/before), as Kestra's input types do. Pure; inputs.ts applies it to a
// whole flow's inputs.
import { parse as parseYaml } from 'yaml';
import { parseDurationMs } from './duration';
import { InputType, ItemType } from './flow';
import type { FlowInput } from './flow';
import { MAX_NESTING, valueDepth } from './json-bounds';
import { isSecretValue, secretValue } from './secret-value';
import { SCHEME, uriToKey } from './storage-uri';

export type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

const EXPECTS: Record<InputType, string> = {
  STRING: 'STRING (a string)', INT: 'INT (an integer)', FLOAT: 'FLOAT (a number)', BOOLEAN: 'BOOLEAN (true or false)',
  BOOL: 'BOOL (true or false)',
  DATETIME: 'DATETIME (an ISO-8601 instant such as 2024-01-31T12:00:00Z)', DATE: 'DATE (such as 2024-01-31)',
  TIME: 'TIME (such as 13:45 or 13:45:30)', DURATION: 'DURATION (ISO-8601, such as PT30S or P1DT2H)',
  JSON: 'JSON', YAML: 'YAML', URI: 'URI (such as https://example.com/a)', EMAIL: 'EMAIL (such as ada@example.com)',
  SECRET: 'SECRET (a string)', FILE: `FILE (a ${SCHEME} URI of an uploaded file)`,
  ENUM: 'ENUM (one of its values)', SELECT: 'SELECT (one of its values)', MULTISELECT: 'MULTISELECT (a list of its values)',
  ARRAY: 'ARRAY (a list, or a JSON array)',
};

/** One value converted to its input's type, with the input's own constraints (min, max, validator…). */
export function coerceInputValue(input: FlowInput, value: unknown): Coerced {
  const r = convert(input, value);
  if (r === undefined) {
    // A secret's value is never quoted back.
    return { ok: false, message: `expected ${EXPECTS[input.type]}, got ${input.type === InputType.SECRET ? `a ${typeof value}` : show(value)}` };
  }
  if ('message' in r) return { ok: false, message: r.message };
  if (valueDepth(r.value) > MAX_NESTING) return { ok: false, message: `the value is nested deeper than ${MAX_NESTING} levels` };
  const broken = constraint(input, r.value);
  return broken ? { ok: false, message: broken } : r;
}

type Converted = { ok: true; value: unknown } | { ok: false; message: string } | undefined;

/** ENUM/SELECT/MULTISELECT values (MULTISELECT's older name for them is `options`). */
const choices = (input: FlowInput): readonly string[] => input.values ?? input.options ?? [];

function convert(input: FlowInput, value: unknown): Converted {
  const ok = (v: unknown): { ok: true; value: unknown } => ({ ok: true, value: v });
  const text = typeof value === 'string' ? value.trim() : undefined;
  switch (input.type) {
    case InputType.ENUM:
    case InputType.SELECT: {
      if (typeof value !== 'string') return undefined;
      const allowed = choices(input);
      if (allowed.includes(value) || (input.type === InputType.SELECT && input.allowCustomValue === true)) return ok(value);
      return { ok: false, message: `${show(value)} is not one of the values ${allowed.map(show).join(', ')}` };
    }
    case InputType.MULTISELECT: {
      const items = listOf(value);
      if (items === undefined || !items.every((x) => typeof x === 'string')) return undefined;
      const allowed = choices(input);
      const stray = input.allowCustomValue === true ? undefined : items.find((x) => !allowed.includes(x as string));
      if (stray !== undefined) return { ok: false, message: `${show(stray)} is not one of the values ${allowed.map(show).join(', ')}` };
      return ok(items);
    }
    case InputType.ARRAY: {
      const items = listOf(value);
      if (items === undefined) return undefined;
      const itemType = input.itemType ?? ItemType.STRING;
      const out: unknown[] = [];
      for (const [i, item] of items.entries()) {
        const r = convert({ id: input.id, type: itemType }, item);
        if (r === undefined) return { ok: false, message: `item ${i}: expected ${EXPECTS[itemType]}, got ${show(item)}` };
        if ('message' in r) return { ok: false, message: `item ${i}: ${r.message}` };
        out.push(r.value);
      }
      return ok(out);
    }
    case InputType.YAML:
      if (typeof value !== 'string') return ok(value);
      try {
        return ok(parseYaml(value, { schema: 'core', maxAliasCount: 100 }));
      } catch {
        return undefined;
      }
    case InputType.EMAIL:
      return text !== undefined && EMAIL.test(text) ? ok(text) : undefined;
    case InputType.SECRET:
      // Kept marked (model/secret-value.ts); a marked value (a subflow's input, a restart) stays as it is.
      if (isSecretValue(value)) return ok(value);
      return typeof value === 'string' ? ok(secretValue(value)) : undefined;
    case InputType.BOOL:
      return convert({ ...input, type: InputType.BOOLEAN }, value);
    default:
      return convertScalar(input.type, value, text);
  }
}

/** A list given as a list, or as the text of a JSON array (a form or `--input` gives text). */
function listOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

// The shape browsers check for type=email: one @, no spaces, a dotted domain of letters, digits and -.
const EMAIL = /^[^\s@]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;

function convertScalar(type: InputType, value: unknown, text: string | undefined): Converted {
  const ok = (v: unknown): { ok: true; value: unknown } => ({ ok: true, value: v });
  switch (type) {
    case InputType.STRING:
      return typeof value === 'string' ? ok(value) : typeof value === 'number' || typeof value === 'boolean' ? ok(String(value)) : undefined;
    case InputType.INT: {
      const n = typeof value === 'number' ? value : text !== undefined && /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
      return Number.isSafeInteger(n) ? ok(n) : undefined;
    }
    case InputType.FLOAT: {
      const n = typeof value === 'number' ? value : text !== undefined && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
      return Number.isFinite(n) ? ok(n) : undefined;
    }
    case InputType.BOOLEAN:
      if (typeof value === 'boolean') return ok(value);
      return text !== undefined && /^(true|false)$/i.test(text) ? ok(text.toLowerCase() === 'true') : undefined;
    case InputType.DATETIME: {
      const instant = text !== undefined ? toUtcInstant(text) : undefined;
      return instant !== undefined ? ok(instant) : undefined;
    }
    case InputType.DATE:
      return text !== undefined && isDate(text) ? ok(text) : undefined;
    case InputType.TIME:
      return text !== undefined && /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?$/.test(text) ? ok(text) : undefined;
    case InputType.DURATION:
      return text !== undefined && parseDurationMs(text) !== undefined ? ok(text.toUpperCase()) : undefined;
    case InputType.JSON:
      if (typeof value !== 'string') return ok(value);
      try {
        return ok(JSON.parse(value));
      } catch {
        return undefined;
      }
    case InputType.URI:
      return text !== undefined && isUri(text) ? ok(text) : undefined;
    case InputType.SELECT:
      return typeof value === 'string' ? ok(value) : typeof value === 'number' || typeof value === 'boolean' ? ok(String(value)) : undefined;
    case InputType.MULTISELECT: {
      // A list, or a JSON array in a string (a form or query parameter), as Kestra reads it.
      let list = value;
      if (text !== undefined) {
        try {
          list = JSON.parse(text);
        } catch {
          return undefined;
        }
      }
      if (!Array.isArray(list) || !list.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) return undefined;
      return ok(list.map(String));
    }
    case InputType.FILE:
      if (text === undefined || !text.startsWith(SCHEME)) return undefined;
      try {
        uriToKey(text);
        return ok(text);
      } catch {
        return undefined;
      }
    default:
      return undefined;
  }
}

const TEXT_TYPES: readonly InputType[] = [InputType.STRING, InputType.SECRET, InputType.EMAIL];

function constraint(input: FlowInput, marked: unknown): string | undefined {
  const value = isSecretValue(marked) ? marked.value : marked;
  const { validator, min, max, after, before, minLength, maxLength } = input;
  const secret = input.type === InputType.SECRET;
  if (TEXT_TYPES.includes(input.type) && validator !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${validator})$`);
    } catch {
      return `the validator '${validator}' is not a valid regular expression`;
    }
    // A secret's value is never quoted back.
    if (!re.test(String(value))) return `${secret ? 'the value' : show(value)} does not match the validator '${validator}'`;
  }
  if (TEXT_TYPES.includes(input.type) && typeof value === 'string') {
    if (minLength !== undefined && value.length < minLength) return `the value is ${value.length} characters long, less than minLength ${minLength}`;
    if (maxLength !== undefined && value.length > maxLength) return `the value is ${value.length} characters long, more than maxLength ${maxLength}`;
  }
  if (Array.isArray(value)) {
    if (minLength !== undefined && value.length < minLength) return `the list has ${value.length} items, fewer than minLength ${minLength}`;
    if (maxLength !== undefined && value.length > maxLength) return `the list has ${value.length} items, more than maxLength ${maxLength}`;
  }
  if ((input.type === InputType.INT || input.type === InputType.FLOAT) && typeof value === 'number') {
    if (min !== undefined && value < Number(min)) return `${value} is less than the minimum ${min}`;
    if (max !== undefined && value > Number(max)) return `${value} is more than the maximum ${max}`;
  }
  if (input.type === InputType.DURATION) {
    const ms = parseDurationMs(String(value)) ?? 0;
    if (min !== undefined && ms < (parseDurationMs(String(min)) ?? -Infinity)) return `${String(value)} is shorter than the minimum ${min}`;
    if (max !== undefined && ms > (parseDurationMs(String(max)) ?? Infinity)) return `${String(value)} is longer than the maximum ${max}`;
  }
  if (input.type === InputType.DATETIME || input.type === InputType.DATE || input.type === InputType.TIME) {
    const key = (v: string): string => (input.type === InputType.DATETIME ? toUtcInstant(v) ?? v : v);
    // ISO texts of one kind, normalised to UTC, sort as their instants do once padded alike.
    const cmp = (a: string, b: string): number => {
      const [x, y] = [key(a).replace(/Z$/, ''), key(b).replace(/Z$/, '')];
      return x < y ? -1 : x > y ? 1 : 0;
    };
    if (after !== undefined && cmp(String(value), after) <= 0) return `${String(value)} is not after ${after}`;
    if (before !== undefined && cmp(String(value), before) >= 0) return `${String(value)} is not before ${before}`;
  }
  return undefined;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)$/;

function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

function isDate(text: string): boolean {
  const m = DATE.exec(text);
  return !!m && validDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** An ISO-8601 date-time with a zone, as a UTC instant in Java's Instant.toString form (`…Z`). */
export function toUtcInstant(text: string): string | undefined {
  const m = INSTANT.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const s = Number(m[6] ?? 0);
  if (!validDay(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  let offsetMin = 0;
  if (!/^z$/i.test(m[8])) {
    const sign = m[8][0] === '-' ? -1 : 1;
    const digits = m[8].slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  const utc = new Date(date.getTime() - offsetMin * 60_000).toISOString().replace(/\.\d{3}Z$/, '');
  return `${utc}${javaFraction(m[7] ?? '')}Z`;
}

/** Java prints a fraction of a second in groups of 3 digits, and not at all when it is zero. */
function javaFraction(digits: string): string {
  const nanos = digits.padEnd(9, '0');
  if (/^0+$/.test(nanos)) return '';
  if (nanos.endsWith('000000')) return `.${nanos.slice(0, 3)}`;
  if (nanos.endsWith('000')) return `.${nanos.slice(0, 6)}`;
  return `.${nanos}`;
}

function isUri(text: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 60 ? `${v.slice(0, 57)}...` : v}'`;
  if (Array.isArray(v)) return 'a list';
  if (v && typeof v === 'object') return 'a map';
  return String(v);
}
