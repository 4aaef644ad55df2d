import { settle, type Activity, type SettleClock } from '../../../scripts/chaos/settle';

/** A clock that advances only when the wait sleeps, so the test sees seconds without waiting them. */
function fakeClock(): SettleClock {
  let t = 0;
  return { now: () => t, sleep: async (ms) => { t += ms; } };
}

/** Answers the looks in order, then keeps answering the last one. */
function looks(...seen: Array<Activity | undefined>): () => Promise<Activity | undefined> {
  let i = 0;
  return async () => seen[Math.min(i++, seen.length - 1)];
}

const at = (active: number, signature = String(active)): Activity => ({ active, signature });

describe('the chaos run waiting for its last executions', () => {
  it('ends quiet as soon as nothing is active', async () => {
    expect(await settle(looks(at(3), at(1), at(0)), { stallSeconds: 10, maxSeconds: 100, pollMs: 1000 }, fakeClock()))
      .toEqual({ outcome: 'quiet', waited: 2, active: 0 });
  });

  it('keeps waiting while executions move without ending, then calls them stalled once nothing moved for stallSeconds', async () => {
    // Three executions advance through their tasks for 30 s, ending none, then stop moving.
    const moving = Array.from({ length: 30 }, (_, i) => at(3, `step ${i}`));
    expect(await settle(looks(...moving), { stallSeconds: 10, maxSeconds: 100, pollMs: 1000 }, fakeClock()))
      .toEqual({ outcome: 'stalled', waited: 39, active: 3 });
  });

  it('stops at maxSeconds while things still move', async () => {
    let n = 0;
    const forever = async (): Promise<Activity> => at(5, `step ${n++}`);
    expect(await settle(forever, { stallSeconds: 10, maxSeconds: 60, pollMs: 2000 }, fakeClock())).toEqual({ outcome: 'bounded', waited: 60, active: 5 });
  });

  it('counts a look the API did not answer as no movement, and reports -1 active when it never answered', async () => {
    expect(await settle(looks(undefined), { stallSeconds: 4, maxSeconds: 100, pollMs: 1000 }, fakeClock())).toEqual({ outcome: 'stalled', waited: 4, active: -1 });
    expect(await settle(looks(at(2, 'a'), undefined, at(2, 'a')), { stallSeconds: 4, maxSeconds: 100, pollMs: 1000 }, fakeClock()))
      .toEqual({ outcome: 'stalled', waited: 4, active: 2 });
  });
});
