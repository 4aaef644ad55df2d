import { literal } from '../../../../../lib/plugins/jdbc/dialects/clickhouse';

describe('literal', () => {
  it('escapes strings with backslashes and quotes', () => {
    expect(literal("it's a \\ test")).toBe("'it\\'s a \\\\ test'");
  });

  it('writes numbers, booleans, NULL, binary and JSON', () => {
    expect(literal(12.5)).toBe('12.5');
    expect(literal(true)).toBe('true');
    expect(literal(null)).toBe('NULL');
    expect(literal(undefined)).toBe('NULL');
    expect(literal(Buffer.from([1, 255]))).toBe("unhex('01ff')");
    expect(literal({ a: 1 })).toBe(`'{"a":1}'`);
  });
});
