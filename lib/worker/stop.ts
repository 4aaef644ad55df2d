// Kill and timeout as one thing: a signal for the task, a reason, and a race for the worker.
// With only a kill signal (the embedded runtime's common case) the caller's signal is used as is,
// and the worker listens to it only if the task did not finish at once: an EventTarget listener
// costs more than a quick task does.
import { AloftError, ErrorCode } from '../model/errors';

export type StopReason = 'TIMEOUT' | 'KILLED';

const NEVER = new AbortController().signal;
const STOPPED: unique symbol = Symbol('stopped');

/** What can kill an attempt. `signal` may be made on first read: most attempts end before anyone listens. */
export interface KillSource {
  readonly aborted: boolean;
  readonly signal: AbortSignal;
  /** Calls `listener` once on abort, without making the signal; absent when only the signal can tell. */
  onAbort?(listener: () => void): void;
  offAbort?(listener: () => void): void;
}

/** A kill source over a plain signal. */
export const killSourceOf = (signal: AbortSignal): KillSource => ({ get aborted() { return signal.aborted; }, signal });

/**
 * An AbortController made on first use. Making one costs a few microseconds, more than a quick task:
 * the embedded runtime registers one per attempt so that a kill can reach it, and almost none is used.
 */
export class LazyAbortController implements AbortController, KillSource {
  private inner: AbortController | undefined;
  private abortedEarly = false;
  private reason: unknown;
  /** Usually one (the attempt's own stop), so a single function until a second comes. */
  private listeners: (() => void) | Array<() => void> | undefined;

  get signal(): AbortSignal {
    if (!this.inner) {
      this.inner = new AbortController();
      if (this.abortedEarly) this.inner.abort(this.reason);
    }
    return this.inner.signal;
  }

  get aborted(): boolean {
    return this.inner ? this.inner.signal.aborted : this.abortedEarly;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    if (this.inner) this.inner.abort(reason);
    else {
      this.abortedEarly = true;
      this.reason = reason;
    }
    const listeners = this.listeners;
    this.listeners = undefined;
    if (typeof listeners === 'function') listeners();
    else if (listeners) for (const l of listeners) l();
  }

  onAbort(listener: () => void): void {
    const current = this.listeners;
    if (current === undefined) this.listeners = listener;
    else if (typeof current === 'function') this.listeners = [current, listener];
    else current.push(listener);
  }

  offAbort(listener: () => void): void {
    const current = this.listeners;
    if (current === listener) this.listeners = undefined;
    else if (Array.isArray(current)) {
      const i = current.indexOf(listener);
      if (i >= 0) current.splice(i, 1);
    }
  }
}

export class AttemptStop {
  reason: StopReason | undefined;
  /** False when nothing can stop the attempt: the worker then simply awaits the task. */
  readonly armed: boolean;
  private readonly controller: AbortController | undefined;
  private readonly kill: KillSource | undefined;
  private timer: NodeJS.Timeout | undefined;
  private onKill: (() => void) | undefined;
  private killSignal: AbortSignal | undefined;
  private wake: (() => void) | undefined;

  constructor(kill: KillSource | AbortSignal | undefined, timeoutMs: number | undefined) {
    this.kill = kill === undefined || isKillSource(kill) ? kill : killSourceOf(kill);
    this.armed = kill !== undefined || timeoutMs !== undefined;
    if (timeoutMs !== undefined) {
      this.controller = new AbortController();
      this.timer = setTimeout(() => this.fire('TIMEOUT'), timeoutMs);
      this.timer.unref();
      // A timeout makes its own signal, which must follow the kill signal from the start.
      this.listen();
    } else if (this.kill?.aborted) {
      this.fire('KILLED');
    }
  }

  /** The task's signal: aborted on kill or timeout. Read lazily (a kill source makes its signal on demand). */
  get signal(): AbortSignal {
    return this.controller?.signal ?? this.kill?.signal ?? NEVER;
  }

  /** True when following the kill source costs nothing worth avoiding (no signal, no EventTarget listener). */
  get listensCheaply(): boolean {
    return this.kill?.onAbort !== undefined;
  }

  /** Starts following the kill signal (idempotent). */
  listen(): void {
    const kill = this.kill;
    if (!kill || this.onKill) return;
    if (kill.aborted) return this.fire('KILLED');
    this.onKill = () => this.fire('KILLED');
    if (kill.onAbort) return kill.onAbort(this.onKill);
    this.killSignal = kill.signal;
    this.killSignal.addEventListener('abort', this.onKill, { once: true });
  }

  /** The task's outcome, or STOPPED as soon as the attempt is stopped: one promise, no Promise.race. */
  race<T>(running: Promise<T>): Promise<T | typeof STOPPED> {
    return new Promise<T | typeof STOPPED>((resolve, reject) => {
      if (this.reason) return resolve(STOPPED);
      this.wake = () => resolve(STOPPED);
      running.then(resolve, reject);
    });
  }

  /** Calls `wake` once when the attempt is stopped (one listener: the worker's). */
  onStop(wake: () => void): void {
    this.wake = wake;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.onKill) {
      if (this.killSignal) this.killSignal.removeEventListener('abort', this.onKill);
      else this.kill?.offAbort?.(this.onKill);
    }
    this.wake = undefined;
  }

  private fire(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller?.abort(new AloftError(ErrorCode[reason], reason === 'KILLED' ? 'the task was killed' : 'the task timed out'));
    this.wake?.();
  }
}

function isKillSource(k: KillSource | AbortSignal): k is KillSource {
  return !(k instanceof AbortSignal);
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
export function untilStopped<T>(running: Promise<T>, stop: AttemptStop, graceMs: number): Promise<T | undefined> {
  if (!stop.reason && !stop.listensCheaply) return untilStoppedOrQuick(running, stop, graceMs);
  // One promise settles with the task's outcome, or (on a stop) once the grace period is over.
  stop.listen();
  return new Promise<T | undefined>((resolve, reject) => {
    const stopped = (): void => resolve(graceFor(running, graceMs));
    if (stop.reason) return stopped();
    stop.onStop(stopped);
    running.then(resolve, reject);
  });
}

// Listening to a kill signal costs more than a quick task: listen only if the task is not quick.
async function untilStoppedOrQuick<T>(running: Promise<T>, stop: AttemptStop, graceMs: number): Promise<T | undefined> {
  const quick = await settledAtOnce(running);
  if (quick) return quick.value;
  stop.listen();
  const first = await stop.race(running);
  return first === STOPPED ? graceFor(running, graceMs) : first;
}

async function graceFor(running: Promise<unknown>, graceMs: number): Promise<undefined> {
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([
    running.then(() => undefined, () => undefined),
    new Promise<void>((resolve) => { grace = setTimeout(resolve, graceMs); }),
  ]);
  clearTimeout(grace);
  return undefined;
}
