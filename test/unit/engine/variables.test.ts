import { buildVariables, outputsOf } from '../../../lib/engine';
import { attemptsCount } from '../../../lib/engine/variables';
import type { TaskRun } from '../../../lib/model/execution';
import { LOG, RETURN } from './helpers/catalog';
import { Harness, flow } from './helpers/harness';

const EACH = 'io.kestra.core.tasks.flows.EachSequential';
const SEQ = 'io.kestra.core.tasks.flows.Sequential';

const tr = (id: string, taskId: string, extra: Partial<TaskRun> = {}): TaskRun => ({
  id, taskId, executionId: 'e', namespace: 'n', flowId: 'f', attempts: [], state: { current: 'SUCCESS', histories: [{ state: 'SUCCESS', date: 'd' }] }, ...extra,
});

describe('outputsOf', () => {
  it('keys outputs by task id, and by the loop values of the run and its ancestors, outermost first', () => {
    const list = [
      tr('1', 'plain', { outputs: { value: 'p' } }),
      tr('2', 'outer'),
      tr('3', 'inner', { parentTaskRunId: '2', value: 's1' }),
      tr('4', 'leaf', { parentTaskRunId: '3', value: 'a a', outputs: { value: 'x' } }),
      tr('5', 'inner', { parentTaskRunId: '2', value: 's2' }),
      tr('6', 'leaf', { parentTaskRunId: '5', value: 'a a', outputs: { value: 'y' } }),
      tr('7', 'seq', { parentTaskRunId: '3' }),
      tr('8', 'deep', { parentTaskRunId: '7', outputs: { value: 'z' } }),
    ];
    expect(outputsOf(list)).toEqual({
      plain: { value: 'p' },
      leaf: { s1: { 'a a': { value: 'x' } }, s2: { 'a a': { value: 'y' } } },
      deep: { s1: { value: 'z' } },
    });
    expect(list[3].outputs).toEqual({ value: 'x' });
  });

  it('keys outputs by loop values named like Object.prototype members as plain data', () => {
    const list = [
      tr('1', 'loop'),
      tr('2', 'leaf', { parentTaskRunId: '1', value: '__proto__', outputs: { value: 'p' } }),
      tr('3', 'leaf', { parentTaskRunId: '1', value: 'constructor', outputs: { value: 'c' } }),
    ];
    const leaf = outputsOf(list).leaf as Record<string, unknown>;
    expect(Object.getPrototypeOf(leaf)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(leaf, '__proto__')?.value).toEqual({ value: 'p' });
    expect(Object.getOwnPropertyDescriptor(leaf, 'constructor')?.value).toEqual({ value: 'c' });
  });
});

describe('buildVariables', () => {
  it('gives a task what Kestra gives it', () => {
    const h = Harness.start(flow([{ id: 'a', type: RETURN }], { variables: { v: 'x' } }), {
      inputs: { i: 1 }, labels: { l: 'v' }, context: { globals: { g: true }, envs: { ALOFT_E: 'e' } },
    });
    const run = h.run('a');
    const vars = buildVariables(h.execution, h.flow, run, { globals: { g: true }, envs: { ALOFT_E: 'e' } });
    expect(vars).toEqual({
      flow: { id: 'f', namespace: 'test', revision: 1 },
      // Kestra 1.x's RunVariables add the execution's current state.
      execution: { id: 'e1', startDate: '2024-01-01T00:00:00.000Z', originalId: 'e1', state: 'RUNNING' },
      task: { id: 'a', type: RETURN },
      taskrun: { id: run.id, startDate: '2024-01-01T00:00:00.000Z', attemptsCount: 0 },
      parents: [],
      outputs: {},
      inputs: { i: 1 },
      vars: { v: 'x' },
      labels: { l: 'v' },
      globals: { g: true },
      envs: { ALOFT_E: 'e' },
    });
  });

  it('adds parent/parents (nearest first), taskrun.value, taskrun.parentId and the trigger', () => {
    const f = flow([{ id: 'each', type: EACH, value: ['v1'], tasks: [{ id: 'seq', type: SEQ, tasks: [{ id: 'leaf', type: LOG }] }] }]);
    const h = Harness.create(f);
    h.execution = { ...h.execution, trigger: { id: 'sched', type: 'Schedule', variables: { date: '2024' } } };
    h.send({ type: 'ExecutionCreated' });
    const leaf = h.run('leaf');
    const vars = buildVariables(h.execution, h.flow, leaf);
    expect(vars.taskrun).toEqual({ id: leaf.id, startDate: expect.any(String), attemptsCount: 0, parentId: h.run('seq').id });
    expect(vars.parents).toEqual([{ taskrun: { value: 'v1' } }]);
    expect(vars.parent).toEqual({ taskrun: { value: 'v1' } });
    expect(vars.trigger).toEqual({ date: '2024' });
    expect((buildVariables(h.execution, h.flow, h.run('seq')).taskrun as any).value).toBe('v1');
  });

  it('builds flow-level variables without a task run', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG }]));
    const vars = buildVariables(h.execution, h.flow, undefined);
    expect(vars.task).toBeUndefined();
    expect(vars.taskrun).toBeUndefined();
    expect(vars.outputs).toEqual({});
  });
});

describe('attemptsCount', () => {
  it('counts the attempts that ended', () => {
    const a = (s: 'FAILED' | 'CREATED' | 'RUNNING') => ({ state: { current: s, histories: [{ state: s, date: 'd' }] } });
    expect(attemptsCount(tr('1', 't', { attempts: [a('FAILED'), a('FAILED'), a('CREATED')] }))).toBe(2);
    expect(attemptsCount(tr('1', 't', { attempts: [a('RUNNING')] }))).toBe(0);
  });
});
