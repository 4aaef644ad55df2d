// Kestra's namespace file tasks (io.kestra.plugin.core.namespace.*): UploadFiles, DownloadFiles and
// DeleteFiles, on the files of the execution's own namespace. Globs match the path relative to the
// namespace's files (`*.sql` top-level, `**.sql` or `queries/**` at any depth).
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import { namespaceFilePath } from '../../model/namespace-files';
import { globToRegExp } from '../scripts/output-files';
import type { RunnableTaskDefinition, TaskContext } from '../types';

const Globs = z.union([z.string(), z.array(z.string())]).transform((g) => (Array.isArray(g) ? g : [g]));

/** The task's namespace: only the execution's own, whose files a task may touch. */
function ownNamespace(ctx: TaskContext, namespace: string | undefined): void {
  if (namespace !== undefined && namespace !== ctx.namespaceFiles.namespace) {
    throw new AloftError(ErrorCode.FORBIDDEN,
      `namespace ${namespace}: a task reaches only the files of its execution's namespace (${ctx.namespaceFiles.namespace})`, { property: 'namespace' });
  }
}

async function matching(ctx: TaskContext, globs: readonly string[]): Promise<string[]> {
  const res = globs.map((g) => globToRegExp(g.replace(/^\/+/, '')));
  return (await ctx.namespaceFiles.list()).map((f) => f.path).filter((p) => res.some((re) => re.test(p)));
}

const joinPath = (folder: string, name: string): string => `${folder.replace(/^\/+|\/+$/g, '')}/${name}`.replace(/^\/+/, '');

export const UploadFilesProperties = z.object({
  namespace: z.string().optional(),
  /** Destination path -> kestra:// URI (or the same map as JSON). */
  filesMap: z.union([z.record(z.string(), z.string()), z.string()]).optional(),
  /** kestra:// URIs, stored under `destination` by their file name. */
  files: z.array(z.string()).optional(),
  destination: z.string().default('/'),
  conflict: z.enum(['OVERWRITE', 'ERROR', 'SKIP']).default('OVERWRITE'),
}).strict();
export type UploadFilesProperties = z.infer<typeof UploadFilesProperties>;

export const UploadFilesOutputs = z.object({ files: z.array(z.string()) }).strict();

export const uploadFilesTask: RunnableTaskDefinition<UploadFilesProperties, z.infer<typeof UploadFilesOutputs>> = {
  type: 'io.kestra.plugin.core.namespace.UploadFiles',
  aliases: [],
  group: PluginGroup.core,
  properties: UploadFilesProperties,
  outputs: UploadFilesOutputs,
  async run(ctx, props) {
    ownNamespace(ctx, props.namespace);
    let map: Record<string, string> = {};
    if (typeof props.filesMap === 'string') {
      try {
        map = z.record(z.string(), z.string()).parse(JSON.parse(props.filesMap));
      } catch {
        throw new AloftError(ErrorCode.FLOW_INVALID, 'filesMap must be a map of path to kestra:// URI, or that map as JSON', { property: 'filesMap' });
      }
    } else if (props.filesMap) map = { ...props.filesMap };
    for (const uri of props.files ?? []) map[joinPath(props.destination, uri.split('/').pop() ?? uri)] = uri;
    const stored: string[] = [];
    for (const [path, uri] of Object.entries(map)) {
      const target = namespaceFilePath(path, { property: 'filesMap' });
      if (props.conflict !== 'OVERWRITE' && (await ctx.namespaceFiles.list()).some((f) => f.path === target)) {
        if (props.conflict === 'SKIP') continue;
        throw new AloftError(ErrorCode.CONFLICT, `namespace file ${target} already exists (conflict: ERROR)`, { property: 'conflict' });
      }
      stored.push((await ctx.namespaceFiles.put(target, await ctx.storage.get(uri))).path);
    }
    return { files: stored };
  },
};

export const DownloadFilesProperties = z.object({
  namespace: z.string().optional(),
  files: Globs,
  destination: z.string().default(''),
}).strict();
export type DownloadFilesProperties = z.infer<typeof DownloadFilesProperties>;

export const DownloadFilesOutputs = z.object({ files: z.record(z.string(), z.string()) }).strict();

export const downloadFilesTask: RunnableTaskDefinition<DownloadFilesProperties, z.infer<typeof DownloadFilesOutputs>> = {
  type: 'io.kestra.plugin.core.namespace.DownloadFiles',
  aliases: [],
  group: PluginGroup.core,
  properties: DownloadFilesProperties,
  outputs: DownloadFilesOutputs,
  async run(ctx, props) {
    ownNamespace(ctx, props.namespace);
    const files: Record<string, string> = {};
    for (const path of await matching(ctx, props.files)) {
      const name = joinPath(props.destination, path);
      files[name] = (await ctx.storage.put(name, await ctx.namespaceFiles.get(path))).uri;
    }
    return { files };
  },
};

export const DeleteFilesProperties = z.object({
  namespace: z.string().optional(),
  files: Globs,
  /** Kestra's: folders are implicit here (a folder exists while it holds a file), so there is nothing more to delete. */
  deleteParentFolder: z.boolean().optional(),
}).strict();
export type DeleteFilesProperties = z.infer<typeof DeleteFilesProperties>;

export const DeleteFilesOutputs = z.object({ files: z.array(z.string()) }).strict();

export const deleteFilesTask: RunnableTaskDefinition<DeleteFilesProperties, z.infer<typeof DeleteFilesOutputs>> = {
  type: 'io.kestra.plugin.core.namespace.DeleteFiles',
  aliases: [],
  group: PluginGroup.core,
  properties: DeleteFilesProperties,
  outputs: DeleteFilesOutputs,
  async run(ctx, props) {
    ownNamespace(ctx, props.namespace);
    const deleted: string[] = [];
    for (const path of await matching(ctx, props.files)) if (await ctx.namespaceFiles.delete(path)) deleted.push(path);
    return { files: deleted };
  },
};

export const namespaceFileTasks: readonly RunnableTaskDefinition[] = [uploadFilesTask, downloadFilesTask, deleteFilesTask];
