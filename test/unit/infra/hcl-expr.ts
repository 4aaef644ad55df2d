// A small static evaluator for the Terraform expressions infra/ uses. hcl2json leaves every
// expression as a "${...}" string; this evaluates the subset that needs no cloud (variables with
// their defaults, locals, each/count, literals, for-expressions and a few pure functions) and keeps
// resource references symbolic. Anything else becomes an Unknown, which checks report rather than guess.

/** Brands the symbolic values, which plain JSON from hcl2json can never carry. */
const KIND = Symbol('hcl-kind');
export interface Ref { [KIND]: 'ref'; type: string; name: string; path: (string | number)[] }
export interface Unknown { [KIND]: 'unknown'; text: string }
/** A string template whose parts are not all known (for example a URL built from a function's uri). */
export interface Template { [KIND]: 'template'; parts: Value[] }
export type Value = string | number | boolean | null | Value[] | { [k: string]: Value } | Ref | Unknown | Template;

export interface Scope {
  variable(name: string): Value;
  local(name: string): Value;
  each?: { key: Value; value: Value };
  count?: { index: number };
  /** Names bound by enclosing for-expressions. */
  names?: Record<string, Value>;
}

const kindOf = (v: unknown): string | undefined => (typeof v === 'object' && v !== null ? (v as { [KIND]?: string })[KIND] : undefined);
export const isRef = (v: unknown): v is Ref => kindOf(v) === 'ref';
export const isUnknown = (v: unknown): v is Unknown => kindOf(v) === 'unknown';
export const isTemplate = (v: unknown): v is Template => kindOf(v) === 'template';
export const ref = (type: string, name: string, path: (string | number)[] = []): Ref => ({ [KIND]: 'ref', type, name, path });
export const unknown = (text: string): Unknown => ({ [KIND]: 'unknown', text });
const template = (parts: Value[]): Template => ({ [KIND]: 'template', parts });
const isSymbolic = (v: unknown): boolean => kindOf(v) !== undefined;

/** Every resource reference inside a value. */
export function refsIn(value: Value): Ref[] {
  if (isRef(value)) return [value];
  if (isTemplate(value)) return value.parts.flatMap(refsIn);
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value && typeof value === 'object' && !isUnknown(value)) return Object.values(value).flatMap((v) => refsIn(v as Value));
  return [];
}

/** Renders a value for messages: references as `type.name[key].attr`, unknowns as their source. */
export function show(value: Value): string {
  if (isRef(value)) return `${value.type}.${value.name}${value.path.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_]\w*$/.test(p) ? `.${p}` : `["${p}"]`)).join('')}`;
  if (isUnknown(value)) return `\${${value.text}}`;
  if (isTemplate(value)) return value.parts.map((p) => (typeof p === 'string' ? p : `\${${show(p)}}`)).join('');
  return JSON.stringify(value);
}

// ---- tokenizer --------------------------------------------------------------------------------

type Token = { t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'id'; v: string } | { t: 'op'; v: string };
const OPS = ['=>', '==', '!=', '>=', '<=', '&&', '||', '...', '.', ',', ':', '?', '!', '(', ')', '[', ']', '{', '}', '=', '+', '-', '*', '/', '%', '<', '>'];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    // hcl2json keeps the source of expressions, comments included.
    if (c === '#' || src.startsWith('//', i)) { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (src.startsWith('/*', i)) { const end = src.indexOf('*/', i + 2); i = end < 0 ? src.length : end + 2; continue; }
    if (c === '"') {
      const end = scanString(src, i);
      out.push({ t: 'str', v: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(src.slice(i));
    if (num) { out.push({ t: 'num', v: Number(num[0]) }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][\w-]*/.exec(src.slice(i));
    if (id) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new Error(`unexpected character ${JSON.stringify(c)} in ${src}`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

/** Index of the quote closing the string that opens at `start`, skipping escapes and interpolations. */
function scanString(src: string, start: number): number {
  let i = start + 1;
  while (i < src.length) {
    if (src[i] === '\\') { i += 2; continue; }
    if (src[i] === '"') return i;
    if (src.startsWith('${', i)) { i = scanInterpolation(src, i + 2) + 1; continue; }
    i++;
  }
  throw new Error(`unterminated string in ${src}`);
}

/** Index of the `}` closing an interpolation whose body starts at `start`. */
function scanInterpolation(src: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') { i = scanString(src, i) + 1; continue; }
    if (c === '{') depth++;
    if (c === '}') { if (depth === 0) return i; depth--; }
    i++;
  }
  throw new Error(`unterminated interpolation in ${src}`);
}

// ---- templates ----------------------------------------------------------------------------------

/** Evaluates a hcl2json string: plain text, one "${expr}", or text mixed with interpolations. */
export function evalString(src: string, scope: Scope): Value {
  const parts: Value[] = [];
  let text = '';
  let i = 0;
  while (i < src.length) {
    if (src.startsWith('$${', i)) { text += '${'; i += 3; continue; }
    if (src.startsWith('${', i)) {
      const end = scanInterpolation(src, i + 2);
      if (text) parts.push(text);
      text = '';
      parts.push(evalExpr(src.slice(i + 2, end), scope));
      i = end + 1;
      continue;
    }
    text += src[i];
    i++;
  }
  if (text) parts.push(text);
  if (parts.length === 0) return '';
  // A lone interpolation keeps its type (a map stays a map).
  if (parts.length === 1) return parts[0];
  if (parts.every((p) => typeof p === 'string' || typeof p === 'number' || typeof p === 'boolean')) return parts.map(String).join('');
  return template(parts);
}

/** Evaluates any value hcl2json produced: strings are templates, arrays and objects recurse. */
export function evalValue(raw: unknown, scope: Scope): Value {
  if (typeof raw === 'string') return evalString(raw, scope);
  if (Array.isArray(raw)) return raw.map((v) => evalValue(v, scope));
  if (raw && typeof raw === 'object') {
    const out: Record<string, Value> = {};
    for (const [k, v] of Object.entries(raw)) out[k] = evalValue(v, scope);
    return out;
  }
  return raw as Value;
}

export function evalExpr(src: string, scope: Scope): Value {
  let tokens: Token[];
  try {
    tokens = tokenize(src);
  } catch {
    return unknown(src);
  }
  const parser = new Parser(tokens, src, scope);
  try {
    const value = parser.expression();
    if (!parser.done()) return unknown(src);
    return value;
  } catch (e) {
    if (e instanceof Unsupported || e instanceof Missing) return unknown(src);
    throw e;
  }
}

// ---- parser + evaluator -----------------------------------------------------------------------------

class Unsupported extends Error {}
/** A key or index that does not exist: an error in Terraform, a fallback inside try(). */
class Missing extends Error {}

/** Evaluates while parsing. for-expressions and try() re-parse their own token range in a child parser. */
class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[], private readonly src: string, private readonly scope: Scope) {}

  done(): boolean { return this.i >= this.tokens.length; }
  private peek(offset = 0): Token | undefined { return this.tokens[this.i + offset]; }
  private isOp(v: string, offset = 0): boolean { const t = this.peek(offset); return t?.t === 'op' && t.v === v; }
  private isId(v: string): boolean { const t = this.peek(); return t?.t === 'id' && t.v === v; }
  private expectOp(v: string): void { if (!this.isOp(v)) throw new Unsupported(); this.i++; }
  private ident(): string { const t = this.peek(); if (t?.t !== 'id') throw new Unsupported(); this.i++; return t.v; }
  private child(from: number, to: number, scope: Scope): Parser { return new Parser(this.tokens.slice(from, to), this.src, scope); }

  /** Index of the first token at bracket depth 0, from `from`, that is one of `stops`. */
  private scanTo(from: number, stops: string[]): number {
    let depth = 0;
    for (let j = from; j < this.tokens.length; j++) {
      const t = this.tokens[j];
      if (t.t !== 'op') continue;
      if (depth === 0 && stops.includes(t.v)) return j;
      if (t.v === '(' || t.v === '[' || t.v === '{') depth++;
      if (t.v === ')' || t.v === ']' || t.v === '}') depth--;
    }
    throw new Unsupported();
  }

  expression(): Value {
    const cond = this.or();
    if (!this.isOp('?')) return cond;
    this.i++;
    const yes = this.expression();
    this.expectOp(':');
    const no = this.expression();
    if (typeof cond !== 'boolean') return unknown(this.src);
    return cond ? yes : no;
  }

  private or(): Value {
    let left = this.and();
    while (this.isOp('||')) { this.i++; const right = this.and(); left = bool(left, right, (a, b) => a || b, this.src); }
    return left;
  }

  private and(): Value {
    let left = this.comparison();
    while (this.isOp('&&')) { this.i++; const right = this.comparison(); left = bool(left, right, (a, b) => a && b, this.src); }
    return left;
  }

  private comparison(): Value {
    const left = this.additive();
    for (const op of ['==', '!=', '>=', '<=', '>', '<']) {
      if (this.isOp(op)) {
        this.i++;
        const right = this.additive();
        if (isSymbolic(left) || isSymbolic(right)) return unknown(this.src);
        if (op === '==' || op === '!=') {
          const same = JSON.stringify(left) === JSON.stringify(right);
          return op === '==' ? same : !same;
        }
        if (typeof left !== 'number' || typeof right !== 'number') return unknown(this.src);
        return op === '>=' ? left >= right : op === '<=' ? left <= right : op === '>' ? left > right : left < right;
      }
    }
    return left;
  }

  private additive(): Value {
    let left = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.tokens[this.i++] as { v: string }).v;
      const right = this.multiplicative();
      left = arithmetic(left, right, op, this.src);
    }
    return left;
  }

  private multiplicative(): Value {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = (this.tokens[this.i++] as { v: string }).v;
      const right = this.unary();
      left = arithmetic(left, right, op, this.src);
    }
    return left;
  }

  private unary(): Value {
    if (this.isOp('!')) {
      this.i++;
      const v = this.unary();
      return typeof v === 'boolean' ? !v : unknown(this.src);
    }
    return this.postfix(this.primary());
  }

  private postfix(base: Value): Value {
    let value = base;
    for (;;) {
      if (this.isOp('.') && this.peek(1)?.t === 'id') {
        this.i++;
        value = index(value, this.ident());
      } else if (this.isOp('.') && this.peek(1)?.t === 'num') {
        this.i++;
        value = index(value, (this.tokens[this.i++] as { v: number }).v);
      } else if (this.isOp('[')) {
        this.i++;
        const key = this.expression();
        this.expectOp(']');
        value = typeof key === 'string' || typeof key === 'number' ? index(value, key) : unknown(this.src);
      } else {
        return value;
      }
    }
  }

  private primary(): Value {
    const t = this.peek();
    if (!t) throw new Unsupported();
    if (t.t === 'num') { this.i++; return t.v; }
    if (t.t === 'str') { this.i++; return evalString(t.v, this.scope); }
    if (t.t === 'op' && t.v === '(') { this.i++; const v = this.expression(); this.expectOp(')'); return v; }
    if (t.t === 'op' && t.v === '[') return this.list();
    if (t.t === 'op' && t.v === '{') return this.object();
    if (t.t !== 'id') throw new Unsupported();
    this.i++;
    if (this.scope.names && t.v in this.scope.names) return this.scope.names[t.v];
    switch (t.v) {
      case 'true': return true;
      case 'false': return false;
      case 'null': return null;
      case 'var': this.expectOp('.'); return this.scope.variable(this.ident());
      case 'local': this.expectOp('.'); return this.scope.local(this.ident());
      case 'each': {
        this.expectOp('.');
        const which = this.ident();
        if (!this.scope.each || (which !== 'key' && which !== 'value')) return unknown(this.src);
        return this.scope.each[which];
      }
      case 'count': {
        this.expectOp('.');
        this.ident();
        return this.scope.count ? this.scope.count.index : unknown(this.src);
      }
      case 'path': this.expectOp('.'); return `<path.${this.ident()}>`;
      default:
        if (this.isOp('(')) return this.call(t.v);
        if (this.isOp('.') && this.peek(1)?.t === 'id') {
          // A resource reference: type.name, kept symbolic; later postfix steps extend its path.
          this.i++;
          return ref(t.v, this.ident());
        }
        throw new Unsupported();
    }
  }

  private list(): Value {
    this.expectOp('[');
    if (this.isId('for')) return this.forExpr(']');
    const items: Value[] = [];
    while (!this.isOp(']')) {
      items.push(this.expression());
      if (this.isOp(',')) this.i++;
    }
    this.i++;
    return items;
  }

  private object(): Value {
    this.expectOp('{');
    if (this.isId('for')) return this.forExpr('}');
    const out: Record<string, Value> = {};
    while (!this.isOp('}')) {
      const keyToken = this.peek();
      let key: Value;
      if (keyToken?.t === 'id' && (this.isOp('=', 1) || this.isOp(':', 1))) { this.i++; key = keyToken.v; } else key = this.expression();
      if (this.isOp('=') || this.isOp(':')) this.i++; else throw new Unsupported();
      const value = this.expression();
      if (typeof key !== 'string') return unknown(this.src);
      out[key] = value;
      if (this.isOp(',')) this.i++;
    }
    this.i++;
    return out;
  }

  /** `for k, v in coll : result (if cond)`: the body is parsed once per element, with k and v bound. */
  private forExpr(close: ']' | '}'): Value {
    this.i++; // for
    const first = this.ident();
    let second: string | undefined;
    if (this.isOp(',')) { this.i++; second = this.ident(); }
    if (!this.isId('in')) throw new Unsupported();
    this.i++;
    const collection = this.expression();
    this.expectOp(':');
    const bodyStart = this.i;
    const bodyEnd = this.scanTo(bodyStart, [close]);
    this.i = bodyEnd + 1;
    const elements = forElements(collection);
    if (elements === undefined) return unknown(this.src);
    const results: [Value, Value][] = [];
    for (const [k, v] of elements) {
      const names = { ...this.scope.names, ...(second ? { [first]: k, [second]: v } : { [first]: v }) };
      const body = this.child(bodyStart, bodyEnd, { ...this.scope, names });
      const keyOrValue = body.expression();
      let value = keyOrValue;
      if (close === '}') { body.expectOp('=>'); value = body.expression(); }
      let keep: Value = true;
      if (body.isId('if')) { body.i++; keep = body.expression(); }
      if (!body.done() || typeof keep !== 'boolean') return unknown(this.src);
      if (keep) results.push([keyOrValue, value]);
    }
    if (close === ']') return results.map(([, v]) => v);
    const out: Record<string, Value> = {};
    for (const [k, v] of results) {
      if (typeof k !== 'string') return unknown(this.src);
      out[k] = v;
    }
    return out;
  }

  private call(name: string): Value {
    this.expectOp('(');
    const args: Value[] = [];
    while (!this.isOp(')')) {
      const end = this.scanTo(this.i, [',', ')']);
      const arg = this.child(this.i, end, this.scope);
      try {
        args.push(arg.expression());
        if (!arg.done()) throw new Unsupported();
      } catch (e) {
        // try() returns its first argument that evaluates without a missing key.
        if (name !== 'try' || !(e instanceof Missing)) throw e;
        args.push(MISSING);
      }
      this.i = end;
      if (this.isOp(',')) this.i++;
    }
    this.i++;
    if (name === 'try') {
      const first = args.findIndex((a) => a !== MISSING && !isUnknown(a));
      return first < 0 ? unknown(this.src) : args[first];
    }
    return callFunction(name, args, this.src);
  }
}

const MISSING: Unknown = unknown('<missing key>');

function forElements(collection: Value): [Value, Value][] | undefined {
  if (Array.isArray(collection)) return collection.map((v, i) => [i, v]);
  if (collection && typeof collection === 'object' && !isSymbolic(collection)) return Object.entries(collection);
  return undefined;
}

function index(base: Value, key: string | number): Value {
  if (isRef(base)) return ref(base.type, base.name, [...base.path, key]);
  if (isUnknown(base) || isTemplate(base)) return base;
  if (Array.isArray(base) && typeof key === 'number') { if (key >= base.length) throw new Missing(); return base[key]; }
  if (base && typeof base === 'object' && !Array.isArray(base)) {
    if (!(String(key) in base)) throw new Missing();
    return (base as Record<string, Value>)[String(key)];
  }
  throw new Missing();
}

function arithmetic(a: Value, b: Value, op: string, src: string): Value {
  if (typeof a !== 'number' || typeof b !== 'number') return unknown(src);
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    default: return a % b;
  }
}

function bool(a: Value, b: Value, f: (a: boolean, b: boolean) => boolean, src: string): Value {
  return typeof a === 'boolean' && typeof b === 'boolean' ? f(a, b) : unknown(src);
}

function callFunction(name: string, args: Value[], src: string): Value {
  if (args.some(isSymbolic) && !['coalesce', 'concat', 'merge', 'toset', 'keys'].includes(name)) return unknown(src);
  const [a, b] = args;
  switch (name) {
    case 'toset': return Array.isArray(a) ? [...new Map(a.map((v) => [JSON.stringify(v), v])).values()] : unknown(src);
    case 'keys': return a && typeof a === 'object' && !Array.isArray(a) && !isSymbolic(a) ? Object.keys(a).sort() : unknown(src);
    case 'values': return a && typeof a === 'object' && !Array.isArray(a) ? Object.values(a) : unknown(src);
    case 'length': return Array.isArray(a) ? a.length : typeof a === 'string' ? a.length : a && typeof a === 'object' ? Object.keys(a).length : unknown(src);
    case 'coalesce': {
      for (const v of args) { if (isSymbolic(v)) return unknown(src); if (v !== null && v !== '') return v; }
      return unknown(src);
    }
    case 'concat': return args.every(Array.isArray) ? (args as Value[][]).flat() : unknown(src);
    case 'merge': return args.every((v) => v && typeof v === 'object' && !Array.isArray(v) && !isSymbolic(v)) ? Object.assign({}, ...args) : unknown(src);
    case 'contains': return Array.isArray(a) ? a.some((v) => JSON.stringify(v) === JSON.stringify(b)) : unknown(src);
    case 'startswith': return typeof a === 'string' && typeof b === 'string' ? a.startsWith(b) : unknown(src);
    case 'endswith': return typeof a === 'string' && typeof b === 'string' ? a.endsWith(b) : unknown(src);
    case 'lookup': return a && typeof a === 'object' && typeof b === 'string' ? ((a as Record<string, Value>)[b] ?? args[2] ?? unknown(src)) : unknown(src);
    case 'setproduct': return Array.isArray(a) && Array.isArray(b) ? a.flatMap((x) => b.map((y) => [x, y])) : unknown(src);
    case 'setsubtract': return Array.isArray(a) && Array.isArray(b) ? a.filter((x) => !b.some((y) => JSON.stringify(x) === JSON.stringify(y))) : unknown(src);
    case 'join': return typeof a === 'string' && Array.isArray(b) ? b.map(String).join(a) : unknown(src);
    case 'lower': return typeof a === 'string' ? a.toLowerCase() : unknown(src);
    case 'tostring': return typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean' ? String(a) : unknown(src);
    case 'can': return unknown(src);
    default: return unknown(src);
  }
}
