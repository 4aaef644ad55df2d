// Builds the syntax tree of a template: text, `{{ }}` and the `if` / `for` / `set` tags, on top of
// the expression parser.

import type { Expr, Node, TagSpan, Template } from './ast';
import { tokenize, type Token } from './lexer';
import { ExpressionParser } from './parse-expr';
import { show } from './token-cursor';

const RESERVED = new Set(['true', 'false', 'null', 'none', 'TRUE', 'FALSE', 'NULL', 'NONE']);

class TemplateParser extends ExpressionParser {
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
}

export function parse(source: string): Template {
  return new TemplateParser(tokenize(source)).template(source);
}
