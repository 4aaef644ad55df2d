// Triggers on `aloft server`: webhooks over real HTTP, schedules on an injected clock (two
// invocations racing), flow triggers and MultipleCondition end to end, and loading a flows folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Execution } from '../../lib/model/execution';
import { flowYaml, startServer, type Harness } from './server-harness';

const NS = 'io.aloft.triggers';
const C = 'io.kestra.core.models.conditions.types.';

class TestClock {
  constructor(public at: Date) {}
  now(): Date { return new Date(this.at.getTime()); }
}

async function executionsOf(h: Harness, flowId: string): Promise<Execution[]> {
  const page = await h.server.runtime.store.list({ namespace: NS, flowId, pageSize: 1000 });
  return page.executions;
}

describe('webhooks over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer();
    const flow = flowYaml(NS, 'hooked', `triggers:
  - id: hook
    type: io.kestra.core.models.triggers.types.Webhook
    key: a-long-secret-key
  - id: only-go
    type: io.kestra.plugin.core.trigger.Webhook
    key: conditional-key
    conditions:
      - type: ${C}VariableCondition
        expression: "{{ trigger.body.go ?? false }}"
`);
    expect((await h.call('POST', '/api/v1/flows', { yaml: flow })).status).toBe(200);
  });
  afterAll(async () => { await h.stop(); });

  const path = (key: string, flowId = 'hooked') => `/api/v1/executions/webhook/${NS}/${flowId}/${key}`;

  it('starts the flow with a JSON object body, headers and parameters, and answers its id', async () => {
    const r = await h.call('POST', `${path('a-long-secret-key')}?x=1&x=2`, { json: { order: 42 }, headers: { 'x-source': 'shop' } });
    expect(r.status).toBe(200);
    expect(r.body.id).toMatch(/^[0-9A-Za-z]{22}$/);
    const e = await h.server.runtime.waitForEnd(r.body.id);
    expect(e.trigger).toMatchObject({ id: 'hook', type: 'io.kestra.core.models.triggers.types.Webhook', variables: { body: { order: 42 }, parameters: { x: ['1', '2'] } } });
    expect((e.trigger?.variables.headers as Record<string, string[]>)['x-source']).toEqual(['shop']);
  });

  it('keeps a JSON array, a text body, and takes GET and PUT', async () => {
    const arr = await h.call('PUT', path('a-long-secret-key'), { json: [1, 2] });
    expect((await h.server.runtime.get(arr.body.id))?.trigger?.variables.body).toEqual([1, 2]);
    const text = await h.call('POST', path('a-long-secret-key'), { text: 'plain words' });
    expect((await h.server.runtime.get(text.body.id))?.trigger?.variables.body).toBe('plain words');
    const get = await h.call('GET', path('a-long-secret-key'));
    expect(get.status).toBe(200);
    expect((await h.server.runtime.get(get.body.id))?.trigger?.variables.body).toBeNull();
  });

  it('answers the same 404 for an unknown flow and an unknown key', async () => {
    const unknownKey = await h.call('POST', path('a-long-secret-kez'), { json: {} });
    const unknownFlow = await h.call('POST', path('a-long-secret-key', 'nope'), { json: {} });
    expect(unknownKey.status).toBe(404);
    expect(unknownFlow.status).toBe(404);
    expect(unknownKey.body).toEqual(unknownFlow.body);
  });

  it('answers 204 and starts nothing when the trigger conditions do not hold', async () => {
    const before = (await executionsOf(h, 'hooked')).length;
    expect((await h.call('POST', path('conditional-key'), { json: { go: false } })).status).toBe(204);
    expect((await executionsOf(h, 'hooked')).length).toBe(before);
    expect((await h.call('POST', path('conditional-key'), { json: { go: true } })).status).toBe(200);
  });

  it('answers a body over 1 MiB with 413 PAYLOAD_TOO_LARGE and keeps serving', async () => {
    const r = await h.call('POST', path('a-long-secret-key'), { text: 'x'.repeat((1 << 20) + 1) });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((await h.call('POST', path('a-long-secret-key'), { text: 'x'.repeat(1 << 20) })).status).toBe(200);
  });

  it('takes a smaller webhook limit from ALOFT_WEBHOOK_BODY_LIMIT', async () => {
    const small = await startServer({ env: { ALOFT_WEBHOOK_BODY_LIMIT: '10' } });
    try {
      await small.call('POST', '/api/v1/flows', { yaml: flowYaml(NS, 'small', 'triggers:\n  - id: hook\n    type: io.kestra.core.models.triggers.types.Webhook\n    key: k\n') });
      expect((await small.call('POST', `/api/v1/executions/webhook/${NS}/small/k`, { text: '12345678901' })).status).toBe(413);
      expect((await small.call('POST', `/api/v1/executions/webhook/${NS}/small/k`, { text: '1234567890' })).status).toBe(200);
    } finally {
      await small.stop();
    }
  });
});

describe('schedules on an injected clock', () => {
  it('fires each due date exactly once, in order, when the scheduler is invoked twice at once', async () => {
    const clock = new TestClock(new Date('2024-03-14T10:00:30Z'));
    const h = await startServer({ clock });
    try {
      await h.server.deploy(flowYaml(NS, 'every10', `inputs:
  - name: slot
    type: STRING
triggers:
  - id: every10
    type: io.kestra.core.models.triggers.types.Schedule
    cron: "*/10 * * * *"
    inputs:
      slot: "{{ trigger.date }}"
`));
      expect(await h.server.tickSchedules()).toEqual([]);
      clock.at = new Date('2024-03-14T10:31:00Z');
      const [a, b] = await Promise.all([h.server.tickSchedules(), h.server.tickSchedules()]);
      const started = [...a, ...b];
      expect(started.map((e) => e.inputs.slot)).toEqual(['2024-03-14T10:10:00Z', '2024-03-14T10:20:00Z', '2024-03-14T10:30:00Z']);
      await Promise.all(started.map((e) => h.server.runtime.waitForEnd(e.id)));
      expect((await executionsOf(h, 'every10')).length).toBe(3);
      expect(started[0].trigger).toEqual({
        id: 'every10', type: 'io.kestra.core.models.triggers.types.Schedule',
        variables: { date: '2024-03-14T10:10:00Z', next: '2024-03-14T10:20:00Z', previous: '2024-03-14T10:00:00Z' },
      });
    } finally {
      await h.stop();
    }
  });

  it('backfills missed dates in order and skips those older than lateMaximumDelay', async () => {
    const clock = new TestClock(new Date('2024-03-14T12:00:00Z'));
    const h = await startServer({ clock });
    try {
      await h.server.deploy(flowYaml(NS, 'backfilled', `triggers:
  - id: hourly
    type: io.kestra.core.models.triggers.types.Schedule
    cron: "0 * * * *"
    backfill:
      start: "2024-03-14T09:00:00Z"
`));
      await h.server.deploy(flowYaml(NS, 'late', `triggers:
  - id: hourly
    type: io.kestra.core.models.triggers.types.Schedule
    cron: "0 * * * *"
    lateMaximumDelay: PT90M
`));
      await h.server.tickSchedules();
      clock.at = new Date('2024-03-14T16:00:00Z');
      const started = await h.server.tickSchedules();
      const dates = (flowId: string) => started.filter((e) => e.flowId === flowId).map((e) => e.trigger?.variables.date);
      expect(dates('backfilled')).toEqual(['2024-03-14T13:00:00Z', '2024-03-14T14:00:00Z', '2024-03-14T15:00:00Z', '2024-03-14T16:00:00Z']);
      expect(dates('late')).toEqual(['2024-03-14T15:00:00Z', '2024-03-14T16:00:00Z']);
    } finally {
      await h.stop();
    }
  });
});

describe('the scheduler loop', () => {
  it('fires due dates on its own every ALOFT_SCHEDULER_INTERVAL_MS', async () => {
    const h = await startServer({ env: { ALOFT_SCHEDULER_INTERVAL_MS: '20' } });
    try {
      const start = new Date(Date.now() - 3 * 60_000).toISOString();
      await h.server.deploy(flowYaml(NS, 'looped', `triggers:\n  - id: minutely\n    type: io.kestra.core.models.triggers.types.Schedule\n    cron: "* * * * *"\n    backfill:\n      start: "${start}"\n`));
      for (let i = 0; i < 2000 && (await executionsOf(h, 'looped')).length < 3; i++) await new Promise((r) => setTimeout(r, 10));
      expect((await executionsOf(h, 'looped')).length).toBeGreaterThanOrEqual(3);
    } finally {
      await h.stop();
    }
  });
});

describe('flow triggers', () => {
  let h: Harness;
  beforeAll(async () => { h = await startServer(); });
  afterAll(async () => { await h.stop(); });

  async function until<T>(what: string, get: () => Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < 2000; i++) {
      const v = await get();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`gave up waiting for ${what}`);
  }

  it('starts the listening flow after the upstream ends, with inputs from its outputs', async () => {
    await h.server.deploy(`id: upstream\nnamespace: ${NS}\ntasks:\n  - id: produce\n    type: io.kestra.core.tasks.debugs.Return\n    format: "made by {{ execution.id }}"\n`);
    await h.server.deploy(`id: downstream
namespace: ${NS}
inputs:
  - name: made
    type: STRING
tasks:
  - id: use
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ inputs.made }} / {{ trigger.state }}"
triggers:
  - id: after-upstream
    type: io.kestra.core.models.triggers.types.Flow
    inputs:
      made: "{{ outputs.produce.value }}"
    conditions:
      - type: ${C}ExecutionFlowCondition
        namespace: ${NS}
        flowId: upstream
      - type: ${C}ExecutionStatusCondition
        in: [SUCCESS]
`);
    const up = (await h.call('POST', `/api/v1/executions/${NS}/upstream`, { json: {} })).body.id;
    const down = await until('the downstream execution', async () => (await executionsOf(h, 'downstream'))[0]);
    const done = await h.server.runtime.waitForEnd(down.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.inputs).toEqual({ made: `made by ${up}` });
    expect(done.trigger).toEqual({
      id: 'after-upstream', type: 'io.kestra.core.models.triggers.types.Flow',
      variables: { executionId: up, namespace: NS, flowId: 'upstream', flowRevision: 1, state: 'SUCCESS' },
    });
  });

  it('waits for every flow of a MultipleCondition before starting', async () => {
    for (const id of ['left', 'right']) await h.server.deploy(flowYaml(NS, id));
    await h.server.deploy(flowYaml(NS, 'joined', `triggers:
  - id: both
    type: io.kestra.core.models.triggers.types.Flow
    conditions:
      - type: ${C}MultipleCondition
        id: left-and-right
        window: P1D
        windowAdvance: P0D
        conditions:
          left:
            type: ${C}ExecutionFlowCondition
            namespace: ${NS}
            flowId: left
          right:
            type: ${C}ExecutionFlowCondition
            namespace: ${NS}
            flowId: right
`));
    const left = (await h.call('POST', `/api/v1/executions/${NS}/left`, { json: {} })).body.id;
    await h.server.runtime.waitForEnd(left);
    const window = await until('the left result in the window', () => h.server.triggerState.getWindow(`${NS}:joined:both`, 'left-and-right').then((w) => w ?? undefined));
    expect(window.results).toEqual({ left: true });
    expect(await executionsOf(h, 'joined')).toEqual([]);
    const right = (await h.call('POST', `/api/v1/executions/${NS}/right`, { json: {} })).body.id;
    const joined = await until('the joined execution', async () => (await executionsOf(h, 'joined'))[0]);
    expect(joined.trigger?.variables).toMatchObject({ executionId: right, flowId: 'right' });
  });
});

describe('aloft server --flows DIR', () => {
  it('loads every flow of the folder at start and refuses to start with an invalid one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aloft-flows-'));
    try {
      writeFileSync(join(dir, 'a.yml'), flowYaml(NS, 'from-dir-a'));
      writeFileSync(join(dir, 'b.yaml'), flowYaml(NS, 'from-dir-b'));
      writeFileSync(join(dir, 'notes.txt'), 'not a flow');
      const h = await startServer({ flowsDir: dir });
      try {
        expect((await h.call('GET', `/api/v1/flows/search?namespace=${NS}`)).body.results.map((f: { id: string }) => f.id)).toEqual(['from-dir-a', 'from-dir-b']);
      } finally {
        await h.stop();
      }
      writeFileSync(join(dir, 'c.yml'), flowYaml(NS, 'bad', 'triggers:\n  - id: s\n    type: io.kestra.core.models.triggers.types.Schedule\n    cron: "bad cron"\n'));
      await expect(startServer({ flowsDir: dir })).rejects.toMatchObject({ code: 'FLOW_INVALID', message: expect.stringMatching(/c\.yml:\d+:\d+: .*invalid cron expression 'bad cron'/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
