import type { CallContext } from '../../../lib/expr/callables';
import { ExprFailure } from '../../../lib/expr/failure';
import { failure } from './helpers';
import { arithmetic, concat, contains, isIn, range } from '../../../lib/expr/operators';

function context(maxSteps = 1_000_000, maxChars = 1_000_000): CallContext & { steps: number } {
  const cx = {
    steps: 0,
    now: new Date(0),
    secrets: undefined,
    charge(n: number) {
      cx.steps += n;
      if (cx.steps > maxSteps) throw new ExprFailure('HARD', 'budget');
    },
    fits(n: number) {
      if (n > maxChars) throw new ExprFailure('HARD', 'too long');
    },
    str(s: string) {
      cx.fits(s.length);
      return s;
    },
    renderNested() {
      throw new Error('operators do not render');
    },
  };
  return cx;
}


describe('operators', () => {
  const cx = context();

  it('divides integers as integers and everything else as decimals', () => {
    expect(arithmetic('/', 7, 2, cx)).toBe(3);
    expect(arithmetic('/', -7, 2, cx)).toBe(-3);
    expect(arithmetic('/', 7.5, 2, cx)).toBe(3.75);
    expect(arithmetic('%', -7, 3, cx)).toBe(-1);
  });

  it('fails on integer division by zero', () => {
    expect(failure(() => arithmetic('/', 1, 0, cx)).message).toBe('division by zero');
    expect(failure(() => arithmetic('%', 1, 0, cx)).message).toBe('division by zero');
  });

  it('reads numeric strings as numbers and fails on other strings', () => {
    expect(arithmetic('*', 7, '7', cx)).toBe(49);
    expect(failure(() => arithmetic('*', 'a', 3, cx)).message).toContain("'a' is not a number");
  });

  it('concatenates with + when either side is a string, printing null as "null" like Java', () => {
    expect(arithmetic('+', 'a', null, cx)).toBe('anull');
    expect(arithmetic('+', 1, 'b', cx)).toBe('1b');
  });

  it('appends to and removes from lists with + and -', () => {
    expect(arithmetic('+', [1], 2, cx)).toEqual([1, 2]);
    expect(arithmetic('+', [1], [2, 3], cx)).toEqual([1, 2, 3]);
    expect(arithmetic('-', [1, 2, 1], 1, cx)).toEqual([2, 1]);
    expect(arithmetic('-', [1, 2, 3], [1, 3], cx)).toEqual([2]);
  });

  it('concatenates with ~ and checks the size of the result', () => {
    expect(concat('a', null, cx)).toBe('a');
    expect(concat([1], { a: 1 }, cx)).toBe('[1]{"a":1}');
    expect(failure(() => concat('x'.repeat(600), 'y'.repeat(600), context(1000, 1000))).message).toBe('too long');
  });

  it('builds ranges of numbers and characters, with a step', () => {
    expect(range(1, 5, 2, cx)).toEqual([1, 3, 5]);
    expect(range(5, 1, -2, cx)).toEqual([5, 3, 1]);
    expect(range('a', 'c', undefined, cx)).toEqual(['a', 'b', 'c']);
    expect(failure(() => range(1, 2, 0, cx)).message).toContain('must not be 0');
    expect(failure(() => range('ab', 'c', 1, cx)).message).toContain('single characters');
  });

  it('charges a range before allocating it', () => {
    const small = context(100);
    expect(failure(() => range(1, 1e12, 1, small)).message).toBe('budget');
  });

  it('matches `in` on string forms, as Kestra does', () => {
    expect(isIn(1, ['1', '2'], cx)).toBe(true);
    expect(isIn('a', { a: 1 }, cx)).toBe(true);
    expect(isIn('1', { a: 1 }, cx)).toBe(true);
    expect(isIn(null, [null], cx)).toBe(false);
    expect(isIn('a', 'abc', cx)).toBe(false);
  });

  it('checks containment with `contains` in lists, maps and strings', () => {
    expect(contains([1, 2, 3], [1, 3], cx)).toBe(true);
    expect(contains({ a: 1 }, 'a', cx)).toBe(true);
    expect(contains('hello', 'ell', cx)).toBe(true);
    expect(contains(null, 'x', cx)).toBe(false);
    expect(failure(() => contains(5, 5, cx)).message).toContain("'contains' needs");
  });
});
