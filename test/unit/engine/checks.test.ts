import { checksBehavior, checksError, failedChecks } from '../../../lib/engine/checks';
import type { FlowCheck } from '../../../lib/model/flow';
import { LOG } from './helpers/catalog';
import { Harness, flow } from './helpers/harness';

const NOW = new Date('2024-03-14T10:00:00.000Z');
const check = (condition: string, behavior: FlowCheck['behavior'], message = condition): FlowCheck => ({ condition, message, style: 'INFO', behavior });
const guarded = (...checks: FlowCheck[]) => flow([{ id: 'hello', type: LOG, message: 'hi' }], { checks });

describe('flow checks', () => {
  it('holds when the condition renders the boolean true, with the inputs and the flow in scope', () => {
    const f = guarded(check("{{ (inputs.name | upper) == 'KESTRA' and flow.id == 'f' }}", 'BLOCK_EXECUTION'));
    expect(failedChecks(f, { name: 'kestra' }, NOW)).toEqual([]);
    expect(failedChecks(f, { name: 'other' }, NOW)).toEqual(f.checks);
  });

  it('fails a condition that renders anything but true: text, a number, false', () => {
    const f = guarded(check('true', 'CREATE_EXECUTION'), check('{{ 1 }}', 'CREATE_EXECUTION'), check('{{ 1 > 2 }}', 'CREATE_EXECUTION'));
    expect(failedChecks(f, {}, NOW).map((c) => c.condition)).toEqual(['true', '{{ 1 }}', '{{ 1 > 2 }}']);
  });

  it('turns a condition that cannot be rendered into a blocking check saying why (Kestra\'s FlowService)', () => {
    const [failed] = failedChecks(guarded(check('{{ inputs.missing }}', 'CREATE_EXECUTION')), {}, NOW);
    expect(failed).toMatchObject({ style: 'ERROR', behavior: 'BLOCK_EXECUTION' });
    expect(failed.message).toMatch(/^Failed to evaluate check condition\. Cause: .*missing/);
  });

  it('applies the strictest behavior of the failed checks: BLOCK, then FAIL, then CREATE', () => {
    const c = check('x', 'CREATE_EXECUTION');
    const f = check('x', 'FAIL_EXECUTION');
    const b = check('x', 'BLOCK_EXECUTION');
    expect(checksBehavior([])).toBeUndefined();
    expect(checksBehavior([c])).toBe('CREATE_EXECUTION');
    expect(checksBehavior([c, f])).toBe('FAIL_EXECUTION');
    expect(checksBehavior([f, b, c])).toBe('BLOCK_EXECUTION');
  });

  it('words the error as Kestra does, listing every failed check\'s message', () => {
    const failed = [check('x', 'BLOCK_EXECUTION', 'only Kestra'), check('y', 'CREATE_EXECUTION', 'not approved')];
    expect(checksError(guarded(), failed, 'BLOCK_EXECUTION')).toEqual({
      code: 'CHECK_FAILED', flow: 'test.f',
      message: 'Flow execution blocked: one or more condition checks evaluated to false.\nFailed checks: only Kestra, not approved',
    });
    expect(checksError(guarded(), failed, 'FAIL_EXECUTION').message).toMatch(/^Flow execution failed because one or more condition checks evaluated to false\./);
  });

  it('ends an execution created FAILED by its checks at its first step, running nothing and claiming no slot', () => {
    const f = guarded(check('{{ false }}', 'FAIL_EXECUTION', 'nope'));
    const h = Harness.create({ ...f, concurrency: { limit: 1, behavior: 'QUEUE' } });
    h.execution = { ...h.execution, error: checksError(f, f.checks!, 'FAIL_EXECUTION') };
    h.send({ type: 'ExecutionCreated' });
    expect(h.state).toBe('FAILED');
    expect(h.execution.taskRunList).toEqual([]);
    expect(h.execution.error).toMatchObject({ code: 'CHECK_FAILED', message: expect.stringContaining('Failed checks: nope') });
    expect(h.effectsOf('ClaimConcurrencySlot')).toEqual([]);
    expect(h.effectsOf('ExecutionEnded')).toEqual([expect.objectContaining({ state: 'FAILED' })]);
  });

  it('starts an execution without that error as usual', () => {
    const h = Harness.start(guarded(check('{{ false }}', 'CREATE_EXECUTION')));
    expect(h.state).toBe('RUNNING');
    expect(h.pending().map((t) => t.taskId)).toEqual(['hello']);
  });
});
