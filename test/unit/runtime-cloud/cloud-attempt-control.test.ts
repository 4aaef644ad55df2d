import { MemoryAttemptLedger } from '../../../lib/adapters/local/attempt-ledger';
import { CloudAttemptControl, StopWatcher } from '../../../lib/runtime/cloud/attempt-control';
import { MemoryAttemptStops } from '../../../lib/adapters/local';
import { TestClock } from './helpers';

const key = { executionId: 'e', taskRunId: 't', attempt: 0 };

describe('stopping attempts in the cloud', () => {
  it('aborts a running attempt once a stop was requested for it', async () => {
    const stops = new MemoryAttemptStops();
    const watcher = new StopWatcher(stops, 5);
    const controller = new AbortController();
    watcher.add(key, controller);
    await new CloudAttemptControl(stops, new MemoryAttemptLedger(), new TestClock()).stop(key);
    await new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve()));
    expect(controller.signal.aborted).toBe(true);
    watcher.remove(key);
    expect(watcher.size).toBe(0);
  });

  it('looks at once when a continuation starts, so a kill between invocations reaches it before the first periodic look', async () => {
    const stops = new MemoryAttemptStops();
    await stops.request(key, new TestClock().now());
    // A period no test waits for: only the look at the start can abort.
    const watcher = new StopWatcher(stops, 3_600_000);
    const resumed = new AbortController();
    const fresh = new AbortController();
    watcher.add(key, resumed, { resumed: true });
    watcher.add({ ...key, attempt: 1 }, fresh);
    await new Promise<void>((resolve) => resumed.signal.addEventListener('abort', () => resolve()));
    expect(resumed.signal.aborted).toBe(true);
    expect(fresh.signal.aborted).toBe(false);
    watcher.remove(key);
    watcher.remove({ ...key, attempt: 1 });
  });

  it('refuses the claim of an attempt stopped while queued, and leaves a claimed one to its stop request', async () => {
    const stops = new MemoryAttemptStops();
    const ledger = new MemoryAttemptLedger();
    const clock = new TestClock();
    const control = new CloudAttemptControl(stops, ledger, clock);
    const running = { ...key, attempt: 1 };
    expect(await ledger.claim(running, 'w', clock.now())).toBe(true);
    await control.stop(key);
    await control.stop(running);
    expect(await ledger.claim(key, 'w', clock.now())).toBe(false);
    expect(await stops.requested(key)).toBe(true);
    expect(await stops.requested(running)).toBe(true);
    expect((await ledger.stale(new Date(clock.ms + 1), 10)).map((c) => c.attempt)).toEqual([1]);
  });

  it('leaves other attempts running', async () => {
    const stops = new MemoryAttemptStops();
    const watcher = new StopWatcher(stops, 5);
    const controller = new AbortController();
    watcher.add({ ...key, attempt: 1 }, controller);
    await stops.request(key, new TestClock().now());
    await new Promise((r) => setTimeout(r, 30));
    expect(controller.signal.aborted).toBe(false);
    watcher.remove({ ...key, attempt: 1 });
  });

  it('reports a failed check and keeps watching', async () => {
    const errors: unknown[] = [];
    const stops = new MemoryAttemptStops();
    let calls = 0;
    stops.requested = async () => { if (++calls === 1) throw new Error('unavailable'); return true; };
    const watcher = new StopWatcher(stops, 5, (err) => errors.push(err));
    const controller = new AbortController();
    watcher.add(key, controller);
    await new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve()));
    watcher.remove(key);
    expect(errors).toHaveLength(1);
  });
});
