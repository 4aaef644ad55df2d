import { closest, didYouMean, editDistance } from '../../../lib/model/flow-suggest';

describe('flow-suggest', () => {
  it('counts edits between two words, ignoring case', () => {
    expect(editDistance('format', 'formt')).toBe(1);
    expect(editDistance('Format', 'format')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the closest candidate only when it is a likely typo', () => {
    expect(closest('io.kestra.core.tasks.debug.Return', ['io.kestra.core.tasks.debugs.Return', 'io.kestra.core.tasks.debugs.Echo']))
      .toBe('io.kestra.core.tasks.debugs.Return');
    expect(closest('sql', ['url', 'username', 'password'])).toBe('url');
    expect(closest('zzzzzz', ['format'])).toBeUndefined();
    expect(didYouMean('formt', ['format'])).toBe("; did you mean 'format'?");
    expect(didYouMean('x', [])).toBe('');
  });
});
