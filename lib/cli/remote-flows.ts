// `aloft flow list|get|validate` against a server, as `kubectl get` and Kestra's CLI do.
import { readFile } from 'node:fs/promises';
import { formatError, type AloftErrorData } from '../model/errors';
import { ExitCode, type CliIO } from './io';
import { clientFor, remoteError, type RemoteOptions } from './remote';

interface FlowSummary { namespace: string; id: string; revision: number; updated?: string; source?: string }

const flowPath = (namespace: string, id: string): string => `/api/v1/flows/${encodeURIComponent(namespace)}/${encodeURIComponent(id)}`;

/** One line per flow (namespace, id, revision), or the page as JSON. */
export async function listFlows(opts: RemoteOptions & { namespace?: string }, io: CliIO): Promise<number> {
  try {
    const client = clientFor(opts, io);
    const flows: FlowSummary[] = [];
    // Every page: a listing that silently stops at the first 100 would mislead.
    for (let page = 1; ; page++) {
      const q = new URLSearchParams({ page: String(page), size: '100', ...(opts.namespace ? { namespace: opts.namespace } : {}) });
      const r = await client.request<{ results: FlowSummary[]; total: number }>('GET', `/api/v1/flows/search?${q}`);
      flows.push(...r.results);
      if (r.results.length === 0 || flows.length >= r.total) break;
    }
    if (opts.json) io.stdout(`${JSON.stringify(flows.map(({ source: _s, ...f }) => f), null, 2)}\n`);
    else for (const f of flows) io.stdout(`${f.namespace}\t${f.id}\trevision ${f.revision}\n`);
    return ExitCode.OK;
  } catch (err) {
    return remoteError(err, io);
  }
}

/** The flow's YAML source as saved (or its JSON with --json); --revision picks an older one. */
export async function getFlow(namespace: string, id: string, opts: RemoteOptions & { revision?: string }, io: CliIO): Promise<number> {
  try {
    const q = opts.revision ? `?revision=${encodeURIComponent(opts.revision)}` : '';
    const flow = await clientFor(opts, io).request<FlowSummary>('GET', `${flowPath(namespace, id)}${q}`);
    io.stdout(opts.json ? `${JSON.stringify(flow, null, 2)}\n` : (flow.source ?? '').replace(/\n?$/, '\n'));
    return ExitCode.OK;
  } catch (err) {
    return remoteError(err, io);
  }
}

/** Validates files on the server (its catalog, not this client's): exit 0 when all are valid, 2 otherwise. */
export async function validateRemote(files: readonly string[], opts: RemoteOptions, io: CliIO): Promise<number> {
  const client = clientFor(opts, io);
  let code: number = ExitCode.OK;
  for (const file of files) {
    try {
      const r = await client.request<{ valid: boolean; errors: AloftErrorData[]; warnings: AloftErrorData[] }>(
        'POST', '/api/v1/flows/validate', { yaml: await readFile(file, 'utf8') },
      );
      for (const e of r.errors ?? []) io.stderr(`${formatError({ ...e, file })}\n`);
      for (const w of r.warnings ?? []) io.stderr(`warning: ${formatError({ ...w, file })}\n`);
      io.stdout(r.valid ? `${file}: valid\n` : `${file}: ${r.errors.length} error${r.errors.length === 1 ? '' : 's'}\n`);
      if (!r.valid) code = ExitCode.INVALID;
    } catch (err) {
      code = Math.max(code, remoteError(err, io, file));
    }
  }
  return code;
}
