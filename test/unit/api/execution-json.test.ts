import { executionOutputs, toExecutionJson } from '../../../lib/api/execution-json';
import { newExecution } from '../../../lib/engine';
import type { Execution } from '../../../lib/model/execution';
import { secretValue } from '../../../lib/model/secret-value';

const flow = { id: 'f', namespace: 'ns', tasks: [{ id: 't', type: 'io.kestra.core.tasks.debugs.Return' }] };

function withSecrets(): Execution {
  const e = newExecution({ id: 'e1', flow, inputs: { user: 'ada', pw: secretValue('hunter2-s3cret') }, now: new Date('2026-01-01T00:00:00Z') });
  const run = { id: 'r1', taskId: 't', state: e.state, attempts: [], outputs: { token: secretValue('hunter2-s3cret'), n: 1 } };
  return { ...e, outputs: { pw: secretValue('hunter2-s3cret') }, taskRunList: [run as unknown as Execution['taskRunList'][number]] };
}

describe('toExecutionJson', () => {
  it('shows SECRET inputs, flow outputs and task outputs as ******', () => {
    const json = toExecutionJson(withSecrets());
    expect(json.inputs).toEqual({ user: 'ada', pw: '******' });
    expect(json.outputs).toEqual({ pw: '******' });
    expect(json.taskRunList[0].outputs).toEqual({ token: '******', n: 1 });
    expect(JSON.stringify(json)).not.toContain('hunter2');
  });
});

describe('executionOutputs', () => {
  it('masks SECRET values in the outputs aloft run prints', () => {
    expect(executionOutputs(withSecrets())).toEqual({ t: { token: '******', n: 1 } });
  });
});
