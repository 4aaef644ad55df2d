import { forEachTask } from '../../../lib/model/flow-tasks';
import { testCatalog } from './test-catalog';

describe('forEachTask', () => {
  it('visits every task depth first, through child lists and maps of cases, with its path and parent', () => {
    const tasks = [
      { id: 'sw', type: 'io.kestra.core.tasks.flows.Switch', value: 'a', cases: { a: [{ id: 'x', type: 'test.Typed' }] }, defaults: [{ id: 'y', type: 'test.Typed' }] },
      { id: 'unknown', type: 'nope', tasks: [{ id: 'hidden', type: 'test.Typed' }] },
    ];
    const seen: string[] = [];
    forEachTask(tasks, ['tasks'], testCatalog, ({ task, path, parentId, info }) => {
      seen.push(`${String(task.id)} ${path.join('/')} ${parentId ?? '-'} ${info?.kind ?? '?'}`);
    });
    expect(seen).toEqual([
      'sw tasks/0 - flowable',
      'y tasks/0/defaults/0 sw runnable',
      'x tasks/0/cases/a/0 sw runnable',
      'unknown tasks/1 - ?',
    ]);
  });
});
