// SECRET inputs on aloft server, over real HTTP: tasks see the clear value, while the execution, its
// task outputs, the execution list and the logs the API answers show it masked.
import { startServer, type Harness } from './server-harness';

const NS = 'io.aloft.secrets';
const CLEAR = 'hunter2-s3cret';

const FLOW = `id: login
namespace: ${NS}
inputs:
  - id: pw
    type: SECRET
  - id: user
    type: STRING
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "connecting as {{ inputs.user }} with {{ inputs.pw }}"
  - id: out
    type: io.kestra.plugin.core.output.OutputValues
    values:
      pw: "{{ inputs.pw }}"
      length: "{{ inputs.pw | length }}"
`;

describe('SECRET inputs on aloft server', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer();
    expect((await h.call('POST', '/api/v1/flows', { yaml: FLOW })).status).toBeLessThan(300);
  });
  afterAll(() => h.stop());

  it('reach the tasks in clear but never appear in the execution, its outputs or its logs as the API answers them', async () => {
    const run = await h.call('POST', `/api/v1/executions/${NS}/login?wait=true`, { json: { inputs: { pw: CLEAR, user: 'ada' } } });
    expect(run.status).toBe(200);
    expect(run.body.state.current).toBe('SUCCESS');
    expect(run.body.inputs).toEqual({ pw: '******', user: 'ada' });
    // The task computed with the clear value (its length), and its output shows it masked.
    expect(run.body.taskRunList.find((r: { taskId: string }) => r.taskId === 'out').outputs).toEqual({ values: { pw: '******', length: CLEAR.length } });

    const got = await h.call('GET', `/api/v1/executions/${run.body.id}`);
    const logs = await h.call('GET', `/api/v1/logs/${run.body.id}`);
    const list = await h.call('GET', `/api/v1/executions/search?namespace=${NS}`);
    expect(logs.body).toContainEqual(expect.objectContaining({ taskId: 'log', message: 'connecting as ada with ******' }));
    for (const answer of [run, got, logs, list]) {
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).not.toContain(CLEAR);
    }
  });

  it('are refused when not text, without quoting the value', async () => {
    const bad = await h.call('POST', `/api/v1/executions/${NS}/login`, { json: { inputs: { pw: 1234567, user: 'ada' } } });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain("input 'pw': expected SECRET (a string), got a number");
    expect(JSON.stringify(bad.body)).not.toContain('1234567');
  });
});
