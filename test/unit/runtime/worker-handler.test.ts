import { InProcessAttempts } from '../../../lib/runtime/core/worker-handler';
import { LazyAbortController } from '../../../lib/worker';

describe('InProcessAttempts', () => {
  it('stops only the attempt it is asked to, even when two executions share a task run id', () => {
    const running = new InProcessAttempts();
    const a0 = new LazyAbortController();
    const b0 = new LazyAbortController();
    const a1 = new LazyAbortController();
    running.add({ executionId: 'a', taskRunId: 'r', attempt: 0 }, a0);
    running.add({ executionId: 'b', taskRunId: 'r', attempt: 0 }, b0);
    running.add({ executionId: 'a', taskRunId: 'r', attempt: 1 }, a1);
    running.stop({ executionId: 'b', taskRunId: 'r', attempt: 0 });
    expect([a0.aborted, b0.aborted, a1.aborted]).toEqual([false, true, false]);
    running.remove({ executionId: 'a', taskRunId: 'r', attempt: 1 });
    running.stop({ executionId: 'a', taskRunId: 'r', attempt: 1 });
    expect(a1.aborted).toBe(false);
    running.abortAll();
    expect(a0.aborted).toBe(true);
  });

  it('forgets a removed attempt', () => {
    const running = new InProcessAttempts();
    const c = new LazyAbortController();
    const key = { executionId: 'a', taskRunId: 'r', attempt: 0 };
    running.add(key, c);
    running.remove({ ...key });
    running.stop(key);
    expect(c.aborted).toBe(false);
  });
});
