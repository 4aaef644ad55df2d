import { enabled } from '../../../lib/engine/task-list';

describe('enabled', () => {
  it('drops disabled tasks and tolerates a missing list', () => {
    expect(enabled([{ id: 'a', type: 't' }, { id: 'b', type: 't', disabled: true }, { id: 'c', type: 't', disabled: false }]).map((t) => t.id)).toEqual(['a', 'c']);
    expect(enabled(undefined)).toEqual([]);
    expect(enabled(null)).toEqual([]);
  });
});
