// Builds the syntax tree from tokens. Expressions use Pebble's precedence climbing with Pebble's
// operator precedences (Kestra's `??`/`???` at 120, `in` beside the comparisons); the ternary and
// the elvis `?:` sit at the top level. Filters, functions and tests are resolved here, so an
// unknown name or argument is a compile error. Nesting is bounded so evaluation cannot overflow.

import type { Args, BinaryOp, CoalesceMode, Expr, Key, Node, TagSpan, Template } from './ast';
import type { FilterDef, FunctionDef, TestDef } from './callables';
import { syntaxFailure } from './failure';
import { FILTERS } from './filters';
import { FUNCTIONS } from './functions';
import { tokenize, type Token } from './lexer';
import { TESTS } from './predicates';

const MAX_DEPTH = 200; // of any expression tree
const MAX_NESTING = 100; // of parentheses, literals and tags

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
const RESERVED = new Set(['true', 'false', 'null', 'none', 'TRUE', 'FALSE', 'NULL', 'NONE']);

/** The direct sub-expressions of an expression. */
export function children(e: Expr): Expr[] {
  switch (e.k) {
    case 'lit':
    case 'path':
      return [];
    case 'get':
      return [e.obj, e.key];
    case 'list':
      return e.items;
    case 'map':
      return e.entries.flat();
    case 'unary':
      return [e.arg];
    case 'bin':
    case 'coalesce':
      return [e.l, e.r];
    case 'cond':
      return [e.test, e.then, e.else];
    case 'test':
      return [e.arg, ...present(e.args)];
    case 'filter':
      return [e.input, ...present(e.args)];
    case 'call':
      return present(e.args);
  }
}

function present(args: Args): Expr[] {
  return args.filter((a): a is Expr => a !== undefined);
}

function show(t: Token): string {
  switch (t.t) {
    case 'eof':
      return 'the end of the template';
    case 'text':
      return 'text';
    case 'sopen':
    case 'str':
      return 'a string';
    default:
      return `'${t.v}'`;
  }
}

type Distribute<T> = T extends Expr ? Omit<T, 'd'> : never;

class Parser {
  private i = 0;
  private nesting = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(ahead = 0): Token {
    return this.toks[Math.min(this.i + ahead, this.toks.length - 1)];
  }
  private next(): Token {
    const t = this.peek();
    if (t.t !== 'eof') this.i++;
    return t;
  }
  private last(): Token {
    return this.toks[Math.max(0, this.i - 1)];
  }
  private fail(message: string, at: Token = this.peek()): never {
    throw syntaxFailure(message, at.s);
  }
  private isPunc(v: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.t === 'punc' && t.v === v;
  }
  private expectPunc(v: string): Token {
    if (!this.isPunc(v)) this.fail(`expected '${v}' but found ${show(this.peek())}`);
    return this.next();
  }
  private expectClose(v: '}}' | '%}'): Token {
    const t = this.peek();
    if (t.t !== 'close' || t.v !== v) this.fail(`expected '${v}' but found ${show(t)}`);
    return this.next();
  }
  private enter(): void {
    if (++this.nesting > MAX_NESTING) this.fail('the template is nested too deeply');
  }

  /** Builds a node, computing and bounding its depth. */
  private mk(node: Distribute<Expr>): Expr {
    const e = { ...node, d: 1 } as Expr;
    for (const c of children(e)) if (c.d + 1 > e.d) e.d = c.d + 1;
    if (e.d > MAX_DEPTH) throw syntaxFailure('the expression is nested too deeply', e.s);
    return e;
  }

  template(source: string): Template {
    const { nodes } = this.body([]);
    const tpl: Template = { source, nodes };
    const significant = nodes.filter((n) => n.k !== 'text' || n.v.trim() !== '');
    if (significant.length === 1 && significant[0].k === 'print') tpl.single = { e: significant[0].e, tag: significant[0].tag };
    return tpl;
  }

  /** Parses nodes until one of `ends` (consuming `{% end`), or the end of the template. */
  private body(ends: readonly string[]): { nodes: Node[]; end?: string } {
    const nodes: Node[] = [];
    for (;;) {
      const t = this.peek();
      switch (t.t) {
        case 'eof':
          return { nodes };
        case 'text':
          this.i++;
          nodes.push({ k: 'text', v: t.v });
          break;
        case 'print': {
          this.i++;
          const e = this.expr();
          const close = this.expectClose('}}');
          nodes.push({ k: 'print', e, tag: { start: t.s, end: close.e } });
          break;
        }
        case 'exec': {
          const name = this.peek(1);
          if (name.t !== 'name') this.fail(`expected a tag name after '{%' but found ${show(name)}`, name);
          if (ends.includes(name.v)) {
            this.i += 2;
            return { nodes, end: name.v };
          }
          nodes.push(this.tag(t, name));
          break;
        }
        default:
          this.fail(`unexpected ${show(t)}`);
      }
    }
  }

  private tag(open: Token, name: Token): Node {
    this.enter();
    this.i += 2;
    let node: Node;
    switch (name.v) {
      case 'if':
        node = this.ifTag(open);
        break;
      case 'for':
        node = this.forTag(open);
        break;
      case 'set':
        node = this.setTag(open);
        break;
      case 'elseif':
      case 'else':
      case 'endif':
      case 'endfor':
        return this.fail(`unexpected {% ${name.v} %} without a matching opening tag`, open);
      default:
        return this.fail(`unknown tag '${name.v}' (supported: if, for, set, raw)`, name);
    }
    this.nesting--;
    return node;
  }

  private span(open: Token): TagSpan {
    return { start: open.s, end: this.last().e };
  }

  private ifTag(open: Token): Node {
    const branches: { test: Expr; body: Node[]; tag: TagSpan }[] = [];
    let test = this.expr();
    this.expectClose('%}');
    let tag = this.span(open);
    for (;;) {
      const r = this.body(['elseif', 'else', 'endif']);
      if (!r.end) this.fail('unclosed {% if %}: missing {% endif %}', open);
      branches.push({ test, body: r.nodes, tag });
      if (r.end === 'endif') {
        this.expectClose('%}');
        return { k: 'if', branches };
      }
      if (r.end === 'else') {
        this.expectClose('%}');
        const other = this.body(['endif']);
        if (!other.end) this.fail('unclosed {% if %}: missing {% endif %}', open);
        this.expectClose('%}');
        return { k: 'if', branches, otherwise: other.nodes };
      }
      const at = this.toks[this.i - 2];
      test = this.expr();
      this.expectClose('%}');
      tag = this.span(at);
    }
  }

  private newName(what: string): string {
    const t = this.next();
    if (t.t !== 'name') this.fail(`expected a variable name after '${what}' but found ${show(t)}`, t);
    if (RESERVED.has(t.v)) this.fail(`cannot assign to '${t.v}'`, t);
    return t.v;
  }

  private forTag(open: Token): Node {
    const name = this.newName('for');
    const t = this.next();
    if (!((t.t === 'op' || t.t === 'name') && t.v === 'in')) this.fail(`expected 'in' but found ${show(t)}`, t);
    const iter = this.expr();
    this.expectClose('%}');
    const tag = this.span(open);
    const r = this.body(['else', 'endfor']);
    if (!r.end) this.fail('unclosed {% for %}: missing {% endfor %}', open);
    this.expectClose('%}');
    if (r.end === 'endfor') return { k: 'for', name, iter, body: r.nodes, tag };
    const other = this.body(['endfor']);
    if (!other.end) this.fail('unclosed {% for %}: missing {% endfor %}', open);
    this.expectClose('%}');
    return { k: 'for', name, iter, body: r.nodes, otherwise: other.nodes, tag };
  }

  private setTag(open: Token): Node {
    const name = this.newName('set');
    this.expectPunc('=');
    const e = this.expr();
    this.expectClose('%}');
    return { k: 'set', name, e, tag: this.span(open) };
  }

  // ---- expressions ----

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

  private ternary(test: Expr): Expr {
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

  private primary(): Expr {
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

  private name(t: Token): Expr {
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

  private interpolation(open: Token): Expr {
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

  private list(open: Token): Expr {
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

  private map(open: Token): Expr {
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

  private postfix(node: Expr): Expr {
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

  private extend(node: Expr, key: Key, end: number): Expr {
    if (node.k === 'path') return { ...node, keys: [...node.keys, key], e: end };
    const k = this.mk({ k: 'lit', v: key, s: end, e: end });
    return this.mk({ k: 'get', obj: node, key: k, s: node.s, e: end });
  }

  private filter(input: Expr): Expr {
    const t = this.next();
    if (t.t !== 'name') this.fail(`expected a filter name after '|' but found ${show(t)}`, t);
    const def = FILTERS.get(t.v);
    if (!def) this.fail(`unknown filter '${t.v}'`, t);
    const args = this.isPunc('(') ? this.args(def, 'filter', t.v) : [];
    return this.mk({ k: 'filter', input, name: t.v, args, s: input.s, e: this.last().e });
  }

  private test(arg: Expr, negate: boolean): Expr {
    const t = this.next();
    if (t.t !== 'name') this.fail(`expected a test name after 'is' but found ${show(t)}`, t);
    const def = TESTS.get(t.v);
    if (!def) this.fail(`unknown test '${t.v}' (available: ${[...TESTS.keys()].join(', ')})`, t);
    const args = this.isPunc('(') ? this.args(def, 'test', t.v) : [];
    return this.mk({ k: 'test', arg, name: t.v, args, negate, s: arg.s, e: this.last().e });
  }

  /** Parses `(a, b, name=c)` and maps it onto the callee's parameters. */
  private args(def: FilterDef | FunctionDef | TestDef, kind: string, name: string): Args {
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

export function parse(source: string): Template {
  return new Parser(tokenize(source)).template(source);
}
