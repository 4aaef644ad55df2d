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

  it('asks for another execution to be resumed, waits, and ends SUCCESS naming it in vars.resumedExecution', () => {
    const h = Harness.start(flow([
      { id: 'resume', type: RESUME, executionId: '{{ inputs.other }}', namespace: 'team', flowId: 'approval', inputs: { ok: '{{ 1 + 1 }}' } },
      { id: 'end', type: RETURN },
    ]), { inputs: { other: 'x9' } });
    const run = h.run('resume');
    expect(run.state.current).toBe('RUNNING');
    expect(h.effectsOf('ResumeOtherExecution', h.last)).toEqual([{
      type: 'ResumeOtherExecution', executionId: 'e1', taskRunId: run.id, target: { executionId: 'x9', namespace: 'team', flowId: 'approval' }, inputs: { ok: 2 },
    }]);
    expect(h.pending()).toEqual([]);
    h.send({ type: 'OtherResumed', taskRunId: run.id, executionId: 'x9', namespace: 'team', flowId: 'approval' });
    expect(h.run('resume').state.current).toBe('SUCCESS');
    expect(h.pending()[0].variables.vars).toEqual({ resumedExecution: { id: 'x9', namespace: 'team', flowId: 'approval' } });
  });

  it('fails naming executionId when the other execution could not be resumed', () => {
    const h = Harness.start(flow([{ id: 'resume', type: RESUME, executionId: 'x9' }, { id: 'end', type: RETURN }]));
    h.send({ type: 'OtherResumed', taskRunId: h.run('resume').id, executionId: 'x9', error: { code: 'CONFLICT', message: 'execution x9 is RUNNING, not PAUSED' } });
    expect(h.run('resume').state.current).toBe('FAILED');
    expect(h.run('resume').error).toMatchObject({ task: 'resume', property: 'executionId', message: 'execution x9 is RUNNING, not PAUSED' });
    expect(h.state).toBe('FAILED');
  });

  it('treats its own execution id as the current execution, and refuses another namespace without an executionId', () => {
    const own = Harness.start(flow([{ id: 'resume', type: RESUME, executionId: '{{ execution.id }}' }]));
    expect(own.run('resume').state.current).toBe('SUCCESS');
    expect(own.effectsOf('ResumeOtherExecution')).toEqual([]);
    const bad = Harness.start(flow([{ id: 'resume', type: RESUME, namespace: 'elsewhere' }]));
    expect(bad.run('resume').error).toMatchObject({ property: 'namespace', message: expect.stringContaining('names no execution') });
  });
});
