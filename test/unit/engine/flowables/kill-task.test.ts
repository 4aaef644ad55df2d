import { LOG, RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const KILL = 'io.kestra.plugin.core.execution.Kill';
const SUBFLOW = 'io.kestra.plugin.core.flow.Subflow';
const PARALLEL = 'io.kestra.core.tasks.flows.Parallel';

describe('Kill (task)', () => {
  it('kills the current execution: itself, and a task running beside it, end KILLED; nothing after it runs', () => {
    const h = Harness.start(flow([
      { id: 'par', type: PARALLEL, tasks: [{ id: 'slow', type: LOG, message: 'x' }, { id: 'kill', type: KILL }] },
      { id: 'never', type: RETURN },
    ]));
    h.started('slow');
    expect(h.effectsOf('StopWorkerTask').map((e) => e.taskRunId)).toEqual([h.run('slow').id]);
    h.answer('slow', { state: 'KILLED' });
    expect(h.states()).toEqual({ par: 'KILLED', slow: 'KILLED', kill: 'KILLED' });
    expect(h.state).toBe('KILLED');
  });

  it('with propagateKill, also kills a child it did not wait for; without, leaves it running', () => {
    const start = (propagateKill: boolean) => {
      const h = Harness.start(flow([
        { id: 'child', type: SUBFLOW, namespace: 'n', flowId: 'c', wait: false },
        { id: 'kill', type: KILL, propagateKill },
      ]));
      const [s] = h.effectsOf('StartSubflow', h.last);
      h.send({ type: 'SubflowStarted', taskRunId: s.parentTaskRunId, childExecutionId: s.childExecutionId });
      return { h, child: s.childExecutionId };
    };
    const on = start(true);
    expect(on.h.effectsOf('KillSubflow', on.h.last)).toEqual([{ type: 'KillSubflow', childExecutionId: on.child }]);
    expect(on.h.state).toBe('KILLED');
    const off = start(false);
    expect(off.h.effectsOf('KillSubflow')).toEqual([]);
    expect(off.h.states()).toEqual({ child: 'SUCCESS', kill: 'KILLED' });
    expect(off.h.state).toBe('KILLED');
  });

  it('fails naming propagateKill when it is not a boolean', () => {
    const h = Harness.start(flow([{ id: 'kill', type: KILL, propagateKill: 'maybe' }]));
    expect(h.run('kill').error).toMatchObject({ task: 'kill', property: 'propagateKill' });
    expect(h.state).toBe('FAILED');
  });
});
