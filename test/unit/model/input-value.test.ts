import type { FlowInput } from '../../../lib/model/flow';
import { coerceInputValue, toUtcInstant } from '../../../lib/model/input-value';

const input = (type: FlowInput['type'], extra: Partial<FlowInput> = {}): FlowInput => ({ id: 'x', type, required: true, ...extra });
const coerce = (type: FlowInput['type'], value: unknown, extra: Partial<FlowInput> = {}) => coerceInputValue(input(type, extra), value);

describe('coerceInputValue', () => {
  it.each([
    ['INT', '1.5'], ['INT', '12abc'], ['INT', true], ['FLOAT', 'abc'], ['FLOAT', ''], ['BOOLEAN', 'yes'], ['DATETIME', '2024-03-01'],
    ['DATETIME', '2024-03-01T10:00:00'], ['DATETIME', '2024-02-30T10:00:00Z'], ['DATE', '2023-02-29'], ['DATE', '01/02/2024'],
    ['TIME', '24:00'], ['DURATION', '90 minutes'], ['JSON', '{a:1}'], ['URI', 'not a uri'], ['STRING', { a: 1 }],
  ] as const)('rejects %s given %j', (type, value) => {
    expect(coerce(type, value).ok).toBe(false);
  });

  it('keeps a JSON value that is already structured, and parses JSON text', () => {
    expect(coerce('JSON', { a: 1 })).toEqual({ ok: true, value: { a: 1 } });
    expect(coerce('JSON', '[1, "two"]')).toEqual({ ok: true, value: [1, 'two'] });
  });

  it('applies the constraints of later Kestra inputs: validator, min and max, after and before', () => {
    expect(coerce('STRING', 'abc', { validator: '[a-z]+' }).ok).toBe(true);
    expect(coerce('STRING', 'abc1', { validator: '[a-z]+' })).toEqual({ ok: false, message: "'abc1' does not match the validator '[a-z]+'" });
    expect(coerce('INT', 11, { max: 10 })).toEqual({ ok: false, message: '11 is more than the maximum 10' });
    expect(coerce('FLOAT', '0.5', { min: 1 }).ok).toBe(false);
    expect(coerce('DURATION', 'PT2H', { max: 'PT1H' }).ok).toBe(false);
    expect(coerce('DATETIME', '2024-01-01T00:00:00Z', { after: '2024-01-01T00:30:00+01:00' }).ok).toBe(true);
    expect(coerce('DATE', '2024-01-01', { before: '2024-01-01' }).ok).toBe(false);
  });
});


describe('toUtcInstant', () => {
  it('normalises an ISO date-time with an offset to UTC, printed as Java prints an Instant', () => {
    expect(toUtcInstant('2024-01-01T00:30:00+01:00')).toBe('2023-12-31T23:30:00Z');
    expect(toUtcInstant('2024-01-01T10:00:00.120Z')).toBe('2024-01-01T10:00:00.120Z');
    expect(toUtcInstant('2024-01-01T10:00:00.1234Z')).toBe('2024-01-01T10:00:00.123400Z');
    expect(toUtcInstant('2024-01-01T10:00:00.000Z')).toBe('2024-01-01T10:00:00Z');
    expect(toUtcInstant('2024-01-01T10:00-0530')).toBe('2024-01-01T15:30:00Z');
  });
});
