import { formatPath } from '../../../lib/model/flow-diagnostics';

describe('formatPath', () => {
  it('writes paths as users read them, quoting keys that are not identifiers', () => {
    expect(formatPath(['tasks', 2, 'sql'])).toBe('tasks[2].sql');
    expect(formatPath(['tasks', 0, 'properties', 'bootstrap.servers'])).toBe('tasks[0].properties["bootstrap.servers"]');
    expect(formatPath(['tasks', 0, 'cases', 'my case', 1])).toBe('tasks[0].cases["my case"][1]');
    expect(formatPath([])).toBe('');
  });
});
