// The Resume task (Kestra 1.x) on another execution, on the embedded runtime: it resumes a PAUSED one
// with inputs checked as the Pause declares them, and fails naming the reason otherwise.
import { LocalRuntime } from '../../lib/runtime/embedded/runtime';
import { waitFor } from '../contract/suites/helpers';
import { tempDir } from '../helpers/temp-dirs';

const NS = 'e2e.resume';
const WAITING = `id: waiting
namespace: ${NS}
tasks:
  - id: approve
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: reason
        type: STRING
  - id: done
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.approve.onResume.reason }}"
`;
const RESUMER = `id: resumer
namespace: ${NS}
inputs:
  - id: target
    type: STRING
tasks:
  - id: resume
    type: io.kestra.plugin.core.execution.Resume
    executionId: "{{ inputs.target }}"
    namespace: ${NS}
    flowId: waiting
    inputs:
      reason: approved by {{ flow.id }}
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ vars.resumedExecution.id }}"
`;

describe('the Resume task on another execution', () => {
  let rt: LocalRuntime;
  beforeEach(async () => {
    rt = new LocalRuntime({ env: { ALOFT_DATA_DIR: tempDir('aloft-resume-') } });
    await rt.deploy(WAITING);
    await rt.deploy(RESUMER);
  });
  afterEach(async () => {
    await rt.close();
  });

  const start = async (flowId: string, inputs?: Record<string, unknown>): Promise<string> => {
    const stored = (await rt.flowRepo.get(NS, flowId))!;
    return (await rt.startExecution({ flow: { ...stored.flow, revision: stored.revision }, inputs })).id;
  };

  it('resumes a PAUSED execution of another flow with its inputs', async () => {
    const waiting = await start('waiting');
    await waitFor(async () => (await rt.get(waiting))?.state.current === 'PAUSED', 'the Pause');
    const resumer = await rt.waitForEnd(await start('resumer', { target: waiting }));
    expect(resumer.state.current).toBe('SUCCESS');
    expect(resumer.taskRunList.find((r) => r.taskId === 'after')?.outputs).toEqual({ value: waiting });
    const resumed = await rt.waitForEnd(waiting);
    expect(resumed.state.current).toBe('SUCCESS');
    expect(resumed.taskRunList.find((r) => r.taskId === 'done')?.outputs).toEqual({ value: 'approved by resumer' });
  });

  it('fails naming executionId when the execution does not exist, runs another flow or is not PAUSED', async () => {
    const missing = await rt.waitForEnd(await start('resumer', { target: 'nobody' }));
    expect(missing.state.current).toBe('FAILED');
    expect(missing.taskRunList.find((r) => r.taskId === 'resume')?.error).toMatchObject({
      task: 'resume', property: 'executionId', message: 'no execution found for execution id nobody',
    });
    const ended = await start('resumer', { target: 'nobody' });
    await rt.waitForEnd(ended);
    const notPaused = await rt.waitForEnd(await start('resumer', { target: ended }));
    expect(notPaused.taskRunList.find((r) => r.taskId === 'resume')?.error).toMatchObject({
      message: `execution ${ended} runs flow ${NS}.resumer, not ${NS}.waiting`,
    });
    const waiting = await start('waiting');
    await waitFor(async () => (await rt.get(waiting))?.state.current === 'PAUSED', 'the Pause');
    await rt.resume(waiting, { reason: 'by hand' });
    await rt.waitForEnd(waiting);
    const late = await rt.waitForEnd(await start('resumer', { target: waiting }));
    expect(late.taskRunList.find((r) => r.taskId === 'resume')?.error).toMatchObject({ message: `execution ${waiting} is SUCCESS, not PAUSED` });
  });
});
