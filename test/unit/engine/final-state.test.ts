import { branchState, firstError } from '../../../lib/engine/final-state';
import type { TaskRun } from '../../../lib/model/execution';
import type { State } from '../../../lib/model/states';

const r = (state: State, error?: { code: string; message: string }): TaskRun => ({
  id: state, executionId: 'e', namespace: 'n', flowId: 'f', taskId: 't', attempts: [], state: { current: state, histories: [{ state, date: 'd' }] }, ...(error ? { error } : {}),
});

describe('branchState', () => {
  it('takes the worst state by priority KILLED > FAILED > WARNING > PAUSED > SUCCESS', () => {
    expect(branchState([r('SUCCESS'), r('WARNING')])).toBe('WARNING');
    expect(branchState([r('WARNING'), r('FAILED'), r('SUCCESS')])).toBe('FAILED');
    expect(branchState([r('FAILED'), r('KILLED')])).toBe('KILLED');
    expect(branchState([r('SUCCESS'), r('PAUSED')])).toBe('PAUSED');
    expect(branchState([])).toBe('SUCCESS');
  });

  it('turns FAILED into WARNING when failure is allowed, but not KILLED', () => {
    expect(branchState([r('FAILED')], true)).toBe('WARNING');
    expect(branchState([r('KILLED')], true)).toBe('KILLED');
  });
});

describe('firstError', () => {
  it('returns the error of the first failed run', () => {
    expect(firstError([r('SUCCESS', { code: 'A', message: 'old' }), r('FAILED', { code: 'B', message: 'b' })])).toEqual({ code: 'B', message: 'b' });
    expect(firstError([r('SUCCESS')])).toBeUndefined();
  });
});
