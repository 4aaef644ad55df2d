import type { Execution, TaskRun } from '../../../lib/model/execution';
import { newStateRecord, withState, type State } from '../../../lib/model/states';
import { EndWaiters } from '../../../lib/runtime/embedded/end-waiters';

const T0 = new Date('2024-03-14T10:00:00.000Z');
const run = (id: string, state: State, parentTaskRunId?: string): TaskRun => ({
  id, executionId: 'e', namespace: 'n', flowId: 'f', taskId: id, attempts: [], state: newStateRecord(state, T0), outputs: {},
  ...(parentTaskRunId ? { parentTaskRunId } : {}),
});
const exec = (state: State, runs: TaskRun[] = []): Execution => ({
  id: 'e', namespace: 'n', flowId: 'f', flowRevision: 1, state: withState(newStateRecord('CREATED', T0), state, T0), inputs: {}, taskRunList: runs, version: 1,
});
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function waiters(current: Execution, opts: { busy?: boolean; timer?: boolean } = {}) {
  const state = { current, busy: opts.busy ?? false, timer: opts.timer ?? false };
  const w = new EndWaiters({ get: async () => state.current, isBusy: () => state.busy, hasTimer: () => state.timer });
  return { w, state };
}

describe('EndWaiters', () => {
  it('answers at once for an ended execution the processor is not folding', async () => {
    const { w } = waiters(exec('SUCCESS'));
    await expect(w.wait('e')).resolves.toMatchObject({ state: { current: 'SUCCESS' } });
  });

  it('waits while the processor is busy with it, and answers after the update that ends it', async () => {
    const { w, state } = waiters(exec('RUNNING'), { busy: true });
    let answered: Execution | undefined;
    void w.wait('e').then((e) => { answered = e; });
    await turn();
    state.current = exec('FAILED');
    w.updated(state.current);
    await turn();
    expect(answered).toBeUndefined();
    state.busy = false;
    for (let i = 0; i < 3 && !answered; i++) await turn();
    expect(answered?.state.current).toBe('FAILED');
  });

  it('does not answer for a pause that a timer will wake, and answers for one only a resume can', async () => {
    const paused = exec('PAUSED', [run('parent', 'RUNNING'), run('pause', 'PAUSED', 'parent'), run('done', 'SUCCESS')]);
    const timed = waiters(paused, { timer: true });
    let answered = false;
    void timed.w.wait('e').then(() => { answered = true; });
    timed.w.updated(paused);
    for (let i = 0; i < 3; i++) await turn();
    expect(answered).toBe(false);
    await expect(waiters(paused).w.wait('e')).resolves.toBe(paused);
  });

  it('does not answer for a pause while a sibling branch still works', async () => {
    const paused = exec('PAUSED', [run('pause', 'PAUSED'), run('sibling', 'RUNNING')]);
    const { w } = waiters(paused);
    let answered = false;
    void w.wait('e').then(() => { answered = true; });
    w.updated(paused);
    for (let i = 0; i < 3; i++) await turn();
    expect(answered).toBe(false);
  });

  it('rejects every waiter with INTERNAL, naming the execution, when the executor fails on it', async () => {
    const { w } = waiters(exec('RUNNING'));
    const a = w.wait('e');
    const b = w.wait('e');
    await turn();
    w.failed('e', 'disk full');
    await expect(a).rejects.toMatchObject({ code: 'INTERNAL', message: 'the executor failed on execution e: disk full' });
    await expect(b).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
