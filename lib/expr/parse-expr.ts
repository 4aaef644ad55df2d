// Expressions, by Pebble's precedence climbing with Pebble's operator precedences (Kestra's
// `??`/`???` at 120, `in` beside the comparisons); the ternary and the elvis `?:` sit at the top
// level. Filters, functions and tests are resolved here, so an unknown name or argument is a compile
// error, and every node's depth is bounded so evaluation cannot overflow the stack.

import { children, type Args, type BinaryOp, type CoalesceMode, type Expr, type Key } from './ast';
import type { FilterDef, FunctionDef, TestDef } from './callables';
import { syntaxFailure } from './failure';
import { FILTERS } from './filters';
import { FUNCTIONS } from './functions';
import type { Token } from './lexer';
import { TESTS } from './predicates';
import { TokenCursor, show } from './token-cursor';

const MAX_DEPTH = 200; // of any expression tree

type BinaryKind = { prec: number } & (
  | { kind: 'normal'; op: BinaryOp }
  | { kind: 'coalesce'; mode: CoalesceMode }
  | { kind: 'filter' }
  | { kind: 'test'; negate: boolean }
);

const BINARY = new Map<string, BinaryKind>([
  ['or', { prec: 10, kind: 'normal', op: 'or' }],
  ['and', { prec: 15, kind: 'normal', op: 'and' }],
  ['is', { prec: 20, kind: 'test', negate: false }],
  ['is not', { prec: 20, kind: 'test', negate: true }],
  ['contains', { prec: 20, kind: 'normal', op: 'contains' }],
  ['==', { prec: 30, kind: 'normal', op: '==' }],
  ['equals', { prec: 30, kind: 'normal', op: '==' }],
  ['!=', { prec: 30, kind: 'normal', op: '!=' }],
  ['<', { prec: 30, kind: 'normal', op: '<' }],
  ['>', { prec: 30, kind: 'normal', op: '>' }],
  ['<=', { prec: 30, kind: 'normal', op: '<=' }],
  ['>=', { prec: 30, kind: 'normal', op: '>=' }],
  ['in', { prec: 30, kind: 'normal', op: 'in' }],
  ['not in', { prec: 30, kind: 'normal', op: 'not in' }],
  ['+', { prec: 40, kind: 'normal', op: '+' }],
  ['-', { prec: 40, kind: 'normal', op: '-' }],
  ['*', { prec: 60, kind: 'normal', op: '*' }],
  ['/', { prec: 60, kind: 'normal', op: '/' }],
  ['%', { prec: 60, kind: 'normal', op: '%' }],
  ['|', { prec: 100, kind: 'filter' }],
  ['~', { prec: 110, kind: 'normal', op: '~' }],
  ['..', { prec: 120, kind: 'normal', op: '..' }],
  ['??', { prec: 120, kind: 'coalesce', mode: '??' }],
  ['???', { prec: 120, kind: 'coalesce', mode: '???' }],
]);
const UNARY_PRECEDENCE = 500;
type Distribute<T> = T extends Expr ? Omit<T, 'd'> : never;

export class ExpressionParser extends TokenCursor {
  /** Builds a node, computing and bounding its depth. */
  protected mk(node: Distribute<Expr>): Expr {
    const e = { ...node, d: 1 } as Expr;
    for (const c of children(e)) if (c.d + 1 > e.d) e.d = c.d + 1;
    if (e.d > MAX_DEPTH) throw syntaxFailure('the expression is nested too deeply', e.s);
    return e;
  }

  expr(min = 0): Expr {
    this.enter();
    let left: Expr;
    const t = this.peek();
    if (t.t === 'op' && (t.v === 'not' || t.v === '-' || t.v === '+')) {
      this.i++;
      const arg = this.expr(UNARY_PRECEDENCE);
      left = this.mk({ k: 'unary', op: t.v, arg, s: t.s, e: arg.e });
    } else {
      left = this.postfix(this.primary());
    }
    for (;;) {
      const op = this.peek();
      const info = op.t === 'op' ? BINARY.get(op.v) : undefined;
      if (!info || info.prec < min) break;
      this.i++;
      if (info.kind === 'filter') left = this.filter(left);
      else if (info.kind === 'test') left = this.test(left, info.negate);
      else {
        const r = this.expr(info.prec + 1);
        left = info.kind === 'coalesce'
          ? this.mk({ k: 'coalesce', mode: info.mode, l: left, r, s: left.s, e: r.e })
          : this.mk({ k: 'bin', op: info.op, l: left, r, s: left.s, e: r.e });
      }
    }
    if (min === 0 && this.isPunc('?')) left = this.ternary(left);
    this.nesting--;
    return left;
  }

  protected ternary(test: Expr): Expr {
    this.i++;
    if (this.isPunc(':')) {
      this.i++;
      const r = this.expr();
      return this.mk({ k: 'coalesce', mode: '?:', l: test, r, s: test.s, e: r.e });
    }
    const then = this.expr();
    this.expectPunc(':');
    const otherwise = this.expr();
    return this.mk({ k: 'cond', test, then, else: otherwise, s: test.s, e: otherwise.e });
  }

  protected primary(): Expr {
    const t = this.next();
    switch (t.t) {
      case 'name':
        return this.name(t);
      case 'num':
        return this.mk({ k: 'lit', v: Number(t.v), s: t.s, e: t.e });
      case 'str':
        return this.mk({ k: 'lit', v: t.v, s: t.s, e: t.e });
      case 'sopen':
        return this.interpolation(t);
      case 'punc':
        if (t.v === '(') {
          const inner = this.expr();
          const close = this.expectPunc(')');
          return { ...inner, s: t.s, e: close.e };
        }
        if (t.v === '[') return this.list(t);
        if (t.v === '{') return this.map(t);
        break;
      default:
        break;
    }
    return this.fail(`unexpected ${show(t)}`, t);
  }

  protected name(t: Token): Expr {
    switch (t.v) {
      case 'true':
      case 'TRUE':
        return this.mk({ k: 'lit', v: true, s: t.s, e: t.e });
      case 'false':
      case 'FALSE':
        return this.mk({ k: 'lit', v: false, s: t.s, e: t.e });
      case 'null':
      case 'NULL':
      case 'none':
      case 'NONE':
        return this.mk({ k: 'lit', v: null, s: t.s, e: t.e });
      default:
        break;
    }
    if (this.isPunc('(')) {
      const def = FUNCTIONS.get(t.v);
      if (!def) this.fail(`unknown function '${t.v}' (available: ${[...FUNCTIONS.keys()].join(', ')})`, t);
      const args = this.args(def, 'function', t.v);
      return this.mk({ k: 'call', name: t.v, args, s: t.s, e: this.last().e });
    }
    return this.mk({ k: 'path', root: t.v, keys: [], s: t.s, e: t.e });
  }

  protected interpolation(open: Token): Expr {
    let out: Expr | undefined;
    for (;;) {
      const t = this.next();
      let part: Expr;
      if (t.t === 'sclose') break;
      if (t.t === 'str') part = this.mk({ k: 'lit', v: t.v, s: t.s, e: t.e });
      else if (t.t === 'istart') {
        part = this.expr();
        if (this.peek().t !== 'iend') this.fail(`expected '}' to close #{ but found ${show(this.peek())}`);
        this.i++;
      } else return this.fail(`unexpected ${show(t)} in a string`, t);
      const left: Expr = out ?? this.mk({ k: 'lit', v: '', s: open.s, e: open.s });
      out = this.mk({ k: 'bin', op: '~', l: left, r: part, s: open.s, e: part.e });
    }
    return out ? { ...out, e: this.last().e } : this.mk({ k: 'lit', v: '', s: open.s, e: this.last().e });
  }

  protected list(open: Token): Expr {
    this.enter();
    const items: Expr[] = [];
    while (!this.isPunc(']')) {
      if (items.length) this.expectPunc(',');
      items.push(this.expr());
    }
    const close = this.next();
    this.nesting--;
    return this.mk({ k: 'list', items, s: open.s, e: close.e });
  }

  protected map(open: Token): Expr {
    this.enter();
    const entries: [Expr, Expr][] = [];
    while (!this.isPunc('}')) {
      if (entries.length) this.expectPunc(',');
      const key = this.expr();
      this.expectPunc(':');
      entries.push([key, this.expr()]);
    }
    const close = this.next();
    this.nesting--;
    return this.mk({ k: 'map', entries, s: open.s, e: close.e });
  }

  protected postfix(node: Expr): Expr {
    for (;;) {
      if (this.isPunc('.')) {
        this.i++;
        const t = this.next();
        // Word operators (`in`, `not`, `is`...) are fine as attribute names after a dot.
        if (t.t !== 'name' && !(t.t === 'op' && /^[a-z]+$/.test(t.v))) this.fail(`expected an attribute name after '.' but found ${show(t)}`, t);
        if (this.isPunc('(')) this.fail(`method calls are not allowed: '${t.v}(...)'`, t);
        node = this.extend(node, t.v, t.e);
      } else if (this.isPunc('[')) {
        this.i++;
        const key = this.expr();
        const close = this.expectPunc(']');
        node = key.k === 'lit' && (typeof key.v === 'string' || typeof key.v === 'number')
          ? this.extend(node, key.v, close.e)
          : this.mk({ k: 'get', obj: node, key, s: node.s, e: close.e });
      } else if (this.isPunc('(')) {
        this.fail('only named functions can be called, such as now() or range(1, 3)');
      } else {
        return node;
      }
    }
  }

  protected extend(node: Expr, key: Key, end: number): Expr {
    if (node.k === 'path') return { ...node, keys: [...node.keys, key], e: end };
    const k = this.mk({ k: 'lit', v: key, s: end, e: end });
    return this.mk({ k: 'get', obj: node, key: k, s: node.s, e: end });
  }

  protected filter(input: Expr): Expr {
    const t = this.next();
    if (t.t !== 'name') this.fail(`expected a filter name after '|' but found ${show(t)}`, t);
    const def = FILTERS.get(t.v);
    if (!def) this.fail(`unknown filter '${t.v}'`, t);
    const args = this.isPunc('(') ? this.args(def, 'filter', t.v) : [];
    return this.mk({ k: 'filter', input, name: t.v, args, s: input.s, e: this.last().e });
  }

  protected test(arg: Expr, negate: boolean): Expr {
    const t = this.next();
    if (t.t !== 'name') this.fail(`expected a test name after 'is' but found ${show(t)}`, t);
    const def = TESTS.get(t.v);
    if (!def) this.fail(`unknown test '${t.v}' (available: ${[...TESTS.keys()].join(', ')})`, t);
    const args = this.isPunc('(') ? this.args(def, 'test', t.v) : [];
    return this.mk({ k: 'test', arg, name: t.v, args, negate, s: arg.s, e: this.last().e });
  }

  /** Parses `(a, b, name=c)` and maps it onto the callee's parameters. */
  protected args(def: FilterDef | FunctionDef | TestDef, kind: string, name: string): Args {
    this.enter();
    const open = this.expectPunc('(');
    const positional: Expr[] = [];
    const named: [Token, Expr][] = [];
    while (!this.isPunc(')')) {
      if (positional.length || named.length) this.expectPunc(',');
      if (this.peek().t === 'name' && this.isPunc('=', 1)) {
        const argName = this.next();
        this.i++;
        named.push([argName, this.expr()]);
      } else {
        if (named.length) this.fail('positional arguments must come before named arguments');
        positional.push(this.expr());
      }
    }
    this.i++;
    this.nesting--;
    const { params } = def;
    if (params === null) {
      if (named.length) this.fail(`the ${kind} '${name}' takes no named arguments`, named[0][0]);
      return positional;
    }
    const list = params.length ? `: ${params.join(', ')}` : '';
    if (positional.length > params.length) this.fail(`the ${kind} '${name}' takes at most ${params.length} argument${params.length === 1 ? '' : 's'}${list}`, open);
    const out: Args = [...positional];
    for (const [t, e] of named) {
      const at = params.indexOf(t.v);
      if (at < 0) this.fail(`the ${kind} '${name}' has no argument '${t.v}'${list ? ` (it takes${list})` : ''}`, t);
      if (out[at] !== undefined) this.fail(`the argument '${t.v}' is given twice`, t);
      while (out.length <= at) out.push(undefined);
      out[at] = e;
    }
    return out;
  }
}
