// Stopping attempts in the cloud: the executor cannot reach the worker instance that runs an attempt,
// so a kill writes a "stop requested" document, and every running attempt looks for it at the
// worker's heartbeat pace and aborts itself when it is there. Quick attempts end before the first look.
// A kill also refuses the attempt in the ledger: an attempt still queued then fails its claim, so a
// worker need not read the stop request before it claims (one read per task fewer).
import type { AttemptControl, AttemptKey, AttemptLedger, Clock } from '../../ports';
import type { AttemptStopStore } from '../../ports/cloud-control';
import type { RunningAttempts } from '../core/worker-handler';

export const attemptKeyId = (k: AttemptKey): string => `${k.executionId}:${k.taskRunId}:${k.attempt}`;

export class CloudAttemptControl implements AttemptControl {
  constructor(private readonly stops: AttemptStopStore, private readonly ledger: Pick<AttemptLedger, 'refuse'>, private readonly clock: Clock) {}

  async stop(key: AttemptKey): Promise<void> {
    const now = this.clock.now();
    await Promise.all([this.stops.request(key, now), this.ledger.refuse(key, now)]);
  }
}

/** The running attempts of one worker instance, each watched for a stop request. */
export class StopWatcher implements RunningAttempts {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly controllers = new Map<string, AbortController>();
  private abandonedAll = false;

  get abandoned(): boolean {
    return this.abandonedAll;
  }

  /** Aborts every watched attempt; `abandon` (the runtime closing): they report nothing and are found lost. */
  abortAll(opts: { abandon?: boolean } = {}): void {
    if (opts.abandon) this.abandonedAll = true;
    for (const c of this.controllers.values()) c.abort();
  }

  constructor(
    private readonly stops: AttemptStopStore,
    private readonly pollMs: number,
    private readonly onError: (err: unknown, key: AttemptKey) => void = () => undefined,
  ) {}

  add(key: AttemptKey, controller: AbortController, opts?: { resumed?: boolean }): void {
    const id = attemptKeyId(key);
    let busy = false;
    const look = (): void => {
      if (busy || controller.signal.aborted) return;
      busy = true;
      this.stops.requested(key).then((stop) => {
        if (stop) controller.abort();
      }, (err) => this.onError(err, key)).finally(() => { busy = false; });
    };
    // A continuation looks at once: a kill that came between two invocations must reach the task
    // (which then cancels its job), though each invocation may end before the first periodic look.
    if (opts?.resumed) look();
    const timer = setInterval(look, this.pollMs);
    timer.unref?.();
    this.timers.set(id, timer);
    this.controllers.set(id, controller);
  }

  remove(key: AttemptKey): void {
    const id = attemptKeyId(key);
    const timer = this.timers.get(id);
    if (timer) clearInterval(timer);
    this.timers.delete(id);
    this.controllers.delete(id);
  }

  /** Attempts being watched (for tests and shutdown). */
  get size(): number {
    return this.timers.size;
  }
}
