// Walks a compiled template against the caller's variables. Strict like Kestra's Pebble: an
// undefined variable or missing key fails, except where `is defined`, `??`, `???`, `?:` and
// `default` tolerate it. Every node costs a step from a fixed budget and every string built is
// checked against the size limit, so rendering is bounded without reading a clock.

import type { Expr, Node, TagSpan, Template } from './ast';
import type { CallContext, FileStat, FileText, KvValues } from './callables';
import { compile } from './cache';
import { ExprFailure, FailureKind, hardFailure, undefinedFailure } from './failure';
import { FILTERS } from './filters';
import { FUNCTIONS } from './functions';
import { arithmetic, concat, contains, isIn, range } from './operators';
import { TESTS } from './predicates';
import {
  MISSING, checkKey, compare, describe, equals, formatKey, formatPath, isList, isMap, member, missingReason,
  printValue, rootValue, toNumber, truthy, typeName,
} from './values';

export interface Limits {
  now: Date;
  secrets: Readonly<Record<string, string>> | undefined;
  kv?: KvValues;
  files?: ReadonlyMap<string, FileText>;
  fileStats?: ReadonlyMap<string, FileStat>;
  errorLogs?: readonly Readonly<Record<string, unknown>>[];
  wantedFiles?: Set<string>;
  randomBytes?: (n: number) => Uint8Array;
  maxOutputChars: number;
  maxSteps: number;
}

const MAX_RENDER_DEPTH = 10;

function isUndefinedFailure(e: unknown): boolean {
  return e instanceof ExprFailure && e.kind === FailureKind.UNDEFINED;
}


export class Evaluation implements CallContext {
  out = '';
  private steps = 0;
  /** Local scopes from `for` and `set`, innermost last; empty on the hot path. */
  private scopes: Map<string, unknown>[] = [];
  /** The tag being evaluated, quoted in error messages. */
  tag: TagSpan | undefined;

  constructor(
    readonly template: Template,
    private readonly vars: Readonly<Record<string, unknown>>,
    private readonly limits: Limits,
    /** How many render() calls this evaluation is inside. */
    private readonly depth = 0,
  ) {}

  get now(): Date {
    return this.limits.now;
  }
  get secrets(): Readonly<Record<string, string>> | undefined {
    return this.limits.secrets;
  }
  get kv(): KvValues | undefined {
    return this.limits.kv;
  }
  get files(): ReadonlyMap<string, FileText> | undefined {
    return this.limits.files;
  }
  get fileStats(): ReadonlyMap<string, FileStat> | undefined {
    return this.limits.fileStats;
  }
  get wantedFiles(): Set<string> | undefined {
    return this.limits.wantedFiles;
  }
  get errorLogs(): readonly Readonly<Record<string, unknown>>[] | undefined {
    return this.limits.errorLogs;
  }
  variables(): Readonly<Record<string, unknown>> {
    return this.vars;
  }
  get randomBytes(): ((n: number) => Uint8Array) | undefined {
    return this.limits.randomBytes;
  }

  charge(n: number): void {
    this.steps += n;
    if (this.steps > this.limits.maxSteps) {
      throw hardFailure(`the template needs more than ${this.limits.maxSteps} evaluation steps`);
    }
  }

  fits(length: number): void {
    if (length > this.limits.maxOutputChars) {
      throw hardFailure(`a value would exceed ${this.limits.maxOutputChars} characters`);
    }
  }

  str(s: string): string {
    this.fits(s.length);
    this.charge(s.length >> 6);
    return s;
  }

  /**
   * render(): the text as a template, with the root variables of this render (not the `for`/`set`
   * locals, as Kestra's render function sees the run context). Its steps count against this budget,
   * and render() inside render() stops at MAX_RENDER_DEPTH, so a value that renders itself ends.
   */
  renderText(template: string): string {
    if (this.depth >= MAX_RENDER_DEPTH) throw hardFailure(`render() is nested more than ${MAX_RENDER_DEPTH} deep`);
    if (!template.includes('{')) return template;
    let tpl: Template;
    try {
      tpl = compile(template);
    } catch (e) {
      throw hardFailure(`render(): ${e instanceof ExprFailure ? e.message : String(e)}, in ${describe(template)}`);
    }
    const child = new Evaluation(tpl, this.vars, { ...this.limits, maxSteps: this.limits.maxSteps - this.steps }, this.depth + 1);
    try {
      child.renderNodes(tpl.nodes);
    } finally {
      this.charge(child.steps);
    }
    return this.str(child.out);
  }

  private write(s: string): void {
    this.out += s;
    if (this.out.length > this.limits.maxOutputChars) {
      throw hardFailure(`the output exceeds ${this.limits.maxOutputChars} characters`);
    }
  }

  renderNodes(nodes: readonly Node[]): void {
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (++this.steps > this.limits.maxSteps) this.charge(0);
      switch (n.k) {
        case 'text':
          this.write(n.v);
          break;
        case 'print':
          this.tag = n.tag;
          this.write(printValue(this.eval(n.e), this));
          break;
        case 'if':
          this.renderIf(n);
          break;
        case 'for':
          this.renderFor(n);
          break;
        case 'set':
          this.tag = n.tag;
          this.assign(n.name, this.eval(n.e));
          break;
      }
    }
  }

  private renderIf(n: Extract<Node, { k: 'if' }>): void {
    for (const b of n.branches) {
      this.tag = b.tag;
      if (truthy(this.eval(b.test), 'an if condition')) return this.renderNodes(b.body);
    }
    if (n.otherwise) this.renderNodes(n.otherwise);
  }

  private renderFor(n: Extract<Node, { k: 'for' }>): void {
    this.tag = n.tag;
    const v = this.eval(n.iter);
    if (v === null) return; // Pebble renders nothing, not even the else branch
    let items: readonly unknown[];
    if (isList(v)) items = v;
    else if (isMap(v)) items = Object.keys(v).map((key) => ({ key, value: v[key] }));
    else throw hardFailure(`cannot loop over a ${typeName(v)}: ${describe(v)}`);
    if (items.length === 0) {
      if (n.otherwise) this.renderNodes(n.otherwise);
      return;
    }
    const scope = new Map<string, unknown>();
    this.scopes.push(scope);
    const length = items.length;
    for (let index = 0; index < length; index++) {
      this.charge(1);
      scope.set('loop', { index, revindex: length - index - 1, first: index === 0, last: index === length - 1, length });
      scope.set(n.name, items[index]);
      this.renderNodes(n.body);
    }
    this.scopes.pop();
  }

  /** Pebble's `set`: updates the innermost scope that has the name, else the current one. */
  private assign(name: string, value: unknown): void {
    checkKey(name);
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      if (this.scopes[i].has(name)) {
        this.scopes[i].set(name, value);
        return;
      }
    }
    if (this.scopes.length === 0) this.scopes.push(new Map());
    this.scopes[this.scopes.length - 1].set(name, value);
  }

  private root(name: string): unknown {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i];
      if (scope.has(name)) return scope.get(name);
    }
    return rootValue(this.vars, name);
  }

  eval(e: Expr): unknown {
    if (++this.steps > this.limits.maxSteps) this.charge(0);
    switch (e.k) {
      case 'lit':
        return e.v;
      case 'path':
        return this.path(e);
      case 'get': {
        const obj = this.eval(e.obj);
        const key = this.eval(e.key);
        const v = obj === null || obj === undefined ? MISSING : member(obj, key);
        if (v === MISSING) {
          const src = this.template.source.slice(e.obj.s, e.obj.e);
          throw undefinedFailure(`undefined variable '${src}${formatKey(key)}' ('${src}' ${missingReason(obj, key)})`);
        }
        return v;
      }
      case 'list': {
        this.charge(e.items.length);
        return e.items.map((x) => this.eval(x));
      }
      case 'map': {
        const out: Record<string, unknown> = {};
        for (const [k, v] of e.entries) {
          const key = this.eval(k);
          if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') {
            throw hardFailure(`a map key must be a string or a number, got ${describe(key)}`);
          }
          const name = String(key);
          checkKey(name);
          out[name] = this.eval(v);
        }
        return out;
      }
      case 'unary': {
        const v = this.eval(e.arg);
        if (e.op === 'not') return !truthy(v, "'not'");
        const n = toNumber(v, `operand of unary '${e.op}'`);
        return e.op === '-' ? -n : n;
      }
      case 'bin':
        return this.binary(e);
      case 'coalesce':
        return this.coalesce(e);
      case 'cond': {
        const test = this.eval(e.test);
        // A null condition is false here (no strict-mode error), as in Pebble's ternary.
        return test !== null && truthy(test, 'a ternary condition') ? this.eval(e.then) : this.eval(e.else);
      }
      case 'test': {
        const def = TESTS.get(e.name)!;
        const input = def.tolerant ? this.tolerant(e.arg) : this.eval(e.arg);
        const result = def.apply(input, this.evalArgs(e.args), this);
        return e.negate ? !result : result;
      }
      case 'filter': {
        const def = FILTERS.get(e.name)!;
        const input = def.tolerant ? this.tolerant(e.input) : this.eval(e.input);
        return def.apply(input, this.evalArgs(e.args), this);
      }
      case 'call':
        return FUNCTIONS.get(e.name)!.apply(this.evalArgs(e.args), this);
    }
  }

  private path(e: Extract<Expr, { k: 'path' }>): unknown {
    let v = this.root(e.root);
    if (v === MISSING) throw undefinedFailure(`undefined variable '${e.root}'`);
    const { keys } = e;
    for (let i = 0; i < keys.length; i++) {
      const parent = v;
      if (parent === null || parent === undefined) {
        throw undefinedFailure(`undefined variable '${formatPath(e.root, keys, i + 1)}' ('${formatPath(e.root, keys, i)}' is null)`);
      }
      v = member(parent, keys[i]);
      if (v === MISSING) {
        const why = isMap(parent) ? '' : ` ('${formatPath(e.root, keys, i)}' ${missingReason(parent, keys[i])})`;
        throw undefinedFailure(`undefined variable '${formatPath(e.root, keys, i + 1)}'${why}`);
      }
    }
    return v;
  }

  /** Evaluates `e`, turning an undefined variable into `undefined` (for `is defined` and `default`). */
  private tolerant(e: Expr): unknown {
    try {
      return this.eval(e);
    } catch (err) {
      if (isUndefinedFailure(err)) return undefined;
      throw err;
    }
  }

  private coalesce(e: Extract<Expr, { k: 'coalesce' }>): unknown {
    const v = this.tolerant(e.l);
    if (v === undefined || (v === null && e.mode !== '???')) return this.eval(e.r);
    return v;
  }

  private evalArgs(args: readonly (Expr | undefined)[]): unknown[] {
    const out = new Array<unknown>(args.length);
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      out[i] = a === undefined ? undefined : this.eval(a);
    }
    return out;
  }

  private binary(e: Extract<Expr, { k: 'bin' }>): unknown {
    if (e.op === 'and') return truthy(this.eval(e.l), "'and'") && truthy(this.eval(e.r), "'and'");
    if (e.op === 'or') return truthy(this.eval(e.l), "'or'") || truthy(this.eval(e.r), "'or'");
    const l = this.eval(e.l);
    const r = this.eval(e.r);
    switch (e.op) {
      case '~':
        return concat(l, r, this);
      case '==':
        return equals(l, r, this);
      case '!=':
        return !equals(l, r, this);
      case '<':
      case '>':
      case '<=':
      case '>=':
        return compare(l, r, e.op);
      case 'in':
        return isIn(l, r, this);
      case 'not in':
        return !isIn(l, r, this);
      case 'contains':
        return contains(l, r, this);
      case '..':
        return range(l, r, undefined, this);
      default:
        return arithmetic(e.op, l, r, this);
    }
  }
}
