// Wake-ups in the cloud (retry delays, pause delays and timeouts). Every wake-up is stored first
// (`wakeups/{…}` in Firestore), and the scheduler, called every minute, fires the due ones. A minute is
// long for a 200 ms retry delay, so a wake-up due within ALOFT_INLINE_WAKEUP_MS is also fired by the
// executor invocation that scheduled it: it waits before returning (an instance only has CPU while a
// request is open, so a timer after the response could not be trusted). Both paths append the WakeUp
// under the same idempotency key, so whichever comes second changes nothing.
import { ErrorCode } from '../../model/errors';
import type { Clock, Ids, StateStore, WakeUpReason, WakeUpScheduler } from '../../ports';
import type { WakeUpRecord, WakeUpStore } from '../../ports/cloud-control';
import { appendEvent } from './effects';

export const wakeUpId = (executionId: string, taskRunId: string, reason: WakeUpReason, at: Date): string =>
  `${executionId}:${taskRunId}:${reason}:${at.getTime()}`;

/** The inbox key of a wake-up: one event per (task run, reason, time), however often it fires. */
export const wakeUpEventKey = (w: Pick<WakeUpRecord, 'taskRunId' | 'reason' | 'at'>): string => `wake:${w.taskRunId}:${w.reason}:${w.at}`;

export interface FireDeps {
  store: StateStore;
  wakeUpStore: WakeUpStore;
  clock: Clock;
  ids: Ids;
}

/** Appends the WakeUp event, then forgets the stored wake-up. An execution that is gone needs no wake-up. */
export async function fireWakeUp(deps: FireDeps, w: WakeUpRecord): Promise<boolean> {
  let added = false;
  try {
    added = await appendEvent({ ...deps, wake: () => undefined }, w.executionId, { type: 'WakeUp', taskRunId: w.taskRunId, reason: w.reason }, { key: wakeUpEventKey(w) });
  } catch (err) {
    if ((err as { code?: unknown })?.code !== ErrorCode.NOT_FOUND) throw err;
  }
  await deps.wakeUpStore.remove(w.id);
  return added;
}

/** The short wake-ups one executor invocation fires itself before it returns. */
export class InlineWakeUps {
  private readonly pending: Array<Promise<unknown>> = [];

  constructor(private readonly withinMs: number) {}

  accepts(delayMs: number): boolean {
    return this.withinMs > 0 && delayMs <= this.withinMs;
  }

  track(delayMs: number, fire: () => Promise<unknown>): void {
    const fired = new Promise((resolve) => setTimeout(resolve, Math.max(0, delayMs))).then(fire);
    // settle() reads the outcome later; until then a failure must not count as an unhandled rejection.
    fired.catch(() => undefined);
    this.pending.push(fired);
  }

  /** Waits for every tracked wake-up; failures are left to the scheduler (the wake-up stays stored). */
  async settle(onError: (err: unknown) => void): Promise<number> {
    let fired = 0;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      for (const r of await Promise.allSettled(batch)) {
        if (r.status === 'fulfilled') fired++;
        else onError(r.reason);
      }
    }
    return fired;
  }
}

export class CloudWakeUps implements WakeUpScheduler {
  constructor(private readonly deps: FireDeps, private readonly inline?: InlineWakeUps) {}

  async schedule(executionId: string, taskRunId: string, at: Date, reason: WakeUpReason): Promise<void> {
    const w: WakeUpRecord = { id: wakeUpId(executionId, taskRunId, reason, at), executionId, taskRunId, reason, at: at.toISOString() };
    await this.deps.wakeUpStore.put(w);
    const delay = at.getTime() - this.deps.clock.now().getTime();
    if (this.inline?.accepts(delay)) this.inline.track(delay, () => fireWakeUp(this.deps, w));
  }
}
