import { LOG, RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const EXIT = 'io.kestra.plugin.core.execution.Exit';
const IF = 'io.kestra.plugin.core.flow.If';
const PARALLEL = 'io.kestra.core.tasks.flows.Parallel';

// Kestra's own test flow (flows/valids/exit.yaml), with the state as an input.
const exitFlow = flow([
  {
    id: 'if', type: IF, condition: "{{ inputs.state == 'CONTINUE' }}",
    then: [{ id: 'hello', type: LOG, message: 'continuing' }],
    else: [{ id: 'exit', type: EXIT, state: '{{ inputs.exitState }}' }],
  },
  { id: 'end', type: LOG, message: 'ending' },
]);

describe('Exit', () => {
  it('ends itself, its parents and the execution in its state, and no later task is created (Kestra\'s exit.yaml)', () => {
    const h = Harness.start(exitFlow, { inputs: { state: 'END', exitState: 'WARNING' } });
    expect(h.states()).toEqual({ if: 'WARNING', exit: 'WARNING' });
    expect(h.history('exit')).toEqual(['CREATED', 'RUNNING', 'WARNING']);
    expect(h.state).toBe('WARNING');
    expect(h.pending()).toEqual([]);
    expect(h.effectsOf('ExecutionEnded')).toEqual([expect.objectContaining({ state: 'WARNING' })]);
  });

  it('ends SUCCESS by default, and FAILED when asked, with no task error', () => {
    const ok = Harness.start(flow([{ id: 'exit', type: EXIT }, { id: 'never', type: RETURN }]));
    expect(ok.states()).toEqual({ exit: 'SUCCESS' });
    expect(ok.state).toBe('SUCCESS');
    const failed = Harness.start(flow([{ id: 'exit', type: EXIT, state: 'FAILED' }, { id: 'never', type: RETURN }]));
    expect(failed.states()).toEqual({ exit: 'FAILED' });
    expect(failed.state).toBe('FAILED');
    expect(failed.run('exit').error).toBeUndefined();
  });

  it('ends the execution without running errors or finally', () => {
    const h = Harness.start(flow([{ id: 'exit', type: EXIT, state: 'FAILED' }], {
      errors: [{ id: 'alert', type: LOG, message: 'x' }], finally: [{ id: 'cleanup', type: LOG, message: 'y' }],
    }));
    expect(h.states()).toEqual({ exit: 'FAILED' });
    expect(h.pending()).toEqual([]);
    expect(h.state).toBe('FAILED');
  });

  it('with KILLED, kills the execution: itself and its parents end KILLED (Kestra\'s exit-killed.yaml)', () => {
    const h = Harness.start(exitFlow, { inputs: { state: 'END', exitState: 'KILLED' } });
    expect(h.states()).toEqual({ if: 'KILLED', exit: 'KILLED' });
    expect(h.state).toBe('KILLED');
  });

  it('stops a task still running in a parallel branch, which ends KILLED', () => {
    const h = Harness.start(flow([{
      id: 'par', type: PARALLEL, tasks: [
        { id: 'slow', type: LOG, message: 'x' },
        { id: 'exit', type: EXIT, state: 'WARNING' },
      ],
    }, { id: 'never', type: RETURN }]));
    expect(h.state).toBe('WARNING');
    expect(h.states()).toEqual({ par: 'WARNING', slow: 'KILLED', exit: 'WARNING' });
    expect(h.effectsOf('StopWorkerTask').map((e) => e.taskRunId)).toEqual([h.run('slow').id]);
  });

  it('leaves the execution running when its branch is not taken', () => {
    const h = Harness.start(exitFlow, { inputs: { state: 'CONTINUE', exitState: 'WARNING' } });
    h.drive();
    expect(h.states()).toEqual({ if: 'SUCCESS', hello: 'SUCCESS', end: 'SUCCESS' });
    expect(h.state).toBe('SUCCESS');
  });

  it('with CANCELED (Kestra\'s spelling), ends itself, its parents and the execution CANCELLED, with no error', () => {
    const h = Harness.start(exitFlow, { inputs: { state: 'END', exitState: 'CANCELED' } });
    expect(h.states()).toEqual({ if: 'CANCELLED', exit: 'CANCELLED' });
    expect(h.history('exit')).toEqual(['CREATED', 'RUNNING', 'CANCELLED']);
    expect(h.state).toBe('CANCELLED');
    expect(h.execution.error).toBeUndefined();
    expect(h.pending()).toEqual([]);
    expect(h.effectsOf('ExecutionEnded')).toEqual([expect.objectContaining({ state: 'CANCELLED' })]);
  });

  it('fails naming state for an unknown state, CANCELLED (Kestra\'s state name, not an ExitState) included', () => {
    const h = Harness.start(flow([{ id: 'exit', type: EXIT, state: 'DONE' }]));
    expect(h.run('exit').error).toMatchObject({ flow: 'test.f', task: 'exit', property: 'state', message: expect.stringContaining("'DONE'") });
    expect(h.run('exit').error?.message).toContain('CANCELED');
    expect(h.state).toBe('FAILED');
    const c = Harness.start(flow([{ id: 'exit', type: EXIT, state: 'CANCELLED' }]));
    expect(c.run('exit').error).toMatchObject({ property: 'state', message: expect.stringContaining("'CANCELLED'") });
  });
});
