// Every example flow, run to the end on the embedded runtime.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { outputOf, runFlowFile, runsOf } from '../helpers/local-run';

const ex = (name: string): string => join(__dirname, '../../examples', name);

describe('the example flows on the embedded runtime', () => {
  it('hello greets the world by default', async () => {
    const { execution } = await runFlowFile(ex('hello.yml'));
    expect(execution.state.current).toBe('SUCCESS');
    expect(outputOf(execution, 'greet')).toEqual({ value: 'Hello, world!' });
  });

  it('hello greets whoever the input names', async () => {
    const { execution } = await runFlowFile(ex('hello.yml'), { inputs: { who: 'Ada' } });
    expect(outputOf(execution, 'greet')).toEqual({ value: 'Hello, Ada!' });
  });

  it('parallel runs every branch before the task after it', async () => {
    const { execution } = await runFlowFile(ex('parallel.yml'));
    expect(execution.state.current).toBe('SUCCESS');
    expect(outputOf(execution, 'join')).toEqual({ value: 'ABC' });
  });

  it('switch takes the matching case', async () => {
    const { execution } = await runFlowFile(ex('switch.yml'), { inputs: { color: 'green' } });
    expect(execution.state.current).toBe('SUCCESS');
    expect(outputOf(execution, 'go')).toEqual({ value: 'go' });
    expect(runsOf(execution, 'stop')).toHaveLength(0);
  });

  it('switch falls back to defaults for an unknown value', async () => {
    const { execution } = await runFlowFile(ex('switch.yml'), { inputs: { color: 'blue' } });
    expect(outputOf(execution, 'wait')).toEqual({ value: 'wait' });
  });

  it('each deduplicates values and addresses outputs by value', async () => {
    const { execution } = await runFlowFile(ex('each.yml'));
    expect(execution.state.current).toBe('SUCCESS');
    expect(runsOf(execution, 'upper').map((r) => r.value).sort()).toEqual(['3', 'a a', 'b']);
    expect(runsOf(execution, 'echo')).toHaveLength(3);
    expect(outputOf(execution, 'pick')).toEqual({ value: 'A A/item z' });
  });

  it('errors runs the errors branch and still ends FAILED, with no run for the tasks after the failure', async () => {
    const { execution } = await runFlowFile(ex('errors.yml'));
    expect(execution.state.current).toBe('FAILED');
    expect(runsOf(execution, 'alert')[0]?.state.current).toBe('SUCCESS');
    expect(runsOf(execution, 'never')).toHaveLength(0);
    expect(runsOf(execution, 'boom')[0]?.error?.message).toContain('something broke');
  });

  it('allow-failure ends WARNING and carries on', async () => {
    const { execution } = await runFlowFile(ex('allow-failure.yml'));
    expect(execution.state.current).toBe('WARNING');
    expect(runsOf(execution, 'note')[0]?.state.current).toBe('SUCCESS');
    expect(outputOf(execution, 'after')).toEqual({ value: 'still here' });
  });

  it('retry adds attempts to the same task run and warns after a late success', async () => {
    const { execution } = await runFlowFile(ex('retry.yml'));
    const [flaky] = runsOf(execution, 'flaky');
    expect(runsOf(execution, 'flaky')).toHaveLength(1);
    expect(flaky.attempts).toHaveLength(3);
    expect(flaky.state.current).toBe('WARNING');
    expect((flaky.outputs?.vars as Record<string, unknown>)?.attempts).toBe(2);
    expect(execution.state.current).toBe('WARNING');
  });

  it('subflow waits for the child and reads its outputs', async () => {
    const { execution } = await runFlowFile(ex('subflow.yml'), { flowsDir: ex('flows') });
    expect(execution.state.current).toBe('SUCCESS');
    expect(outputOf(execution, 'use')).toEqual({ value: `child said FROM PARENT ${execution.id.toUpperCase()}` });
  });

  it('subflow fails the calling task clearly when the child flow is unknown', async () => {
    const { execution } = await runFlowFile(ex('subflow.yml'));
    expect(execution.state.current).toBe('FAILED');
    expect(runsOf(execution, 'call')[0]?.error?.message).toMatch(/unknown subflow.*io\.aloft\.examples\.child/);
  });

  it('pause waits for its delay, then runs its tasks', async () => {
    const { execution } = await runFlowFile(ex('pause.yml'));
    expect(execution.state.current).toBe('SUCCESS');
    const [wait] = runsOf(execution, 'wait');
    expect(wait.state.histories.filter((h) => h.state === 'PAUSED')).toHaveLength(1);
    expect(outputOf(execution, 'after_wait')).toEqual({ value: 'resumed' });
  });

  it('bash reads input files and env, and sets outputs from stdout and output files', async () => {
    const { execution } = await runFlowFile(ex('bash.yml'));
    expect(execution.state.current).toBe('SUCCESS');
    expect(String(outputOf(execution, 'show')?.value)).toMatch(/^hello 3 kestra:\/\/\/io\/aloft\/examples\/bash\/executions\/.+\/result\.txt$/);
  });

  it('inputs-file types its inputs and copies the file into internal storage', async () => {
    const { execution } = await runFlowFile(ex('inputs-file.yml'), { inputs: { count: '3' }, files: { data: ex('files/data.csv') } });
    expect(execution.state.current).toBe('SUCCESS');
    expect(execution.inputs.count).toBe(3);
    expect(execution.inputs.ratio).toBe(0.5);
    expect(String(execution.inputs.data)).toMatch(/^kestra:\/\/\/io\/aloft\/examples\/inputs-file\/executions\/[^/]+\/inputs\/data\/data\.csv$/);
    expect((outputOf(execution, 'read')?.vars as Record<string, unknown>)?.lines).toBe(3);
  });

  it('covers every example file', () => {
    const files = readdirSync(join(__dirname, '../../examples')).filter((n) => n.endsWith('.yml')).sort();
    expect(files).toEqual(['allow-failure.yml', 'bash.yml', 'each.yml', 'errors.yml', 'hello.yml', 'inputs-file.yml', 'parallel.yml', 'pause.yml', 'retry.yml', 'subflow.yml', 'switch.yml']);
  });
});
