import { executionOutputs, toExecutionJson } from '../../../lib/api/execution-json';
import type { Execution, TaskRun } from '../../../lib/model/execution';

const state = (current: TaskRun['state']['current'], ...states: string[]) => ({
  current, histories: [...states, current].map((s, i) => ({ state: s as TaskRun['state']['current'], date: `2026-01-01T00:00:0${i}.000Z` })),
});
const run = (id: string, taskId: string, extra: Partial<TaskRun> = {}): TaskRun => ({
  id, executionId: 'e', namespace: 'n', flowId: 'f', taskId, attempts: [], state: state('SUCCESS', 'CREATED', 'RUNNING'), ...extra,
});

function execution(taskRunList: TaskRun[], extra: Partial<Execution> = {}): Execution {
  return {
    id: 'e', namespace: 'n', flowId: 'f', flowRevision: 1, state: state('SUCCESS', 'CREATED', 'RUNNING'), inputs: {}, taskRunList, version: 3, ...extra,
  };
}

describe('the final execution as JSON', () => {
  it('keys outputs of nested loops by every enclosing value', () => {
    const e = execution([
      run('r1', 'outer'),
      run('r2', 'inner', { parentTaskRunId: 'r1', value: 'x' }),
      run('r3', 'leaf', { parentTaskRunId: 'r2', value: 'a', outputs: { v: 1 } }),
      run('r4', 'inner', { parentTaskRunId: 'r1', value: 'y' }),
      run('r5', 'leaf', { parentTaskRunId: 'r4', value: 'a', outputs: { v: 2 } }),
      run('r6', 'after', { outputs: { value: 'done' } }),
    ]);
    expect(executionOutputs(e)).toEqual({ leaf: { x: { a: { v: 1 } }, y: { a: { v: 2 } } }, after: { value: 'done' } });
  });

  it('has an end date and the error only once the execution ended', () => {
    const paused = toExecutionJson(execution([], { state: state('PAUSED', 'CREATED', 'RUNNING') }));
    expect(paused.state.endDate).toBeUndefined();
    const failed = toExecutionJson(execution([], { state: state('FAILED', 'CREATED', 'RUNNING'), error: { code: 'TASK_FAILED', message: 'boom' } }));
    expect(failed.state.endDate).toBe('2026-01-01T00:00:02.000Z');
    expect(failed.error).toEqual({ code: 'TASK_FAILED', message: 'boom' });
  });

  it("places the flow's outputs at the top, as Kestra does, and task outputs only on their task runs", () => {
    const json = toExecutionJson(execution([run('r1', 'calc', { outputs: { value: 42 } })], { outputs: { answer: 42 } }));
    expect(json.outputs).toEqual({ answer: 42 });
    expect(json.taskRunList[0].outputs).toEqual({ value: 42 });
    const without = toExecutionJson(execution([run('r1', 'calc', { outputs: { value: 42 } })]));
    expect(without).not.toHaveProperty('outputs');
    expect(without.taskRunList[0].outputs).toEqual({ value: 42 });
  });

  it('shapes task runs like Kestra, without engine bookkeeping', () => {
    const json = toExecutionJson(execution([run('r1', 't', { internal: { cursor: 3 }, outputs: { value: 1 } })]));
    expect(json.taskRunList[0]).toEqual({ id: 'r1', taskId: 't', state: expect.any(Object), attempts: [], outputs: { value: 1 } });
    expect(json).not.toHaveProperty('version');
  });
});
