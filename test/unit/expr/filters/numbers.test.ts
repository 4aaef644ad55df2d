import { render } from '../../../../lib/expr';
import { numberFormat } from '../../../../lib/expr/filters/numbers';

const NOW = new Date('2026-11-25T01:02:03.456Z');
const r = (t: string, vars: Record<string, unknown> = {}) => render(t, vars, { now: NOW });

describe('number filters', () => {
  it('takes absolute values of numbers only', () => {
    expect(r('{{ -3 | abs }} {{ x | abs }}', { x: -1.5 })).toBe('3 1.5');
    expect(() => r("{{ 'a' | abs }}")).toThrow("the 'abs' filter needs a number");
  });

  it('parses strings into numbers, optionally of a given type', () => {
    expect(r("{{ '12' | number + 1 }} {{ '1.5' | number }} {{ '0x1F' | number }} {{ '42' | number('INT') }}")).toBe('13 1.5 31 42');
    expect(() => r("{{ '1.5' | number('INT') }}")).toThrow("'1.5' is not a whole number");
  });

  it('rounds half away from zero, or down and up', () => {
    expect(r("{{ 2.5 | round }} {{ -2.5 | round }} {{ 3.14159 | round(2) }} {{ 3.14159 | round(3, 'floor') }} {{ 3.141 | round(1, 'ceil') }}"))
      .toBe('3 -3 3.14 3.141 3.2');
  });

  it('formats numbers with DecimalFormat patterns, rounding half to even', () => {
    expect(numberFormat(1.232654, '#.##')).toBe('1.23');
    expect(numberFormat(0.125, '0.##')).toBe('0.12');
    expect(numberFormat(0.135, '#.##')).toBe('.14');
    expect(numberFormat(0.5, '#.##')).toBe('.5');
    expect(numberFormat(1234567.891, '#,##0.00')).toBe('1,234,567.89');
    expect(numberFormat(5, '000')).toBe('005');
    expect(numberFormat(-1234.5, '#,###')).toBe('-1,234');
    expect(numberFormat(0.256, '0.0%')).toBe('25.6%');
    expect(numberFormat(0.0256, '0.0\u2030')).toBe('25.6\u2030');
    expect(numberFormat(1e21, '#,##0')).toBe('1,000,000,000,000,000,000,000');
    expect(r('{{ 1.232654 | numberFormat("#.##") }}')).toBe('1.23');
  });
});
