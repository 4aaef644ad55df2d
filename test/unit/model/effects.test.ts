// Effects are carried out through a map with one handler per type. The @ts-expect-error lines are the
// real test: `tsc --noEmit` fails when a map that misses a type compiles.
import { EffectType, onEffect, type EffectHandlers } from '../../../lib/model/effects';

const names = (): EffectHandlers<void, string> => ({
  DispatchWorkerTask: (_c, e) => `dispatch ${e.workerTask.taskId}`,
  StopWorkerTask: (_c, e) => `stop ${e.taskRunId}#${e.attempt}`,
  StartSubflow: (_c, e) => `start ${e.childExecutionId}`,
  KillSubflow: (_c, e) => `kill ${e.childExecutionId}`,
  ScheduleWakeUp: (_c, e) => `wake ${e.reason} at ${e.at}`,
  ExecutionEnded: (_c, e) => `ended ${e.state}`,
  ClaimConcurrencySlot: (_c, e) => `claim ${e.claimId}`,
  ReleaseConcurrencySlot: (_c, e) => `release ${e.claimId}`,
  ResumeOtherExecution: (_c, e) => `resume ${e.target.executionId}`,
});

describe('effect handler maps', () => {
  it('calls the handler of the effect type with that effect', () => {
    expect(onEffect(names(), undefined, { type: 'StopWorkerTask', executionId: 'e', taskRunId: 'r', attempt: 2 })).toBe('stop r#2');
    expect(onEffect(names(), undefined, { type: 'ScheduleWakeUp', executionId: 'e', taskRunId: 'r', at: 'T', reason: 'retry' })).toBe('wake retry at T');
  });

  it('has a handler for every effect type in the type-checked map', () => {
    expect(Object.keys(names()).sort()).toEqual(Object.values(EffectType).sort());
  });

  it('does not compile a map that misses an effect type', () => {
    const { KillSubflow: _dropped, ...rest } = names();
    // @ts-expect-error KillSubflow has no handler: a new effect would otherwise be skipped silently.
    const missing: EffectHandlers<void, string> = rest;
    expect(typeof missing).toBe('object');
  });
});
