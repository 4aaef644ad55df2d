// The Kestra 1.x corpus (test/fixtures/kestra-1x), each flow run to the end on the embedded runtime
// with its final state, task-run states and outputs checked.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Execution } from '../../lib/model/execution';
import { outputOf, runFlowFile, runsOf } from '../helpers/local-run';

const dir = join(__dirname, '../fixtures/kestra-1x');
const run = async (name: string, inputs?: Record<string, unknown>): Promise<Execution> =>
  (await runFlowFile(join(dir, name), { inputs, flowsDir: join(dir, 'flows') })).execution;
const statesOf = (e: Execution): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const r of e.taskRunList) out[r.value !== undefined ? `${r.taskId}[${r.value}]` : r.taskId] = r.state.current;
  return out;
};
const value = (e: Execution, taskId: string, loopValue?: string): unknown => outputOf(e, taskId, loopValue)?.value;

const cases: Record<string, () => Promise<void>> = {
  'for-each-item.yml': async () => {
    const e = await run('for-each-item.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList.map((r) => r.taskId)).toEqual(['write', 'each', 'each_split', 'each_items', 'each_merge', 'after']);
    expect(Object.values(statesOf(e))).toEqual(Array(6).fill('SUCCESS'));
    const items = runsOf(e, 'each_items')[0];
    expect(items.outputs).toMatchObject({ numberOfBatches: 3, iterations: { CREATED: 0, RUNNING: 0, SUCCESS: 3 } });
    expect(items.attempts.map((a) => a.state.current)).toEqual(['SUCCESS']);
    expect(outputOf(e, 'each_split')).toMatchObject({ batches: 3, extension: '.txt', splits: expect.stringMatching(/\/tasks\/each_split\/.+\/splits\.txt$/) });
    expect(value(e, 'after')).toBe('3 batches, 3 SUCCESS');
  },
  'for-each-item-bytes.yml': async () => {
    const e = await run('for-each-item-bytes.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(value(e, 'after')).toBe('3 batches');
  },
  'for-each-item-partitions.yml': async () => {
    const e = await run('for-each-item-partitions.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(value(e, 'lines')).toBe('{"lines":"a,c,e","iteration":0}\n{"lines":"b,d","iteration":1}');
  },
  'for-each-item-no-wait.yml': async () => {
    const e = await run('for-each-item-no-wait.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(outputOf(e, 'each_items')).toEqual({ numberOfBatches: 3, iterations: { RUNNING: 0, SUCCESS: 3 } });
    expect(outputOf(e, 'each_merge')?.subflowOutputs).toBeUndefined();
  },
  'for-each-item-failed.yml': async () => {
    const e = await run('for-each-item-failed.yml');
    expect(e.state.current).toBe('FAILED');
    expect(statesOf(e)).toEqual({ write: 'SUCCESS', each: 'FAILED', each_split: 'SUCCESS', each_items: 'FAILED', report: 'SUCCESS' });
    const items = runsOf(e, 'each_items')[0];
    expect(items.outputs?.iterations).toEqual({ CREATED: 0, RUNNING: 0, SUCCESS: 2, FAILED: 1 });
    expect(items.error?.message).toBe('1 of 3 subflow executions failed; the first (batch 1) subflow io.aloft.kestra1x.for-each-item-child failed in task check: batch 1 holds a bad line');
    expect(value(e, 'report')).toBe('1 failed, 2 succeeded');
  },
  'for-each-item-scheduled.yml': async () => {
    const e = await run('for-each-item-scheduled.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(value(e, 'after')).toBe('2 started on schedule');
  },
  'for-each-item-outputs.yml': async () => {
    const e = await run('for-each-item-outputs.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(outputOf(e, 'each_merge')?.subflowOutputs).toMatch(/\/tasks\/each_merge\/.+\/outputs\.jsonl$/);
    expect(value(e, 'merged')).toBe('{"lines":"x","iteration":0}\n{"lines":"y","iteration":1}\n{"lines":"z","iteration":2}');
  },
  'allow-failure.yml': async () => {
    const e = await run('allow-failure.yml');
    expect(e.state.current).toBe('WARNING');
    expect(statesOf(e)).toEqual({ flaky: 'WARNING', after: 'SUCCESS' });
    expect(runsOf(e, 'flaky')[0].attempts.map((a) => a.state.current)).toEqual(['FAILED']);
    expect(value(e, 'after')).toBe('still here');
  },
  'allow-warning.yml': async () => {
    const e = await run('allow-warning.yml');
    expect(e.state.current).toBe('WARNING');
    expect(statesOf(e)).toEqual({ noisy: 'SUCCESS', broken: 'SUCCESS', group: 'WARNING', inner: 'FAILED', local: 'SUCCESS' });
  },
  'run-if.yml': async () => {
    const e = await run('run-if.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(statesOf(e)).toEqual({ output: 'SUCCESS', executed: 'SUCCESS', notexecuted: 'SKIPPED', notexecutedflowable: 'SKIPPED' });
    expect(runsOf(e, 'notexecuted')[0].attempts).toEqual([]);
  },
  'run-if-error.yml': async () => {
    const e = await run('run-if-error.yml');
    expect(e.state.current).toBe('FAILED');
    expect(runsOf(e, 'willfailtheflow')[0].error).toMatchObject({ task: 'willfailtheflow', property: 'runIf' });
  },
  'task-properties.yml': async () => {
    const e = await run('task-properties.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(statesOf(e)).toEqual({ described: 'SUCCESS' });
    expect(value(e, 'described')).toBe('described');
  },
  'for-each.yml': async () => {
    const e = await run('for-each.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList.map((r) => (r.value !== undefined ? `${r.taskId}[${r.value}]` : r.taskId))).toEqual([
      'for_each', 'first[value 1]', 'second[value 1]', 'first[value 2]', 'second[value 2]', 'first[3]', 'second[3]', 'pick',
    ]);
    expect(value(e, 'first', '3')).toBe('first with 3');
    expect(value(e, 'pick')).toBe('first with value 2!');
  },
  'for-each-json.yml': async () => {
    const e = await run('for-each-json.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(runsOf(e, 'name').map((r) => r.outputs?.value).sort()).toEqual(['a', 'b']);
  },
  'for-each-concurrency.yml': async () => {
    const e = await run('for-each-concurrency.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(runsOf(e, 'check').map((r) => `${r.value}:${String(r.outputs?.value)}`).sort()).toEqual(['1:1', '2:4', '3:9', '4:16', '5:25']);
  },
  'for-each-nested.yml': async () => {
    const e = await run('for-each-nested.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(runsOf(e, 'pair').map((r) => r.outputs?.value)).toEqual(['a1 a', 'a2 a', 'b1 b', 'b2 b']);
  },
  'for-each-empty.yml': async () => {
    const e = await run('for-each-empty.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(statesOf(e)).toEqual({ loop: 'SUCCESS', after: 'SUCCESS' });
  },
  'working-directory.yml': async () => {
    const e = await run('working-directory.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(statesOf(e)).toEqual({ wdir: 'SUCCESS', first: 'SUCCESS', local: 'SUCCESS', skipped: 'SKIPPED', second: 'SUCCESS', after: 'SUCCESS' });
    expect(runsOf(e, 'first')[0].parentTaskRunId).toBe(runsOf(e, 'wdir')[0].id);
    expect(outputOf(e, 'second')?.vars).toEqual({ copied: 'SELECT 42', after: 'first', deps: 'installed' });
    // `*.txt` matches top-level files only, as Kestra's globs do: deps/lib.txt is not kept.
    expect(Object.keys(outputOf(e, 'wdir')?.outputFiles as object)).toEqual(['copy.txt']);
    expect(value(e, 'after')).toBe('SELECT 42 / copy.txt / copy.txt');
  },
  'working-directory-failure.yml': async () => {
    const e = await run('working-directory-failure.yml');
    expect(e.state.current).toBe('FAILED');
    expect(statesOf(e)).toEqual({ wdir: 'FAILED', write: 'SUCCESS', boom: 'FAILED', on_error: 'SUCCESS', wdir_finally: 'SUCCESS' });
    expect(runsOf(e, 'boom')[0].attempts.map((a) => a.state.current)).toEqual(['FAILED']);
    expect(runsOf(e, 'boom')[0].error).toMatchObject({ task: 'boom', message: 'Command failed with exit code 3' });
    expect(value(e, 'on_error')).toBe('write ended with 0');
    expect(value(e, 'wdir_finally')).toBe('always');
  },
  'if.yml': async () => {
    const big = await run('if.yml');
    expect(big.state.current).toBe('SUCCESS');
    expect(statesOf(big)).toEqual({ big: 'SUCCESS', yes: 'SUCCESS', none: 'SUCCESS' });
    expect(outputOf(big, 'big')).toEqual({ evaluationResult: true });
    expect(outputOf(big, 'none')).toEqual({ evaluationResult: false });
    const small = await run('if.yml', { n: 1 });
    expect(statesOf(small)).toEqual({ big: 'SUCCESS', no: 'SUCCESS', none: 'SUCCESS' });
    expect(value(small, 'no')).toBe('small');
  },
  'if-in-for-each.yml': async () => {
    const e = await run('if-in-for-each.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(runsOf(e, 'before_if')).toHaveLength(3);
    expect(runsOf(e, 'after_if').map((r) => r.outputs?.value)).toEqual(['After if value 2']);
  },
  'sleep.yml': async () => {
    const e = await run('sleep.yml');
    expect(e.state.current).toBe('SUCCESS');
    const [nap] = runsOf(e, 'nap');
    expect(nap.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
    expect(nap.attempts).toEqual([]);
    expect(value(e, 'after')).toBe('awake');
  },
  'dag.yml': async () => {
    const e = await run('dag.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList.map((r) => r.taskId)).toEqual(['graph', 'extract', 'branches', 'left', 'right', 'report']);
    expect(value(e, 'report')).toBe('L1+R1');
  },
  'loop-until.yml': async () => {
    const e = await run('loop-until.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(runsOf(e, 'count').map((r) => r.outputs?.value)).toEqual(['1', '2', '3']);
    expect(value(e, 'after')).toBe('3 iterations');
  },
  'subflow.yml': async () => {
    const ok = await run('subflow.yml');
    expect(ok.state.current).toBe('SUCCESS');
    expect(statesOf(ok)).toEqual({ call: 'SUCCESS', after: 'SUCCESS' });
    expect(value(ok, 'after')).toBe('SUCCESS: child done');
    expect(runsOf(ok, 'call')[0].attempts.map((a) => a.state.current)).toEqual(['SUCCESS']);
    const failed = await run('subflow.yml', { fail: true });
    expect(failed.state.current).toBe('FAILED');
    expect(statesOf(failed)).toEqual({ call: 'FAILED' });
  },
  'subflow-transmit-failed.yml': async () => {
    const e = await run('subflow-transmit-failed.yml');
    expect(e.state.current).toBe('WARNING');
    expect(statesOf(e)).toEqual({ quiet: 'SUCCESS', tolerated: 'WARNING', after: 'SUCCESS' });
    expect(runsOf(e, 'quiet')[0].error).toBeUndefined();
    expect(runsOf(e, 'tolerated')[0].error?.message).toMatch(/failed in task maybe: asked to fail/);
    expect(value(e, 'after')).toBe('quiet FAILED, tolerated FAILED');
  },
  'assert.yml': async () => {
    const e = await run('assert.yml');
    expect(e.state.current).toBe('FAILED');
    expect(statesOf(e)).toEqual({ holds: 'SUCCESS', broken: 'FAILED', report: 'SUCCESS' });
    expect(runsOf(e, 'broken')[0].error).toMatchObject({ task: 'broken', message: '1 assertion failed!\nparam was ok' });
  },
  'exit.yml': async () => {
    const e = await run('exit.yml');
    expect(e.state.current).toBe('WARNING');
    expect(statesOf(e)).toEqual({ if: 'WARNING', exit: 'WARNING' });
    const on = await run('exit.yml', { state: 'CONTINUE' });
    expect(on.state.current).toBe('SUCCESS');
    expect(statesOf(on)).toEqual({ if: 'SUCCESS', hello: 'SUCCESS', end: 'SUCCESS' });
  },
  'exit-canceled.yml': async () => {
    const e = await run('exit-canceled.yml');
    expect(e.state.current).toBe('CANCELLED');
    expect(e.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'CANCELLED']);
    expect(statesOf(e)).toEqual({ check: 'SUCCESS', nothing_to_do: 'CANCELLED', cancel: 'CANCELLED' });
    expect(e.error).toBeUndefined();
  },
  'count.yml': async () => {
    const e = await run('count.yml');
    expect(e.state.current).toBe('SUCCESS');
    // This execution is running, so it counts itself: only the flow never deployed has none.
    expect(outputOf(e, 'counts')).toEqual({ results: [{ namespace: 'io.aloft.kestra1x', flowId: 'never-deployed', count: 0 }], total: 0 });
    expect(runsOf(e, 'alert').map((r) => r.outputs?.value)).toEqual(['Flow never-deployed has no execution for the last 24h!']);
  },
  'checks.yml': async () => {
    const e = await run('checks.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(value(e, 'hello')).toBe('Hello Kestra!');
    // A blocking check that fails: no execution is created, and the error lists the failed checks.
    await expect(run('checks.yml', { name: 'other' })).rejects.toMatchObject({
      code: 'CHECK_FAILED',
      message: "Flow execution blocked: one or more condition checks evaluated to false.\nFailed checks: Sorry, this flow can only be executed with 'Kestra', "
        + 'Non-approved source detected. Use https://dummyjson.com when possible.',
    });
  },
  'checks-fail.yml': async () => {
    const e = await run('checks-fail.yml');
    expect(e.state.current).toBe('FAILED');
    expect(e.state.histories.map((h) => h.state)).toEqual(['CREATED', 'FAILED']);
    expect(e.taskRunList).toEqual([]);
    expect(e.error).toMatchObject({ code: 'CHECK_FAILED', message: expect.stringContaining('Failed checks: Prod runs need an approval') });
    const dev = await run('checks-fail.yml', { environment: 'dev' });
    expect(dev.state.current).toBe('SUCCESS');
    expect(statesOf(dev)).toEqual({ deploy: 'SUCCESS' });
  },
  'retry-attempts.yml': async () => {
    const e = await run('retry-attempts.yml');
    expect(e.state.current).toBe('WARNING');
    expect(statesOf(e)).toEqual({ flaky: 'WARNING', after: 'SUCCESS' });
    const flaky = runsOf(e, 'flaky')[0];
    expect(flaky.attempts.map((a) => a.state.current)).toEqual(['FAILED', 'FAILED', 'SUCCESS']);
    // As Kestra records a retry: the run FAILED then RETRYING, then CREATED again; the execution RETRYING meanwhile.
    expect(flaky.state.histories.map((h) => h.state)).toEqual([
      'CREATED', 'RUNNING', 'FAILED', 'RETRYING', 'CREATED', 'RUNNING', 'FAILED', 'RETRYING', 'CREATED', 'RUNNING', 'WARNING',
    ]);
    expect(e.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'RETRYING', 'RUNNING', 'RETRYING', 'RUNNING', 'WARNING']);
  },
  'after-execution.yml': async () => {
    const e = await run('after-execution.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList.map((r) => r.taskId)).toEqual(['hello', 'fail', 'cleanup', 'end', 'notify']);
    expect(outputOf(e, 'end')).toEqual({ values: { state: 'SUCCESS' } });
    expect(value(e, 'notify')).toBe(`execution ${e.id} ended SUCCESS`);
    const failed = await run('after-execution.yml', { fail: true });
    expect(failed.state.current).toBe('FAILED');
    expect(statesOf(failed)).toEqual({ hello: 'SUCCESS', fail: 'FAILED', cleanup: 'SUCCESS', end: 'SUCCESS', notify: 'SUCCESS' });
    expect(outputOf(failed, 'end')).toEqual({ values: { state: 'FAILED' } });
  },
  'labels-task.yml': async () => {
    const e = await run('labels-task.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(statesOf(e)).toEqual({ by_map: 'SUCCESS', by_list: 'SUCCESS', show: 'SUCCESS' });
    expect(e.labels).toEqual({ team: 'ops', stage: 'final', customerId: 'c-42', order_id: 'o-1' });
    expect(value(e, 'show')).toBe('ops final c-42 o-1');
  },
  'set-variables.yml': async () => {
    const e = await run('set-variables.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(statesOf(e)).toEqual({ set_vars: 'SUCCESS', hello: 'SUCCESS', unset_variables: 'SUCCESS', after: 'SUCCESS' });
    expect(value(e, 'hello')).toBe('Hello Loïc');
    expect(value(e, 'after')).toBe('gone Loïc');
  },
  'kill.yml': async () => {
    const e = await run('kill.yml');
    expect(e.state.current).toBe('KILLED');
    expect(statesOf(e)).toEqual({ before: 'SUCCESS', kill: 'KILLED' });
    const spared = await run('kill.yml', { shouldKill: false });
    expect(spared.state.current).toBe('SUCCESS');
    expect(statesOf(spared)).toEqual({ before: 'SUCCESS', kill: 'SKIPPED', after: 'SUCCESS' });
  },
  'resume-task.yml': async () => {
    const e = await run('resume-task.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(statesOf(e)).toEqual({ parallel: 'SUCCESS', wait: 'SUCCESS', resume: 'SUCCESS', after: 'SUCCESS' });
    expect(value(e, 'after')).toBe('yes resume-task');
  },
  'pause.yml': async () => {
    const e = await run('pause.yml');
    expect(e.state.current).toBe('WARNING');
    expect(statesOf(e)).toEqual({ short: 'SUCCESS', warned: 'WARNING', after: 'SUCCESS' });
  },
  'finally.yml': async () => {
    const e = await run('finally.yml');
    expect(e.state.current).toBe('FAILED');
    expect(e.taskRunList.map((r) => `${r.taskId}:${r.state.current}`)).toEqual([
      'group:SUCCESS', 'work:SUCCESS', 'group_cleanup:SUCCESS', 'boom:FAILED', 'alert:SUCCESS', 'cleanup:SUCCESS',
    ]);
    expect(value(e, 'group_cleanup')).toBe('cleaned after working');
  },
  'subflow-outputs.yml': async () => {
    const e = await run('subflow-outputs.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(outputOf(e, 'call')).toMatchObject({ state: 'SUCCESS', outputs: { doubled: 42 } });
    expect(value(e, 'use')).toBe('got 42');
    expect(e.outputs).toEqual({ answer: 42, summary: 'got 42' });
  },
  'bash-0.4.yml': async () => {
    const e = await run('bash-0.4.yml');
    expect(e.state.current).toBe('WARNING');
    expect(statesOf(e)).toEqual({ noisy: 'WARNING', quiet: 'SUCCESS' });
    expect(outputOf(e, 'noisy')).toMatchObject({ exitCode: 0, stdOutLineCount: 2, stdErrLineCount: 1 });
    expect(outputOf(e, 'quiet')).toMatchObject({ stdOutLineCount: 0, stdErrLineCount: 1 });
  },
  'render.yml': async () => {
    const e = await run('render.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(value(e, 'rendered')).toBe('Hello Ada');
    expect(value(e, 'nested')).toBe('Hello Ada!');
  },
  'select-inputs.yml': async () => {
    const e = await run('select-inputs.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(e.inputs).toEqual({ env: 'staging', regions: ['eu', 'us'] });
    expect(value(e, 'pick')).toBe('staging in eu,us');
    await expect(run('select-inputs.yml', { env: 'qa' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  },
  'concurrency.yml': async () => {
    const e = await run('concurrency.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(e.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
    expect(value(e, 'alone')).toBe('ran alone');
  },
  'parallel.yml': async () => {
    const e = await run('parallel.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(statesOf(e)).toEqual({ parallel: 'SUCCESS', one: 'SUCCESS', two: 'SUCCESS', three: 'SUCCESS', sum: 'SUCCESS' });
    expect(value(e, 'sum')).toBe('123');
  },
  'switch.yml': async () => {
    const e = await run('switch.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(statesOf(e)).toEqual({ route: 'SUCCESS', fallback: 'SUCCESS' });
    expect(value(e, 'fallback')).toBe('no case for other');
    const csv = await run('switch.yml', { kind: 'csv' });
    expect(statesOf(csv)).toEqual({ route: 'SUCCESS', csv: 'SUCCESS' });
  },
  'retry-errors.yml': async () => {
    const e = await run('retry-errors.yml');
    expect(e.state.current).toBe('FAILED');
    expect(statesOf(e)).toEqual({ flaky: 'FAILED', alert: 'SUCCESS' });
    expect(runsOf(e, 'flaky')[0].attempts.map((a) => a.state.current)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(runsOf(e, 'flaky')[0].error).toMatchObject({ message: 'still broken' });
    expect(value(e, 'alert')).toBe('alert after a failure');
  },
  'plugin-defaults.yml': async () => {
    const e = await run('plugin-defaults.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(value(e, 'defaulted')).toBe('from the defaults');
    expect(value(e, 'own')).toBe('its own');
    expect(statesOf(e)).toEqual({ defaulted: 'SUCCESS', own: 'SUCCESS', forced: 'SUCCESS' });
    // A forced default wins over the task's own value; maps merge.
    expect(outputOf(e, 'forced')).toEqual({ values: { env: 'forced', extra: 'kept' } });
  },
  'labels-list.yml': async () => {
    const e = await run('labels-list.yml');
    expect(e.state.current).toBe('SUCCESS');
    expect(e.labels).toEqual({ team: 'data', tier: '1' });
    expect(value(e, 'read')).toBe('data-1');
  },
  'fail-condition.yml': async () => {
    const e = await run('fail-condition.yml');
    expect(e.state.current).toBe('WARNING');
    expect(statesOf(e)).toEqual({ check_ok: 'SUCCESS', check_bad: 'WARNING', after: 'SUCCESS' });
    expect(runsOf(e, 'check_bad')[0].error).toMatchObject({ message: 'limit 3 is too low' });
  },
};

describe('the Kestra 1.x corpus on the embedded runtime', () => {
  for (const [name, check] of Object.entries(cases)) it(`${name} ends as Kestra 1.x ends it`, check);

  it('checks every flow of the corpus', () => {
    const files = readdirSync(dir).filter((n) => n.endsWith('.yml')).sort();
    expect(files).toEqual(Object.keys(cases).sort());
  });
});
