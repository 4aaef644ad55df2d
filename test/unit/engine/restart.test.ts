import { FAIL, LOG } from './helpers/catalog';
import { Harness, flow } from './helpers/harness';

const SEQ = 'io.kestra.core.tasks.flows.Sequential';
const EACH_PAR = 'io.kestra.core.tasks.flows.EachParallel';
const SWITCH = 'io.kestra.core.tasks.flows.Switch';

describe('restart', () => {
  it('re-runs the failed run with the next attempt number and carries on after it', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG }, { id: 'b', type: LOG }, { id: 'c', type: LOG }, { id: 'd', type: LOG }]));
    h.succeed('a');
    h.succeed('b');
    h.fail('c');
    expect(h.state).toBe('FAILED');
    const ended = h.effectsOf('ExecutionEnded');
    h.send({ type: 'Restart' });
    expect(h.state).toBe('RUNNING');
    expect(h.run('c').state.current).toBe('RESTARTED');
    const [wt] = h.pending();
    expect(wt).toMatchObject({ taskId: 'c', attempt: 1 });
    expect((wt.variables.taskrun as any).attemptsCount).toBe(1);
    h.drive();
    expect(h.history('c')).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'SUCCESS']);
    expect(h.run('d').state.current).toBe('SUCCESS');
    expect(h.runs('c')).toHaveLength(1);
    expect(h.execution.state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'SUCCESS']);
    expect(h.effectsOf('ExecutionEnded')).toHaveLength(ended.length + 1);
    expect(h.execution.error).toBeUndefined();
  });

  it('puts the failed run\'s flowable parents back to RUNNING and removes the errors branch runs', () => {
    const h = Harness.start(flow([
      { id: 'before', type: LOG },
      { id: 'sequential', type: SEQ, tasks: [{ id: 'close', type: LOG }, { id: 'failStep', type: FAIL }], errors: [{ id: 'errorHandler', type: LOG }] },
      { id: 'after', type: LOG },
    ], { errors: [{ id: 'global', type: LOG }] }));
    h.drive((wt) => ({ state: wt.taskId === 'failStep' ? 'FAILED' : 'SUCCESS' }));
    expect(h.state).toBe('FAILED');
    expect(h.has('errorHandler') && h.has('global')).toBe(true);
    h.send({ type: 'Restart' });
    expect(h.has('errorHandler')).toBe(false);
    expect(h.has('global')).toBe(false);
    expect(h.history('sequential')).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING']);
    expect(h.pending().map((w) => w.taskId)).toEqual(['failStep']);
    h.drive();
    expect(h.states()).toEqual({ before: 'SUCCESS', sequential: 'SUCCESS', close: 'SUCCESS', failStep: 'SUCCESS', after: 'SUCCESS' });
    expect(h.state).toBe('SUCCESS');
  });

  it('retries again after a restart, counting only the new attempts', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, retry: { type: 'constant', interval: 'PT1S', maxAttempt: 2 } }]));
    h.fail('a');
    h.fireWakeUps();
    h.fail('a');
    expect(h.state).toBe('FAILED');
    h.send({ type: 'Restart' });
    h.fail('a');
    expect(h.run('a').state.current).toBe('RETRYING');
    expect(h.run('a').attempts).toHaveLength(3);
  });

  it('re-runs only the failed values of a loop', () => {
    const h = Harness.start(flow([{ id: 'each', type: EACH_PAR, value: ['1', '2', '3'], tasks: [{ id: 't', type: LOG }] }]));
    h.drive((wt) => ({ state: h.execution.taskRunList.find((r) => r.id === wt.taskRunId)!.value === '2' ? 'FAILED' : 'SUCCESS' }));
    h.send({ type: 'Restart' });
    expect(h.pending().map((w) => w.taskRunId)).toEqual([h.run('t', '2').id]);
    h.drive();
    expect(h.state).toBe('SUCCESS');
    expect(h.runs('t')).toHaveLength(3);
  });

  it('starts a failed flowable over, rendering it again', () => {
    const h = Harness.start(flow([{ id: 's', type: SWITCH, value: '{{ inputs.v }}', cases: { A: [{ id: 'a', type: LOG }] } }]), { inputs: { v: 'B' } });
    expect(h.state).toBe('FAILED');
    h.send({ type: 'Restart' });
    expect(h.history('s')).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'FAILED']);
    expect(h.state).toBe('FAILED');
  });

  it('restarts a KILLED execution', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG }, { id: 'b', type: LOG }]));
    h.started('a');
    h.send({ type: 'Kill' });
    h.answer('a', { state: 'KILLED' });
    expect(h.state).toBe('KILLED');
    h.send({ type: 'Restart' });
    h.drive();
    expect(h.states()).toEqual({ a: 'SUCCESS', b: 'SUCCESS' });
    expect(h.state).toBe('SUCCESS');
  });

  it('does nothing for a successful or running execution', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG }]));
    const running = h.execution;
    expect(h.send({ type: 'Restart' })).toEqual([]);
    expect(h.execution).toBe(running);
    h.succeed('a');
    const done = h.execution;
    expect(h.send({ type: 'Restart' })).toEqual([]);
    expect(h.execution).toBe(done);
  });
});

describe('restart with the Kestra 1.x flowables', () => {
  const FOR_EACH = 'io.kestra.plugin.core.flow.ForEach';
  const IF = 'io.kestra.plugin.core.flow.If';
  const DAG = 'io.kestra.plugin.core.flow.Dag';
  const LOOP = 'io.kestra.plugin.core.flow.LoopUntil';
  const SLEEP = 'io.kestra.plugin.core.flow.Sleep';
  // Fails the first attempt of the given task (for the given loop value); drive may ask twice per attempt.
  const failOnce = (taskId: string, value?: string) => {
    let target: string | undefined;
    return (wt: { taskId: string; taskRunId: string; attempt: number; variables: Record<string, unknown> }) => {
      const v = (wt.variables.taskrun as { value?: string }).value;
      if (target === undefined && wt.taskId === taskId && (value === undefined || v === value)) target = wt.taskRunId;
      return { state: wt.taskRunId === target && wt.attempt === 0 ? 'FAILED' as const : 'SUCCESS' as const };
    };
  };

  it('ForEach re-runs the failed value\'s task, then goes on with the values after it', () => {
    const h = Harness.start(flow([{ id: 'loop', type: FOR_EACH, values: ['a', 'b', 'c'], tasks: [{ id: 't', type: LOG }] }]));
    h.drive(failOnce('t', 'b'));
    expect(h.states()).toEqual({ loop: 'FAILED', 't[a]': 'SUCCESS', 't[b]': 'FAILED' });
    h.send({ type: 'Restart' });
    h.drive();
    expect(h.states()).toEqual({ loop: 'SUCCESS', 't[a]': 'SUCCESS', 't[b]': 'SUCCESS', 't[c]': 'SUCCESS' });
    expect(h.history('loop')).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'SUCCESS']);
  });

  it('If keeps the branch it chose and re-runs the failed task in it', () => {
    const h = Harness.start(flow([{ id: 'check', type: IF, condition: 'true', then: [{ id: 'yes', type: LOG }, { id: 'next', type: LOG }] }]));
    h.drive(failOnce('yes'));
    h.send({ type: 'Restart' });
    h.drive();
    expect(h.states()).toEqual({ check: 'SUCCESS', yes: 'SUCCESS', next: 'SUCCESS' });
    expect(h.run('check').outputs).toEqual({ evaluationResult: true });
  });

  it('Dag re-runs the failed task, then the tasks that depend on it', () => {
    const h = Harness.start(flow([{ id: 'dag', type: DAG, tasks: [
      { task: { id: 'a', type: LOG } },
      { task: { id: 'b', type: LOG }, dependsOn: ['a'] },
    ] }]));
    h.drive(failOnce('a'));
    expect(h.states()).toEqual({ dag: 'FAILED', a: 'FAILED' });
    h.send({ type: 'Restart' });
    h.drive();
    expect(h.states()).toEqual({ dag: 'SUCCESS', a: 'SUCCESS', b: 'SUCCESS' });
  });

  it('LoopUntil re-runs the failed task of its iteration and loops on', () => {
    const h = Harness.start(flow([{ id: 'loop', type: LOOP, condition: '{{ outputs.loop.iterationCount >= 2 }}', tasks: [{ id: 't', type: LOG }] }]));
    h.drive();
    h.fireWakeUps();
    h.drive(failOnce('t'));
    expect(h.states()).toMatchObject({ loop: 'FAILED' });
    h.send({ type: 'Restart' });
    h.drive();
    expect(h.runs('t').map((r) => r.state.current)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(h.run('loop').state.current).toBe('SUCCESS');
    expect(h.run('loop').outputs).toEqual({ iterationCount: 2 });
  });

  it('keeps what SetVariables and Labels set: they do not run again and the re-run task sees their values', () => {
    const h = Harness.start(flow([
      { id: 'set', type: 'io.kestra.plugin.core.execution.SetVariables', variables: { v: 1 } },
      { id: 'tag', type: 'io.kestra.plugin.core.execution.Labels', labels: { l: 'x' } },
      { id: 'work', type: LOG },
    ]));
    h.fail('work');
    h.send({ type: 'Restart' });
    const [again] = h.pending();
    expect(again.taskId).toBe('work');
    expect([again.variables.vars, again.variables.labels]).toEqual([{ v: 1 }, { l: 'x' }]);
    expect([h.history('set'), h.history('tag')]).toEqual([['CREATED', 'RUNNING', 'SUCCESS'], ['CREATED', 'RUNNING', 'SUCCESS']]);
    h.drive();
    expect(h.state).toBe('SUCCESS');
  });

  it('an execution ended FAILED by Exit runs the Exit again, which ends it FAILED again', () => {
    const h = Harness.start(flow([{ id: 'seq', type: SEQ, tasks: [{ id: 'exit', type: 'io.kestra.plugin.core.execution.Exit', state: 'FAILED' }] }, { id: 'never', type: LOG }]));
    expect(h.state).toBe('FAILED');
    h.send({ type: 'Restart' });
    expect(h.history('exit')).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'FAILED']);
    expect(h.states()).toEqual({ seq: 'FAILED', exit: 'FAILED' });
    expect(h.state).toBe('FAILED');
  });

  it('a killed Sleep sleeps again from the start', () => {
    const h = Harness.start(flow([{ id: 'nap', type: SLEEP, duration: 'PT1M' }]));
    h.send({ type: 'Kill' });
    h.advance(5_000);
    h.send({ type: 'Restart' });
    expect(h.effectsOf('ScheduleWakeUp', h.last)).toEqual([expect.objectContaining({ at: '2024-01-01T00:01:05.000Z' })]);
    h.fireWakeUps();
    expect(h.history('nap')).toEqual(['CREATED', 'RUNNING', 'KILLED', 'RESTARTED', 'RUNNING', 'SUCCESS']);
    expect(h.state).toBe('SUCCESS');
  });
});
