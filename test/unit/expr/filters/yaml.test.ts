import { render } from '../../../../lib/expr';

const NOW = new Date('2026-11-25T01:02:03.456Z');
const r = (t: string, vars: Record<string, unknown> = {}) => render(t, vars, { now: NOW });

describe('the yaml filter', () => {
  it('prints a map or list as YAML', () => {
    expect(r("{{ {'a': 1, 'b': ['x', 'y']} | yaml }}")).toBe('a: 1\nb:\n  - x\n  - y\n');
  });

  it('prints scalars and null as YAML documents', () => {
    expect(r("{{ 'text' | yaml }}")).toBe('text\n');
    expect(r('{{ null | yaml }}')).toBe('null\n');
  });

  it('quotes strings that would read back as another type', () => {
    expect(r("{{ {'v': 'true', 'n': '12'} | yaml }}")).toBe('v: "true"\nn: "12"\n');
  });

  it('reads back to the same value through fromYaml', () => {
    const value = { a: { b: [1, 'two', null] } };
    expect(render('{{ fromYaml(v | yaml) | toJson }}', { v: value }, { now: NOW })).toBe(JSON.stringify(value));
  });
});
