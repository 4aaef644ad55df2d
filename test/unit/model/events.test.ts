// Events are dispatched through a map with one handler per type. The @ts-expect-error lines are the
// real test: `tsc --noEmit` fails when a map that misses a type, or handles a type that does not
// exist, compiles.
import { EventType, onEvent, type EventHandlers, type ExecutionEvent } from '../../../lib/model/events';

const seen = (): EventHandlers<string[], string> => ({
  ExecutionCreated: (log, e) => { log.push(e.type); return 'created'; },
  AttemptStarted: (_log, e) => `started ${e.taskRunId}#${e.attempt}`,
  WorkerResult: (_log, e) => `result ${e.result.state}`,
  WakeUp: (_log, e) => `wake-up ${e.reason}`,
  Kill: () => 'kill',
  Resume: (_log, e) => `resume ${e.taskRunId ?? 'first'}`,
  Restart: () => 'restart',
  SubflowStarted: (_log, e) => `child ${e.childExecutionId}`,
  SubflowEnded: (_log, e) => `child ended ${e.state}`,
  ConcurrencySlot: (_log, e) => `slot ${e.outcome}`,
  OtherResumed: (_log, e) => `resumed ${e.executionId}`,
});

describe('event handler maps', () => {
  it('calls the handler of the event type with that event', () => {
    const log: string[] = [];
    expect(onEvent(seen(), log, { type: 'ExecutionCreated' })).toBe('created');
    expect(log).toEqual(['ExecutionCreated']);
    expect(onEvent(seen(), log, { type: 'WakeUp', taskRunId: 'r', reason: 'pause-delay' })).toBe('wake-up pause-delay');
    expect(onEvent(seen(), log, { type: 'SubflowStarted', taskRunId: 'r', childExecutionId: 'c' })).toBe('child c');
  });

  it('has a handler for every event type in the type-checked map', () => {
    expect(Object.keys(seen()).sort()).toEqual(Object.values(EventType).sort());
  });

  it('does not compile a map that misses an event type or names one that does not exist', () => {
    const { Restart: _dropped, ...rest } = seen();
    // @ts-expect-error Restart has no handler.
    const missing: EventHandlers<string[], string> = rest;
    // @ts-expect-error Timeout is no event type.
    const extra: EventHandlers<string[], string> = { ...seen(), Timeout: () => 'timeout' };
    // @ts-expect-error A WakeUp handler is given a WakeUp, never another event.
    const wrong: EventHandlers<string[], string> = { ...seen(), WakeUp: (_log: string[], e: Extract<ExecutionEvent, { type: 'Kill' }>) => e.type };
    expect([missing, extra, wrong].every((m) => typeof m === 'object')).toBe(true);
  });

  it('knows no timeout wake-up: a lost attempt is failed by the runtime, not woken', () => {
    // @ts-expect-error 'timeout' is not a wake-up reason.
    const e: ExecutionEvent = { type: 'WakeUp', taskRunId: 'r', reason: 'timeout' };
    expect(e.type).toBe('WakeUp');
  });
});
