import { tokenize, type Token } from '../../../lib/expr/lexer';
import { ExprFailure } from '../../../lib/expr/failure';

const kinds = (src: string) => tokenize(src).map((t: Token) => `${t.t}:${t.v}`);

function failure(src: string): ExprFailure {
  try {
    tokenize(src);
  } catch (e) {
    if (e instanceof ExprFailure) return e;
    throw e;
  }
  throw new Error(`expected ${src} to fail`);
}

describe('lexer', () => {
  it('keeps text outside tags as one token, including a stray }}', () => {
    expect(kinds('a }} b %} c')).toEqual(['text:a }} b %} c', 'eof:']);
  });

  it('splits a print tag into operators, names, numbers and strings', () => {
    expect(kinds("x{{ a.b + 12 ~ 'q' }}y")).toEqual([
      'text:x', 'print:{{', 'name:a', 'punc:.', 'name:b', 'op:+', 'num:12', 'op:~', 'str:q', 'close:}}', 'text:y', 'eof:',
    ]);
  });

  it('reads word operators only when no identifier character follows', () => {
    expect(kinds('{{ organization or notes and x is not y }}').filter((k) => k.startsWith('op'))).toEqual(['op:or', 'op:and', 'op:is not']);
    expect(kinds('{{ x not in y }}')).toContain('op:not in');
    expect(kinds('{{ not inputs }}')).toEqual(['print:{{', 'op:not', 'name:inputs', 'close:}}', 'eof:']);
  });

  it('prefers the longest operator', () => {
    expect(kinds('{{ a ??? b ?? c }}')).toEqual(['print:{{', 'name:a', 'op:???', 'name:b', 'op:??', 'name:c', 'close:}}', 'eof:']);
    expect(kinds('{{ 1..3 }}')).toEqual(['print:{{', 'num:1', 'op:..', 'num:3', 'close:}}', 'eof:']);
  });

  it('reads long literals such as 12L as numbers', () => {
    expect(kinds('{{ 12L }}')).toContain('num:12');
  });

  it('does not end a print tag on }} while a map literal is open', () => {
    expect(kinds("{{ {'a': {'b': 1}} }}")).toEqual([
      'print:{{', 'punc:{', 'str:a', 'punc::', 'punc:{', 'str:b', 'punc::', 'num:1', 'punc:}', 'punc:}', 'close:}}', 'eof:',
    ]);
  });

  it('unescapes only the quote character inside strings, as Pebble does', () => {
    expect(tokenize("{{ 'it\\'s a\\nb' }}")[1].v).toBe("it's a\\nb");
    expect(tokenize('{{ "say \\"hi\\"" }}')[1].v).toBe('say "hi"');
  });

  it('splits a double-quoted string with #{} into parts and an embedded expression', () => {
    expect(kinds('{{ "a #{ x + 1 } b" }}')).toEqual([
      'print:{{', 'sopen:"', 'str:a ', 'istart:#{', 'name:x', 'op:+', 'num:1', 'iend:}', 'str: b', 'sclose:"', 'close:}}', 'eof:',
    ]);
  });

  it('trims whitespace around tags marked with a dash', () => {
    expect(kinds('a  {{- x -}}  b')).toEqual(['text:a', 'print:{{', 'name:x', 'close:}}', 'text:b', 'eof:']);
    expect(kinds('a \n{%- if x -%}\n b{% endif %}')[0]).toBe('text:a');
  });

  it('reads {{-x}} as a unary minus, not a trim, as Pebble does', () => {
    expect(kinds('a {{-x}}')).toEqual(['text:a ', 'print:{{', 'op:-', 'name:x', 'close:}}', 'eof:']);
  });

  it('drops comments and honours their trim marker', () => {
    expect(kinds('a{# note {{ x }} #}b')).toEqual(['text:a', 'text:b', 'eof:']);
    expect(kinds('a {#- note -#} b')).toEqual(['text:a', 'text:b', 'eof:']);
  });

  it('keeps raw and verbatim blocks as text', () => {
    expect(kinds('{% raw %}{{ x }}{% endraw %}')).toEqual(['text:{{ x }}', 'eof:']);
    expect(kinds('See {%-  raw%}{{ var }}{%endraw -%} x')).toEqual(['text:See ', 'text:{{ var }}', 'text: x', 'eof:']);
    expect(kinds('{% verbatim -%}  {{ x }}  {%- endverbatim %}')).toEqual(['text:{{ x }}', 'eof:']);
  });

  it('reports an unclosed tag, string, comment or raw block with its offset', () => {
    expect(failure('ab {{ x').message).toContain('unclosed tag');
    expect(failure('ab {{ x').offset).toBe(3);
    expect(failure("{{ 'x }}").message).toContain('unclosed string');
    expect(failure('{# x').message).toContain('unclosed comment');
    expect(failure('{% raw %}x').message).toContain('endraw');
  });

  it('reports mismatched brackets and unknown characters', () => {
    expect(failure('{{ (a] }}').message).toContain("unclosed '('");
    expect(failure('{{ a) }}').message).toContain("unexpected ')'");
    expect(failure('{{ a ; b }}').message).toContain("unexpected character ';'");
  });

  it('bounds nested string interpolation', () => {
    let src = 'x';
    for (let i = 0; i < 40; i++) src = `"#{${src}}"`;
    expect(failure(`{{ ${src} }}`).message).toContain('nested too deeply');
  });
});
