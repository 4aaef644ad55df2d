// Turns a template into tokens, the way Pebble's lexer does: text outside tags is copied as-is (a
// stray `}}` is plain text), `{{-` / `-}}` trim whitespace, `{# #}` disappears, `{% raw %}` and
// `{% verbatim %}` keep their content verbatim, and double-quoted strings may interpolate `#{expr}`.

import { syntaxFailure } from './failure';

export type TokenType =
  | 'text' // literal template text
  | 'print' // `{{`
  | 'exec' // `{%`
  | 'close' // `}}` or `%}`
  | 'name'
  | 'num'
  | 'str' // a string literal, or one literal part of an interpolated string
  | 'sopen' // start of an interpolated double-quoted string
  | 'sclose' // its end
  | 'istart' // `#{` inside a double-quoted string
  | 'iend' // the `}` that closes it
  | 'op'
  | 'punc'
  | 'eof';

export interface Token {
  t: TokenType;
  v: string;
  /** Offsets of the token in the template. */
  s: number;
  e: number;
}

// Word operators must not run into a following identifier character (`organization` is a name, not
// `or` + `ganization`); longer alternatives come first so `is not` wins over `is`.
const WORD_OPERATOR = /(is\s+not|not\s+in|contains|equals|and|not|or|is|in)(?![A-Za-z0-9_])/y;
// Symbol operators, longest first so that `???` wins over `??`.
const SYMBOL_OPERATORS = ['???', '??', '..', '==', '!=', '>=', '<=', '+', '-', '*', '/', '%', '|', '~', '>', '<'];
const NAME = /[\p{L}_][\p{L}\p{N}_]*/uy;
const NUMBER = /[0-9]+(?:\.[0-9]+)?/y;
const LONG = /[0-9]+L/y;
const PUNCTUATION = '()[]{}?:.,=';
const CLOSING: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };
const RAW_START = /\s*-?\s*(raw|verbatim)\s*(-?)%\}/y;
const MAX_STRING_NESTING = 16;

// Java's \s, which Pebble's trimming uses (narrower than JavaScript's).
function isWs(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}
function ltrim(s: string): string {
  let i = 0;
  while (i < s.length && isWs(s[i])) i++;
  return i === 0 ? s : s.slice(i);
}
function rtrim(s: string): string {
  let i = s.length;
  while (i > 0 && isWs(s[i - 1])) i--;
  return i === s.length ? s : s.slice(0, i);
}

function nextOpener(src: string, from: number): number {
  let i = src.indexOf('{', from);
  while (i >= 0 && i < src.length - 1) {
    const c = src.charCodeAt(i + 1);
    if (c === 123 /* { */ || c === 37 /* % */ || c === 35 /* # */) return i;
    i = src.indexOf('{', i + 1);
  }
  return -1;
}

class Lexer {
  private pos = 0;
  private trimNext = false;
  readonly tokens: Token[] = [];
  constructor(private readonly src: string) {}

  run(): Token[] {
    const { src } = this;
    while (this.pos < src.length) {
      const at = nextOpener(src, this.pos);
      let text = src.slice(this.pos, at < 0 ? src.length : at);
      if (this.trimNext) {
        text = ltrim(text);
        this.trimNext = false;
      }
      if (at < 0) {
        this.pushText(text, this.pos);
        this.pos = src.length;
        break;
      }
      let p = at + 2;
      const opener = src[at + 1];
      const raw = opener === '%' ? this.rawStart(p) : undefined;
      // `{{- ` trims the text before the tag; `{{-x}}` is a unary minus, as in Pebble. Kestra strips
      // raw blocks before Pebble sees them, so `{%- raw %}` trims nothing.
      if (src[p] === '-' && isWs(src[p + 1])) {
        if (raw?.[1] !== 'raw') text = rtrim(text);
        p++;
      }
      this.pushText(text, this.pos);
      if (opener === '#') this.comment(at, p);
      else if (raw) this.raw(at, raw);
      else this.tag(opener === '{' ? 'print' : 'exec', at, p);
    }
    this.tokens.push({ t: 'eof', v: '', s: src.length, e: src.length });
    return this.tokens;
  }

  private pushText(v: string, s: number): void {
    if (v) this.tokens.push({ t: 'text', v, s, e: s + v.length });
  }

  private comment(at: number, from: number): void {
    const end = this.src.indexOf('#}', from);
    if (end < 0) throw syntaxFailure('unclosed comment: missing #}', at);
    if (this.src[end - 1] === '-') this.trimNext = true;
    this.pos = end + 2;
  }

  private rawStart(from: number): RegExpExecArray | undefined {
    RAW_START.lastIndex = from;
    return RAW_START.exec(this.src) ?? undefined;
  }

  /** `{% raw %}...{% endraw %}` (Kestra) and `{% verbatim %}...{% endverbatim %}` (Pebble) copy their content. */
  private raw(at: number, m: RegExpExecArray): void {
    const kind = m[1];
    const contentStart = at + 2 + m[0].length;
    const endRe = new RegExp(`\\{%(-?)\\s*end${kind}\\s*(-?)%\\}`, 'g');
    endRe.lastIndex = contentStart;
    const end = endRe.exec(this.src);
    if (!end) throw syntaxFailure(`unclosed {% ${kind} %}: missing {% end${kind} %}`, at);
    let text = this.src.slice(contentStart, end.index);
    // Kestra strips raw blocks before Pebble sees them, so `-` has no effect there; verbatim honours it.
    if (kind === 'verbatim') {
      if (m[2]) text = ltrim(text);
      if (end[1]) text = rtrim(text);
      if (end[2]) this.trimNext = true;
    }
    this.pushText(text, contentStart);
    this.pos = endRe.lastIndex;
  }

  private tag(type: 'print' | 'exec', at: number, from: number): void {
    const closer = type === 'print' ? '}}' : '%}';
    this.tokens.push({ t: type, v: type === 'print' ? '{{' : '{%', s: at, e: at + 2 });
    this.pos = from;
    const brackets: string[] = [];
    for (;;) {
      this.skipWs();
      if (this.pos >= this.src.length) throw syntaxFailure(`unclosed tag: missing ${closer}`, at);
      if (brackets.length === 0) {
        if (this.src[this.pos] === '-' && this.src.startsWith(closer, this.pos + 1)) {
          this.trimNext = true;
          this.tokens.push({ t: 'close', v: closer, s: this.pos, e: this.pos + 3 });
          this.pos += 3;
          return;
        }
        if (this.src.startsWith(closer, this.pos)) {
          this.tokens.push({ t: 'close', v: closer, s: this.pos, e: this.pos + 2 });
          this.pos += 2;
          return;
        }
      }
      this.token(brackets, 0);
    }
  }

  private skipWs(): void {
    while (this.pos < this.src.length && isWs(this.src[this.pos])) this.pos++;
  }

  private push(t: TokenType, v: string, s: number, e: number): void {
    this.tokens.push({ t, v, s, e });
    this.pos = e;
  }

  /** Lexes one token inside a tag or an interpolation. */
  private token(brackets: string[], nesting: number): void {
    const { src } = this;
    const s = this.pos;
    const c = src[s];
    const code = src.charCodeAt(s);
    if (code >= 97 && code <= 122) {
      WORD_OPERATOR.lastIndex = s;
      const m = WORD_OPERATOR.exec(src);
      if (m) return this.push('op', m[1].replace(/\s+/, ' '), s, s + m[0].length);
    }
    if (code >= 48 && code <= 57) {
      LONG.lastIndex = s;
      const long = LONG.exec(src);
      if (long) return this.push('num', long[0].slice(0, -1), s, s + long[0].length);
      NUMBER.lastIndex = s;
      const m = NUMBER.exec(src)!;
      return this.push('num', m[0], s, s + m[0].length);
    }
    NAME.lastIndex = s;
    const name = NAME.exec(src);
    if (name) return this.push('name', name[0], s, s + name[0].length);
    for (const op of SYMBOL_OPERATORS) if (src.startsWith(op, s)) return this.push('op', op, s, s + op.length);
    if (PUNCTUATION.includes(c)) {
      if (c === '(' || c === '[' || c === '{') brackets.push(c);
      else if (c === ')' || c === ']' || c === '}') {
        const open = brackets.pop();
        if (open === undefined) throw syntaxFailure(`unexpected '${c}'`, s);
        if (open !== CLOSING[c]) throw syntaxFailure(`unclosed '${open}': found '${c}'`, s);
      }
      return this.push('punc', c, s, s + 1);
    }
    if (c === "'" || c === '"') return this.string(c, nesting);
    throw syntaxFailure(`unexpected character '${c}'`, s);
  }

  /**
   * A backslash before the closing quote escapes it; any other backslash is kept as typed, as in
   * Pebble (so `'\n'` is a backslash and an n). Double-quoted strings interpolate `#{expr}`.
   */
  private string(quote: string, nesting: number): void {
    const { src } = this;
    const start = this.pos;
    let i = start + 1;
    let part = '';
    let partStart = i;
    let interpolated = false;
    for (;;) {
      if (i >= src.length) throw syntaxFailure(`unclosed string: missing ${quote}`, start);
      const c = src[i];
      if (c === '\\' && i + 1 < src.length) {
        part += src[i + 1] === quote ? quote : c + src[i + 1];
        i += 2;
      } else if (c === quote) {
        break;
      } else if (quote === '"' && c === '#' && src[i + 1] === '{') {
        if (nesting >= MAX_STRING_NESTING) throw syntaxFailure('string interpolation nested too deeply', i);
        if (!interpolated) this.tokens.push({ t: 'sopen', v: '"', s: start, e: start + 1 });
        interpolated = true;
        if (part) this.tokens.push({ t: 'str', v: part, s: partStart, e: i });
        this.tokens.push({ t: 'istart', v: '#{', s: i, e: i + 2 });
        this.pos = i + 2;
        this.interpolation(i, nesting + 1);
        i = this.pos;
        part = '';
        partStart = i;
      } else {
        part += c;
        i++;
      }
    }
    if (!interpolated) return this.push('str', part, start, i + 1);
    if (part) this.tokens.push({ t: 'str', v: part, s: partStart, e: i });
    this.push('sclose', '"', i, i + 1);
  }

  private interpolation(at: number, nesting: number): void {
    const brackets: string[] = [];
    for (;;) {
      this.skipWs();
      if (this.pos >= this.src.length) throw syntaxFailure('unclosed #{ in string', at);
      if (brackets.length === 0 && this.src[this.pos] === '}') {
        return this.push('iend', '}', this.pos, this.pos + 1);
      }
      this.token(brackets, nesting);
    }
  }
}

export function tokenize(src: string): Token[] {
  return new Lexer(src).run();
}
