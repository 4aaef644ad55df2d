import { assertNesting, CLIPPED, clipNesting, jsonTextDepth, MAX_NESTING, parseBoundedJson, valueDepth } from '../../../lib/model/json-bounds';

const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe('json bounds', () => {
  it('measures the nesting of JSON text without counting brackets inside strings', () => {
    expect(jsonTextDepth('{"a": [1, {"b": "[[[[{{"}]}')).toBe(3);
    expect(jsonTextDepth('"[\\"[["')).toBe(0);
    expect(jsonTextDepth('[]')).toBe(1);
  });

  it('measures the nesting of a value without recursion, even far beyond the stack', () => {
    expect(valueDepth({ a: [1, { b: 'x' }] })).toBe(3);
    expect(valueDepth('x')).toBe(0);
    expect(valueDepth(nested(200_000), Infinity)).toBe(200_000);
  });

  it('refuses JSON text and values nested beyond the bound with the given code, and keeps those at the bound', () => {
    expect(() => parseBoundedJson('['.repeat(MAX_NESTING + 1) + ']'.repeat(MAX_NESTING + 1), 'the body')).toThrow(
      expect.objectContaining({ code: 'MESSAGE_INVALID', message: 'the body is nested deeper than 1000 levels' }),
    );
    expect(valueDepth(parseBoundedJson('['.repeat(MAX_NESTING) + ']'.repeat(MAX_NESTING), 'the body'))).toBe(MAX_NESTING);
    expect(() => assertNesting(nested(MAX_NESTING + 1), 'input x', 'INPUT_INVALID', { property: 'inputs.x' })).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID', location: { property: 'inputs.x' } }),
    );
  });

  it('clips what lies beyond the bound, keeps the rest and keys named __proto__ as data', () => {
    const clipped = clipNesting(JSON.parse('{"__proto__": {"a": [[["deep"]]]}, "d": "2024-01-01"}'), 3) as Record<string, unknown>;
    expect(Object.getPrototypeOf(clipped)).toBe(Object.prototype);
    expect(JSON.stringify(clipped)).toBe(`{"__proto__":{"a":["${CLIPPED}"]},"d":"2024-01-01"}`);
    expect(clipNesting({ when: new Date(0) }, 1)).toEqual({ when: '1970-01-01T00:00:00.000Z' });
    expect(valueDepth(clipNesting(nested(5000)))).toBe(MAX_NESTING);
  });
});
