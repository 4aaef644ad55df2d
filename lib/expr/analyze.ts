// Static questions about templates, answered from the syntax tree without evaluating anything:
// which secrets a value needs (so the caller can resolve them before rendering), and which variable
// paths a template reads (so flows can be checked against their inputs, task ids and variables).

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
  const visitString = (s: string) => {
    if (!s.includes('secret') || !(s.includes('{{') || s.includes('{%'))) return;
    const tpl = tryCompile(s);
    if (!tpl) return;
    walkNodes(tpl.nodes, new Set(), (root) =>
      walkExpr(root, (e) => {
        const arg = e.k === 'call' && e.name === 'secret' ? e.args[0] : undefined;
        if (arg?.k === 'lit' && typeof arg.v === 'string') names.add(arg.v);
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
  return [...names];
}
