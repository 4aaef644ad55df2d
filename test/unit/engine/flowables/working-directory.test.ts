import { replay } from '../../../../lib/engine';
import type { WorkerTask } from '../../../../lib/model/worker-messages';
import { BASH, LOG, RETURN } from '../helpers/catalog';
import { Harness, flow, type WorkerAnswer } from '../helpers/harness';
import { fakeIds } from '../helpers/ids';

const WDIR = 'io.kestra.plugin.core.flow.WorkingDirectory';

/** The group attempt the engine dispatched last (the WorkingDirectory's own run). */
function groupTask(h: Harness): WorkerTask {
  const tasks = h.pending().filter((w) => w.children !== undefined);
  if (tasks.length === 0) throw new Error('no group attempt pending');
  return tasks[tasks.length - 1];
}

/**
 * Plays the worker of a group attempt: reports each child in turn (a start then its answer, or a
 * lone SKIPPED result for 'skip'), stopping after the children answered, then the group's own result.
 * Children the test already reported are passed over.
 */
function playGroup(h: Harness, children: Record<string, WorkerAnswer | 'skip'>, group: WorkerAnswer = { state: 'SUCCESS' }): WorkerTask {
  const g = groupTask(h);
  for (const child of g.children!) {
    if (h.has(child.taskId) && h.run(child.taskId).parentTaskRunId === g.taskRunId) continue;
    const a = children[child.taskId];
    if (a === undefined) break;
    if (a === 'skip') {
      h.send({ type: 'WorkerResult', result: { ...h.result(child.taskRunId, 0, { state: 'SKIPPED' }), parentTaskRunId: g.taskRunId } });
      continue;
    }
    h.send({ type: 'AttemptStarted', taskRunId: child.taskRunId, attempt: 0, at: h.now.toISOString(), parentTaskRunId: g.taskRunId });
    h.send({ type: 'WorkerResult', result: { ...h.result(child.taskRunId, 0, a), parentTaskRunId: g.taskRunId } });
  }
  h.drive((wt) => (wt.taskRunId === g.taskRunId && wt.attempt === g.attempt ? group : undefined));
  return g;
}

const wdir = (extra: Record<string, unknown> = {}) => ({
  id: 'wdir', type: WDIR, tasks: [{ id: 'first', type: BASH }, { id: 'second', type: RETURN }], ...extra,
});

describe('WorkingDirectory', () => {
  it('sends its runnable children to one worker as one group attempt on its own run, with no child run yet', () => {
    const h = Harness.start(flow([wdir({ outputFiles: ['out.txt'] })]));
    const g = groupTask(h);
    expect(g).toMatchObject({ taskId: 'wdir', attempt: 0, taskRunId: h.run('wdir').id, type: WDIR, task: { outputFiles: ['out.txt'] } });
    expect(g.task.tasks).toBeUndefined();
    expect(g.children!.map((c) => [c.taskId, c.type])).toEqual([['first', BASH], ['second', RETURN]]);
    // Bash is in group scripts, Return in core: the heavier group's worker runs them all.
    expect(g.group).toBe('scripts');
    expect(h.states()).toEqual({ wdir: 'RUNNING' });
    expect(h.run('wdir').attempts).toHaveLength(1);
  });

  it('records each child under it as the worker reports it, and ends SUCCESS with the outputFiles of the group', () => {
    const h = Harness.start(flow([wdir(), { id: 'after', type: LOG }]));
    const g = groupTask(h);
    h.send({ type: 'AttemptStarted', taskRunId: g.children![0].taskRunId, attempt: 0, at: h.now.toISOString(), parentTaskRunId: g.taskRunId });
    expect(h.states()).toEqual({ wdir: 'RUNNING', first: 'RUNNING' });
    expect(h.run('first').parentTaskRunId).toBe(h.run('wdir').id);
    h.send({ type: 'WorkerResult', result: { ...h.result(g.children![0].taskRunId, 0, { state: 'SUCCESS', outputs: { vars: {} } }), parentTaskRunId: g.taskRunId } });
    playGroup(h, { second: { state: 'SUCCESS', outputs: { value: 2 } } }, { state: 'SUCCESS', outputs: { outputFiles: { 'out.txt': 'kestra:///x/out.txt' } } });
    h.drive((wt) => (wt.taskId === 'after' ? { state: 'SUCCESS' } : undefined));
    expect(h.states()).toEqual({ wdir: 'SUCCESS', first: 'SUCCESS', second: 'SUCCESS', after: 'SUCCESS' });
    expect(h.run('wdir').outputs).toEqual({ outputFiles: { 'out.txt': 'kestra:///x/out.txt' } });
    expect(h.run('second').outputs).toEqual({ value: 2 });
    expect(h.state).toBe('SUCCESS');
  });

  it('waits for the group to end before concluding, even once every child it knows of ended', () => {
    const h = Harness.start(flow([wdir(), { id: 'after', type: LOG }]));
    const g = groupTask(h);
    for (const c of g.children!) {
      h.send({ type: 'AttemptStarted', taskRunId: c.taskRunId, attempt: 0, at: h.now.toISOString(), parentTaskRunId: g.taskRunId });
      h.send({ type: 'WorkerResult', result: { ...h.result(c.taskRunId, 0, { state: 'SUCCESS' }), parentTaskRunId: g.taskRunId } });
    }
    expect(h.run('wdir').state.current).toBe('RUNNING');
    expect(h.has('after')).toBe(false);
    h.drive((wt) => (wt.taskRunId === g.taskRunId ? { state: 'SUCCESS' } : undefined));
    expect(h.run('wdir').state.current).toBe('SUCCESS');
    expect(h.pending().map((w) => w.taskId)).toEqual(['after']);
  });

  it('gives later tasks the outputs of its children as outputs.<childId>', () => {
    const h = Harness.start(flow([wdir(), { id: 'after', type: LOG }]));
    playGroup(h, { first: { state: 'SUCCESS', outputs: { vars: { stay: 'x' } } }, second: { state: 'SUCCESS', outputs: { value: 'v' } } });
    const after = h.pending().find((w) => w.taskId === 'after')!;
    expect((after.variables.outputs as Record<string, unknown>)).toMatchObject({ first: { vars: { stay: 'x' } }, second: { value: 'v' } });
  });

  it('after a failed child runs its errors and finally on any worker, and ends FAILED; the failed child is not retried', () => {
    const h = Harness.start(flow([
      wdir({
        tasks: [{ id: 'first', type: BASH, retry: { type: 'constant', interval: 'PT1S', maxAttempt: 3 } }, { id: 'second', type: RETURN }],
        errors: [{ id: 'alert', type: LOG }], finally: [{ id: 'cleanup', type: LOG }],
      }),
      { id: 'after', type: LOG },
    ]));
    playGroup(h, { first: { state: 'FAILED', error: { code: 'TASK_FAILED', message: 'exit 1' } } });
    expect(h.pending().map((w) => [w.taskId, w.children === undefined])).toEqual([['alert', true]]);
    h.drive();
    expect(h.states()).toEqual({ wdir: 'FAILED', first: 'FAILED', alert: 'SUCCESS', cleanup: 'SUCCESS' });
    expect(h.run('first').attempts).toHaveLength(1);
    expect(h.effectsOf('ScheduleWakeUp')).toEqual([]);
    expect(h.state).toBe('FAILED');
  });

  it('carries on after a child with allowFailure failed, ending WARNING', () => {
    const h = Harness.start(flow([{ id: 'wdir', type: WDIR, tasks: [{ id: 'first', type: BASH, allowFailure: true }, { id: 'second', type: RETURN }] }]));
    playGroup(h, { first: { state: 'FAILED', error: { code: 'TASK_FAILED', message: 'exit 1' } }, second: { state: 'SUCCESS' } });
    expect(h.states()).toEqual({ wdir: 'WARNING', first: 'WARNING', second: 'SUCCESS' });
    expect(h.state).toBe('WARNING');
  });

  it('records a child its runIf skipped as SKIPPED with no attempt', () => {
    const h = Harness.start(flow([wdir()]));
    playGroup(h, { first: 'skip', second: { state: 'SUCCESS' } });
    expect(h.states()).toEqual({ wdir: 'SUCCESS', first: 'SKIPPED', second: 'SUCCESS' });
    expect(h.run('first').attempts).toEqual([]);
  });

  it('fails with the group error when its files could not be prepared, and runs no child itself', () => {
    const h = Harness.start(flow([wdir()]));
    playGroup(h, {}, { state: 'FAILED', error: { code: 'TASK_FAILED', message: 'inputFiles: no such file' } });
    expect(h.states()).toEqual({ wdir: 'FAILED' });
    expect(h.run('wdir').error).toMatchObject({ message: 'inputFiles: no such file' });
    expect(h.pending()).toEqual([]);
    expect(h.state).toBe('FAILED');
  });

  it('ignores reports of a child the group did not plan, and of a stale group attempt', () => {
    const h = Harness.start(flow([wdir()]));
    const g = groupTask(h);
    const before = h.execution;
    h.send({ type: 'AttemptStarted', taskRunId: 'stranger', attempt: 0, at: h.now.toISOString(), parentTaskRunId: g.taskRunId });
    h.send({ type: 'WorkerResult', result: { ...h.result(g.taskRunId, 5, { state: 'SUCCESS' }) } });
    expect(h.execution.taskRunList).toEqual(before.taskRunList);
  });

  it('on a kill asks the worker to stop the group (and its running child), and ends KILLED once it reported', () => {
    const h = Harness.start(flow([wdir()]));
    const g = groupTask(h);
    h.send({ type: 'AttemptStarted', taskRunId: g.taskRunId, attempt: 0, at: h.now.toISOString() });
    h.send({ type: 'AttemptStarted', taskRunId: g.children![0].taskRunId, attempt: 0, at: h.now.toISOString(), parentTaskRunId: g.taskRunId });
    const effects = h.send({ type: 'Kill' });
    expect(h.effectsOf('StopWorkerTask', effects).map((e) => [e.taskRunId, e.attempt])).toEqual([[g.taskRunId, 0], [g.children![0].taskRunId, 0]]);
    expect(h.state).toBe('KILLING');
    h.send({ type: 'WorkerResult', result: { ...h.result(g.children![0].taskRunId, 0, { state: 'KILLED' }), parentTaskRunId: g.taskRunId } });
    expect(h.state).toBe('KILLING');
    h.send({ type: 'WorkerResult', result: h.result(g.taskRunId, 0, { state: 'KILLED' }) });
    expect(h.states()).toEqual({ wdir: 'KILLED', first: 'KILLED' });
    expect(h.state).toBe('KILLED');
  });

  it('runs the whole group again with new child runs when its worker died mid-group', () => {
    const h = Harness.start(flow([wdir()]));
    const g = groupTask(h);
    h.send({ type: 'AttemptStarted', taskRunId: g.taskRunId, attempt: 0, at: h.now.toISOString() });
    h.send({ type: 'AttemptStarted', taskRunId: g.children![0].taskRunId, attempt: 0, at: h.now.toISOString(), parentTaskRunId: g.taskRunId });
    h.send({ type: 'WorkerResult', result: { ...h.result(g.children![0].taskRunId, 0, { state: 'SUCCESS' }), parentTaskRunId: g.taskRunId } });
    h.send({ type: 'AttemptStarted', taskRunId: g.children![1].taskRunId, attempt: 0, at: h.now.toISOString(), parentTaskRunId: g.taskRunId });
    // The recovery sweep: the group's heartbeat stopped.
    h.send({ type: 'WorkerResult', result: h.result(g.taskRunId, 0, { state: 'FAILED', error: { code: 'INFRA_RETRYABLE', message: 'attempt was lost' }, lost: true }) });
    expect(h.states()).toEqual({ wdir: 'RUNNING' });
    const again = groupTask(h);
    expect(again.attempt).toBe(1);
    expect(again.children!.map((c) => c.taskRunId)).not.toContain(g.children![1].taskRunId);
    // A late report from the dead worker changes nothing.
    h.send({ type: 'WorkerResult', result: { ...h.result(g.children![1].taskRunId, 0, { state: 'SUCCESS' }), parentTaskRunId: g.taskRunId } });
    expect(h.states()).toEqual({ wdir: 'RUNNING' });
    playGroup(h, { first: { state: 'SUCCESS' }, second: { state: 'SUCCESS' } });
    expect(h.states()).toEqual({ wdir: 'SUCCESS', first: 'SUCCESS', second: 'SUCCESS' });
    expect(h.run('wdir').attempts.map((a) => a.state.current)).toEqual(['FAILED', 'SUCCESS']);
    expect(h.state).toBe('SUCCESS');
  });

  it('fails after its group was lost more than 5 times, as any attempt', () => {
    const h = Harness.start(flow([wdir()]));
    for (let i = 0; i < 6; i++) {
      const g = groupTask(h);
      h.send({ type: 'AttemptStarted', taskRunId: g.taskRunId, attempt: g.attempt, at: h.now.toISOString() });
      h.send({ type: 'WorkerResult', result: h.result(g.taskRunId, g.attempt, { state: 'FAILED', error: { code: 'INFRA_RETRYABLE', message: 'attempt was lost' }, lost: true }) });
    }
    expect(h.run('wdir').attempts).toHaveLength(6);
    expect(h.states()).toEqual({ wdir: 'FAILED' });
    expect(h.run('wdir').error).toMatchObject({ code: 'INFRA_RETRYABLE' });
    expect(h.state).toBe('FAILED');
  });

  it('on restart after a failed child runs the whole group again (its folder is gone), not the child alone', () => {
    const h = Harness.start(flow([{ id: 'before', type: LOG }, wdir()]));
    h.drive((wt) => (wt.taskId === 'before' ? { state: 'SUCCESS' } : undefined));
    playGroup(h, { first: { state: 'SUCCESS' }, second: { state: 'FAILED', error: { code: 'TASK_FAILED', message: 'no' } } });
    expect(h.state).toBe('FAILED');
    h.send({ type: 'Restart' });
    expect(h.states()).toEqual({ before: 'SUCCESS', wdir: 'RUNNING' });
    expect(h.history('wdir')).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING']);
    const g = groupTask(h);
    expect(g.attempt).toBe(1);
    playGroup(h, { first: { state: 'SUCCESS' }, second: { state: 'SUCCESS' } });
    expect(h.states()).toEqual({ before: 'SUCCESS', wdir: 'SUCCESS', first: 'SUCCESS', second: 'SUCCESS' });
    expect(h.state).toBe('SUCCESS');
  });

  it('replays from a child by replaying the whole WorkingDirectory', () => {
    const h = Harness.start(flow([{ id: 'before', type: LOG }, wdir(), { id: 'after', type: LOG }]));
    h.drive((wt) => (wt.children ? undefined : { state: 'SUCCESS' }));
    playGroup(h, { first: { state: 'SUCCESS' }, second: { state: 'SUCCESS' } });
    h.drive();
    expect(h.state).toBe('SUCCESS');
    const copy = replay(h.execution, h.flow, h.run('second').id, 'e2', new Date('2024-02-01T00:00:00.000Z'), fakeIds('n'));
    expect(copy.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([['before', 'SUCCESS'], ['wdir', 'RESTARTED']]);
    const r = new Harness(copy, h.flow);
    r.send({ type: 'ExecutionCreated' });
    expect(groupTask(r).children!.map((c) => c.taskId)).toEqual(['first', 'second']);
    playGroup(r, { first: { state: 'SUCCESS' }, second: { state: 'SUCCESS' } });
    r.drive();
    expect(r.states()).toEqual({ before: 'SUCCESS', wdir: 'SUCCESS', first: 'SUCCESS', second: 'SUCCESS', after: 'SUCCESS' });
  });

  it('inside a ForEach, tells its worker the loop value by which its tasks\' outputs are addressed', () => {
    const h = Harness.start(flow([
      { id: 'loop', type: 'io.kestra.plugin.core.flow.ForEach', values: ['a'], tasks: [wdir()] },
      { id: 'after', type: LOG },
    ]));
    const g = groupTask(h);
    expect(g.outputsPath).toEqual(['a']);
    expect((g.variables.taskrun as { value?: string }).value).toBe('a');
    playGroup(h, { first: { state: 'SUCCESS', outputs: { x: 1 } }, second: { state: 'SUCCESS' } });
    const after = h.pending().find((w) => w.taskId === 'after')!;
    expect(after.variables.outputs).toMatchObject({ first: { a: { x: 1 } } });
  });

  it('leaves disabled children out of the group', () => {
    const h = Harness.start(flow([{ id: 'wdir', type: WDIR, tasks: [{ id: 'a', type: LOG, disabled: true }, { id: 'b', type: LOG }] }]));
    expect(groupTask(h).children!.map((c) => c.taskId)).toEqual(['b']);
    expect(groupTask(h).group).toBe('core');
  });
});
