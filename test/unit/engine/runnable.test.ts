import { FAIL, LOG, RETURN } from './helpers/catalog';
import { Harness, flow } from './helpers/harness';
import { MAX_LOST_ATTEMPTS } from '../../../lib/engine/retry';

const SEQ = 'io.kestra.core.tasks.flows.Sequential';
const retry = { type: 'constant' as const, interval: 'PT0.250S', maxAttempt: 5, maxDuration: 'PT15S' };

describe('runnable task runs', () => {
  it('goes RUNNING when the worker starts the attempt and takes the result state and outputs', () => {
    const h = Harness.start(flow([{ id: 'a', type: RETURN }]));
    const run = h.run('a');
    expect(run.attempts.map((a) => a.state.current)).toEqual(['CREATED']);
    h.send({ type: 'AttemptStarted', taskRunId: run.id, attempt: 0, at: h.now.toISOString(), workerId: 'w1' });
    expect(h.run('a').state.current).toBe('RUNNING');
    expect(h.run('a').attempts[0]).toMatchObject({ state: { current: 'RUNNING' }, workerId: 'w1' });
    h.send({ type: 'WorkerResult', result: { ...h.result(run.id, 0, { state: 'SUCCESS', outputs: { value: 'x' } }), logsUri: 'kestra:///logs', metrics: { n: 1 } } });
    expect(h.run('a')).toMatchObject({ state: { current: 'SUCCESS' }, outputs: { value: 'x' }, attempts: [{ state: { current: 'SUCCESS' }, logsUri: 'kestra:///logs', metrics: { n: 1 } }] });
    expect(h.history('a')).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
  });

  it('records RUNNING at the time the worker reports, kept between the last change and now', () => {
    const h = Harness.start(flow([{ id: 'a', type: RETURN }, { id: 'b', type: RETURN }, { id: 'c', type: RETURN }]));
    const created = h.now.toISOString();
    h.advance(1000);
    const workerStart = new Date(h.now.getTime() - 400).toISOString();
    h.send({ type: 'AttemptStarted', taskRunId: h.run('a').id, attempt: 0, at: workerStart });
    expect(h.run('a').state.histories[1]).toEqual({ state: 'RUNNING', date: workerStart });
    expect(h.run('a').attempts[0].state.histories[1]).toEqual({ state: 'RUNNING', date: workerStart });
    h.send({ type: 'WorkerResult', result: h.result(h.run('a').id, 0, { state: 'SUCCESS' }) });
    // A worker clock behind the run's creation, ahead of now, or not an ISO instant: the nearest bound.
    const b = h.run('b');
    h.send({ type: 'AttemptStarted', taskRunId: b.id, attempt: 0, at: created });
    expect(h.run('b').state.histories[1].date).toBe(b.state.histories[0].date);
    h.send({ type: 'WorkerResult', result: h.result(b.id, 0, { state: 'SUCCESS' }) });
    const c = h.run('c');
    h.send({ type: 'AttemptStarted', taskRunId: c.id, attempt: 0, at: new Date(h.now.getTime() + 5000).toISOString() });
    expect(h.run('c').state.histories[1].date).toBe(h.now.toISOString());
  });

  it('records RUNNING at the result\'s start time when no start was announced (the cloud worker\'s quick tasks)', () => {
    const h = Harness.start(flow([{ id: 'a', type: RETURN }, { id: 'b', type: RETURN }]));
    h.advance(1000);
    const workerStart = new Date(h.now.getTime() - 600).toISOString();
    h.send({ type: 'WorkerResult', result: { ...h.result(h.run('a').id, 0, { state: 'SUCCESS' }), startedAt: workerStart } });
    const a = h.run('a');
    expect(a.state.histories.map((x) => [x.state, x.date])).toEqual([
      ['CREATED', a.state.histories[0].date], ['RUNNING', workerStart], ['SUCCESS', h.now.toISOString()],
    ]);
    expect(a.attempts[0].state.histories[1]).toEqual({ state: 'RUNNING', date: workerStart });
    // A start reported after now is not believed.
    h.send({ type: 'WorkerResult', result: { ...h.result(h.run('b').id, 0, { state: 'SUCCESS' }), startedAt: new Date(h.now.getTime() + 5000).toISOString() } });
    expect(h.run('b').state.histories[1]).toEqual({ state: 'RUNNING', date: h.now.toISOString() });
  });

  it('shares one state record between a run and its only attempt when their histories match', () => {
    const h = Harness.start(flow([{ id: 'a', type: RETURN }, { id: 'b', type: FAIL, retry: { type: 'constant' as const, interval: 'PT0S', maxAttempt: 2 } }]));
    h.succeed('a');
    const a = h.run('a');
    expect(a.state).toBe(a.attempts[0].state);
    expect(a.state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
    h.fail('b');
    h.fail('b');
    const b = h.run('b');
    expect(b.attempts).toHaveLength(2);
    expect(b.state).not.toBe(b.attempts[1].state);
    // Kestra's record of a retry: FAILED, RETRYING, then CREATED again for the next attempt.
    expect(b.state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RETRYING', 'CREATED', 'RUNNING', 'FAILED']);
  });

  it('records RUNNING now when the reported start is not an ISO instant', () => {
    const h = Harness.start(flow([{ id: 'a', type: RETURN }]));
    h.advance(1000);
    h.send({ type: 'AttemptStarted', taskRunId: h.run('a').id, attempt: 0, at: 'yesterday' });
    expect(h.run('a').state.histories[1].date).toBe(h.now.toISOString());
  });

  it('ignores a duplicate result, a result for an old attempt and a start for a finished run', () => {
    const h = Harness.start(flow([{ id: 'a', type: RETURN }, { id: 'b', type: RETURN }]));
    const run = h.run('a');
    h.succeed('a');
    const after = h.execution;
    for (const event of [
      { type: 'WorkerResult' as const, result: h.result(run.id, 0, { state: 'FAILED' }) },
      { type: 'WorkerResult' as const, result: h.result(run.id, 7, { state: 'SUCCESS' }) },
      { type: 'AttemptStarted' as const, taskRunId: run.id, attempt: 0, at: h.now.toISOString() },
      { type: 'WorkerResult' as const, result: h.result('unknown', 0, { state: 'SUCCESS' }) },
    ]) {
      expect(h.send(event)).toEqual([]);
      expect(h.execution).toBe(after);
    }
  });

  it('adds an attempt to the same run for each retry, after a WakeUp', () => {
    const h = Harness.start(flow([{ id: 'failed', type: FAIL, retry }], { errors: [{ id: 't2', type: LOG }] }));
    const id = h.run('failed').id;
    for (let i = 0; i < 4; i++) {
      h.fail('failed');
      expect(h.run('failed').state.current).toBe('RETRYING');
      const [wake] = h.effectsOf('ScheduleWakeUp', h.last);
      expect(wake).toMatchObject({ taskRunId: id, reason: 'retry', at: new Date(h.now.getTime() + 250).toISOString() });
      expect(h.pending()).toEqual([]);
      h.fireWakeUps();
      expect(h.pending().map((w) => w.attempt)).toEqual([i + 1]);
    }
    h.fail('failed');
    expect(h.runs('failed')).toHaveLength(1);
    expect(h.run('failed').attempts.map((a) => a.state.current)).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED', 'FAILED']);
    expect(h.run('failed').state.current).toBe('FAILED');
    expect(h.run('t2').state.current).toBe('CREATED');
    h.drive();
    expect(h.state).toBe('FAILED');
  });

  it('records a retry as Kestra does: the run FAILED then RETRYING, the execution RETRYING until the next attempt', () => {
    const h = Harness.start(flow([{ id: 'flaky', type: FAIL, retry }]));
    h.fail('flaky');
    expect(h.history('flaky')).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RETRYING']);
    expect(h.state).toBe('RETRYING');
    h.fireWakeUps();
    expect(h.history('flaky')).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RETRYING', 'CREATED']);
    expect(h.state).toBe('RUNNING');
    h.succeed('flaky');
    expect(h.run('flaky').attempts.map((a) => a.state.current)).toEqual(['FAILED', 'SUCCESS']);
    expect(h.state).toBe('SUCCESS');
    expect(h.execution.state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'RETRYING', 'RUNNING', 'SUCCESS']);
  });

  it('lets a RETRYING execution be killed, and end when another branch exits', () => {
    const killed = Harness.start(flow([{ id: 'flaky', type: FAIL, retry }]));
    killed.fail('flaky');
    killed.send({ type: 'Kill' });
    killed.drive();
    expect(killed.state).toBe('KILLED');
    expect(killed.run('flaky').state.current).toBe('KILLED');
    const exited = Harness.start(flow([{
      id: 'par', type: 'io.kestra.core.tasks.flows.Parallel', tasks: [
        { id: 'flaky', type: FAIL, retry },
        { id: 'seq', type: SEQ, tasks: [{ id: 'slow', type: LOG }, { id: 'exit', type: 'io.kestra.plugin.core.execution.Exit', state: 'WARNING' }] },
      ],
    }]));
    exited.fail('flaky');
    expect(exited.state).toBe('RETRYING');
    exited.succeed('slow');
    expect(exited.state).toBe('WARNING');
    expect(exited.run('flaky').state.current).toBe('KILLED');
  });

  it('shows the earlier attempts as taskrun.attemptsCount', () => {
    const h = Harness.start(flow([{ id: 'failed', type: LOG, retry }]));
    const counts: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      counts.push((h.pending()[0].variables.taskrun as any).attemptsCount);
      h.fail('failed');
      h.fireWakeUps();
    }
    counts.push((h.pending()[0].variables.taskrun as any).attemptsCount);
    expect(counts).toEqual([0, 1, 2, 3, 4]);
  });

  it('turns a success after retries into WARNING with warningOnRetry', () => {
    const h = Harness.start(flow([{ id: 'failed', type: LOG, retry: { ...retry, warningOnRetry: true } }], { errors: [{ id: 'never-happen', type: LOG }] }));
    h.fail('failed');
    h.fireWakeUps();
    h.succeed('failed');
    expect(h.run('failed').state.current).toBe('WARNING');
    expect(h.run('failed').error).toBeUndefined();
    expect(h.has('never-happen')).toBe(false);
    expect(h.state).toBe('WARNING');
  });

  it('stays SUCCESS with warningOnRetry when the first attempt succeeds', () => {
    const h = Harness.start(flow([{ id: 'ok', type: LOG, retry: { ...retry, warningOnRetry: true } }]));
    h.succeed('ok');
    expect(h.state).toBe('SUCCESS');
  });

  it('applies a retry declared on a flowable to its failing runnable child, the nearest policy winning', () => {
    const h = Harness.start(flow([{ id: 'seq', type: SEQ, retry: { type: 'constant', interval: 'PT1S', maxAttempt: 2 }, tasks: [
      { id: 'inherits', type: LOG },
      { id: 'own', type: LOG, retry: { type: 'constant', interval: 'PT5S', maxAttempt: 2 } },
    ] }]));
    h.fail('inherits');
    expect(h.effectsOf('ScheduleWakeUp', h.last)[0].at).toBe('2024-01-01T00:00:01.000Z');
    expect(h.run('seq').attempts).toEqual([]);
    h.fireWakeUps();
    h.succeed('inherits');
    h.fail('own');
    expect(h.effectsOf('ScheduleWakeUp', h.last)[0].at).toBe('2024-01-01T00:00:06.000Z');
  });

  it('retries at once when the delay is zero', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, retry: { type: 'constant', interval: 'PT0S', maxAttempt: 2 } }]));
    h.fail('a');
    expect(h.effectsOf('ScheduleWakeUp', h.last)).toEqual([]);
    expect(h.pending().map((w) => w.attempt)).toEqual([1]);
    expect(h.history('a')).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RETRYING', 'CREATED']);
    expect(h.execution.state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'RETRYING', 'RUNNING']);
  });

  it('runs a lost attempt again at once when the task has no retry policy, as Kestra resends a dead worker\'s task', () => {
    const h = Harness.start(flow([{ id: 'a', type: RETURN }]));
    h.lose('a');
    expect(h.effectsOf('ScheduleWakeUp', h.last)).toEqual([]);
    expect(h.pending().map((w) => w.attempt)).toEqual([1]);
    h.succeed('a');
    expect(h.run('a').attempts.map((a) => a.state.current)).toEqual(['FAILED', 'SUCCESS']);
    expect(h.state).toBe('SUCCESS');
  });

  it('does not count lost attempts against the retry policy\'s maxAttempt, nor as retries for warningOnRetry', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, retry: { type: 'constant', interval: 'PT0S', maxAttempt: 2, warningOnRetry: true } }, { id: 'b', type: LOG, retry: { type: 'constant', interval: 'PT0S', maxAttempt: 2 } }]));
    h.lose('a');
    h.lose('a');
    h.succeed('a');
    expect(h.run('a').state.current).toBe('SUCCESS');
    h.lose('b');
    h.fail('b');
    expect(h.run('b').state.current).toBe('CREATED');
    h.fail('b');
    expect(h.run('b').attempts.map((a) => a.state.current)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(h.run('b').state.current).toBe('FAILED');
  });

  it(`fails a task without a retry policy once ${MAX_LOST_ATTEMPTS} of its attempts were lost, so that a task that takes its worker down is not resent for ever`, () => {
    const h = Harness.start(flow([{ id: 'a', type: RETURN }]));
    for (let i = 0; i < MAX_LOST_ATTEMPTS; i++) h.lose('a');
    expect(h.pending().map((w) => w.attempt)).toEqual([MAX_LOST_ATTEMPTS]);
    h.lose('a');
    expect(h.run('a')).toMatchObject({ state: { current: 'FAILED' }, error: { code: 'INFRA_RETRYABLE' } });
    expect(h.pending()).toEqual([]);
  });

  it('does not resend a lost attempt of an execution being killed', () => {
    const h = Harness.start(flow([{ id: 'a', type: RETURN }]));
    h.started('a');
    h.send({ type: 'Kill' });
    h.lose('a');
    expect(h.pending()).toEqual([]);
    expect(h.run('a').attempts).toHaveLength(1);
  });

  it('fails a run whose type is unknown at run time with a clear error', () => {
    const h = Harness.start(flow([{ id: 'x', type: 'io.example.Nope' }]));
    expect(h.run('x').state.current).toBe('FAILED');
    expect(h.run('x').error).toEqual({ code: 'FLOW_INVALID', message: "unknown task type 'io.example.Nope'", flow: 'test.f', task: 'x', property: 'type' });
    expect(h.effectsOf('DispatchWorkerTask')).toEqual([]);
    expect(h.state).toBe('FAILED');
  });

  it('dispatches a worker task with the task definition, its group and its variables', () => {
    const task = { id: 'a', type: RETURN, format: '{{ inputs.x }}' };
    const h = Harness.start(flow([task], { variables: { v: 1 } }), { inputs: { x: 'y' }, context: { globals: { g: 1 }, envs: { E: 'e' } } });
    const [wt] = h.pending();
    expect(wt).toMatchObject({ executionId: 'e1', taskRunId: h.run('a').id, attempt: 0, taskId: 'a', type: RETURN, group: 'core', task });
    expect(wt.variables).toMatchObject({ inputs: { x: 'y' }, vars: { v: 1 }, globals: { g: 1 }, envs: { E: 'e' }, task: { id: 'a', type: RETURN } });
  });

  it('fails the run when its timeout is not a duration', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, timeout: '{{ inputs.t }}' }]), { inputs: { t: 'soon' } });
    expect(h.run('a').error).toMatchObject({ code: 'FLOW_INVALID', property: 'timeout' });
  });
});
