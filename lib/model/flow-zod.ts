// Turns zod issues into people-sized messages on document paths, and lets templates through:
// a `{{ … }}` string stands for a value only known at run time, so any issue located at (or
// under) a template string is dropped, whatever type the schema expects there.
import type { z } from 'zod';
import type { DocPath } from './flow-diagnostics';
import { closest, didYouMean } from './flow-suggest';

export interface ValueIssue {
  path: (string | number)[];
  message: string;
  /** The issue is about a key (unknown property), not a value. */
  atKey?: boolean;
}

const TEMPLATE = /\{\{|\{%/;
export const isTemplate = (v: unknown): v is string => typeof v === 'string' && TEMPLATE.test(v);

export interface CheckOptions {
  /** Treat a root object schema that merely strips unknown keys as strict. */
  strictRoot?: boolean;
  /** Keys allowed at the root even if the schema does not list them. */
  extraRootKeys?: readonly string[];
  /** Drop issues at these paths (values validated elsewhere, such as child tasks). */
  skip?: (path: DocPath) => boolean;
}

/** Validates `value`; returns every issue, templates excepted. */
export function checkValue(schema: z.ZodType, value: unknown, opts: CheckOptions = {}): ValueIssue[] {
  const out: ValueIssue[] = [];
  const extra = new Set(opts.extraRootKeys ?? []);
  const result = schema.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) out.push(...convert(issue as Issue, [], schema, value, opts, extra));
  }
  if (opts.strictRoot && isPlainObject(value)) {
    const root = unwrap(schema);
    if (kind(root) === 'object' && !(root._zod.def as { catchall?: unknown }).catchall) {
      const known = Object.keys((root as z.ZodObject).shape);
      for (const key of Object.keys(value)) {
        if (!known.includes(key) && !extra.has(key)) out.push(unknownKey([], key, known));
      }
    }
  }
  return out;
}

type Issue = z.core.$ZodIssue & { errors?: Issue[][]; keys?: string[]; values?: unknown[]; expected?: string };

function convert(issue: Issue, base: DocPath, schema: z.ZodType, root: unknown, opts: CheckOptions, extra: Set<string>): ValueIssue[] {
  const path = [...base, ...(issue.path as (string | number)[])];
  if (atTemplate(root, path) || opts.skip?.(path)) return [];
  const value = valueAt(root, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(schemaAt(schema, path)) ?? [];
      return (issue.keys ?? [])
        .filter((k) => !(path.length === 0 && extra.has(k)) && !opts.skip?.([...path, k]))
        .map((k) => unknownKey(path, k, known));
    }
    case 'invalid_union': {
      const branches = (issue.errors ?? []).map((b) => b.flatMap((sub) => convert(sub, path, schema, root, opts, extra)));
      if (branches.length === 0) return [{ path, message: issue.message }];
      if (branches.some((b) => b.length === 0)) return [];
      // The branch that got furthest into the value is the one the user meant.
      const depth = (b: ValueIssue[]): number => Math.max(...b.map((i) => i.path.length));
      const best = branches.reduce((a, b) => (depth(b) > depth(a) ? b : a));
      if (depth(best) > path.length) return best;
      const expected = [...new Set((issue.errors ?? []).flatMap((b) => b.map((i) => expectedName(i))).filter(Boolean))];
      return [{ path, message: `expected ${expected.join(' or ') || 'another value'}, got ${describe(value)}` }];
    }
    case 'invalid_type':
      if (value === undefined) return [{ path, message: `missing required property '${String(path[path.length - 1] ?? '')}'` }];
      return [{ path, message: `expected ${expectedName(issue)}, got ${describe(value)}` }];
    case 'invalid_value':
      return [{ path, message: `expected one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}, got ${describe(value)}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

function unknownKey(path: DocPath, key: string, known: readonly string[]): ValueIssue {
  return { path: [...path, key], atKey: true, message: `unknown property '${key}'${didYouMean(key, known)}` };
}

/** The closest valid property name of `schema` for `key`, if any. */
export function closestKey(schema: z.ZodType, key: string): string | undefined {
  return closest(key, knownKeys(schema) ?? []);
}

const EXPECTED: Record<string, string> = {
  string: 'a string', number: 'a number', int: 'an integer', boolean: 'true or false', array: 'a list',
  object: 'a map', record: 'a map', map: 'a map', null: 'null', bigint: 'an integer', date: 'a date',
};
const expectedName = (i: Issue): string =>
  i.code === 'invalid_type' ? (EXPECTED[i.expected ?? ''] ?? String(i.expected)) :
    i.code === 'invalid_value' ? `one of ${(i.values ?? []).map((v) => JSON.stringify(v)).join(', ')}` : '';

export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `'${v.length > 60 ? `${v.slice(0, 57)}...` : v}'`;
  return String(v);
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export function valueAt(root: unknown, path: DocPath): unknown {
  let v = root;
  for (const part of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[part];
  }
  return v;
}

function atTemplate(root: unknown, path: DocPath): boolean {
  let v = root;
  for (let i = 0; i <= path.length; i++) {
    if (isTemplate(v)) return true;
    if (i === path.length || v === null || typeof v !== 'object') return false;
    v = (v as Record<string | number, unknown>)[path[i]];
  }
  return false;
}

// Walking schemas relies on zod 4's `_zod.def`, the documented way to introspect a schema.
const kind = (s: z.ZodType): string => s._zod.def.type;

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = s._zod.def as any;
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) s = def.innerType;
    else if (def.type === 'pipe') s = def.in;
    else if (def.type === 'lazy') s = def.getter();
    else break;
  }
  return s;
}

/** The property names an object schema (or a union of them) accepts; undefined when it takes any. */
export function knownKeys(schema: z.ZodType | undefined): string[] | undefined {
  if (!schema) return undefined;
  const s = unwrap(schema);
  const def = s._zod.def as any;
  if (def.type === 'object') return Object.keys((s as z.ZodObject).shape);
  if (def.type === 'union') {
    const all = (def.options as z.ZodType[]).map(knownKeys);
    return all.every(Boolean) ? [...new Set(all.flat() as string[])] : undefined;
  }
  if (def.type === 'intersection') {
    const l = knownKeys(def.left);
    const r = knownKeys(def.right);
    return l && r ? [...l, ...r] : undefined;
  }
  return undefined;
}

/** The schema that validates the value at `path`, as far as it can be followed. */
export function schemaAt(schema: z.ZodType, path: DocPath): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (const part of path) {
    if (!s) return undefined;
    s = childSchema(unwrap(s), part);
  }
  return s;
}

function childSchema(s: z.ZodType, part: string | number): z.ZodType | undefined {
  const def = s._zod.def as any;
  switch (def.type) {
    case 'object': return (Object.hasOwn((s as z.ZodObject).shape, part) ? (s as z.ZodObject).shape[part] : undefined) ?? (def.catchall as z.ZodType | undefined);
    case 'array': return def.element;
    case 'record': return def.valueType;
    case 'tuple': return typeof part === 'number' ? def.items[part] : undefined;
    case 'union':
      for (const o of def.options as z.ZodType[]) {
        const c = childSchema(unwrap(o), part);
        if (c) return c;
      }
      return undefined;
    case 'intersection': return childSchema(unwrap(def.left), part) ?? childSchema(unwrap(def.right), part);
    default: return undefined;
  }
}
