// Wake-ups (retry delays, pause delays and timeouts), the same in both runtimes: every wake-up is
// stored first (WakeUpStore), then a timer of the transport may fire it early; the recovery sweep
// (core/recovery.ts) fires whatever is due and still stored, after a crash or when no timer could be
// trusted. Both paths append the WakeUp under one idempotency key per (task run, reason, time), so
// whichever comes second changes nothing.
//   - embedded: a process timer for every wake-up (ProcessTimers); on start the sweep re-arms them;
//   - cloud: only wake-ups due within ALOFT_INLINE_WAKEUP_MS are fired by the executor invocation that
//     scheduled them (InlineWakeUps: an instance only has CPU while a request is open); the `scheduler`
//     function fires the rest every minute.
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
  /** Called after an event was appended (the embedded runtime folds it; the cloud's write wakes the executor). */
  wake?(executionId: string): void;
}

/** Appends the WakeUp event, then forgets the stored wake-up. An execution that is gone needs no wake-up. */
export async function fireWakeUp(deps: FireDeps, w: WakeUpRecord): Promise<boolean> {
  let added = false;
  try {
    added = await appendEvent({ ...deps, wake: deps.wake ?? (() => undefined) }, w.executionId,
      { type: 'WakeUp', taskRunId: w.taskRunId, reason: w.reason }, { key: wakeUpEventKey(w) });
  } catch (err) {
    if ((err as { code?: unknown })?.code !== ErrorCode.NOT_FOUND) throw err;
  }
  await deps.wakeUpStore.remove(w.id);
  return added;
}

/** A transport's timers: which stored wake-ups it fires itself, before the sweep would. */
export interface WakeUpTimers {
  /** Fires `fire` after `delayMs`, or declines (false) and leaves the wake-up to the sweep. */
  arm(w: WakeUpRecord, delayMs: number, fire: () => Promise<unknown>): boolean;
}

export class StoredWakeUps implements WakeUpScheduler {
  constructor(private readonly deps: FireDeps, private readonly timers?: WakeUpTimers) {}

  async schedule(executionId: string, taskRunId: string, at: Date, reason: WakeUpReason): Promise<void> {
    const w: WakeUpRecord = { id: wakeUpId(executionId, taskRunId, reason, at), executionId, taskRunId, reason, at: at.toISOString() };
    await this.deps.wakeUpStore.put(w);
    this.arm(w);
  }

  /** Arms the transport's timer for a stored wake-up (also used to re-arm stored ones after a restart). */
  arm(w: WakeUpRecord): boolean {
    const delay = Date.parse(w.at) - this.deps.clock.now().getTime();
    return this.timers?.arm(w, delay, () => fireWakeUp(this.deps, w)) ?? false;
  }
}

/** The cloud's timers: the short wake-ups one executor invocation fires itself before it returns. */
export class InlineWakeUps implements WakeUpTimers {
  private readonly pending: Array<Promise<unknown>> = [];

  constructor(private readonly withinMs: number) {}

  accepts(delayMs: number): boolean {
    return this.withinMs > 0 && delayMs <= this.withinMs;
  }

  arm(_w: WakeUpRecord, delayMs: number, fire: () => Promise<unknown>): boolean {
    if (!this.accepts(delayMs)) return false;
    const fired = new Promise((resolve) => setTimeout(resolve, Math.max(0, delayMs))).then(fire);
    // settle() reads the outcome later; until then a failure must not count as an unhandled rejection.
    fired.catch(() => undefined);
    this.pending.push(fired);
    return true;
  }

  /** Waits for every armed wake-up; failures are left to the scheduler (the wake-up stays stored). */
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

/**
 * The embedded runtime's timers: one process timer per wake-up, tracked per execution so that `stop()`
 * clears them and `aloft run` can tell a paused execution that will wake from one that waits for a person.
 */
export class ProcessTimers implements WakeUpTimers {
  private readonly timers = new Map<string, Map<string, NodeJS.Timeout>>();

  constructor(private readonly onError: (err: unknown, w: WakeUpRecord) => void) {}

  arm(w: WakeUpRecord, delayMs: number, fire: () => Promise<unknown>): boolean {
    let byId = this.timers.get(w.executionId);
    if (!byId) this.timers.set(w.executionId, (byId = new Map()));
    if (byId.has(w.id)) return true;
    const set = byId;
    const timer = setTimeout(() => {
      // Forgotten only once fired: until then `has` still says the execution will wake.
      fire().catch((err: unknown) => this.onError(err, w)).finally(() => {
        set.delete(w.id);
        if (set.size === 0 && this.timers.get(w.executionId) === set) this.timers.delete(w.executionId);
      });
    }, Math.max(0, delayMs));
    set.set(w.id, timer);
    return true;
  }

  has(executionId: string): boolean {
    return (this.timers.get(executionId)?.size ?? 0) > 0;
  }

  cancelAll(): void {
    for (const set of this.timers.values()) for (const t of set.values()) clearTimeout(t);
    this.timers.clear();
  }
}
