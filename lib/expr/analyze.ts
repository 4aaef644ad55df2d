// Static questions about templates, answered from the syntax tree without evaluating anything:
// which secrets a value needs (so the caller can resolve them before rendering), and which variable
// paths a template reads (so flows can be checked against their inputs, task ids and variables).

import { getOwn } from '../model/own';
import { children, type Expr, type Node } from './ast';
import { compile } from './cache';
import { FILTERS } from './filters';
import { TESTS } from './predicates';

function tryCompile(source: string) {
  try {
    return compile(source);
  } catch {
    return undefined;
  }
}

function walkExpr(e: Expr, visit: (e: Expr, tolerant: boolean) => void, tolerant: boolean): void {
  visit(e, tolerant);
  if (e.k === 'coalesce') {
    walkExpr(e.l, visit, true);
    walkExpr(e.r, visit, tolerant);
    return;
  }
  if ((e.k === 'filter' && FILTERS.get(e.name)?.tolerant) || (e.k === 'test' && TESTS.get(e.name)?.tolerant)) {
    const [subject, ...args] = children(e);
    walkExpr(subject, visit, true);
    for (const a of args) walkExpr(a, visit, tolerant);
    return;
  }
  for (const c of children(e)) walkExpr(c, visit, tolerant);
}

/** Visits every expression with the names that are local (loop and `set` variables) where it sits. */
function walkNodes(nodes: readonly Node[], locals: Set<string>, visit: (e: Expr, locals: Set<string>) => void): void {
  for (const n of nodes) {
    switch (n.k) {
      case 'text':
        break;
      case 'print':
        visit(n.e, locals);
        break;
      case 'set':
        visit(n.e, locals);
        locals.add(n.name);
        break;
      case 'if':
        for (const b of n.branches) {
          visit(b.test, locals);
          walkNodes(b.body, locals, visit);
        }
        if (n.otherwise) walkNodes(n.otherwise, locals, visit);
        break;
      case 'for':
        visit(n.iter, locals);
        walkNodes(n.body, new Set([...locals, n.name, 'loop']), visit);
        if (n.otherwise) walkNodes(n.otherwise, locals, visit);
        break;
    }
  }
}

/**
 * Root variable paths a template reads: `{{ inputs.query.uri }}` gives [['inputs', 'query', 'uri']].
 * A path stops at a computed subscript (`outputs.t[taskrun.value].x` gives ['outputs', 't'] and
 * ['taskrun', 'value']). Loop and `set` variables are left out, and so are reads that the template
 * itself guards (`x is defined`, `x ?? y`, `x ?: y`, `x | default(y)`), since those may be absent.
 * A template that does not parse has no paths; see `checkSyntax`.
 */
export function referencedPaths(template: string): string[][] {
  const tpl = tryCompile(template);
  if (!tpl) return [];
  const seen = new Set<string>();
  const out: string[][] = [];
  walkNodes(tpl.nodes, new Set(), (root, locals) =>
    walkExpr(root, (e, tolerant) => {
      if (e.k !== 'path' || tolerant || locals.has(e.root)) return;
      const path = [e.root, ...e.keys.map(String)];
      const key = path.join('\u0000');
      if (!seen.has(key)) {
        seen.add(key);
        out.push(path);
      }
    }, false),
  );
  return out;
}

const MAX_VALUE_DEPTH = 200;

/** Literal names of `secret('NAME')` calls in every template string inside `value` (deeply). */
export function secretNames(value: unknown): string[] {
  const names = new Set<string>();
  forEachCall(value, 'secret', (args) => {
    const arg = args[0];
    if (arg?.k === 'lit' && typeof arg.v === 'string') names.add(arg.v);
  });
  return [...names];
}

/** One kv() call with a literal key; `namespace` is absent when the call gives none (the execution's). */
export interface KvReference {
  key: string;
  namespace?: string;
}

/**
 * The kv('KEY'[, 'NAMESPACE']) calls with literal arguments in every template string inside
 * `value` (deeply), without duplicates. A call whose key or namespace is computed is not listed:
 * kv() then fails, naming the call, since its entry was not read before rendering.
 */
export function kvReferences(value: unknown): KvReference[] {
  const refs = new Map<string, KvReference>();
  forEachCall(value, 'kv', (args) => {
    const [key, ns] = args;
    if (key?.k !== 'lit' || typeof key.v !== 'string') return;
    if (ns !== undefined && (ns.k !== 'lit' || (typeof ns.v !== 'string' && ns.v !== null))) return;
    const namespace = ns?.k === 'lit' && typeof ns.v === 'string' ? ns.v : undefined;
    refs.set(`${namespace ?? ''}/${key.v}`, namespace === undefined ? { key: key.v } : { key: key.v, namespace });
  });
  return [...refs.values()];
}

/**
 * The paths of read(PATH) calls in every template string inside `value` (deeply): literal ones, and,
 * given the variables, those named by a variable path (`read(inputs.file)`, `read(taskrun.items)`, as
 * Kestra's ForEachItem subflows read their batch). Other computed paths are not listed.
 */
export function readPaths(value: unknown, vars?: Readonly<Record<string, unknown>>): string[] {
  const paths = new Set<string>();
  forEachCall(value, 'read', (args) => {
    const arg = args[0];
    if (arg?.k === 'lit' && typeof arg.v === 'string') paths.add(arg.v);
    else if (arg?.k === 'path' && vars) {
      let v: unknown = getOwn(vars, arg.root);
      for (const key of arg.keys) v = v && typeof v === 'object' ? getOwn(v as Record<string, unknown>, String(key)) : undefined;
      if (typeof v === 'string') paths.add(v);
    }
  });
  return [...paths];
}

/** Calls `found` with the arguments of every call of function `name` in the template strings of `value`. */
function forEachCall(value: unknown, name: string, found: (args: readonly (Expr | undefined)[]) => void): void {
  const visitString = (s: string) => {
    if (!s.includes(name) || !(s.includes('{{') || s.includes('{%'))) return;
    const tpl = tryCompile(s);
    if (!tpl) return;
    walkNodes(tpl.nodes, new Set(), (root) =>
      walkExpr(root, (e) => {
        if (e.k === 'call' && e.name === name) found(e.args);
      }, false),
    );
  };
  const visit = (v: unknown, depth: number) => {
    if (depth > MAX_VALUE_DEPTH) return;
    if (typeof v === 'string') visitString(v);
    else if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const k of Object.keys(v)) {
        visitString(k);
        visit((v as Record<string, unknown>)[k], depth + 1);
      }
    }
  };
  visit(value, 0);
}
