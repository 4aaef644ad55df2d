import { newExecution, step, stepAll } from '../../../lib/engine';
import type { ExecutionEvent } from '../../../lib/model/events';
import { FAIL, LOG, RETURN } from './helpers/catalog';
import { Harness, T0, flow } from './helpers/harness';
import { fakeIds } from './helpers/ids';
import { testCatalog } from './helpers/catalog';

const SEQ = 'io.kestra.core.tasks.flows.Sequential';
const PARALLEL = 'io.kestra.core.tasks.flows.Parallel';

describe('newExecution', () => {
  it('creates a CREATED execution at version 0 with no task runs', () => {
    const f = flow([{ id: 'a', type: LOG }], { revision: 3 });
    const e = newExecution({ id: 'x', flow: f, inputs: { a: 1 }, now: T0, labels: { l: 'v' }, trigger: { id: 't', type: 'schedule', variables: { date: 'd' } }, originalId: 'o' });
    expect(e).toEqual({
      id: 'x', namespace: 'test', flowId: 'f', flowRevision: 3, inputs: { a: 1 }, labels: { l: 'v' }, originalId: 'o',
      trigger: { id: 't', type: 'schedule', variables: { date: 'd' } },
      state: { current: 'CREATED', histories: [{ state: 'CREATED', date: '2024-01-01T00:00:00.000Z' }] }, taskRunList: [], version: 0,
    });
  });
});

describe('step', () => {
  it('starts the execution on ExecutionCreated: RUNNING, with its first task created and dispatched', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG }, { id: 'b', type: LOG }]));
    expect(h.state).toBe('RUNNING');
    expect(h.states()).toEqual({ a: 'CREATED' });
    expect(h.last.map((e) => e.type)).toEqual(['DispatchWorkerTask']);
    expect(h.execution.version).toBe(0);
  });

  it('keeps an execution with a later scheduleDate CREATED until the wake-up of that date, then starts it', () => {
    const h = Harness.create(flow([{ id: 'a', type: LOG }]));
    const at = new Date(T0.getTime() + 60_000).toISOString();
    h.execution = { ...h.execution, scheduleDate: at };
    h.send({ type: 'ExecutionCreated' });
    expect(h.state).toBe('CREATED');
    expect(h.last).toEqual([{ type: 'ScheduleWakeUp', executionId: 'e1', taskRunId: 'execution', at, reason: 'scheduled-start' }]);
    h.fireWakeUps();
    expect(h.state).toBe('RUNNING');
    expect(h.pending().map((w) => w.taskId)).toEqual(['a']);
    expect(h.execution.state.histories.map((x) => [x.state, x.date])).toEqual([['CREATED', T0.toISOString()], ['RUNNING', at]]);
    // A scheduleDate already past starts at once.
    const late = Harness.create(flow([{ id: 'a', type: LOG }]));
    late.execution = { ...late.execution, scheduleDate: T0.toISOString() };
    late.send({ type: 'ExecutionCreated' });
    expect(late.state).toBe('RUNNING');
  });

  it('ignores a second ExecutionCreated', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG }]));
    const before = h.execution;
    expect(h.send({ type: 'ExecutionCreated' })).toEqual([]);
    expect(h.execution).toBe(before);
  });

  it('runs the flow-level errors branch once, gives later tasks no run, and still ends FAILED', () => {
    const h = Harness.start(flow([{ id: 'failed', type: FAIL }, { id: 'never', type: LOG }], {
      errors: [{ id: 't2', type: LOG }, { id: 't3', type: LOG, disabled: true }, { id: 't4', type: LOG }],
    }));
    h.drive((wt) => (wt.taskId === 'failed' ? { state: 'FAILED', error: { code: 'TASK_FAILED', message: 'boom' } } : { state: 'SUCCESS' }));
    expect(h.states()).toEqual({ failed: 'FAILED', t2: 'SUCCESS', t4: 'SUCCESS' });
    expect(h.state).toBe('FAILED');
    const ended = h.effectsOf('ExecutionEnded');
    expect(ended).toEqual([{ type: 'ExecutionEnded', executionId: 'e1', namespace: 'test', flowId: 'f', flowRevision: 1, state: 'FAILED' }]);
    expect(h.execution.error).toMatchObject({ code: 'TASK_FAILED', message: 'boom' });
  });

  it('ends with the worst state of the flow-level tasks', () => {
    const h = Harness.start(flow([{ id: 'p', type: PARALLEL, tasks: [{ id: 'a', type: LOG }, { id: 'b', type: LOG }] }, { id: 'c', type: LOG }]));
    h.answer('a', { state: 'WARNING' });
    h.succeed('b');
    h.succeed('c');
    expect(h.state).toBe('WARNING');
  });

  it('emits ExecutionEnded exactly once, with the parent ids when there is a parent', () => {
    const parent = { executionId: 'p1', taskRunId: 'ptr', namespace: 'test', flowId: 'parent', chain: ['test.parent'] };
    const h = Harness.start(flow([{ id: 'a', type: LOG }]), { parent });
    h.succeed('a');
    expect(h.effectsOf('ExecutionEnded')).toEqual([{
      type: 'ExecutionEnded', executionId: 'e1', namespace: 'test', flowId: 'f', flowRevision: 1, state: 'SUCCESS', parentExecutionId: 'p1', parentTaskRunId: 'ptr',
    }]);
    expect(h.send({ type: 'WorkerResult', result: h.result(h.run('a').id, 0, { state: 'SUCCESS' }) })).toEqual([]);
    expect(h.send({ type: 'Kill' })).toEqual([]);
    expect(h.effectsOf('ExecutionEnded')).toHaveLength(1);
  });

  it('copies only what changes: untouched task runs keep their identity', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG }, { id: 'b', type: LOG }, { id: 'c', type: LOG }]));
    h.succeed('a');
    const a = h.run('a');
    const list = h.execution.taskRunList;
    h.started('b');
    expect(h.run('a')).toBe(a);
    expect(h.execution.taskRunList).not.toBe(list);
    expect(list.map((r) => r.state.current)).toEqual(['SUCCESS', 'CREATED']);
  });

  it('never throws for a stale event about an unknown task run', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG }]));
    for (const event of [
      { type: 'WakeUp' as const, taskRunId: 'nope', reason: 'retry' as const },
      { type: 'SubflowEnded' as const, taskRunId: 'nope', state: 'SUCCESS' as const },
      { type: 'SubflowStarted' as const, taskRunId: 'nope', childExecutionId: 'c' },
      { type: 'Resume' as const, taskRunId: 'nope' },
      { type: 'Resume' as const },
      { type: 'AttemptStarted' as const, taskRunId: 'nope', attempt: 0, at: T0.toISOString() },
    ]) expect(h.send(event)).toEqual([]);
  });

  it('throws INTERNAL instead of saving a state change the transition table forbids', () => {
    const h = Harness.start(flow([{ id: 's', type: SEQ, tasks: [{ id: 'a', type: FAIL }] }]));
    h.fail('a');
    expect(h.state).toBe('FAILED');
    // A corrupt execution: it ended FAILED while its Sequential still reads RUNNING. Restart would
    // move that run RUNNING -> RESTARTED, which no table allows.
    const s = h.run('s');
    const corrupt = { ...h.execution, taskRunList: h.execution.taskRunList.map((r) => (r.id === s.id ? { ...r, state: { current: 'RUNNING' as const, histories: r.state.histories.slice(0, 2) } } : r)) };
    const input = { execution: corrupt, flow: h.flow, event: { type: 'Restart' as const }, now: T0, ids: fakeIds('x'), catalog: testCatalog() };
    expect(() => step(input)).toThrow(expect.objectContaining({ code: 'INTERNAL', message: `impossible state change RUNNING -> RESTARTED of task run ${s.id} (task s)` }));
  });

  it('runs a flow with more task runs than a list is scanned for (the run index takes over)', () => {
    const tasks = Array.from({ length: 45 }, (_, i) => ({ id: `t${i}`, type: RETURN }));
    const h = Harness.start(flow([{ id: 'par', type: PARALLEL, concurrent: 4, tasks }, { id: 'after', type: LOG }]));
    h.drive((wt) => ({ state: 'SUCCESS', outputs: { value: wt.taskId } }));
    expect(h.state).toBe('SUCCESS');
    expect(h.execution.taskRunList).toHaveLength(47);
    expect(h.run('par').state.current).toBe('SUCCESS');
    expect(h.execution.taskRunList.every((r) => r.state.current === 'SUCCESS')).toBe(true);
  });

  it('never writes to its input, even a deeply frozen one', () => {
    const h = Harness.start(flow([{ id: 'seq', type: SEQ, tasks: [{ id: 'a', type: RETURN }, { id: 'b', type: RETURN }] }]));
    const deepFreeze = (o: unknown): void => {
      if (o && typeof o === 'object' && !Object.isFrozen(o)) {
        Object.freeze(o);
        for (const v of Object.values(o)) deepFreeze(v);
      }
    };
    deepFreeze(h.execution);
    h.succeed('a');
    h.succeed('b');
    expect(h.state).toBe('SUCCESS');
  });

  it('is pure: the same input gives the same output and the input is not modified', () => {
    const f = flow([{ id: 'seq', type: SEQ, tasks: [{ id: 'a', type: RETURN }] }]);
    const execution = newExecution({ id: 'e', flow: f, inputs: {}, now: T0 });
    const frozen = JSON.stringify(execution);
    const run = () => step({ execution, flow: f, event: { type: 'ExecutionCreated' }, now: T0, ids: fakeIds(), catalog: testCatalog() });
    expect(run()).toEqual(run());
    expect(JSON.stringify(execution)).toBe(frozen);
  });
});

describe('stepAll', () => {
  const f = flow([
    { id: 'seq', type: SEQ, tasks: [{ id: 'a', type: RETURN }, { id: 'b', type: RETURN }] },
    { id: 'par', type: PARALLEL, tasks: [{ id: 'c', type: LOG }, { id: 'd', type: FAIL }] },
  ]);
  // Plays the flow to its end one event at a time, recording every event in order.
  function play(): ExecutionEvent[] {
    const h = Harness.start(f);
    const events: ExecutionEvent[] = [{ type: 'ExecutionCreated' }];
    const send = h.send.bind(h);
    h.send = (e) => { events.push(e); return send(e); };
    h.drive((wt) => ({ state: wt.taskId === 'd' ? 'FAILED' : 'SUCCESS', outputs: { value: wt.taskId } }));
    expect(h.state).toBe('FAILED');
    return events;
  }

  it('folds events exactly as one step after the other would', () => {
    const events = play();
    const start = newExecution({ id: 'e1', flow: f, inputs: {}, now: T0 });
    let one = start;
    const oneIds = fakeIds('r');
    const oneEffects: unknown[] = [];
    for (const event of events) {
      const out = step({ execution: one, flow: f, event, now: T0, ids: oneIds, catalog: testCatalog() });
      one = out.execution;
      oneEffects.push(...out.effects);
    }
    const all = stepAll({ execution: start, flow: f, events, now: T0, ids: fakeIds('r'), catalog: testCatalog() });
    expect(all.execution).toEqual(one);
    expect(all.effects).toEqual(oneEffects);
  });

  it('folds retries, warnings, errors and kills exactly as one step after the other would', () => {
    const retry = { type: 'constant' as const, interval: 'PT0S', maxAttempt: 3, warningOnRetry: true };
    const g = flow([
      { id: 'flaky', type: RETURN, retry },
      { id: 'par', type: PARALLEL, tasks: [{ id: 'x', type: LOG }, { id: 'y', type: RETURN }] },
    ]);
    const h = Harness.start(g);
    const events: ExecutionEvent[] = [{ type: 'ExecutionCreated' }];
    const send = h.send.bind(h);
    h.send = (e) => { events.push(e); return send(e); };
    const flaky = h.run('flaky');
    h.send({ type: 'AttemptStarted', taskRunId: flaky.id, attempt: 0, at: T0.toISOString(), workerId: 'w1' });
    h.send({ type: 'WorkerResult', result: { ...h.result(flaky.id, 0, { state: 'FAILED', error: { code: 'TASK_FAILED', message: 'once' } }), metrics: { n: 1 }, logsUri: 'kestra:///l' } });
    h.drive((wt) => {
      if (wt.taskId === 'flaky') return { state: 'SUCCESS', outputs: { value: 'ok' } };
      if (wt.taskId === 'y') return undefined;
      return { state: 'SUCCESS' };
    });
    // y is still running: kill the execution, then y reports KILLED.
    h.send({ type: 'Kill' });
    const y = h.run('y');
    h.send({ type: 'AttemptStarted', taskRunId: y.id, attempt: 0, at: T0.toISOString(), workerId: 'w' });
    h.send({ type: 'WorkerResult', result: h.result(y.id, 0, { state: 'KILLED' }) });
    expect(h.state).toBe('KILLED');
    const start = newExecution({ id: 'e1', flow: g, inputs: {}, now: T0 });
    let one = start;
    const ids = fakeIds('r');
    const effects: unknown[] = [];
    for (const event of events) {
      const out = step({ execution: one, flow: g, event, now: T0, ids, catalog: testCatalog() });
      one = out.execution;
      effects.push(...out.effects);
    }
    const all = stepAll({ execution: start, flow: g, events, now: T0, ids: fakeIds('r'), catalog: testCatalog() });
    expect(one.state.current).toBe('KILLED');
    expect(one.taskRunList[0].attempts[0]).toMatchObject({ workerId: 'w1', metrics: { n: 1 }, logsUri: 'kestra:///l' });
    expect(one.taskRunList[0].state.current).toBe('WARNING');
    expect(all.execution).toEqual(one);
    expect(all.effects).toEqual(effects);
  });

  it('skips events after the execution ended, as step does, and returns the same execution when nothing changed', () => {
    const events = play();
    const ended = stepAll({ execution: newExecution({ id: 'e1', flow: f, inputs: {}, now: T0 }), flow: f, events, now: T0, ids: fakeIds('r'), catalog: testCatalog() });
    const again = stepAll({ execution: ended.execution, flow: f, events: events.slice(1, 4), now: T0, ids: fakeIds('x'), catalog: testCatalog() });
    expect(again.execution).toBe(ended.execution);
    expect(again.effects).toEqual([]);
  });
});
