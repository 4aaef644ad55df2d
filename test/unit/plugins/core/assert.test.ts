import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };
const ASSERT = 'io.kestra.plugin.core.execution.Assert';

describe('Assert', () => {
  it('succeeds when every condition renders to something truthy, counting them', async () => {
    const w = await fakeWorker({ variables: { inputs: { param: 'ok' } } });
    try {
      const out = await runAttempt(w.task(ASSERT, { conditions: ['{{ inputs.param == "ok" }}', '{{ 1 + 1 }}'] }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', metrics: { success: 2, failed: 0 } } });
    } finally {
      await w.cleanup();
    }
  });

  it('checks every condition, logs each false one and fails counting them, with errorMessage on a new line', async () => {
    const w = await fakeWorker({ variables: { inputs: { param: 'ok' } } });
    try {
      const task = w.task(ASSERT, {
        id: 'check', errorMessage: 'param was {{ inputs.param }}',
        conditions: ['{{ inputs.param == "ko" }}', '{{ 1 + 1 == 2 }}', '{{ 1 + 1 == 3 }}'],
      });
      const out = await runAttempt(task, w.deps, opts);
      expect(out).toMatchObject({
        result: { state: 'FAILED', metrics: { success: 1, failed: 2 }, error: { code: 'TASK_FAILED', task: 'check', message: '2 assertions failed!\nparam was ok' } },
      });
      expect((await w.logLines()).filter((l) => l.message.startsWith('Assertion')).map((l) => [l.level, l.message])).toEqual([
        ['ERROR', 'Assertion `{{ inputs.param == "ko" }}` failed!'], ['ERROR', 'Assertion `{{ 1 + 1 == 3 }}` failed!'],
      ]);
    } finally {
      await w.cleanup();
    }
  });

  it('counts a condition that cannot be rendered as failed, and says so once', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(ASSERT, { conditions: ['{{ nope.missing }}'] }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { message: '1 assertion failed!' } } });
      const errors = (await w.logLines()).filter((l) => l.level === 'ERROR' && l.message.startsWith('Assertion')).map((l) => l.message);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^Assertion `\{\{ nope\.missing \}\}` failed, failed to render `.+`$/);
    } finally {
      await w.cleanup();
    }
  });

  it('refuses a missing or empty list of conditions', async () => {
    const w = await fakeWorker();
    try {
      for (const props of [{}, { conditions: [] }]) {
        const out = await runAttempt(w.task(ASSERT, { id: 'check', ...props }), w.deps, opts);
        expect(out).toMatchObject({ result: { state: 'FAILED', error: { task: 'check', property: 'conditions' } } });
      }
    } finally {
      await w.cleanup();
    }
  });
});
