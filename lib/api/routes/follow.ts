// Server-sent events as Kestra's: GET /api/v1/executions/{id}/follow sends the execution each time it
// changes and ends once it has ended; GET /api/v1/logs/{id}/follow sends each new log line, and ends
// with the execution. Both read the stores every FOLLOW_POLL_MS: the stores push nothing, and a poll
// works the same on SQLite and Firestore. A client that goes away ends the loop.
import { Readable } from 'node:stream';
import { z } from 'zod';
import { isTerminal, type State } from '../../model/states';
import { LogLevel } from '../../ports/log-store';
import { executionJson } from '../json';
import { Access } from '../auth';
import { notFound, parseWith, type Ctx, type Route } from '../route';

export const FOLLOW_POLL_MS = 250;
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' };
const LogQuery = z.object({ minLevel: LogLevel.optional(), taskRunId: z.string().optional() });

const event = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;

/** A stream fed by `step` until it returns done or the client closes the request. */
function sse(cx: Ctx, step: () => Promise<{ events: string[]; done: boolean }>): Readable {
  let closed = false;
  cx.req.on('close', () => { closed = true; });
  const stream = new Readable({ read() { /* pushed by the loop */ } });
  void (async () => {
    try {
      for (;;) {
        const { events, done } = await step();
        if (closed) break;
        for (const e of events) stream.push(e);
        if (done) break;
        await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
        if (closed) break;
      }
      stream.push(null);
    } catch (err) {
      stream.destroy(err as Error);
    }
  })();
  return stream;
}

export const followRoutes: Route[] = [
  {
    method: 'GET', path: '/api/v1/executions/{id}/follow', operationId: 'followExecution', media: 'text/event-stream', tag: 'Executions', access: Access.READ,
    summary: 'Server-sent events: the execution each time it changes, until it ends',
    responses: { 200: '`text/event-stream`, one `data:` event per change, the execution as JSON', 404: 'no such execution' },
    async handle(cx) {
      const id = cx.params.id;
      // The read that answers 404 is also the first event: a 1,000-run execution is not read twice to open the page.
      let first = await cx.service.executions.get(id);
      if (!first) throw notFound(`execution ${id}`);
      let last = '';
      return {
        status: 200, headers: SSE_HEADERS,
        stream: sse(cx, async () => {
          const e = first ?? await cx.service.executions.get(id);
          first = null;
          if (!e) return { events: [], done: true };
          const text = event(executionJson(e));
          const changed = text !== last;
          last = text;
          return { events: changed ? [text] : [], done: isTerminal(e.state.current as State) };
        }),
      };
    },
  },
  {
    method: 'GET', path: '/api/v1/logs/{executionId}/follow', operationId: 'followLogs', media: 'text/event-stream', tag: 'Logs', access: Access.READ,
    summary: 'Server-sent events: each new log line of the execution, until it ends',
    query: {
      minLevel: { type: 'string', description: 'TRACE, DEBUG, INFO, WARN or ERROR: this level and above' },
      taskRunId: { type: 'string', description: 'only this task run' },
    },
    responses: { 200: '`text/event-stream`, one `data:` event per log line', 404: 'no such execution' },
    async handle(cx) {
      const id = cx.params.executionId;
      const filter = parseWith(LogQuery, Object.fromEntries(cx.query), 'query');
      if (!(await cx.service.executions.get(id))) throw notFound(`execution ${id}`);
      let sent = 0;
      return {
        status: 200, headers: SSE_HEADERS,
        stream: sse(cx, async () => {
          // Read the state first: lines written before the end are all in the store once it has ended.
          const e = await cx.service.executions.get(id);
          const lines = await cx.service.logs.list(id, filter);
          const fresh = lines.slice(sent);
          sent = lines.length;
          return { events: fresh.map(event), done: !e || isTerminal(e.state.current as State) };
        }),
      };
    },
  },
];
