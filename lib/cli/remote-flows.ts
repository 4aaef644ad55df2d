// `aloft flow list|get|delete|validate` against a server, as `kubectl get` and Kestra's CLI do.
import { readFile } from 'node:fs/promises';
import { DependencyRelation, type FlowDependencies } from '../api/service';
import { formatError, type AloftErrorData } from '../model/errors';
import type { ApiClient } from './api-client';
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

/** Deletes a flow; the server refuses (409, exit 2) while other flows depend on it, unless --force. */
export async function deleteFlow(namespace: string, id: string, opts: RemoteOptions & { force?: boolean }, io: CliIO): Promise<number> {
  try {
    const client = clientFor(opts, io);
    // Forced: name what the deletion breaks, which the server no longer refuses.
    const affected = opts.force ? await dependents(client, namespace, id) : [];
    await client.request('DELETE', `${flowPath(namespace, id)}${opts.force ? '?force=true' : ''}`);
    io.stdout(`flow ${namespace}.${id} deleted\n`);
    if (affected.length > 0) io.stderr(`warning: ${affected.join(', ')} called or listened to ${namespace}.${id}: their subflow tasks now fail and their Flow triggers no longer fire\n`);
    return ExitCode.OK;
  } catch (err) {
    return remoteError(err, io);
  }
}

/** The flows that call this one (FLOW_TASK edges into it) or listen to it (FLOW_TRIGGER edges out of it). */
async function dependents(client: ApiClient, namespace: string, id: string): Promise<string[]> {
  const deps = await client.request<FlowDependencies>('GET', `${flowPath(namespace, id)}/dependencies`);
  const name = new Map(deps.nodes.map((n) => [n.uid, `${n.namespace}.${n.id}`]));
  const self = deps.nodes.find((n) => n.namespace === namespace && n.id === id)?.uid;
  const out = new Set<string>();
  for (const e of deps.edges) {
    if (e.relation === DependencyRelation.FLOW_TASK && e.target === self) out.add(name.get(e.source) ?? e.source);
    if (e.relation === DependencyRelation.FLOW_TRIGGER && e.source === self) out.add(name.get(e.target) ?? e.target);
  }
  out.delete(`${namespace}.${id}`);
  return [...out].sort();
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
