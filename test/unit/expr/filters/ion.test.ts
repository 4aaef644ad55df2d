import { render, renderTyped } from '../../../../lib/expr';

const NOW = new Date('2026-11-25T01:02:03.456Z');
const r = (t: string, vars: Record<string, unknown> = {}) => render(t, vars, { now: NOW });
const typed = (t: string, vars: Record<string, unknown> = {}) => renderTyped(t, vars, { now: NOW });

describe('the toIon filter', () => {
  it('prints a map as Ion text, whole numbers as ints and others as floats', () => {
    expect(r("{{ {'a': 1, 'b': 'x', 'c': [1.5, null, true]} | toIon }}")).toBe('{a:1,b:"x",c:[1.5e0,null,true]}');
  });

  it('prints null for a null input', () => {
    expect(r('{{ nothing | toIon }}', { nothing: null })).toBe('null');
  });

  it('reads back to the same value through fromIon', () => {
    const value = { a: { b: [1, 'two', null, false] }, 'key with space': 'v' };
    expect(typed('{{ fromIon(v | toIon) }}', { v: value })).toEqual(value);
  });
});

describe('fromIon', () => {
  it('parses the first Ion value into plain data, timestamps as ISO text', () => {
    expect(typed("{{ fromIon('{id: 1, at: 2024-01-31T12:00:00Z, tag: sym, n: 2.5}') }}"))
      .toEqual({ id: 1, at: '2024-01-31T12:00:00.000Z', tag: 'sym', n: 2.5 });
  });

  it('parses every row of an Ion file with allRows', () => {
    const rows = '{a:1}\n{a:2}\n';
    expect(typed('{{ fromIon(rows, allRows=true) }}', { rows })).toEqual([{ a: 1 }, { a: 2 }]);
    expect(typed('{{ fromIon(rows) }}', { rows })).toEqual({ a: 1 });
  });

  it('is a filter too', () => {
    expect(typed("{{ '[1, 2]' | fromIon }}")).toEqual([1, 2]);
  });

  it('keeps a __proto__ key as plain data, never as a prototype', () => {
    const out = typed("{{ fromIon('{\\'__proto__\\': {polluted: true}}') }}") as Record<string, unknown>;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('fails on text that is not Ion, quoting it', () => {
    expect(() => r("{{ fromIon('{a: }') }}")).toThrow("fromIon(): invalid Ion '{a: }'");
    expect(() => r("{{ fromIon('[1,,2]', allRows=true) }}")).toThrow('invalid Ion');
    expect(() => r('{{ fromIon(12) }}')).toThrow('fromIon() needs an Ion string, got a number');
  });
});
