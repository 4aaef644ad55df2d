// `aloft execution list|follow|restart|replay|resume|delete` against a server (start, get, logs and kill
// are in ./remote.ts).
import type { ExecutionJson } from '../api/json';
import { isTerminal, type State } from '../model/states';
import type { LogLine } from '../ports/log-store';
import type { ApiClient } from './api-client';
import { ExitCode, type CliIO } from './io';
import { clientFor, remoteError, type RemoteOptions } from './remote';
import { exitCodeFor, parsePairs } from './run';

const executionPath = (id: string): string => `/api/v1/executions/${encodeURIComponent(id)}`;

export interface ListOptions extends RemoteOptions {
  namespace?: string;
  flow?: string;
  state: string[];
  size?: string;
}

/** The newest executions, one line each (id, namespace.flow, state, start date), or their JSON. */
export async function listExecutions(opts: ListOptions, io: CliIO): Promise<number> {
  try {
    const q = new URLSearchParams({ size: opts.size ?? '25' });
    if (opts.namespace) q.set('namespace', opts.namespace);
    if (opts.flow) q.set('flowId', opts.flow);
    for (const s of opts.state) q.append('state', s);
    const page = await clientFor(opts, io).request<{ results: ExecutionJson[] }>('GET', `/api/v1/executions/search?${q}`);
    if (opts.json) io.stdout(`${JSON.stringify(page.results, null, 2)}\n`);
    else for (const e of page.results) io.stdout(`${e.id}\t${e.namespace}.${e.flowId}\t${e.state.current}\t${e.state.startDate ?? ''}\n`);
    return ExitCode.OK;
  } catch (err) {
    return remoteError(err, io);
  }
}

/** What follow has printed so far: state changes and log lines are each printed once. */
interface Seen { states: Map<string, number>; logs: number }

/**
 * Prints state changes (of the execution and of each task run) and log lines until the execution
 * ends or pauses. The server pushes nothing: this polls, backing off to one request a second.
 */
export async function followExecution(id: string, opts: RemoteOptions & { pollMs?: number }, io: CliIO): Promise<number> {
  const client = clientFor(opts, io);
  const seen: Seen = { states: new Map(), logs: 0 };
  let stop = false;
  const remove = io.onInterrupt(() => { stop = true; });
  try {
    let delay = opts.pollMs ?? 50;
    for (;;) {
      const e = await client.request<ExecutionJson>('GET', executionPath(id));
      const logs = await client.request<LogLine[]>('GET', `/api/v1/logs/${encodeURIComponent(id)}`);
      printNew(e, logs, seen, io);
      const current = e.state.current as State;
      if (isTerminal(current) || current === 'PAUSED') {
        if (opts.json) io.stdout(`${JSON.stringify(e, null, 2)}\n`);
        return exitCodeFor(current);
      }
      if (stop) return ExitCode.INTERRUPTED;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(1000, delay * 2);
    }
  } catch (err) {
    return remoteError(err, io);
  } finally {
    remove();
  }
}

function printNew(e: ExecutionJson, logs: readonly LogLine[], seen: Seen, io: CliIO): void {
  // rank orders lines of the same instant: starts, then log lines, then ends (a parent's after its children's).
  const lines: Array<{ date: string; text: string; rank: number }> = [];
  const depth = new Map<string, number>();
  for (const r of e.taskRunList) depth.set(r.id, r.parentTaskRunId ? (depth.get(r.parentTaskRunId) ?? 0) + 1 : 0);
  const changes = (key: string, label: string, histories: ReadonlyArray<{ state: string; date: string }>, d: number): void => {
    for (const h of histories.slice(seen.states.get(key) ?? 0)) {
      lines.push({ date: h.date, text: `${h.date} ${label} ${h.state}`, rank: isTerminal(h.state as State) ? 1000 - d : 0 });
    }
    seen.states.set(key, histories.length);
  };
  for (const l of logs.slice(seen.logs)) lines.push({ date: l.timestamp, text: `${l.timestamp} ${l.level.padEnd(5)} ${l.taskId ?? '-'} ${l.message}`, rank: 500 });
  seen.logs = Math.max(seen.logs, logs.length);
  for (const r of e.taskRunList) changes(r.id, `task ${r.taskId}${r.value !== undefined ? `[${r.value}]` : ''}`, r.state.histories, depth.get(r.id) ?? 0);
  changes(e.id, `execution ${e.id}`, e.state.histories, -1);
  lines.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.rank - b.rank));
  for (const l of lines) io.stdout(`${l.text}\n`);
}

async function act(io: CliIO, opts: RemoteOptions, call: (client: ApiClient) => Promise<ExecutionJson>, verb: string): Promise<number> {
  try {
    const e = await call(clientFor(opts, io));
    io.stdout(opts.json ? `${JSON.stringify(e, null, 2)}\n` : `execution ${e.id} ${e.state.current}: ${verb}\n`);
    return ExitCode.OK;
  } catch (err) {
    return remoteError(err, io);
  }
}

/** Restarts a FAILED or KILLED execution from its failed task runs. */
export const restartExecution = (id: string, opts: RemoteOptions, io: CliIO): Promise<number> =>
  act(io, opts, (c) => c.request<ExecutionJson>('POST', `${executionPath(id)}/restart`), 'restarted');

/** Starts a new execution that runs again from a task run (from the start without one); prints the new id. */
export const replayExecution = (id: string, opts: RemoteOptions & { taskRun?: string }, io: CliIO): Promise<number> =>
  act(io, opts, (c) => c.request<ExecutionJson>('POST', `${executionPath(id)}/replay${opts.taskRun ? `?taskRunId=${encodeURIComponent(opts.taskRun)}` : ''}`), `replay of ${id}`);

/** Resumes a PAUSED execution, with inputs when given. */
export async function resumeExecution(id: string, opts: RemoteOptions & { inputs: string[] }, io: CliIO): Promise<number> {
  let inputs: Record<string, string>;
  try {
    inputs = parsePairs(opts.inputs, '--input');
  } catch (err) {
    return remoteError(err, io);
  }
  return act(io, opts, (c) => c.request<ExecutionJson>('POST', `${executionPath(id)}/resume`, { json: { inputs } }), 'resumed');
}

/** Deletes an ended execution, with its logs and files unless kept (Kestra's deleteLogs / deleteStorage). */
export async function deleteExecution(id: string, opts: RemoteOptions & { keepLogs?: boolean; keepFiles?: boolean }, io: CliIO): Promise<number> {
  try {
    const q = new URLSearchParams();
    if (opts.keepLogs) q.set('deleteLogs', 'false');
    if (opts.keepFiles) q.set('deleteStorage', 'false');
    await clientFor(opts, io).request('DELETE', `${executionPath(id)}${q.size ? `?${q}` : ''}`);
    io.stdout(`execution ${id} deleted\n`);
    return ExitCode.OK;
  } catch (err) {
    return remoteError(err, io);
  }
}
