import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';
import { isTruthy } from '../../../../lib/plugins/core/fail';

const opts = { workerId: 'w' };
const FAIL = 'io.kestra.core.tasks.executions.Fail';

describe('Fail', () => {
  it('fails with its error message when it has no condition', async () => {
    const w = await fakeWorker({ variables: { inputs: { why: 'bad data' } } });
    try {
      const out = await runAttempt(w.task(FAIL, { id: 'stop', errorMessage: 'stopped: {{ inputs.why }}' }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'TASK_FAILED', message: 'stopped: bad data', task: 'stop' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('fails with "Task failure" by default', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task('io.kestra.plugin.core.execution.Fail', {}), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { message: 'Task failure' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('fails only when its condition is truthy', async () => {
    const w = await fakeWorker({ variables: { inputs: { param: 'fail' } } });
    try {
      const yes = await runAttempt(w.task(FAIL, { condition: '{{ inputs.param == "fail" }}' }), w.deps, opts);
      const no = await runAttempt(w.task(FAIL, { condition: '{{ inputs.param == "other" }}' }), w.deps, opts);
      expect(yes).toMatchObject({ result: { state: 'FAILED' } });
      expect(no).toMatchObject({ result: { state: 'SUCCESS' } });
    } finally {
      await w.cleanup();
    }
  });

  it('fails with its message when its condition holds, and the message is logged at ERROR as Kestra logs it', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(FAIL, { id: 'stop', condition: 'true', errorMessage: 'asked to' }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { message: 'asked to' } } });
      expect((await w.logLines()).map((l) => [l.level, l.message])).toContainEqual(['ERROR', 'asked to']);
    } finally {
      await w.cleanup();
    }
  });

  it('treats only "false", "0", "-0" and "" as false, as Kestra does', () => {
    for (const v of ['false', '0', '-0', '', '  ']) expect(isTruthy(v)).toBe(false);
    // Case matters: "FALSE" is not in Kestra's list.
    for (const v of ['true', '1', 'no', 'FALSE', 'null']) expect(isTruthy(v)).toBe(true);
  });
});
