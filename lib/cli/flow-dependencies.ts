// `aloft flow dependencies NS ID [--recursive] [--json]` and `aloft flow delete NS ID [--force]`:
// the dependency graph as a tree on a terminal, and a delete that names the flows it would break.
import type { Command } from 'commander';
import type { FlowDependencies } from '../api/service';
import { ErrorCode } from '../model/errors';
import { ExitCode, type CliIO } from './io';
import { clientFor, remoteError, type RemoteOptions } from './remote';

/** Kestra's warning, word for word, so users of both recognise it. */
export const DELETE_WARNING = 'This flow has dependencies. Deleting it will prevent their dependencies to be executed.';

const flowPath = (namespace: string, id: string): string => `/api/v1/flows/${encodeURIComponent(namespace)}/${encodeURIComponent(id)}`;

export async function dependenciesCommand(namespace: string, id: string, opts: RemoteOptions & { recursive?: boolean }, io: CliIO): Promise<number> {
  try {
    const graph = await clientFor(opts, io).request<FlowDependencies>('GET', `${flowPath(namespace, id)}/dependencies${opts.recursive ? '?expandAll=true' : ''}`);
    if (opts.json) io.stdout(`${JSON.stringify(graph, null, 2)}\n`);
    else if (io.isTTY) io.stdout(renderTree(`${namespace}.${id}`, graph));
    else for (const e of graph.edges) io.stdout(`${e.source} -> ${e.target} ${e.relation}\n`);
    return ExitCode.OK;
  } catch (err) {
    return remoteError(err, io);
  }
}

/**
 * The flow, then what it depends on (edges into it) and what depends on it (edges out of it), each
 * followed as far as the graph goes; a flow already on the branch is marked, so a cycle ends.
 */
export function renderTree(root: string, graph: FlowDependencies): string {
  const lines = [root];
  const branch = (title: string, next: (uid: string) => Array<{ uid: string; relation: string }>, last: boolean): void => {
    lines.push(`${last ? '└─' : '├─'} ${title}`);
    const walk = (uid: string, indent: string, path: Set<string>): void => {
      const children = next(uid);
      children.forEach((c, i) => {
        const end = i === children.length - 1;
        const cycle = path.has(c.uid);
        lines.push(`${indent}${end ? '└─' : '├─'} ${c.uid} (${c.relation})${cycle ? ' (cycle)' : ''}`);
        if (!cycle) walk(c.uid, `${indent}${end ? '   ' : '│  '}`, new Set([...path, c.uid]));
      });
      if (children.length === 0 && uid === root) lines.push(`${indent}└─ (none)`);
    };
    walk(root, last ? '   ' : '│  ', new Set([root]));
  };
  const by = <K extends 'source' | 'target'>(key: K, other: 'source' | 'target') => (uid: string) =>
    graph.edges.filter((e) => e[key] === uid).map((e) => ({ uid: e[other], relation: e.relation })).sort((a, b) => a.uid.localeCompare(b.uid));
  branch('depends on', by('target', 'source'), false);
  branch('used by', by('source', 'target'), true);
  return `${lines.join('\n')}\n`;
}

interface Refused { code?: string; dependents?: string[] }

export async function deleteCommand(namespace: string, id: string, opts: RemoteOptions & { force?: boolean }, io: CliIO): Promise<number> {
  const client = clientFor(opts, io);
  try {
    try {
      await client.request('DELETE', flowPath(namespace, id));
    } catch (err) {
      const refused = err as Refused;
      if (refused.code !== ErrorCode.CONFLICT || !refused.dependents) throw err;
      io.stderr(`${DELETE_WARNING}\n${refused.dependents.map((d) => `  - ${d}\n`).join('')}`);
      if (!opts.force) {
        io.stderr('not deleted: run again with --force to delete it anyway\n');
        return ExitCode.INVALID;
      }
      await client.request('DELETE', `${flowPath(namespace, id)}?force=true`);
    }
    io.stdout(`${namespace}.${id} deleted\n`);
    return ExitCode.OK;
  } catch (err) {
    return remoteError(err, io);
  }
}

/** Adds `dependencies` and `delete` under `aloft flow`. */
export function registerFlowDependencyCommands(flow: Command, remote: (cmd: Command) => Command, io: CliIO, setCode: (code: number) => void): void {
  remote(flow.command('dependencies')
    .description('print the flows a flow depends on and those that depend on it (a tree on a terminal)')
    .argument('<namespace>').argument('<flowId>')
    .option('--recursive', 'follow the graph as far as it goes')
    .option('--json', 'print `{ nodes, edges }` as JSON'))
    .action(async (namespace: string, id: string, opts: RemoteOptions & { recursive?: boolean }) => { setCode(await dependenciesCommand(namespace, id, opts, io)); });
  remote(flow.command('delete')
    .description('delete a flow and its revisions; refused while other flows depend on it, unless --force')
    .argument('<namespace>').argument('<flowId>')
    .option('--force', 'delete it even though other flows depend on it'))
    .action(async (namespace: string, id: string, opts: RemoteOptions & { force?: boolean }) => { setCode(await deleteCommand(namespace, id, opts, io)); });
}
