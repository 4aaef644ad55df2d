import { appended, attemptState, cleanError, endAttempt, failRun, newAttempt, recordState, recordStateAt, reportedTime, runState, runStates, withInternal, withoutKeys } from '../../../lib/engine/state-ops';
import { AloftError } from '../../../lib/model/errors';
import type { TaskRun } from '../../../lib/model/execution';
import { newStateRecord } from '../../../lib/model/states';

const T = new Date('2024-01-01T00:00:00.000Z');
const T2 = new Date('2024-01-01T00:00:05.000Z');
const run = (): TaskRun => ({ id: 'r', executionId: 'e', namespace: 'n', flowId: 'f', taskId: 't', attempts: [newAttempt(T)], state: newStateRecord('CREATED', T) });

describe('state-ops', () => {
  it('appends each state change to the history with its time, without touching the original', () => {
    const r = run();
    const next = runStates(r, ['RUNNING', 'SUCCESS'], T2);
    expect(next.state.histories).toEqual([
      { state: 'CREATED', date: T.toISOString() }, { state: 'RUNNING', date: T2.toISOString() }, { state: 'SUCCESS', date: T2.toISOString() },
    ]);
    expect(r.state.current).toBe('CREATED');
    expect(runState(next, 'SUCCESS', T2)).toBe(next);
  });

  it('ends an attempt that never started by passing through RUNNING, except when killed', () => {
    expect(endAttempt(newAttempt(T), 'FAILED', T2).state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'FAILED']);
    expect(endAttempt(newAttempt(T), 'KILLED', T2).state.histories.map((h) => h.state)).toEqual(['CREATED', 'KILLED']);
  });

  it('fails a run with its error and fails its unfinished attempt', () => {
    const failed = failRun(run(), { code: 'EXPRESSION', message: 'm', task: undefined } as any, T2);
    expect(failed.state.current).toBe('FAILED');
    expect(failed.attempts[0].state.current).toBe('FAILED');
    expect(failed.error).toEqual({ code: 'EXPRESSION', message: 'm' });
  });

  it('drops undefined fields from errors', () => {
    expect(cleanError({ code: 'X', message: 'm', line: undefined } as any)).toEqual({ code: 'X', message: 'm' });
  });

  it('removes keys without copying when there is nothing to remove', () => {
    const r = run();
    expect(withoutKeys(r, 'error')).toBe(r);
    expect(withoutKeys({ ...r, error: { code: 'X', message: 'm' } }, 'error')).not.toHaveProperty('error');
  });

  it('sets and removes internal bookkeeping fields', () => {
    const r = withInternal(run(), { a: 1, b: 2 });
    expect(withInternal(r, { a: undefined }).internal).toEqual({ b: 2 });
  });

  it('shares the history entry of every change to the same state at the same time', () => {
    const a = runStates(run(), ['RUNNING', 'SUCCESS'], T2);
    const b = runStates(run(), ['RUNNING', 'SUCCESS'], T2);
    expect(a.state.histories[1]).toBe(b.state.histories[1]);
    expect(a.state.histories[2]).toBe(b.state.histories[2]);
    expect(recordStateAt(a.state, 'RESTARTED', '2024-01-01T00:00:04.000Z').histories[3]).toEqual({ state: 'RESTARTED', date: '2024-01-01T00:00:04.000Z' });
  });

  it('refuses a change that the transition table forbids, naming both states and the task run', () => {
    const done = runStates(run(), ['RUNNING', 'SUCCESS'], T2);
    const thrown = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      throw new Error('did not throw');
    };
    const err = thrown(() => runState(done, 'RUNNING', T2));
    expect(err).toBeInstanceOf(AloftError);
    expect(err).toMatchObject({ code: 'INTERNAL', message: 'impossible state change SUCCESS -> RUNNING of task run r (task t)', location: { task: 't' } });
    const ended = endAttempt(newAttempt(T), 'KILLED', T2);
    expect(thrown(() => attemptState(ended, 'RUNNING', T2, run()))).toMatchObject({ message: 'impossible state change KILLED -> RUNNING of attempt 1 of task run r (task t)' });
    expect(thrown(() => recordState(newStateRecord('SUCCESS', T), 'RUNNING', T2, { id: 'e1' }))).toMatchObject({ message: 'impossible state change SUCCESS -> RUNNING of execution e1' });
  });

  it('allows every change the transition table lists', () => {
    expect(() => runStates(run(), ['QUEUED', 'RUNNING', 'PAUSED', 'RUNNING', 'RETRYING', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'WARNING'], T2)).not.toThrow();
  });

  it('appends into a new array, leaving the original alone', () => {
    const list = [1, 2];
    expect(appended(list, 3)).toEqual([1, 2, 3]);
    expect(list).toEqual([1, 2]);
  });

  it('keeps a reported time between the last change and now', () => {
    const r = run().state;
    expect(reportedTime(r, '2024-01-01T00:00:03.000Z', T2)).toBe('2024-01-01T00:00:03.000Z');
    expect(reportedTime(r, '2023-12-31T23:59:59.000Z', T2)).toBe(T.toISOString());
    expect(reportedTime(r, '2024-01-01T00:00:09.000Z', T2)).toBe(T2.toISOString());
    expect(reportedTime(r, undefined, T2)).toBe(T2.toISOString());
  });
});
