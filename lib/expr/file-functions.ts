// Kestra 1.x's file functions: fileURI(path), fileSize(path), fileExists(path), isFileEmpty(path).
// A path is a kestra:// file the execution may read, or a file of the execution's own namespace, as
// read() takes it. Rendering does no I/O: the caller looks the files up beforehand (fileStats),
// collecting computed paths through a first render (wantedFiles).
import { namespaceFileUri } from '../model/namespace-files';
import type { CallContext, FileStat, FunctionDef } from './callables';
import { hardFailure } from './failure';
import { describe } from './values';

function pathArg(path: unknown, what: string): string {
  if (typeof path !== 'string' || path.trim() === '') throw hardFailure(`${what}() needs a path, got ${describe(path)}`);
  return path;
}

function lookup(path: unknown, cx: CallContext, what: string): FileStat {
  const p = pathArg(path, what);
  const stat = cx.fileStats?.get(p);
  if (stat !== undefined) return stat;
  if (cx.wantedFiles) {
    cx.wantedFiles.add(p);
    return { size: 0 };
  }
  throw hardFailure(`${what}('${p}') works in the properties of tasks, where files can be looked up`);
}

/** The size of a file that must exist (fileSize, isFileEmpty). */
function sizeOf(path: unknown, cx: CallContext, what: string): number {
  const stat = lookup(path, cx, what);
  if ('size' in stat) return stat.size;
  throw hardFailure(`${what}('${String(path)}'): ${'missing' in stat ? stat.missing : stat.error}`);
}

/** The execution's namespace, from the render's `flow` variable. */
function namespaceOf(cx: CallContext, what: string): string {
  const flow = cx.variables?.().flow as Record<string, unknown> | undefined;
  const ns = flow && typeof flow === 'object' ? flow.namespace : undefined;
  if (typeof ns !== 'string') throw hardFailure(`${what}() needs the flow's namespace, which this render does not have`);
  return ns;
}

const NSFILE = 'nsfile://';

export const FILE_FUNCTIONS: Readonly<Record<string, FunctionDef>> = {
  // The kestra:// URI of a namespace file (`nsfile:///p` is the same as `p`); a kestra:// URI as is.
  fileURI: {
    params: ['path'],
    apply([path], cx) {
      const p = pathArg(path, 'fileURI');
      if (p.startsWith('kestra://')) return p;
      const ns = namespaceOf(cx, 'fileURI');
      let rel = p;
      if (p.startsWith(NSFILE)) {
        const rest = p.slice(NSFILE.length);
        const authority = rest.slice(0, rest.indexOf('/') < 0 ? rest.length : rest.indexOf('/'));
        if (authority !== '' && authority !== ns) throw hardFailure(`fileURI('${p}'): only files of namespace ${ns} can be named here`);
        rel = rest.slice(authority.length);
      }
      try {
        return cx.str(namespaceFileUri(ns, rel));
      } catch (e) {
        throw hardFailure(`fileURI('${p}'): ${(e as Error).message}`);
      }
    },
  },
  fileSize: { params: ['path'], apply: ([path], cx) => sizeOf(path, cx, 'fileSize') },
  isFileEmpty: { params: ['path'], apply: ([path], cx) => sizeOf(path, cx, 'isFileEmpty') === 0 },
  fileExists: {
    params: ['path'],
    apply([path], cx) {
      const stat = lookup(path, cx, 'fileExists');
      if ('error' in stat) throw hardFailure(`fileExists('${String(path)}'): ${stat.error}`);
      return 'size' in stat;
    },
  },
};
