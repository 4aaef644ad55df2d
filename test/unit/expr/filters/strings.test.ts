import { render } from '../../../../lib/expr';
import { slugify } from '../../../../lib/expr/filters/strings';

const NOW = new Date('2026-11-25T01:02:03.456Z');
const r = (t: string, vars: Record<string, unknown> = {}) => render(t, vars, { now: NOW });

describe('string filters', () => {
  it('changes case: upper, lower, capitalize, title', () => {
    expect(r("{{ 'aBc' | upper }} {{ 'aBc' | lower }} {{ '  hello world' | capitalize }}|{{ 'hello big world' | title }}"))
      .toBe('ABC abc   Hello world|Hello Big World');
  });

  it('trims like Java (ASCII whitespace and control characters)', () => {
    expect(r("[{{ ' \\t a b \\n ' | trim }}]")).toBe('[\\t a b \\n]');
    expect(r('[{{ x | trim }}]', { x: '\t a b \n' })).toBe('[a b]');
  });

  it("slugifies like Kestra's Slugify", () => {
    expect(slugify('test test ')).toBe('test-test');
    expect(slugify('Test\t\t\ntest*')).toBe('test-test');
    expect(slugify('--Test\t\t\ntest9*')).toBe('test-test9');
    expect(slugify('Crème Brûlée_Recipe')).toBe('creme-brulee-recipe');
    expect(r('{{ "My Flow Name!" | slugify }}')).toBe('my-flow-name');
  });

  it('takes substrings before and after the first or last separator, as Apache StringUtils does', () => {
    expect(r("{{ 'a.b.c' | substringBefore('.') }} {{ 'a.b.c' | substringAfter(separator='.') }} {{ 'a.b.c' | substringBeforeLast('.') }} {{ 'a.b.c' | substringAfterLast('.') }}"))
      .toBe('a b.c a.b c');
    expect(r("[{{ 'abc' | substringBefore('x') }}][{{ 'abc' | substringAfter('x') }}][{{ 'abc' | substringBeforeLast('x') }}][{{ 'abc' | substringAfterLast('x') }}]"))
      .toBe('[abc][][abc][]');
  });

  it('checks prefixes and suffixes', () => {
    expect(r("{{ 'kestra' | startsWith('kes') }} {{ 'kestra' | endsWith('x') }}")).toBe('true false');
  });

  it('splits on a literal delimiter, dropping trailing empty parts like Java', () => {
    expect(r("{{ 'a,b,,c,,' | split(',') }}")).toBe('["a","b","","c"]');
    expect(r("{{ 'a.b.c' | split('.') }}")).toBe('["a","b","c"]');
    expect(r("{{ 'a,b,c' | split(',', 2) }}")).toBe('["a","b,c"]');
    expect(r("{{ 'a,b,,' | split(',', -1) }}")).toBe('["a","b","",""]');
  });

  it('replaces with a map of pairs, through lists and maps too', () => {
    expect(r("{{ 'a-b-c' | replace({'-': '+', 'a': 'A'}) }}")).toBe('A+b+c');
    expect(r("{{ x | replace({'o': '0'}) }}", { x: { k: ['foo', 1] } })).toBe('{"k":["f00","1"]}');
  });

  it('keeps a __proto__ key as data when escaping through a map', () => {
    const x = JSON.parse('{"__proto__": "it\'s"}');
    expect(r("{{ x | escapeChar('single') | toJson }}", { x })).toBe(`{"__proto__":"it\\\\'s"}`);
  });

  it('refuses regular-expression replacement, which could run without bound', () => {
    expect(() => r("{{ 'aaa' | replace({'a+': 'b'}, regexp=true) }}")).toThrow('regexp=true is not supported');
  });

  it('escapes quotes for single, double and shell contexts', () => {
    expect(r(`{{ "it's" | escapeChar('single') }} {{ 'say "hi"' | escapeChar('double') }} {{ "it's" | escapeChar('shell') }}`))
      .toBe(`it\\'s say \\"hi\\" it'\\''s`);
    expect(() => r("{{ 'x' | escapeChar('html') }}")).toThrow("'single', 'double' or 'shell'");
  });

  it('URL-encodes like java.net.URLEncoder and decodes back', () => {
    expect(r("{{ 'a b&c=d/é~*' | urlencode }}")).toBe('a+b%26c%3Dd%2F%C3%A9%7E*');
    expect(r("{{ 'a+b%26c' | urldecode }}")).toBe('a b&c');
  });

  it('abbreviates with an ellipsis', () => {
    expect(r("{{ 'this is long' | abbreviate(7) }} {{ 'short' | abbreviate(10) }}")).toBe('this... short');
  });

  it('encodes base64 and hashes', () => {
    expect(r("{{ 'hello' | base64encode }} {{ 'aGVsbG8=' | base64decode }}")).toBe('aGVsbG8= hello');
    expect(r("{{ 'abc' | sha256 }}")).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(r("{{ 'abc' | md5 }}")).toBe('900150983cd24fb0d6963f7d28e17f72');
  });

  it('indents following lines, or all lines after a leading newline with nindent', () => {
    expect(r('{{ x | indent(2) }}', { x: 'a\nb\nc' })).toBe('a\n  b\n  c');
    expect(r("{{ x | nindent(2, '-') }}", { x: 'a\nb' })).toBe('\n--a\n--b');
  });

  it('refuses to indent beyond the size limit instead of building a huge string', () => {
    expect(() => render('{{ x | indent(100000) }}', { x: 'a\n'.repeat(1000) }, { now: NOW, maxOutputChars: 10_000 })).toThrow('exceed 10000 characters');
  });

  it('leaves null as null', () => {
    expect(r('[{{ x | upper }}]', { x: null })).toBe('[]');
  });
});
