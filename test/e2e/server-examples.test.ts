// The flows of examples/triggers, loaded by `aloft server --flows examples/triggers`, do what their
// descriptions say.
import { join } from 'node:path';
import type { Execution } from '../../lib/model/execution';
import { startServer, type Harness } from './server-harness';

const NS = 'io.aloft.examples.triggers';
const DIR = join(__dirname, '../../examples/triggers');

class TestClock {
  constructor(public at: Date) {}
  now(): Date { return new Date(this.at.getTime()); }
}

async function until<T>(what: string, get: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const v = await get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('examples/triggers on aloft server', () => {
  let h: Harness;
  const clock = new TestClock(new Date('2024-03-15T08:07:00Z'));
  beforeAll(async () => { h = await startServer({ flowsDir: DIR, clock }); });
  afterAll(async () => { await h.stop(); });

  const executions = async (flowId: string): Promise<Execution[]> =>
    (await h.server.runtime.store.list({ namespace: NS, flowId, pageSize: 100 })).executions;

  it('loads every example', async () => {
    const ids = (await h.call('GET', `/api/v1/flows/search?namespace=${NS}`)).body.results.map((f: { id: string }) => f.id);
    expect(ids).toEqual(['alert-on-failure', 'daily-summary', 'extract', 'github-push', 'load', 'on-order', 'quarter-hourly-report']);
  });

  it('runs load after extract, then the daily summary once both succeeded', async () => {
    const extract = (await h.call('POST', `/api/v1/executions/${NS}/extract`, { json: {} })).body.id;
    const load = await until('load', async () => (await executions('load'))[0]);
    const done = await h.server.runtime.waitForEnd(load.id);
    expect(done.taskRunList[0].outputs).toEqual({ value: `loaded 'rows exported by ${extract}' after extract ${extract}` });
    const summary = await until('the summary', async () => (await executions('daily-summary'))[0]);
    expect(summary.trigger?.variables).toMatchObject({ flowId: 'load', executionId: load.id });
  });

  it('starts the webhook flow for a push to main and answers 204 for another branch', async () => {
    const path = `/api/v1/executions/webhook/${NS}/github-push/4wjtkzwVGBM9yKnjm3yv8r`;
    expect((await h.call('POST', path, { json: { ref: 'refs/heads/dev', pusher: { name: 'ann' } } })).status).toBe(204);
    const r = await h.call('POST', path, { json: { ref: 'refs/heads/main', pusher: { name: 'ann' } } });
    expect(r.status).toBe(200);
    expect((await h.server.runtime.waitForEnd(r.body.id)).state.current).toBe('SUCCESS');
  });

  it('runs the quarter-hourly report on weekdays in Paris time', async () => {
    await h.server.tickSchedules();
    // Saturday 00:20 in Paris: dates more than an hour late are skipped, and Saturday's do not run.
    clock.at = new Date('2024-03-15T23:20:00Z');
    const started = await h.server.tickSchedules();
    const slots = started.filter((e) => e.flowId === 'quarter-hourly-report').map((e) => e.inputs.slot);
    expect(slots).toEqual(['2024-03-15T23:30:00+01:00', '2024-03-15T23:45:00+01:00']);
  });

  it('alerts when a flow under io.aloft fails', async () => {
    await h.call('POST', '/api/v1/flows', { yaml: `id: broken\nnamespace: io.aloft.examples.triggers\ntasks:\n  - id: fail\n    type: io.kestra.core.tasks.executions.Fail\n` });
    const failed = (await h.call('POST', `/api/v1/executions/${NS}/broken`, { json: {} })).body.id;
    const alert = await until('the alert', async () => (await executions('alert-on-failure')).find((e) => e.trigger?.variables.executionId === failed));
    const logs = await until('the alert log', async () => {
      await h.server.runtime.waitForEnd(alert.id);
      const lines = (await h.call('GET', `/api/v1/logs/${alert.id}`)).body as Array<{ message: string }>;
      return lines.length ? lines : undefined;
    });
    expect(logs[0].message).toBe(`${NS}.broken execution ${failed} ended FAILED`);
  });
});
