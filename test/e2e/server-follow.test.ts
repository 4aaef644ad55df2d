// The follow routes (server-sent events) of `aloft server`: an execution's changes until it ends, and
// its new log lines from a minimum level.
import { startServer, type Harness } from './server-harness';

const NS = 'io.aloft.follow';
const flow = `id: gate\nnamespace: ${NS}\ntasks:\n  - id: before\n    type: io.kestra.core.tasks.log.Log\n    message: before the gate\n  - id: wait\n    type: io.kestra.core.tasks.flows.Pause\n  - id: after\n    type: io.kestra.core.tasks.log.Log\n    level: WARN\n    message: through the gate\n`;

/** Reads `data:` events as they come; `until` stops reading early, otherwise the stream's end does. */
async function events(url: string, until?: (e: Record<string, unknown>) => boolean): Promise<{ events: Array<Record<string, any>>; ended: boolean; res: Response }> {
  const res = await fetch(url);
  const out: Array<Record<string, any>> = [];
  if (!res.body) return { events: out, ended: true, res };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { events: out, ended: true, res };
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const chunk = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const e = JSON.parse(chunk.replace(/^data: /, ''));
      out.push(e);
      if (until?.(e)) {
        await reader.cancel();
        return { events: out, ended: false, res };
      }
    }
  }
}

describe('following an execution and its logs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer();
    expect((await h.call('POST', '/api/v1/flows', { yaml: flow })).status).toBe(200);
  });
  afterAll(async () => { await h.stop(); });

  it('sends the execution at each change until it ends, and new log lines at or above minLevel', async () => {
    const id = (await h.call('POST', `/api/v1/executions/${NS}/gate`, { json: {} })).body.id as string;
    const paused = await events(`${h.url}/api/v1/executions/${id}/follow`, (e) => (e.state as { current: string }).current === 'PAUSED');
    expect(paused.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(paused.events.at(-1)!.id).toBe(id);
    const logs = events(`${h.url}/api/v1/logs/${id}/follow?minLevel=WARN`);
    const rest = events(`${h.url}/api/v1/executions/${id}/follow`);
    expect((await h.call('POST', `/api/v1/executions/${id}/resume`, { json: {} })).status).toBe(200);
    const ended = await rest;
    expect(ended.ended).toBe(true);
    expect(ended.events.map((e) => e.state.current)).toContain('PAUSED');
    expect(ended.events.at(-1)!.state.current).toBe('SUCCESS');
    // Each event is a change: no two in a row are the same document.
    for (let i = 1; i < ended.events.length; i++) expect(ended.events[i]).not.toEqual(ended.events[i - 1]);
    const lines = await logs;
    expect(lines.ended).toBe(true);
    expect(lines.events.map((l) => `${l.level} ${l.message}`)).toEqual(['WARN through the gate']);
  });

  it('answers 404 for an execution that does not exist, and 400 for a level that is not one', async () => {
    expect((await h.call('GET', '/api/v1/executions/nope/follow')).body).toMatchObject({ code: 'NOT_FOUND', message: 'execution nope not found' });
    const id = (await h.call('POST', `/api/v1/executions/${NS}/gate`, { json: {} })).body.id as string;
    const bad = await h.call('GET', `/api/v1/logs/${id}/follow?minLevel=LOUD`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('minLevel');
    expect((await h.call('DELETE', `/api/v1/executions/${id}/kill`)).status).toBe(202);
  });
});
