// How a chaos run waits for its last executions: as long as they keep moving, within a bound. A fixed
// wait cannot tell a slow run (a loaded machine, a queue worked through in waves) from a stuck one; a
// wait that gives up only when nothing has moved for a while can, and it reports which of the two it saw.

export interface SettleOptions {
  /** Gives up once nothing has moved for this long: what is still active then is stuck. */
  stallSeconds: number;
  /** Gives up after this long in any case, moving or not: the run stays bounded. */
  maxSeconds: number;
  /** Time between two looks. */
  pollMs?: number;
}

/** What is still active: how many, and a signature that changes whenever any of them moves. */
export interface Activity {
  active: number;
  signature: string;
}

export interface Settled {
  /** 'quiet': nothing active any more; 'stalled': nothing moved for stallSeconds; 'bounded': maxSeconds passed while things still moved. */
  outcome: 'quiet' | 'stalled' | 'bounded';
  /** Seconds waited. */
  waited: number;
  /** Active executions at the end (-1: never seen). */
  active: number;
}

export interface SettleClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: SettleClock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/**
 * Looks at what is active (`look`, undefined when it could not) until nothing is, nothing moved for
 * `stallSeconds`, or `maxSeconds` passed. Moving is a new signature: an execution ended, started, or
 * one of its task runs or attempts changed state. Ended executions alone would not do: a queue worked
 * through in waves ends none for minutes while every execution advances.
 */
export async function settle(look: () => Promise<Activity | undefined>, o: SettleOptions, clock: SettleClock = realClock): Promise<Settled> {
  const start = clock.now();
  let lastMove = start;
  let last: string | undefined;
  let active = -1;
  for (;;) {
    const seen = await look();
    const now = clock.now();
    const waited = Math.round((now - start) / 1000);
    if (seen) {
      if (seen.active === 0) return { outcome: 'quiet', waited, active: 0 };
      active = seen.active;
      if (seen.signature !== last) {
        last = seen.signature;
        lastMove = now;
      }
    }
    if (now - lastMove >= o.stallSeconds * 1000) return { outcome: 'stalled', waited, active };
    if (now - start >= o.maxSeconds * 1000) return { outcome: 'bounded', waited, active };
    await clock.sleep(o.pollMs ?? 2000);
  }
}
