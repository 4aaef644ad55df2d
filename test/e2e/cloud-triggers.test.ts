// Triggers on the emulated cloud: a Flow trigger fires from the executor when an execution ends, and a
// Webhook starts an execution through the api function. Same flows as on `aloft server`.
import { join } from 'node:path';
import { startEmulatedCloud, type EmulatedCloud } from '../../lib/dev/cloud';
import type { Execution } from '../../lib/model/execution';
import { createFlow, createFlowFile, startExecution, waitForExecution } from '../helpers/emulated-cloud';

jest.setTimeout(300_000);

let cloud: EmulatedCloud;

beforeAll(async () => {
  cloud = await startEmulatedCloud({ logSink: () => undefined, pubsubTriggerTopics: ['orders'], schedulerIntervalMs: 1000 });
});

afterAll(async () => {
  await cloud?.stop();
});

async function searchOne(namespace: string, flowId: string, timeoutMs = 120_000): Promise<Execution> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${cloud.apiUrl}/api/v1/executions/search?namespace=${namespace}&flowId=${flowId}`);
    const { results } = (await res.json()) as { results: Execution[] };
    if (results.length > 0) return waitForExecution(cloud.apiUrl, results[0].id, timeoutMs);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no execution of ${namespace}.${flowId} within ${timeoutMs} ms`);
}

describe('triggers on the emulated cloud', () => {
  it('starts a flow whose Flow trigger matches an execution that just ended, with inputs from the trigger', async () => {
    await createFlow(cloud.apiUrl, `
id: upstream
namespace: test.cloudtriggers
tasks:
  - id: work
    type: io.kestra.core.tasks.debugs.Return
    format: done
`);
    await createFlow(cloud.apiUrl, `
id: downstream
namespace: test.cloudtriggers
inputs:
  - name: upstream
    type: STRING
tasks:
  - id: note
    type: io.kestra.core.tasks.debugs.Return
    format: "after {{ inputs.upstream }}"
triggers:
  - id: on-upstream
    type: io.kestra.core.models.triggers.types.Flow
    inputs:
      upstream: "{{ trigger.executionId }}"
    conditions:
      - type: io.kestra.core.models.conditions.types.ExecutionFlowCondition
        namespace: test.cloudtriggers
        flowId: upstream
      - type: io.kestra.core.models.conditions.types.ExecutionStatusCondition
        in: [SUCCESS]
`);
    const up = await startExecution(cloud.apiUrl, 'test.cloudtriggers', 'upstream');
    expect((await waitForExecution(cloud.apiUrl, up.id)).state.current).toBe('SUCCESS');
    const down = await searchOne('test.cloudtriggers', 'downstream');
    expect(down.state.current).toBe('SUCCESS');
    expect(down.inputs).toEqual({ upstream: up.id });
    expect(down.taskRunList[0].outputs).toEqual({ value: `after ${up.id}` });
  });

  it('fires a Schedule from the scheduler function, with the date in its inputs', async () => {
    await createFlow(cloud.apiUrl, `
id: every-second
namespace: test.cloudschedule
inputs:
  - name: slot
    type: STRING
tasks:
  - id: note
    type: io.kestra.core.tasks.debugs.Return
    format: "slot {{ inputs.slot }}"
triggers:
  - id: tick
    type: io.kestra.core.models.triggers.types.Schedule
    cron: "* * * * * *"
    inputs:
      slot: "{{ trigger.date }}"
`);
    const fired = await searchOne('test.cloudschedule', 'every-second');
    expect(fired.state.current).toBe('SUCCESS');
    expect(fired.trigger?.type).toMatch(/Schedule$/);
    expect(String(fired.inputs.slot)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/);
  });

  it('starts one execution per message on a user topic through the pubsub-trigger function', async () => {
    await createFlowFile(cloud.apiUrl, join(__dirname, '../../examples/triggers/pubsub.yml'));
    const host = cloud.env.PUBSUB_EMULATOR_HOST;
    const data = Buffer.from(JSON.stringify({ id: 'order-42' })).toString('base64');
    const res = await fetch(`http://${host}/v1/projects/${cloud.projectId}/topics/orders:publish`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ data, attributes: { source: 'e2e' } }] }),
    });
    expect(res.status).toBe(200);
    const done = await searchOne('io.aloft.examples.triggers', 'on-order');
    expect(done.state.current).toBe('SUCCESS');
    expect(done.inputs).toEqual({ order: 'order-42' });
    expect(done.trigger?.variables.attributes).toEqual({ source: 'e2e' });
  });

  it('starts an execution from a webhook with its body, and answers 404 to a wrong key', async () => {
    await createFlowFile(cloud.apiUrl, join(__dirname, '../../examples/triggers/webhook.yml'));
    const base = `${cloud.apiUrl}/api/v1/executions/webhook/io.aloft.examples.triggers/github-push`;
    const wrong = await fetch(`${base}/not-the-key`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(wrong.status).toBe(404);
    const res = await fetch(`${base}/4wjtkzwVGBM9yKnjm3yv8r`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ref: 'refs/heads/main', pusher: { name: 'ada' } }),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    const done = await waitForExecution(cloud.apiUrl, id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.trigger?.variables.body).toEqual({ ref: 'refs/heads/main', pusher: { name: 'ada' } });
  });
});
