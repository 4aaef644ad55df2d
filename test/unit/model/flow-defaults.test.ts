import { mergeMaps, TaskDefaults } from '../../../lib/model/flow-defaults';
import { testCatalog } from './test-catalog';

const RETURN = 'io.kestra.core.tasks.debugs.Return';

describe('mergeMaps', () => {
  it('merges maps deeply, concatenates lists and ignores nulls, as Kestra MapUtils.merge does', () => {
    expect(mergeMaps({ a: 1, m: { x: 1, y: 1 }, l: [1], keep: 'a' }, { a: 2, m: { y: 2 }, l: [2], keep: null })).toEqual({
      a: 2, m: { x: 1, y: 2 }, l: [1, 2], keep: 'a',
    });
  });
});

describe('TaskDefaults', () => {
  const d = (type: string, values: Record<string, unknown>, forced = false, at = 0) => ({ type, values, forced, at: ['taskDefaults', at] });

  it('lets the first listed default win, among forced and non-forced alike', () => {
    const defaults = new TaskDefaults([d(RETURN, { format: 'first' }), d(RETURN, { format: 'second' }, false, 1)], testCatalog);
    expect(defaults.applyOne({ id: 't', type: RETURN })).toEqual({ id: 't', type: RETURN, format: 'first' });
    const forced = new TaskDefaults([d(RETURN, { format: 'first' }, true), d(RETURN, { format: 'second' }, true, 1)], testCatalog);
    expect(forced.applyOne({ id: 't', type: RETURN, format: 'mine' })).toMatchObject({ format: 'first' });
  });

  it('matches a task written with an alias, and a default written as a type prefix', () => {
    const defaults = new TaskDefaults([d(RETURN, { format: 'a' }), d('io.kestra.plugin.core', { description: 'b' }, false, 1)], testCatalog);
    expect(defaults.applyOne({ id: 't', type: 'io.kestra.plugin.core.debug.Return' })).toEqual({
      id: 't', type: 'io.kestra.plugin.core.debug.Return', format: 'a', description: 'b',
    });
  });

  it('applies defaults to the children of flowable tasks and remembers which default set a property', () => {
    const defaults = new TaskDefaults([d(RETURN, { format: 'x' })], testCatalog);
    const out = defaults.apply({ id: 's', type: 'io.kestra.core.tasks.flows.Sequential', tasks: [{ id: 'c', type: RETURN }] }) as any;
    expect(out.tasks[0]).toEqual({ id: 'c', type: RETURN, format: 'x' });
    expect(defaults.origin(out.tasks[0], ['format'])).toEqual(['taskDefaults', 0, 'values', 'format']);
    expect(defaults.origin(out.tasks[0], ['other'])).toBeUndefined();
  });
});
