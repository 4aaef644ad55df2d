import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';
import { LogProperties } from '../../../../lib/plugins/core/log';

const opts = { workerId: 'w' };

describe('Log', () => {
  it('logs a rendered message at INFO by default', async () => {
    const w = await fakeWorker({ variables: { inputs: { who: 'ada' } } });
    try {
      const out = await runAttempt(w.task('io.kestra.core.tasks.log.Log', { message: 'hi {{ inputs.who }}' }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS' } });
      if (out.kind === 'result') expect(out.result.outputs).toBeUndefined();
      expect((await w.logLines()).map((l) => [l.level, l.message])).toEqual([['INFO', 'hi ada']]);
    } finally {
      await w.cleanup();
    }
  });

  it('logs one line per message of a list, at the given level, under its 1.x name too', async () => {
    const w = await fakeWorker();
    try {
      await runAttempt(w.task('io.kestra.plugin.core.log.Log', { message: ['one', 'two {{ flow.id }}'], level: 'WARN' }), w.deps, opts);
      expect((await w.logLines()).map((l) => [l.level, l.message])).toEqual([['WARN', 'one'], ['WARN', 'two test']]);
    } finally {
      await w.cleanup();
    }
  });

  it('rejects an unknown property and an unknown level', () => {
    expect(LogProperties.safeParse({ message: 'x', levl: 'INFO' }).success).toBe(false);
    expect(LogProperties.safeParse({ message: 'x', level: 'LOUD' }).success).toBe(false);
    expect(LogProperties.safeParse({ level: 'INFO' }).success).toBe(false);
  });
});
