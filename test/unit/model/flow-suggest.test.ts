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

  it('suggests no task type whose last segment differs, however long the shared prefix', () => {
    const types = ['io.kestra.plugin.core.log.Log', 'io.kestra.plugin.core.flow.Pause', 'io.kestra.core.tasks.debugs.Echo'];
    expect(closest('io.kestra.plugin.core.kv.Set', types)).toBeUndefined();
    expect(closest('io.kestra.plugin.core.storage.Write', types)).toBeUndefined();
    expect(closest('io.kestra.core.tasks.debugs.Ecoh', types)).toBe('io.kestra.core.tasks.debugs.Echo');
    expect(closest('io.kestra.plugin.core.log.Logg', types)).toBe('io.kestra.plugin.core.log.Log');
  });
});
