import { StoredWakeUps, InlineWakeUps, fireWakeUp, wakeUpEventKey } from '../../../lib/runtime/core/wake-ups';
import { allWakeUps, harness } from './helpers';

const FLOW = `
id: w
namespace: unit.cloud
tasks:
  - id: a
    type: io.kestra.core.tasks.debugs.Return
    format: "A"
`;

describe('cloud wake-ups', () => {
  it('stores every wake-up, so the scheduler fires it even if nobody else does', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(FLOW));
    const deps = { store: h.adapters.store, wakeUpStore: h.adapters.wakeUpStore, clock: h.clock, ids: h.rt.deps.ids };
    await new StoredWakeUps(deps).schedule(execution.id, 'tr1', new Date(h.clock.ms + 5_000), 'retry');
    expect(await allWakeUps(h.adapters)).toEqual([
      { id: `${execution.id}:tr1:retry:${h.clock.ms + 5_000}`, executionId: execution.id, taskRunId: 'tr1', reason: 'retry', at: new Date(h.clock.ms + 5_000).toISOString() },
    ]);
  });

  it('fires a short wake-up in the scheduling invocation, under the key the scheduler would use', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(FLOW));
    const inline = new InlineWakeUps(1_000);
    const deps = { store: h.adapters.store, wakeUpStore: h.adapters.wakeUpStore, clock: h.clock, ids: h.rt.deps.ids };
    await new StoredWakeUps(deps, inline).schedule(execution.id, 'tr1', new Date(h.clock.ms + 10), 'pause-delay');
    expect(await inline.settle(() => undefined)).toBe(1);
    expect(await allWakeUps(h.adapters)).toHaveLength(0);
    // The scheduler firing the same wake-up later appends nothing new.
    const w = { id: 'x', executionId: execution.id, taskRunId: 'tr1', reason: 'pause-delay' as const, at: new Date(h.clock.ms + 10).toISOString() };
    expect(await fireWakeUp(deps, w)).toBe(false);
    expect(wakeUpEventKey(w)).toBe(`wake:tr1:pause-delay:${w.at}`);
  });

  it('keeps a wake-up that fails before the invocation settles for settle to report, not as an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => { unhandled.push(reason); };
    process.on('unhandledRejection', listener);
    try {
      const inline = new InlineWakeUps(1_000);
      inline.arm({ id: 'w', executionId: 'e', taskRunId: 't', reason: 'retry', at: new Date(0).toISOString() }, 0, async () => { throw new Error('firestore is down'); });
      await new Promise((r) => setTimeout(r, 20));
      const errors: unknown[] = [];
      expect(await inline.settle((err) => errors.push(err))).toBe(0);
      expect(errors).toEqual([expect.objectContaining({ message: 'firestore is down' })]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  it('leaves long wake-ups to the scheduler', () => {
    const inline = new InlineWakeUps(30_000);
    expect(inline.accepts(29_000)).toBe(true);
    expect(inline.accepts(31_000)).toBe(false);
    expect(new InlineWakeUps(0).accepts(0)).toBe(false);
  });

  it('forgets a wake-up whose execution is gone', async () => {
    const h = await harness();
    const deps = { store: h.adapters.store, wakeUpStore: h.adapters.wakeUpStore, clock: h.clock, ids: h.rt.deps.ids };
    const w = { id: 'gone', executionId: 'nope', taskRunId: 't', reason: 'retry' as const, at: h.clock.now().toISOString() };
    await h.adapters.wakeUpStore.put(w);
    expect(await fireWakeUp(deps, w)).toBe(false);
    expect(await allWakeUps(h.adapters)).toHaveLength(0);
  });
});
