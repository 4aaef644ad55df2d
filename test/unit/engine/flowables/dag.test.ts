import { dagInfo } from '../../../../lib/engine/flowables/dag';
import { RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const DAG = 'io.kestra.plugin.core.flow.Dag';

const pending = (h: Harness): string[] => h.pending().map((w) => w.taskId).sort();

describe('Dag', () => {
  const diamond = (extra: Record<string, unknown> = {}) => flow([
    { id: 'dag', type: DAG, ...extra, tasks: [
      { task: { id: 'last', type: RETURN }, dependsOn: ['left', 'right'] },
      { task: { id: 'left', type: RETURN }, dependsOn: ['first'] },
      { task: { id: 'right', type: RETURN }, dependsOn: ['first'] },
      { task: { id: 'first', type: RETURN } },
    ] },
    { id: 'after', type: RETURN },
  ]);

  it('starts a task once every task it depends on ended, in parallel where it can', () => {
    const h = Harness.start(diamond());
    expect(pending(h)).toEqual(['first']);
    h.succeed('first');
    expect(pending(h)).toEqual(['left', 'right']);
    h.succeed('left');
    expect(pending(h)).toEqual(['right']);
    h.succeed('right');
    expect(pending(h)).toEqual(['last']);
    h.drive();
    expect(h.execution.taskRunList.map((r) => r.taskId)).toEqual(['dag', 'first', 'left', 'right', 'last', 'after']);
    expect(h.state).toBe('SUCCESS');
  });

  it('runs at most concurrent tasks at once', () => {
    const h = Harness.start(diamond({ concurrent: 1 }));
    h.succeed('first');
    expect(pending(h)).toEqual(['left']);
    h.drive();
    expect(h.state).toBe('SUCCESS');
  });

  it('stops starting tasks after a failure, runs its errors and fails', () => {
    const h = Harness.start(flow([
      { id: 'dag', type: DAG, tasks: [
        { task: { id: 'a', type: RETURN } },
        { task: { id: 'b', type: RETURN }, dependsOn: ['a'] },
      ], errors: [{ id: 'alert', type: RETURN }] },
    ]));
    h.fail('a');
    h.drive();
    expect(h.states()).toEqual({ dag: 'FAILED', a: 'FAILED', alert: 'SUCCESS' });
    expect(h.state).toBe('FAILED');
  });

  it('does not wait for a disabled dependency', () => {
    const h = Harness.start(flow([
      { id: 'dag', type: DAG, tasks: [
        { task: { id: 'off', type: RETURN, disabled: true } },
        { task: { id: 'b', type: RETURN }, dependsOn: ['off'] },
      ] },
    ]));
    expect(pending(h)).toEqual(['b']);
  });
});

describe('Dag validation', () => {
  const issues = (tasks: unknown[]) => {
    const r = dagInfo.properties.safeParse({ tasks });
    return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
  };

  it('refuses a dependency on a task that is not in the Dag', () => {
    expect(issues([{ task: { id: 'a', type: RETURN }, dependsOn: ['ghost'] }])).toEqual([
      ['tasks.0.dependsOn.0', "task 'a' depends on 'ghost', which is not a task of this Dag (its tasks: a)"],
    ]);
  });

  it('refuses a cycle once, at its first task', () => {
    expect(issues([
      { task: { id: 'a', type: RETURN } },
      { task: { id: 'b', type: RETURN }, dependsOn: ['c'] },
      { task: { id: 'c', type: RETURN }, dependsOn: ['d', 'a'] },
      { task: { id: 'd', type: RETURN }, dependsOn: ['b'] },
    ])).toEqual([['tasks.1.dependsOn', 'dependency cycle: b depends on c depends on d depends on b']]);
  });

  it('refuses a task that depends on itself', () => {
    expect(issues([{ task: { id: 'a', type: RETURN }, dependsOn: ['a'] }])).toEqual([['tasks.0.dependsOn', 'dependency cycle: a depends on a']]);
  });

  it('accepts a diamond', () => {
    expect(issues([
      { task: { id: 'a', type: RETURN } },
      { task: { id: 'b', type: RETURN }, dependsOn: ['a'] },
      { task: { id: 'c', type: RETURN }, dependsOn: ['a'] },
      { task: { id: 'd', type: RETURN }, dependsOn: ['b', 'c'] },
    ])).toEqual([]);
  });
});
