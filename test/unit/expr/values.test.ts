import { failure } from './helpers';
import {
  MISSING, compare, equals, formatPath, isEmpty, isMap, member, printValue, rootValue, toNumber, truthy,
} from '../../../lib/expr/values';


describe('values', () => {
  it('treats only plain objects as maps', () => {
    expect(isMap({ a: 1 })).toBe(true);
    expect(isMap(Object.create(null))).toBe(true);
    expect(isMap([])).toBe(false);
    expect(isMap(new Date())).toBe(false);
    expect(isMap(new Map())).toBe(false);
    class Thing {}
    expect(isMap(new Thing())).toBe(false);
  });

  it('reads own keys of maps and in-range list items only', () => {
    expect(member({ a: 1 }, 'a')).toBe(1);
    expect(member({ a: 1 }, 'toString')).toBe(MISSING);
    expect(member({ a: 1 }, 'hasOwnProperty')).toBe(MISSING);
    expect(member([1, 2], 1)).toBe(2);
    expect(member([1, 2], '0')).toBe(1);
    expect(member([1, 2], 2)).toBe(MISSING);
    expect(member([1, 2], -1)).toBe(MISSING);
    expect(member([1, 2], 'length')).toBe(MISSING);
    expect(member([1, 2], 'map')).toBe(MISSING);
    expect(member('abc', 'length')).toBe(MISSING);
    expect(member(5, 'toFixed')).toBe(MISSING);
  });

  it('refuses constructor, __proto__ and prototype on any value', () => {
    for (const key of ['constructor', '__proto__', 'prototype']) {
      expect(failure(() => member({}, key)).message).toBe(`access to '${key}' is not allowed`);
      expect(failure(() => member([], key)).message).toContain('not allowed');
      expect(failure(() => member('', key)).message).toContain('not allowed');
    }
  });

  it('refuses to hand out functions stored in data', () => {
    expect(failure(() => member({ f: () => 1 }, 'f')).message).toContain('functions are not accessible');
    expect(failure(() => rootValue({ f: () => 1 }, 'f')).message).toContain('functions are not accessible');
  });

  it('reads root variables from own properties only', () => {
    expect(rootValue({ a: 1 }, 'a')).toBe(1);
    expect(rootValue({ a: undefined }, 'a')).toBe(MISSING);
    expect(rootValue({}, 'toString')).toBe(MISSING);
  });

  it('formats paths the way a user would write them', () => {
    expect(formatPath('outputs', ['t', 'a a', 0, 'value'])).toBe("outputs.t['a a'][0].value");
    expect(formatPath('outputs', ['t', 'x'], 1)).toBe('outputs.t');
  });

  it('prints values as Kestra does', () => {
    expect(printValue(null)).toBe('');
    expect(printValue(-0)).toBe('0');
    expect(printValue([1, 'a', null])).toBe('[1,"a",null]');
    expect(printValue({ a: { b: true } })).toBe('{"a":{"b":true}}');
    expect(printValue(new Date('2026-01-02T03:04:05.006Z'))).toBe('2026-01-02T03:04:05.006Z');
  });

  it('reports a value that cannot become JSON instead of crashing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(failure(() => printValue(cyclic)).message).toContain('cannot convert the value to JSON');
  });

  it('charges every node when printing, so shared references cannot blow up the work', () => {
    let dag: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 40; i++) dag = { a: dag, b: dag };
    expect(failure(() => printValue(dag)).message).toContain('more than 1000000 parts');
    let charged = 0;
    expect(printValue({ a: [1, 2] }, { charge: (n) => (charged += n) })).toBe('{"a":[1,2]}');
    expect(charged).toBe(4);
  });

  it('converts numeric strings to numbers and refuses the rest', () => {
    expect(toNumber('42')).toBe(42);
    expect(toNumber(' 1.5 ')).toBe(1.5);
    expect(toNumber('1e3')).toBe(1000);
    expect(failure(() => toNumber('abc')).message).toContain("'abc' is not a number");
    expect(failure(() => toNumber(null)).message).toContain('null is not a number');
  });

  it('coerces conditions like Pebble and refuses null, lists and maps', () => {
    expect(truthy('false', 'if')).toBe(true);
    expect(truthy('', 'if')).toBe(false);
    expect(truthy(0, 'if')).toBe(false);
    expect(truthy(Number.NaN, 'if')).toBe(false);
    expect(failure(() => truthy(null, 'if')).message).toBe('null value used in if');
    expect(failure(() => truthy({}, 'if')).message).toContain('a map cannot be used');
  });

  it('considers null, blank strings and empty collections empty', () => {
    expect([null, undefined, '', '  ', [], {}].every(isEmpty)).toBe(true);
    expect([0, false, 'a', [0], { a: 1 }].some(isEmpty)).toBe(false);
  });

  it('compares deeply for equality', () => {
    expect(equals({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(equals({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(equals(1, '1')).toBe(false);
  });

  it('orders numbers and strings but refuses to mix them, and null compares false', () => {
    expect(compare(1, 2, '<')).toBe(true);
    expect(compare('b', 'a', '>=')).toBe(true);
    expect(compare(null, 2, '<')).toBe(false);
    expect(failure(() => compare(1, 'a', '<')).message).toContain('cannot compare');
  });
});
