import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };

describe('Return', () => {
  it("outputs its rendered format as value, using an earlier task's outputs", async () => {
    const w = await fakeWorker({ variables: { outputs: { t1: { value: 'v1' } } } });
    try {
      const out = await runAttempt(w.task('io.kestra.core.tasks.debugs.Return', { id: 't2', format: '{{ outputs.t1.value }}-2' }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { value: 'v1-2' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('outputs a number or a map given by one expression as text', async () => {
    const w = await fakeWorker({ variables: { vars: { n: 42, m: { a: 1 } } } });
    try {
      const n = await runAttempt(w.task('io.kestra.core.tasks.debugs.Return', { format: '{{ vars.n }}' }), w.deps, opts);
      const m = await runAttempt(w.task('io.kestra.core.tasks.debugs.Return', { format: '{{ vars.m }}' }), w.deps, opts);
      expect(n).toMatchObject({ result: { outputs: { value: '42' } } });
      expect(m).toMatchObject({ result: { outputs: { value: '{"a":1}' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('logs its value at DEBUG', async () => {
    const w = await fakeWorker();
    try {
      await runAttempt(w.task('io.kestra.core.tasks.debugs.Return', { format: 'shown' }), w.deps, opts);
      expect((await w.logLines()).map((l) => [l.level, l.message])).toEqual([['DEBUG', 'shown']]);
    } finally {
      await w.cleanup();
    }
  });
});
