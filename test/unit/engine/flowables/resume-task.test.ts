import { LOG, RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const RESUME = 'io.kestra.plugin.core.execution.Resume';
const PAUSE = 'io.kestra.plugin.core.flow.Pause';
const PARALLEL = 'io.kestra.core.tasks.flows.Parallel';

const waiting = (resume: Record<string, unknown>) => flow([{
  id: 'par', type: PARALLEL, tasks: [
    { id: 'wait', type: PAUSE },
    { id: 'work', type: 'io.kestra.core.tasks.flows.Sequential', tasks: [{ id: 'step', type: LOG, message: 'x' }, { id: 'resume', type: RESUME, ...resume }] },
  ],
}, { id: 'end', type: RETURN }]);

describe('Resume (task)', () => {
  it('resumes a Pause of the current execution with its inputs and ends SUCCESS', () => {
    const h = Harness.start(waiting({ inputs: { approved: '{{ 1 + 1 }}' } }));
    expect(h.run('wait').state.current).toBe('PAUSED');
    h.succeed('step');
    expect(h.run('resume').state.current).toBe('SUCCESS');
    expect(h.run('resume').attempts).toEqual([]);
    expect(h.run('wait').state.current).toBe('SUCCESS');
    expect(h.run('wait').outputs).toEqual({ onResume: { approved: 2 } });
    h.drive();
    expect(h.state).toBe('SUCCESS');
  });

  it('ends SUCCESS when nothing waits', () => {
    const h = Harness.start(flow([{ id: 'resume', type: RESUME }, { id: 'end', type: RETURN }]));
    expect(h.run('resume').state.current).toBe('SUCCESS');
    expect(h.pending().map((w) => w.taskId)).toEqual(['end']);
    expect(h.pending()[0].variables.vars).toEqual({ resumedExecution: { id: h.execution.id, namespace: 'test', flowId: 'f' } });
  });

  it('fails naming executionId when asked to resume another execution, and accepts its own id', () => {
    const other = Harness.start(flow([{ id: 'resume', type: RESUME, executionId: 'someone-else' }]));
    expect(other.run('resume').error).toMatchObject({ task: 'resume', property: 'executionId', message: expect.stringContaining('not supported yet') });
    const own = Harness.start(flow([{ id: 'resume', type: RESUME, executionId: '{{ execution.id }}' }]));
    expect(own.run('resume').state.current).toBe('SUCCESS');
  });
});
