import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };

describe('Echo', () => {
  it('logs its rendered format at the given level', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task('io.kestra.core.tasks.debugs.Echo', { format: 'task {{ task.id }}', level: 'ERROR', id: 'e' }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS' } });
      expect((await w.logLines()).map((l) => [l.level, l.message])).toEqual([['ERROR', 'task e']]);
    } finally {
      await w.cleanup();
    }
  });

  it('answers to its 1.x name and logs at INFO by default', async () => {
    const w = await fakeWorker();
    try {
      await runAttempt(w.task('io.kestra.plugin.core.debug.Echo', { format: 'hello' }), w.deps, opts);
      expect((await w.logLines()).map((l) => l.level)).toEqual(['INFO']);
    } finally {
      await w.cleanup();
    }
  });
});
