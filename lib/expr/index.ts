// Pebble-syntax templates, as Kestra renders them: strict, sandboxed, bounded. See
// docs/expressions.md for the language. Every failure is an AloftError with code EXPRESSION that
// names the problem, quotes the template and carries the caller's location.

import { AloftError, ErrorCode, type ErrorLocation } from '../model/errors';
import type { TagSpan, Template } from './ast';
import type { FileStat, FileText, KvValues } from './callables';
import { compile } from './cache';
import { Evaluation } from './evaluate';
import { ExprFailure, FailureKind } from './failure';
import { setOwn } from './values';

export { kvReferences, readPaths, referencedPaths, secretNames, type KvReference } from './analyze';
export { kvEntryKey, type FileStat, type FileText, type KvValues } from './callables';

export type Vars = Readonly<Record<string, unknown>>;

export interface RenderOptions {
  /** What now() returns; rendering never reads the clock. */
  now: Date;
  /** Pre-resolved values for secret('NAME'); a name that is missing is an EXPRESSION error naming it. */
  secrets?: Readonly<Record<string, string>>;
  /** Key-value entries read beforehand for kv() (see kvReferences); a key not read is an EXPRESSION error. */
  kv?: KvValues;
  /** Files read beforehand for read() (see readPaths); a path not read is an EXPRESSION error. */
  files?: ReadonlyMap<string, FileText>;
  /** Files looked up beforehand for fileSize/fileExists/isFileEmpty (see fileStatPaths). */
  fileStats?: ReadonlyMap<string, FileStat>;
  /** The execution's ERROR log lines, read beforehand for errorLogs(); without them errorLogs() fails. */
  errorLogs?: readonly Readonly<Record<string, unknown>>[];
  /** Collects the paths fileStats lacks (answered with a stand-in meanwhile), to look up and render again. */
  wantedFiles?: Set<string>;
  /** Random bytes for uuid() and randomInt(); without it they fail (rendering outside a task's properties). */
  randomBytes?: (n: number) => Uint8Array;
  /** flow/task/property, copied into every error. */
  location?: ErrorLocation;
  /** Default 1,000,000. Output (and any string built on the way) beyond this is an EXPRESSION error. */
  maxOutputChars?: number;
  /** Evaluation step budget (bounded time without a clock). Default 1,000,000. */
  maxSteps?: number;
}

const DEFAULT_MAX_OUTPUT = 1_000_000;
const DEFAULT_MAX_STEPS = 1_000_000;
const EXCERPT = 80;

/** True when the string contains `{{` or `{%`, so it needs rendering. */
export function isTemplate(s: string): boolean {
  return s.includes('{{') || s.includes('{%');
}

/** Renders to a string. Values print as Kestra prints them: null as nothing, lists and maps as JSON. */
export function render(template: string, vars: Vars, opts: RenderOptions): string {
  if (!template.includes('{')) return template;
  const tpl = load(template, opts);
  const ev = evaluation(tpl, vars, opts);
  try {
    ev.renderNodes(tpl.nodes);
  } catch (e) {
    throw toError(e, tpl.source, ev.tag, opts.location);
  }
  return ev.out;
}

/**
 * Like render, but a template that is exactly one `{{ expr }}` (whitespace around it allowed) keeps
 * the value's type: number, boolean, list, map or null. Anything else renders to a string.
 */
export function renderTyped(template: string, vars: Vars, opts: RenderOptions): unknown {
  if (!template.includes('{')) return template;
  const tpl = load(template, opts);
  if (!tpl.single) return render(template, vars, opts);
  const ev = evaluation(tpl, vars, opts);
  ev.tag = tpl.single.tag;
  try {
    const v = ev.eval(tpl.single.e);
    // A typed value is printed later (as JSON text, in a message, a file): it obeys the same
    // bound as rendered text, whatever it is built from (one large value referenced many times).
    ev.fits(printedSize(v, (opts.maxOutputChars ?? DEFAULT_MAX_OUTPUT) + 1));
    return v === undefined ? null : v;
  } catch (e) {
    throw toError(e, tpl.source, ev.tag, opts.location);
  }
}

/** About the length of a value printed as JSON, counted up to `stop` (so the walk stays cheap). */
function printedSize(value: unknown, stop: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && size < stop) {
    const v = stack.pop();
    if (typeof v === 'string') size += v.length + 2;
    else if (Array.isArray(v)) { size += 2 + v.length; for (const x of v) stack.push(x); }
    else if (v !== null && typeof v === 'object') {
      size += 2;
      for (const [k, x] of Object.entries(v)) { size += k.length + 4; stack.push(x); }
    } else size += String(v).length;
  }
  return size;
}

/**
 * Renders every string inside arrays and plain objects (map keys too) through renderTyped, and
 * returns other values as they are. Errors name the path inside the value, appended to
 * `opts.location.property` (`sql`, `env.FOO`, `commands[1]`). Unchanged containers are returned as-is.
 */
export function renderValue(value: unknown, vars: Vars, opts: RenderOptions): unknown {
  return renderAt(value, vars, opts, '', 0);
}

/** Parses only; returns the first syntax error, with its offset in the template. */
export function checkSyntax(template: string): { message: string; offset: number } | undefined {
  try {
    compile(template);
    return undefined;
  } catch (e) {
    if (e instanceof ExprFailure) return { message: e.message, offset: Math.max(0, e.offset) };
    return { message: String((e as Error)?.message ?? e), offset: 0 };
  }
}

function load(template: string, opts: RenderOptions): Template {
  try {
    return compile(template);
  } catch (e) {
    throw toError(e, template, undefined, opts.location);
  }
}

function evaluation(tpl: Template, vars: Vars, opts: RenderOptions): Evaluation {
  return new Evaluation(tpl, vars, {
    now: opts.now,
    secrets: opts.secrets,
    kv: opts.kv,
    files: opts.files,
    fileStats: opts.fileStats,
    errorLogs: opts.errorLogs,
    wantedFiles: opts.wantedFiles,
    randomBytes: opts.randomBytes,
    maxOutputChars: opts.maxOutputChars ?? DEFAULT_MAX_OUTPUT,
    maxSteps: opts.maxSteps ?? DEFAULT_MAX_STEPS,
  });
}

const MAX_VALUE_DEPTH = 200;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent ? `${parent}.${key}` : key;
}

function withPath(location: ErrorLocation | undefined, path: string): ErrorLocation {
  const base = location?.property;
  const property = !path ? base : base ? (path.startsWith('[') ? `${base}${path}` : `${base}.${path}`) : path;
  return property === undefined ? { ...location } : { ...location, property };
}

/** Runs `fn`, adding the path inside the value to the location of an error it throws (only then). */
function atPath<T>(opts: RenderOptions, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!path || !(e instanceof AloftError)) throw e;
    throw new AloftError(e.code, e.message, withPath(opts.location, path), e.hint);
  }
}

function renderAt(value: unknown, vars: Vars, opts: RenderOptions, path: string, depth: number): unknown {
  if (typeof value === 'string') return isTemplate(value) ? atPath(opts, path, () => renderTyped(value, vars, opts)) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_VALUE_DEPTH) {
    throw new AloftError(ErrorCode.EXPRESSION, 'the value is nested too deeply to render', withPath(opts.location, path));
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const r = renderAt(value[i], vars, opts, childPath(path, i), depth + 1);
      if (!out && r !== value[i]) out = value.slice(0, i);
      if (out) out.push(r);
    }
    return out ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const obj = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const where = childPath(path, k);
    const key = isTemplate(k) ? atPath(opts, where, () => render(k, vars, opts)) : k;
    const r = renderAt(obj[k], vars, opts, where, depth + 1);
    if (!out && (r !== obj[k] || key !== k)) {
      out = {};
      for (let j = 0; j < i; j++) setOwn(out, keys[j], obj[keys[j]]);
    }
    // As Kestra (putIfAbsent): when two keys render alike, the first one wins.
    if (out && !Object.hasOwn(out, key)) setOwn(out, key, r);
  }
  return out ?? value;
}

// ---- errors ----

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1)}…` : flat;
}

function lineOf(source: string, offset: number): string {
  if (!source.includes('\n')) return '';
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) if (source.charCodeAt(i) === 10) line++;
  return ` (template line ${line})`;
}

/** The tag around a syntax error's offset, or the text near it. */
function near(source: string, offset: number): string {
  const open = Math.max(source.lastIndexOf('{{', offset), source.lastIndexOf('{%', offset));
  const start = open >= 0 && offset - open <= 60 ? open : Math.max(0, offset - 30);
  const close = source.slice(offset).search(/[}%]\}/);
  const end = close >= 0 && close <= 60 ? offset + close + 2 : Math.min(source.length, offset + 30);
  return source.slice(start, end);
}

function toError(e: unknown, source: string, tag: TagSpan | undefined, location: ErrorLocation | undefined): AloftError {
  if (e instanceof AloftError) return e;
  const loc: ErrorLocation = { ...location };
  if (e instanceof ExprFailure) {
    if (e.kind === FailureKind.SYNTAX) {
      const offset = Math.max(0, e.offset);
      return new AloftError(ErrorCode.EXPRESSION, `template syntax error: ${e.message} in "${oneLine(near(source, offset))}"${lineOf(source, offset)}`, loc);
    }
    const where = tag ? ` in "${oneLine(source.slice(tag.start, tag.end))}"${lineOf(source, tag.start)}` : '';
    return new AloftError(ErrorCode.EXPRESSION, `${e.message}${where}`, loc);
  }
  // Anything else (a stack overflow on pathological data, say) is still the template's failure.
  const message = e instanceof Error ? e.message : String(e);
  const where = tag ? ` in "${oneLine(source.slice(tag.start, tag.end))}"` : '';
  return new AloftError(ErrorCode.EXPRESSION, `template evaluation failed: ${message}${where}`, loc);
}
