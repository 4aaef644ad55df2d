// Commands that talk to a server through its HTTP API: `aloft flow deploy`, `aloft execution start|get|logs|kill`.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ExecutionJson } from '../api/json';
import { ErrorCode, formatError, type AloftErrorData } from '../model/errors';
import { isTerminal, type State } from '../model/states';
import type { LogLine } from '../ports/log-store';
import { ApiClient } from './api-client';
import { ExitCode, type CliIO } from './io';
import { exitCodeFor, parsePairs } from './run';

export interface RemoteOptions {
  server?: string;
  token?: string;
  json?: boolean;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** The server and the client read one variable for the token, ALOFT_API_TOKEN. */
export function clientFor(opts: RemoteOptions, io: CliIO): ApiClient {
  // The client once read ALOFT_TOKEN: say so rather than send no token without a word.
  if (!opts.token && !io.env.ALOFT_API_TOKEN && io.env.ALOFT_TOKEN) io.stderr('warning: ALOFT_TOKEN is ignored; set ALOFT_API_TOKEN\n');
  return new ApiClient({ server: opts.server ?? io.env.ALOFT_SERVER ?? DEFAULT_SERVER, token: opts.token ?? io.env.ALOFT_API_TOKEN });
}

/** Prints a failure (every diagnostic of an invalid flow) and maps it to an exit code. */
export function remoteError(err: unknown, io: CliIO, file?: string): number {
  const diagnostics = (err as { diagnostics?: AloftErrorData[] }).diagnostics;
  if (diagnostics?.length) {
    for (const d of diagnostics) io.stderr(`${formatError({ ...d, ...(file && !d.file ? { file } : {}) })}\n`);
    return ExitCode.INVALID;
  }
  const e = err as { code?: string; message?: string };
  io.stderr(`error: ${formatError({ code: (e.code ?? ErrorCode.INTERNAL) as ErrorCode, message: e.message ?? String(err), ...(file ? { file } : {}) })}\n`);
  const invalid: string[] = [ErrorCode.FLOW_INVALID, ErrorCode.YAML_INVALID, ErrorCode.INPUT_INVALID, ErrorCode.NOT_FOUND, ErrorCode.MESSAGE_INVALID, ErrorCode.CONFLICT];
  return invalid.includes(e.code ?? '') || (err as NodeJS.ErrnoException).code === 'ENOENT' ? ExitCode.INVALID : ExitCode.FAILED;
}

export async function deployFlows(files: readonly string[], opts: RemoteOptions, io: CliIO): Promise<number> {
  const client = clientFor(opts, io);
  let code: number = ExitCode.OK;
  for (const file of files) {
    try {
      const saved = await client.request<{ namespace: string; id: string; revision: number; warnings: AloftErrorData[] }>('POST', '/api/v1/flows', { yaml: await readFile(file, 'utf8') });
      for (const w of saved.warnings ?? []) io.stderr(`warning: ${formatError({ ...w, file })}\n`);
      io.stdout(`${file}: ${saved.namespace}.${saved.id} revision ${saved.revision}\n`);
    } catch (err) {
      code = Math.max(code, remoteError(err, io, file));
    }
  }
  return code;
}

export interface StartOptions extends RemoteOptions {
  inputs: string[];
  files: string[];
  wait?: boolean;
}

export async function startRemote(namespace: string, flowId: string, opts: StartOptions, io: CliIO): Promise<number> {
  const client = clientFor(opts, io);
  try {
    const inputs = parsePairs(opts.inputs, '--input');
    const files = parsePairs(opts.files, '--file');
    const path = `/api/v1/executions/${encodeURIComponent(namespace)}/${encodeURIComponent(flowId)}`;
    let started: ExecutionJson;
    if (Object.keys(files).length > 0) {
      const form = new FormData();
      for (const [k, v] of Object.entries(inputs)) form.set(k, v);
      for (const [k, p] of Object.entries(files)) form.set(k, new Blob([await readFile(p)]), basename(p));
      started = await client.request<ExecutionJson>('POST', path, { form });
    } else {
      started = await client.request<ExecutionJson>('POST', path, { json: { inputs } });
    }
    if (!opts.wait) {
      io.stdout(opts.json ? `${JSON.stringify(started, null, 2)}\n` : `${started.id}\n`);
      return ExitCode.OK;
    }
    const final = await waitRemote(client, started.id);
    io.stdout(opts.json ? `${JSON.stringify(final, null, 2)}\n` : `execution ${final.id} ${final.state.current}\n`);
    return exitCodeFor(final.state.current);
  } catch (err) {
    return remoteError(err, io);
  }
}

/** Polls until the execution ended or paused; the server pushes nothing, so this is the only way. */
async function waitRemote(client: ApiClient, id: string): Promise<ExecutionJson> {
  let delay = 50;
  for (;;) {
    const e = await client.request<ExecutionJson>('GET', `/api/v1/executions/${encodeURIComponent(id)}`);
    if (isTerminal(e.state.current as State) || e.state.current === 'PAUSED') return e;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(1000, delay * 2);
  }
}

export async function getRemote(id: string, opts: RemoteOptions, io: CliIO): Promise<number> {
  try {
    const e = await clientFor(opts, io).request<ExecutionJson>('GET', `/api/v1/executions/${encodeURIComponent(id)}`);
    io.stdout(`${JSON.stringify(e, null, 2)}\n`);
    return ExitCode.OK;
  } catch (err) {
    return remoteError(err, io);
  }
}

export async function logsRemote(id: string, opts: RemoteOptions & { taskRun?: string }, io: CliIO): Promise<number> {
  try {
    const q = opts.taskRun ? `?taskRunId=${encodeURIComponent(opts.taskRun)}` : '';
    const lines = await clientFor(opts, io).request<LogLine[]>('GET', `/api/v1/logs/${encodeURIComponent(id)}${q}`);
    if (opts.json) io.stdout(`${JSON.stringify(lines, null, 2)}\n`);
    else for (const l of lines) io.stdout(`${l.timestamp} ${l.level.padEnd(5)} ${l.taskId ?? '-'} ${l.message}\n`);
    return ExitCode.OK;
  } catch (err) {
    return remoteError(err, io);
  }
}

export async function killRemote(id: string, opts: RemoteOptions, io: CliIO): Promise<number> {
  try {
    const e = await clientFor(opts, io).request<ExecutionJson>('DELETE', `/api/v1/executions/${encodeURIComponent(id)}/kill`);
    io.stdout(`execution ${e.id} ${e.state.current}: kill requested\n`);
    return ExitCode.OK;
  } catch (err) {
    return remoteError(err, io);
  }
}
