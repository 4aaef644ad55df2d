import { render, renderTyped } from '../../../../lib/expr';

const NOW = new Date('2026-11-25T01:02:03.456Z');
const VARS = { list: [3, 1, 2], map: { b: 1, a: 'x' }, nested: [[1, 2], 3, [4]], words: ['b', 'a', 'c'] };
const r = (t: string, vars: Record<string, unknown> = VARS) => render(t, vars, { now: NOW });
const t = (tpl: string, vars: Record<string, unknown> = VARS) => renderTyped(tpl, vars, { now: NOW });

describe('collection filters', () => {
  it('gives keys of maps and indexes of lists, and values of maps', () => {
    expect(t('{{ map | keys }}')).toEqual(['b', 'a']);
    expect(t('{{ list | keys }}')).toEqual([0, 1, 2]);
    expect(t('{{ map | values }}')).toEqual([1, 'x']);
    expect(() => r('{{ 5 | keys }}')).toThrow("the 'keys' filter needs a list or a map, got a number");
  });

  it('measures strings, lists and maps, and null as 0', () => {
    expect(r("{{ 'abc' | length }} {{ list | length }} {{ map | length }} {{ null | length }}")).toBe('3 3 2 0');
  });

  it('joins with an optional separator', () => {
    expect(r("{{ list | join(', ') }} {{ words | join }}")).toBe('3, 1, 2 bac');
  });

  it('takes the first and last item or character', () => {
    expect(r("{{ list | first }} {{ list | last }} {{ 'abc' | first }} {{ 'abc' | last }} [{{ [] | first }}]")).toBe('3 2 a c []');
  });

  it('sorts and reverses without touching the input', () => {
    expect(r('{{ list | sort }} {{ list | rsort }} {{ words | sort }} {{ list | reverse }} {{ "abc" | reverse }}'))
      .toBe('[1,2,3] [3,2,1] ["a","b","c"] [2,1,3] cba');
    expect(VARS.list).toEqual([3, 1, 2]);
    expect(() => r("{{ [1, 'a'] | sort }}")).toThrow(/cannot sort .* together/);
  });

  it('slices lists and strings with bounds checked as Pebble does', () => {
    expect(r("{{ list | slice(1) }} {{ list | slice(0, 2) }} {{ 'hello' | slice(1, 3) }}")).toBe('[1,2] [3,1] el');
    expect(() => r('{{ list | slice(0, 9) }}')).toThrow('must not exceed the length 3');
    expect(() => r('{{ list | slice(2, 1) }}')).toThrow('greater than fromIndex');
  });

  it('merges maps and lists', () => {
    expect(t("{{ map | merge({'c': 3, 'b': 2}) }}")).toEqual({ b: 2, a: 'x', c: 3 });
    expect(t('{{ list | merge([4]) }}')).toEqual([3, 1, 2, 4]);
  });

  it('chunks, deduplicates and flattens lists', () => {
    expect(t('{{ [1,2,3,4,5] | chunk(2) }}')).toEqual([[1, 2], [3, 4], [5]]);
    expect(t("{{ [1, '1', 1, {'a': 1}, {'a': 1}] | distinct }}")).toEqual([1, '1', { a: 1 }]);
    expect(t('{{ nested | flatten }}')).toEqual([1, 2, 3, 4]);
  });

  it('replaces undefined, null and empty values with default', () => {
    expect(r("{{ missing | default('d') }} {{ '' | default('e') }} {{ [] | default('l') }} {{ 0 | default('z') }}")).toBe('d e l 0');
    expect(r('{{ missing.deeper[0] | default(list[0]) }}')).toBe('3');
  });
});
