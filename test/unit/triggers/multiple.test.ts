import type { ConditionOf } from '../../../lib/triggers/conditions/types';
import { recordResults, windowAt, windowContains } from '../../../lib/triggers/multiple';

const multiple = (windowMs: number, windowAdvanceMs = 0): ConditionOf<'Multiple'> => ({
  kind: 'Multiple', type: 'io.kestra.core.models.conditions.types.MultipleCondition', id: 'm', windowMs, windowAdvanceMs,
  conditions: {
    a: { kind: 'ExecutionFlow', type: 'x', namespace: 'n', flowId: 'a' },
    b: { kind: 'ExecutionFlow', type: 'x', namespace: 'n', flowId: 'b' },
  },
});
const DAY = 86_400_000;
const at = (iso: string): Date => new Date(iso);

describe('windowAt', () => {
  it('aligns a one-day window on midnight UTC', () => {
    expect(windowAt(multiple(DAY), at('2024-03-14T10:00:00Z'))).toEqual({ start: at('2024-03-14T00:00:00Z'), end: at('2024-03-15T00:00:00Z') });
  });

  it('shifts the window by windowAdvance', () => {
    const c = multiple(DAY, 16 * 3_600_000);
    expect(windowAt(c, at('2024-03-14T10:00:00Z'))).toEqual({ start: at('2024-03-13T16:00:00Z'), end: at('2024-03-14T16:00:00Z') });
    expect(windowAt(c, at('2024-03-14T17:00:00Z'))).toEqual({ start: at('2024-03-14T16:00:00Z'), end: at('2024-03-15T16:00:00Z') });
  });

  it('aligns a five-minute window on five-minute boundaries', () => {
    expect(windowAt(multiple(300_000), at('2024-03-14T10:07:30Z'))).toEqual({ start: at('2024-03-14T10:05:00Z'), end: at('2024-03-14T10:10:00Z') });
  });
});

describe('recordResults', () => {
  it('keeps the true results until every condition is true, then consumes the window', () => {
    const c = multiple(DAY);
    const first = recordResults(c, at('2024-03-14T10:00:00Z'), { a: true, b: false })(null);
    expect(first).toEqual({ next: { start: '2024-03-14T00:00:00.000Z', end: '2024-03-15T00:00:00.000Z', results: { a: true } }, result: false });
    const again = recordResults(c, at('2024-03-14T11:00:00Z'), { a: true, b: false })(first.next);
    expect(again.result).toBe(false);
    expect(recordResults(c, at('2024-03-14T12:00:00Z'), { a: false, b: true })(again.next)).toEqual({ next: null, result: true });
  });

  it('starts over when the stored window has expired', () => {
    const c = multiple(DAY);
    const old = recordResults(c, at('2024-03-13T23:00:00Z'), { a: true })(null).next;
    expect(windowContains(old!, at('2024-03-14T01:00:00Z'))).toBe(false);
    const next = recordResults(c, at('2024-03-14T01:00:00Z'), { b: true })(old);
    expect(next).toEqual({ next: { start: '2024-03-14T00:00:00.000Z', end: '2024-03-15T00:00:00.000Z', results: { b: true } }, result: false });
  });

  it('ignores results for keys the condition does not have', () => {
    expect(recordResults(multiple(DAY), at('2024-03-14T10:00:00Z'), { zzz: true })(null).next?.results).toEqual({});
  });
});
