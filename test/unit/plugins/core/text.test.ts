import { Text, toText } from '../../../../lib/plugins/core/text';

describe('Text', () => {
  it('keeps strings and writes other values as text', () => {
    expect(toText('a')).toBe('a');
    expect(toText(3.5)).toBe('3.5');
    expect(toText(true)).toBe('true');
    expect(toText(null)).toBe('');
    expect(toText({ a: [1] })).toBe('{"a":[1]}');
    expect(Text.parse(12)).toBe('12');
  });
});
