import { render, renderTyped } from '../../../../lib/expr';

const NOW = new Date('2026-11-25T01:02:03.456Z');
const r = (t: string, vars: Record<string, unknown> = {}) => render(t, vars, { now: NOW });

describe('json filters', () => {
  it('serializes values with toJson and its older names json and jsonEncode', () => {
    expect(r("{{ {'a': [1, 'x', null]} | toJson }} {{ 'q\"' | json }} {{ null | jsonEncode }}")).toBe('{"a":[1,"x",null]} "q\\"" null');
  });

  it('parses JSON text with fromJson into plain data', () => {
    expect(renderTyped(`{{ '{"a": {"b": [1, 2]}}' | fromJson }}`, {}, { now: NOW })).toEqual({ a: { b: [1, 2] } });
    expect(r(`{{ ('{"a": 5}' | fromJson).a }}`)).toBe('5');
  });

  it('fails on invalid JSON with the reason', () => {
    expect(() => r("{{ '{nope' | fromJson }}")).toThrow(/fromJson: invalid JSON '\{nope'/);
  });

  it('keeps a JSON __proto__ key as data, out of reach of templates', () => {
    const v = renderTyped(`{{ '{"__proto__": {"polluted": 1}}' | fromJson }}`, {}, { now: NOW }) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(() => r(`{{ ('{"__proto__": {"a": 1}}' | fromJson).__proto__ }}`)).toThrow("access to '__proto__' is not allowed");
  });

  it('turns numbers and numeric strings into text with string', () => {
    expect(renderTyped('{{ 12 | string }}', {}, { now: NOW })).toBe('12');
    expect(() => r("{{ 'x' | string }}")).toThrow("the 'string' filter needs a number");
  });
});
