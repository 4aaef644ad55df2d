import type { Execution, TaskRun } from '../../../../lib/model/execution';
import { newStateRecord, withState } from '../../../../lib/model/states';
import { failedTooLarge, runsJsonWithin } from '../../../../lib/adapters/sqlite/runs-limit';

const T0 = new Date('2024-03-14T10:00:00.000Z');
const T1 = new Date('2024-03-14T10:05:00.000Z');
const run = (n: number): TaskRun => ({
  id: `r${n}`, executionId: 'e', namespace: 'n', flowId: 'f', taskId: `t${n}`, attempts: [], state: newStateRecord('SUCCESS', T0), outputs: { text: 'x'.repeat(100) },
});
const ended = (state: 'SUCCESS' | 'FAILED', runs: TaskRun[]): Execution => ({
  id: 'e', namespace: 'n', flowId: 'f', flowRevision: 1, state: withState(newStateRecord('RUNNING', T0), state, T0), inputs: {}, taskRunList: runs, version: 4,
  ...(state === 'FAILED' ? { error: { code: 'TASK_FAILED' as const, message: 'boom' } } : {}),
});

describe('runsJsonWithin', () => {
  it('gives the JSON up to the limit, and undefined past it or when V8 cannot build it', () => {
    const json = JSON.stringify([run(0)]);
    expect(runsJsonWithin([run(0)], json.length)).toBe(json);
    expect(runsJsonWithin([run(0)], json.length - 1)).toBeUndefined();
    const huge = { ...run(1), outputs: { v: { toJSON: () => { throw new RangeError('Invalid string length'); } } } };
    expect(runsJsonWithin([huge], Infinity)).toBeUndefined();
    const broken = { ...run(1), outputs: { v: { toJSON: () => { throw new TypeError('not this one'); } } } };
    expect(() => runsJsonWithin([broken], Infinity)).toThrow('not this one');
    const deep = { ...run(1), outputs: { v: { toJSON: () => { throw new RangeError('Maximum call stack size exceeded'); } } } };
    expect(() => runsJsonWithin([deep], Infinity)).toThrow('Maximum call stack size exceeded');
  });
});

describe('failedTooLarge', () => {
  it('ends the execution FAILED at `now` with PAYLOAD_TOO_LARGE, its task runs without outputs, and gives their JSON', () => {
    const light = JSON.stringify([run(0), run(1)].map(({ outputs: _o, ...r }) => r));
    const out = failedTooLarge(ended('SUCCESS', [run(0), run(1)]), light.length, T1);
    expect(out.execution.state.current).toBe('FAILED');
    expect(out.execution.state.histories.at(-1)).toEqual({ state: 'FAILED', date: T1.toISOString() });
    expect(out.execution.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', flow: 'n.f', message: expect.stringMatching(/^execution e of flow n\.f ended SUCCESS, but its 2 task runs/), hint: expect.any(String) });
    expect(out.execution.taskRunList.map((r) => [r.id, 'outputs' in r])).toEqual([['r0', false], ['r1', false]]);
    expect(JSON.parse(out.runs)).toEqual(out.execution.taskRunList);
  });

  it('keeps a FAILED state as it was, and no task run when even without outputs they do not fit', () => {
    const before = ended('FAILED', [run(0), run(1)]);
    const out = failedTooLarge(before, 100, T1);
    expect(out.execution.state).toBe(before.state);
    expect(out.execution.taskRunList).toEqual([]);
    expect(out.runs).toBe('[]');
    expect(out.execution.error?.message).toMatch(/without its task runs \(even without their outputs they do not fit\); it had ended with TASK_FAILED: boom$/);
  });
});
