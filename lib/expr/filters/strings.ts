// String filters from Pebble's core and Kestra's extension. A null input gives null, as in Pebble.

import { createHash } from 'node:crypto';
import type { CallContext, FilterDef } from '../callables';
import { hardFailure } from '../failure';
import { describe, isList, isMap, javaString, printValue, setOwn } from '../values';

type StrFn = (s: string, args: readonly unknown[], cx: CallContext) => unknown;

/** A filter over the input's string form; null stays null. */
function str(params: readonly string[] | null, fn: StrFn): FilterDef {
  return {
    params,
    apply(input, args, cx) {
      if (input === null || input === undefined) return null;
      const out = fn(printValue(input, cx), args, cx);
      return typeof out === 'string' ? cx.str(out) : out;
    },
  };
}

function text(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw hardFailure(`${what} must be a string, got ${describe(v)}`);
}

function whole(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw hardFailure(`${what} must be a whole number, got ${describe(v)}`);
}

// Java's String.trim and Character.isWhitespace are ASCII-minded; match them rather than JS's.
const isJavaSpace = (c: string) => c <= ' ';
function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isJavaSpace(s[a])) a++;
  while (b > a && isJavaSpace(s[b - 1])) b--;
  return s.slice(a, b);
}

/** Kestra's Slugify: whitespace to dashes, accents stripped, anything else non-word dropped. */
export function slugify(input: string): string {
  const slug = input
    .replace(/\s/g, '-')
    .normalize('NFD')
    .replace(/[^A-Za-z0-9_-]/g, '')
    .replace(/_/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-/, '')
    .replace(/-$/, '');
  return slug.toLowerCase();
}

/** java.net.URLEncoder: like encodeURIComponent, but spaces become + and only .-*_ stay bare. */
function urlencode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function urldecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw hardFailure(`cannot URL-decode ${describe(s)}`);
  }
}

/** Java's String.split with a literal delimiter: trailing empty strings go unless a limit is given. */
function split(s: string, delimiter: string, limit: number): string[] {
  let parts: string[];
  if (delimiter === '') parts = [...s];
  else if (limit > 0) {
    parts = [];
    let from = 0;
    while (parts.length < limit - 1) {
      const i = s.indexOf(delimiter, from);
      if (i < 0) break;
      parts.push(s.slice(from, i));
      from = i + delimiter.length;
    }
    parts.push(s.slice(from));
    return parts;
  } else parts = s.split(delimiter);
  if (limit === 0) while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

const ESCAPES: Readonly<Record<string, [string, string]>> = {
  single: ["'", "\\'"],
  double: ['"', '\\"'],
  shell: ["'", "'\\''"],
};

/** Applies a string transformation through lists and maps, as Kestra's escapeChar and replace do. */
function deep(v: unknown, fn: (s: string) => string, cx: CallContext, depth = 0): unknown {
  if (depth > 100) throw hardFailure('the value is nested too deeply');
  cx.charge(1);
  if (isList(v)) return v.map((x) => deep(x, fn, cx, depth + 1));
  if (isMap(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) setOwn(out, k, deep(v[k], fn, cx, depth + 1));
    return out;
  }
  return cx.str(fn(javaString(v, cx)));
}

function digest(algorithm: string): FilterDef {
  return str(null, (s) => createHash(algorithm).update(s, 'utf8').digest('hex'));
}

/** Replaces every `from` with `to`, failing before the result could outgrow the size limit. */
function replaceAll(s: string, from: string, to: string, cx: CallContext): string {
  if (from === '') return s;
  const parts = s.split(from);
  cx.fits(s.length + (parts.length - 1) * (to.length - from.length));
  return parts.join(to);
}

function indent(withLeadingNewline: boolean): FilterDef {
  return str(['amount', 'prefix'], (s, [amount, prefix], cx) => {
    if (s === '') return s;
    const n = whole(amount, "indent's amount");
    if (n < 0) throw hardFailure("indent's amount must be 0 or more");
    const unit = prefix === undefined || prefix === null ? ' ' : text(prefix, "indent's prefix");
    cx.fits(unit.length * n);
    const nl = s.includes('\r\n') ? '\r\n' : s.includes('\n\r') ? '\n\r' : s.includes('\n') ? '\n' : '\r';
    return replaceAll(withLeadingNewline ? nl + s : s, nl, nl + unit.repeat(n), cx);
  });
}

export const STRING_FILTERS: Readonly<Record<string, FilterDef>> = {
  upper: str(null, (s) => s.toUpperCase()),
  lower: str(null, (s) => s.toLowerCase()),
  trim: str(null, javaTrim),
  capitalize: str(null, (s) => s.replace(/^(\s*)(\S)/u, (_m, ws: string, c: string) => ws + c.toUpperCase())),
  title: str(null, (s) => s.replace(/(^|\s)(\S)/gu, (_m, ws: string, c: string) => ws + c.toUpperCase())),
  slugify: str(null, slugify),
  substringBefore: str(['separator'], (s, [sep]) => {
    const d = text(sep, "substringBefore's separator");
    if (d === '') return '';
    const i = s.indexOf(d);
    return i < 0 ? s : s.slice(0, i);
  }),
  substringAfter: str(['separator'], (s, [sep]) => {
    const d = text(sep, "substringAfter's separator");
    const i = s.indexOf(d);
    return i < 0 ? '' : s.slice(i + d.length);
  }),
  substringBeforeLast: str(['separator'], (s, [sep]) => {
    const d = text(sep, "substringBeforeLast's separator");
    if (d === '') return s;
    const i = s.lastIndexOf(d);
    return i < 0 ? s : s.slice(0, i);
  }),
  substringAfterLast: str(['separator'], (s, [sep]) => {
    const d = text(sep, "substringAfterLast's separator");
    if (d === '') return '';
    const i = s.lastIndexOf(d);
    return i < 0 || i === s.length - d.length ? '' : s.slice(i + d.length);
  }),
  startsWith: str(['value'], (s, [v]) => s.startsWith(text(v, "startsWith's value"))),
  endsWith: str(['value'], (s, [v]) => s.endsWith(text(v, "endsWith's value"))),
  split: str(['delimiter', 'limit'], (s, [delimiter, limit], cx) => {
    if (delimiter === undefined || delimiter === null) throw hardFailure('split needs a delimiter');
    const parts = split(s, text(delimiter, "split's delimiter"), limit === undefined || limit === null ? 0 : whole(limit, "split's limit"));
    cx.charge(parts.length);
    return parts;
  }),
  abbreviate: str(['length'], (s, [length]) => {
    const max = whole(length, "abbreviate's length");
    if (max < 0) throw hardFailure("abbreviate's length must be 0 or more");
    if (s.length < max || s.length <= 3) return s;
    return max <= 3 ? s.slice(0, max) : `${s.slice(0, max - 3)}...`;
  }),
  urlencode: str(null, urlencode),
  urldecode: str(null, urldecode),
  base64encode: str(null, (s) => Buffer.from(s, 'utf8').toString('base64')),
  base64decode: str(null, (s) => Buffer.from(s, 'base64').toString('utf8')),
  sha1: digest('sha1'),
  sha256: digest('sha256'),
  sha512: digest('sha512'),
  md5: digest('md5'),
  indent: indent(false),
  nindent: indent(true),
  escapeChar: {
    params: ['type'],
    apply(input, [type], cx) {
      if (input === null || input === undefined) return null;
      const pair = typeof type === 'string' ? ESCAPES[type.toLowerCase()] : undefined;
      if (!pair) throw hardFailure("escapeChar's type must be 'single', 'double' or 'shell'");
      return deep(input, (s) => replaceAll(s, pair[0], pair[1], cx), cx);
    },
  },
  replace: {
    params: ['replace_pairs', 'regexp'],
    apply(input, [pairs, regexp], cx) {
      if (input === null || input === undefined) return null;
      if (!isMap(pairs)) throw hardFailure("replace needs a map of replacements, such as replace({'a': 'b'})");
      // Regular expressions could backtrack without bound, and rendering has no clock to stop them.
      if (regexp === true) throw hardFailure('replace with regexp=true is not supported');
      const entries = Object.keys(pairs).map((k) => [k, javaString(pairs[k], cx)] as const);
      return deep(input, (s) => entries.reduce((acc, [from, to]) => replaceAll(acc, from, to, cx), s), cx);
    },
  },
};
