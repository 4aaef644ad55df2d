import { changes, colorWanted, ttyProgress } from '../../../lib/cli/progress';
import type { Execution, TaskRun } from '../../../lib/model/execution';
import type { State } from '../../../lib/model/states';

const T = '2024-03-14T10:00:00.000Z';
const T2 = '2024-03-14T10:00:01.000Z';

const run = (id: string, states: State[], parentTaskRunId?: string, at = T): TaskRun => ({
  id, taskId: id, executionId: 'e', namespace: 'n', flowId: 'f', attempts: [],
  state: { current: states[states.length - 1], histories: states.map((state) => ({ state, date: at })) },
  ...(parentTaskRunId ? { parentTaskRunId } : {}),
});

const execution = (runs: TaskRun[], version: number, states: State[] = ['CREATED', 'RUNNING']): Execution => ({
  id: 'e', namespace: 'n', flowId: 'f', flowRevision: 1, inputs: {}, version, taskRunList: runs,
  state: { current: states[states.length - 1], histories: states.map((state) => ({ state, date: T })) },
});

describe('progress lines', () => {
  it('never report a parent task SUCCESS before the last line of its children, when they end at the same instant', () => {
    const before = execution([run('seq', ['CREATED', 'RUNNING']), run('child', ['CREATED', 'RUNNING'], 'seq'), run('leaf', ['CREATED', 'RUNNING'], 'child')], 3);
    // The parent is listed first, as in every taskRunList: its end must still come last.
    const after = execution([
      run('seq', ['CREATED', 'RUNNING', 'SUCCESS']), run('child', ['CREATED', 'RUNNING', 'SUCCESS'], 'seq'), run('leaf', ['CREATED', 'RUNNING', 'SUCCESS'], 'child'),
    ], 4, ['CREATED', 'RUNNING', 'SUCCESS']);
    expect(changes(after, before).map((c) => c.text)).toEqual(['task leaf SUCCESS', 'task child SUCCESS', 'task seq SUCCESS', 'execution e SUCCESS']);
  });

  it('report a parent start before its children starting at the same instant, and time order first', () => {
    const before = execution([], 1);
    const after = execution([run('child', ['CREATED'], 'seq'), run('seq', ['CREATED', 'RUNNING']), run('late', ['CREATED'], undefined, T2)], 2);
    // The child is listed before its parent here: its start still comes after the parent's.
    expect(changes(after, before).map((c) => c.text)).toEqual(['task seq CREATED', 'task seq RUNNING', 'task child CREATED', 'task late CREATED']);
  });
});

describe('colour on a terminal', () => {
  it('is on unless NO_COLOR is set to a non-empty value', () => {
    expect(colorWanted({})).toBe(true);
    expect(colorWanted({ NO_COLOR: '' })).toBe(true);
    expect(colorWanted({ NO_COLOR: '1' })).toBe(false);
  });

  it('leaves no escape sequence but the redraw ones in the table when off', () => {
    let out = '';
    const e = execution([run('t', ['CREATED', 'RUNNING', 'FAILED'])], 3, ['CREATED', 'RUNNING', 'FAILED']);
    ttyProgress((s) => { out += s; }, () => Date.parse(T), 6, false).finish(e);
    expect(out).toContain('FAILED');
    expect(out).not.toMatch(/\x1b\[\d+m/);
    let colored = '';
    ttyProgress((s) => { colored += s; }, () => Date.parse(T), 6, true).finish(e);
    expect(colored).toContain('\x1b[31mFAILED');
  });
});
