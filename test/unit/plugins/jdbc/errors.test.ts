import { abortError, describe as describeError, isAloftError } from '../../../../lib/plugins/jdbc/errors';
import { AloftError } from '../../../../lib/model/errors';

describe('describe', () => {
  it("adds the driver's code to its message", () => {
    expect(describeError(Object.assign(new Error('syntax error at or near "selec"'), { code: '42601' }))).toBe('syntax error at or near "selec" (42601)');
  });

  it('masks secrets that appear in a message', () => {
    expect(describeError(new Error('login failed for sa with hunter22'), ['hunter22'])).toBe('login failed for sa with ***');
  });

  it('describes an AggregateError by its first error', () => {
    const err = new AggregateError([Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })], '');
    expect(describeError(err)).toMatch(/ECONNREFUSED 127\.0\.0\.1:1/);
  });
});

describe('abortError', () => {
  it("uses the runtime's reason when it is an Aloft error, KILLED otherwise", () => {
    const timeout = new AloftError('TIMEOUT', 'the task timed out');
    const a = new AbortController();
    a.abort(timeout);
    expect(abortError(a.signal)).toBe(timeout);
    const b = new AbortController();
    b.abort();
    expect(abortError(b.signal)).toMatchObject({ code: 'KILLED' });
  });

  it('recognises errors of the closed set by code, not class', () => {
    expect(isAloftError({ code: 'STORAGE_FORBIDDEN', message: 'x' })).toBe(true);
    expect(isAloftError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
  });
});
