import { AttemptStop, LazyAbortController, untilStopped } from '../../../lib/worker/stop';

describe('LazyAbortController', () => {
  it('aborts a signal read after the kill, with the kill reason', () => {
    const c = new LazyAbortController();
    c.abort('gone');
    expect(c.aborted).toBe(true);
    expect(c.signal.aborted).toBe(true);
    expect(c.signal.reason).toBe('gone');
  });

  it('aborts a signal read before the kill', () => {
    const c = new LazyAbortController();
    const signal = c.signal;
    let heard = 0;
    signal.addEventListener('abort', () => heard++);
    c.abort();
    c.abort();
    expect(signal.aborted).toBe(true);
    expect(heard).toBe(1);
  });

  it('calls abort listeners once, and not those taken off', () => {
    const c = new LazyAbortController();
    const calls: string[] = [];
    const off = (): void => { calls.push('off'); };
    c.onAbort(() => calls.push('on'));
    c.onAbort(off);
    c.offAbort(off);
    c.abort();
    c.abort();
    expect(calls).toEqual(['on']);
  });
});

describe('AttemptStop with a lazy kill switch', () => {
  it('stops a task that is killed while it runs, without waiting for it', async () => {
    const kill = new LazyAbortController();
    const stop = new AttemptStop(kill, undefined);
    const never = new Promise<string>(() => undefined);
    const out = untilStopped(never, stop, 0);
    kill.abort();
    await expect(out).resolves.toBeUndefined();
    expect(stop.reason).toBe('KILLED');
    stop.dispose();
  });

  it('returns the outcome of a task that ends before any kill, and gives the task the kill signal on demand', async () => {
    const kill = new LazyAbortController();
    const stop = new AttemptStop(kill, undefined);
    await expect(untilStopped(Promise.resolve('done'), stop, 0)).resolves.toBe('done');
    expect(stop.reason).toBeUndefined();
    kill.abort();
    expect(stop.signal.aborted).toBe(true);
    stop.dispose();
  });

  it('is stopped from the start when killed before it began', () => {
    const kill = new LazyAbortController();
    kill.abort();
    expect(new AttemptStop(kill, undefined).reason).toBe('KILLED');
  });
});
