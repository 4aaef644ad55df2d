// A cursor over the lexer's tokens, shared by the expression and template parsers: lookahead,
// expectations with clear messages, and the nesting bound that keeps parsing off the stack limit.

import { syntaxFailure } from './failure';
import type { Token } from './lexer';

const MAX_NESTING = 100; // of parentheses, literals, arguments and tags

export function show(t: Token): string {
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

export class TokenCursor {
  protected i = 0;
  protected nesting = 0;
  constructor(protected readonly toks: Token[]) {}

  protected peek(ahead = 0): Token {
    return this.toks[Math.min(this.i + ahead, this.toks.length - 1)];
  }
  protected next(): Token {
    const t = this.peek();
    if (t.t !== 'eof') this.i++;
    return t;
  }
  protected last(): Token {
    return this.toks[Math.max(0, this.i - 1)];
  }
  protected fail(message: string, at: Token = this.peek()): never {
    throw syntaxFailure(message, at.s);
  }
  protected isPunc(v: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.t === 'punc' && t.v === v;
  }
  protected expectPunc(v: string): Token {
    if (!this.isPunc(v)) this.fail(`expected '${v}' but found ${show(this.peek())}`);
    return this.next();
  }
  protected expectClose(v: '}}' | '%}'): Token {
    const t = this.peek();
    if (t.t !== 'close' || t.v !== v) this.fail(`expected '${v}' but found ${show(t)}`);
    return this.next();
  }
  protected enter(): void {
    if (++this.nesting > MAX_NESTING) this.fail('the template is nested too deeply');
  }
}
