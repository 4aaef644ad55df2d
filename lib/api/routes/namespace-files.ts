// Namespace files, as Kestra's /api/v1/namespaces/{namespace}/files routes. `path` is relative to
// the namespace's files; one that would leave them answers 403 STORAGE_FORBIDDEN.
import { AloftError, ErrorCode } from '../../model/errors';
import type { NamespaceFiles } from '../../worker/namespace-files';
import { Access } from '../auth';
import { readMultipart } from '../multipart';
import { namespaceParam } from '../namespace-param';
import type { Ctx, Route } from '../route';
import { NamespaceDirectory, NamespaceFileSaved } from '../response-schemas';

function files(cx: Ctx): NamespaceFiles {
  if (!cx.service.namespaceFiles) throw new AloftError(ErrorCode.NOT_SUPPORTED, 'this server has no namespace files');
  return cx.service.namespaceFiles;
}

function pathOf(cx: Ctx, required: boolean): string {
  const path = cx.query.get('path');
  if (path === null || (required && path.replace(/\//g, '') === '')) {
    if (!required) return '';
    throw new AloftError(ErrorCode.MESSAGE_INVALID, 'query path: the path of a file is required');
  }
  return path;
}

const PATH = '/api/v1/namespaces/{namespace}/files';
const TAG = 'Files';
const PATH_PARAM = { path: { type: 'string', description: 'relative to the namespace\'s files, such as /scripts/etl.py' } } as const;

export const namespaceFileRoutes: Route[] = [
  {
    method: 'GET', path: PATH, operationId: 'getFileContent', media: 'application/octet-stream', tag: TAG, access: Access.READ, query: PATH_PARAM,
    summary: 'Download a namespace file',
    responses: { 200: 'the file', 400: 'no path, or not a namespace name', 403: 'the path leaves the namespace\'s files', 404: 'no such file' },
    async handle(cx) {
      const ns = namespaceParam(cx.params.namespace);
      const path = pathOf(cx, true);
      const stream = await files(cx).get(ns, path);
      return { status: 200, stream, headers: { 'content-type': 'application/octet-stream' } };
    },
  },
  {
    method: 'GET', path: `${PATH}/directory`, operationId: 'listNamespaceDirectoryFiles', reply: NamespaceDirectory, tag: TAG, access: Access.READ, query: PATH_PARAM,
    summary: 'The files and folders right inside a folder of namespace files (the root without path)',
    responses: { 200: '`[{ fileName, type: File|Directory, size }]`, folders first', 403: 'the path leaves the namespace\'s files' },
    handle: async (cx) => ({ status: 200, json: await files(cx).directory(namespaceParam(cx.params.namespace), pathOf(cx, false)) }),
  },
  {
    method: 'POST', path: PATH, operationId: 'createNamespaceFile', reply: NamespaceFileSaved, tag: TAG, access: Access.WRITE, query: PATH_PARAM,
    summary: 'Upload a namespace file (multipart, field `fileContent`); an existing file is replaced',
    body: { 'multipart/form-data': 'form' },
    responses: { 200: '`{ path, size }`', 400: 'no path or no fileContent', 403: 'the path leaves the namespace\'s files', 413: 'larger than the upload limit' },
    async handle(cx) {
      const ns = namespaceParam(cx.params.namespace);
      const path = pathOf(cx, true);
      const form = await readMultipart(cx.req, cx.limits.uploadBytes);
      try {
        const file = form.files.fileContent;
        if (!file) throw new AloftError(ErrorCode.MESSAGE_INVALID, 'request body: the file goes in the multipart field fileContent');
        return { status: 200, json: await files(cx).put(ns, path, file.data) };
      } finally {
        await form.dispose();
      }
    },
  },
  {
    method: 'DELETE', path: PATH, operationId: 'deleteFileDirectory', tag: TAG, access: Access.WRITE, query: PATH_PARAM,
    summary: 'Delete a namespace file',
    responses: { 204: 'deleted', 403: 'the path leaves the namespace\'s files', 404: 'no such file' },
    async handle(cx) {
      const ns = namespaceParam(cx.params.namespace);
      const path = pathOf(cx, true);
      if (!(await files(cx).delete(ns, path))) throw new AloftError(ErrorCode.STORAGE_NOT_FOUND, `namespace ${ns} has no file ${path}`);
      return { status: 204 };
    },
  },
];
