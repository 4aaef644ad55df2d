import { render } from '../../../lib/expr';

const NOW = new Date('2026-11-25T01:02:03.456Z');
const VARS = { n: 4, s: 'x', none: null, list: [1], map: { a: 1 } };
const r = (t: string) => render(t, VARS, { now: NOW });

describe('tests (is ...)', () => {
  it('checks definedness, treating undefined and null alike', () => {
    expect(r('{{ n is defined }} {{ nope is defined }} {{ none is defined }} {{ map.b is not defined }}')).toBe('true false false true');
  });

  it('checks null strictly: an undefined variable still fails', () => {
    expect(r('{{ none is null }} {{ n is null }}')).toBe('true false');
    expect(() => r('{{ nope is null }}')).toThrow("undefined variable 'nope'");
  });

  it('checks emptiness, parity, lists, maps and JSON text', () => {
    expect(r("{{ '' is empty }} {{ list is empty }} {{ n is even }} {{ n is odd }} {{ -3 is odd }}")).toBe('true false true false true');
    expect(r('{{ list is iterable }} {{ map is iterable }} {{ map is map }} {{ list is map }}')).toBe('true false true false');
    expect(r(`{{ '{"a":1}' is json }} {{ 'nope' is json }} {{ n is json }}`)).toBe('true false false');
  });

  it('refuses parity tests on null and non-integers', () => {
    expect(() => r('{{ none is even }}')).toThrow("cannot pass null to the 'even' test");
    expect(() => r('{{ s is odd }}')).toThrow("the 'odd' test needs a whole number");
  });
});
