// Number filters: abs, number (Kestra), round, and numberFormat (a subset of java.text.DecimalFormat).

import type { FilterDef } from '../callables';
import { hardFailure } from '../failure';
import { describe, toNumber, typeName } from '../values';

function integerString(s: string): number {
  const t = s.trim();
  if (/^[+-]?\d+$/.test(t)) return Number(t);
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) return Number.parseInt(t, 16);
  throw hardFailure(`${describe(s)} is not a whole number`);
}

/** Digits of |x| in plain notation, from its shortest representation (as Java's DecimalFormat uses). */
function plainDigits(x: number): [string, string] {
  const [mantissa, exp] = String(Math.abs(x)).split('e');
  let [int, frac = ''] = mantissa.split('.');
  const e = Number(exp ?? 0);
  if (e > 0) {
    frac = frac.padEnd(e, '0');
    int += frac.slice(0, e);
    frac = frac.slice(e);
  } else if (e < 0) {
    int = int.padStart(-e + 1, '0');
    frac = int.slice(int.length + e) + frac;
    int = int.slice(0, int.length + e);
  }
  return [int.replace(/^0+(?=\d)/, ''), frac];
}

function increment(digits: string): string {
  const a = digits.split('');
  for (let i = a.length - 1; i >= 0; i--) {
    if (a[i] === '9') a[i] = '0';
    else {
      a[i] = String(Number(a[i]) + 1);
      return a.join('');
    }
  }
  return `1${a.join('')}`;
}

/** DecimalFormat's default rounding: half-even on the decimal digits. */
function roundHalfEven(int: string, frac: string, maxFrac: number): [string, string] {
  if (frac.length <= maxFrac) return [int, frac];
  const keep = frac.slice(0, maxFrac);
  const rest = frac.slice(maxFrac);
  const all = int + keep;
  const odd = Number(all[all.length - 1]) % 2 === 1;
  const up = rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || odd));
  if (!up) return [int, keep];
  const bumped = increment(all).padStart(all.length, '0');
  const cut = bumped.length - keep.length;
  return [bumped.slice(0, cut), bumped.slice(cut)];
}

export function numberFormat(x: number, pattern: string): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : x < 0 ? '-∞' : 'NaN';
  const positive = pattern.split(';')[0];
  const m = /^([^#0,.]*)([#0,]*)(?:\.([#0]*))?([^#0,.]*)$/.exec(positive);
  if (!m || !m[2] && !m[3]) throw hardFailure(`numberFormat cannot use the pattern '${pattern}'`);
  const [, prefix, intPattern, fracPattern = '', suffix] = m;
  const scale = /%/.test(prefix + suffix) ? 100 : /\u2030/.test(prefix + suffix) ? 1000 : 1;
  const minInt = (intPattern.match(/0/g) ?? []).length;
  const comma = intPattern.lastIndexOf(',');
  const grouping = comma < 0 ? 0 : intPattern.length - comma - 1;
  const minFrac = (fracPattern.match(/0/g) ?? []).length;
  const [i0, f0] = plainDigits(x * scale);
  let [int, frac] = roundHalfEven(i0, f0, fracPattern.length);
  frac = frac.padEnd(minFrac, '0');
  while (frac.length > minFrac && frac.endsWith('0')) frac = frac.slice(0, -1);
  int = int.replace(/^0+/, '').padStart(minInt, '0');
  if (!int && !frac) int = '0';
  if (grouping > 0) int = int.replace(new RegExp(`\\B(?=(\\d{${grouping}})+(?!\\d))`, 'g'), ',');
  const negative = x < 0 && /[1-9]/.test(int + frac);
  return `${negative ? '-' : ''}${prefix}${int}${frac ? `.${frac}` : ''}${suffix}`;
}

export const NUMBER_FILTERS: Readonly<Record<string, FilterDef>> = {
  abs: {
    params: null,
    apply(input) {
      if (typeof input !== 'number') throw hardFailure(`the 'abs' filter needs a number, got ${describe(input)}`);
      return Math.abs(input);
    },
  },
  number: {
    params: ['type'],
    apply(input, [type]) {
      if (input === null || input === undefined) return null;
      if (typeof input === 'number') return input;
      if (typeof input !== 'string') throw hardFailure(`the 'number' filter needs a string, got a ${typeName(input)}`);
      const t = typeof type === 'string' ? type.toUpperCase() : '';
      if (t === 'INT' || t === 'LONG' || t === 'BIGINTEGER') return integerString(input);
      if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(input.trim())) return integerString(input);
      return toNumber(input, 'the number filter input');
    },
  },
  round: {
    params: ['precision', 'method'],
    apply(input, [precision, method]) {
      const x = toNumber(input, "the 'round' filter input");
      const p = precision === undefined || precision === null ? 0 : toNumber(precision, "round's precision");
      if (!Number.isInteger(p) || p < 0 || p > 15) throw hardFailure("round's precision must be a whole number from 0 to 15");
      const f = 10 ** p;
      const how = method === undefined || method === null ? 'common' : method;
      if (how === 'floor') return Math.floor(x * f) / f;
      if (how === 'ceil') return Math.ceil(x * f) / f;
      if (how !== 'common') throw hardFailure("round's method must be 'common', 'floor' or 'ceil'");
      return (Math.sign(x) * Math.round(Math.abs(x) * f)) / f;
    },
  },
  numberFormat: {
    params: ['format'],
    apply(input, [format]) {
      if (input === null || input === undefined) return null;
      if (typeof format !== 'string') throw hardFailure('numberFormat needs a pattern such as "#,##0.00"');
      return numberFormat(toNumber(input, 'the numberFormat input'), format);
    },
  },
};
