// Kill and timeout as one thing: a signal for the task, a reason, and a race for the worker.
// With only a kill signal (the embedded runtime's common case) the caller's signal is used as is,
// and the worker listens to it only if the task did not finish at once: an EventTarget listener
// costs more than a quick task does.
import { AloftError, ErrorCode } from '../model/errors';

export type StopReason = 'TIMEOUT' | 'KILLED';

const NEVER = new AbortController().signal;
const STOPPED: unique symbol = Symbol('stopped');

export class AttemptStop {
  reason: StopReason | undefined;
  readonly signal: AbortSignal;
  /** False when nothing can stop the attempt: the worker then simply awaits the task. */
  readonly armed: boolean;
  private readonly controller: AbortController | undefined;
  private readonly kill: AbortSignal | undefined;
  private timer: NodeJS.Timeout | undefined;
  private onKill: (() => void) | undefined;
  private wake: (() => void) | undefined;

  constructor(kill: AbortSignal | undefined, timeoutMs: number | undefined) {
    this.kill = kill;
    this.armed = kill !== undefined || timeoutMs !== undefined;
    if (timeoutMs !== undefined) {
      this.controller = new AbortController();
      this.signal = this.controller.signal;
      this.timer = setTimeout(() => this.fire('TIMEOUT'), timeoutMs);
      this.timer.unref();
      // A timeout makes its own signal, which must follow the kill signal from the start.
      this.listen();
    } else {
      this.signal = kill ?? NEVER;
      if (kill?.aborted) this.fire('KILLED');
    }
  }

  /** Starts following the kill signal (idempotent). */
  listen(): void {
    const kill = this.kill;
    if (!kill || this.onKill) return;
    if (kill.aborted) return this.fire('KILLED');
    this.onKill = () => this.fire('KILLED');
    kill.addEventListener('abort', this.onKill, { once: true });
  }

  /** The task's outcome, or STOPPED as soon as the attempt is stopped: one promise, no Promise.race. */
  race<T>(running: Promise<T>): Promise<T | typeof STOPPED> {
    return new Promise<T | typeof STOPPED>((resolve, reject) => {
      if (this.reason) return resolve(STOPPED);
      this.wake = () => resolve(STOPPED);
      running.then(resolve, reject);
    });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.onKill) this.kill?.removeEventListener('abort', this.onKill);
    this.wake = undefined;
  }

  private fire(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller?.abort(new AloftError(ErrorCode[reason], reason === 'KILLED' ? 'the task was killed' : 'the task timed out'));
    this.wake?.();
  }
}

type Settled<T> = { value: T } | undefined;

/** The task's outcome if it is already settled after one turn of the microtask queue. */
async function settledAtOnce<T>(running: Promise<T>): Promise<Settled<T>> {
  let state = 0;
  let value: T | undefined;
  let error: unknown;
  running.then((v) => { state = 1; value = v; }, (e: unknown) => { state = 2; error = e; });
  await undefined;
  if (state === 2) throw error;
  return state === 1 ? { value: value as T } : undefined;
}

/**
 * Waits for the task, or for the stop; then gives the task a grace period to clean up (a script
 * kills its process group) before the worker returns anyway. Undefined when stopped.
 */
export async function untilStopped<T>(running: Promise<T>, stop: AttemptStop, graceMs: number): Promise<T | undefined> {
  if (!stop.reason) {
    const quick = await settledAtOnce(running);
    if (quick) return quick.value;
    stop.listen();
  }
  const first = await stop.race(running);
  if (first !== STOPPED) return first;
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([
    running.then(() => undefined, () => undefined),
    new Promise<void>((resolve) => { grace = setTimeout(resolve, graceMs); }),
  ]);
  clearTimeout(grace);
  return undefined;
}
