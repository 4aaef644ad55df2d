// The /files routes over real HTTP, on NamespaceFiles over a folder blob store.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderBlobStore } from '../../../../lib/adapters/local/blob-store';
import { createApiHandler } from '../../../../lib/api/router';
import type { ApiService } from '../../../../lib/api/service';
import { NamespaceFiles } from '../../../../lib/worker/namespace-files';

const unused = new Proxy({}, { get: () => { throw new Error('not used by the files routes'); } });

describe('the namespace /files routes', () => {
  let dir: string;
  let blobs: FolderBlobStore;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aloft-nsfiles-api-'));
    blobs = new FolderBlobStore({ root: join(dir, 'storage'), partialDir: join(dir, 'partial') });
    const service = { flows: unused, executions: unused, logs: unused, storage: unused, triggers: unused, namespaceFiles: new NamespaceFiles(blobs) } as unknown as ApiService;
    const handler = createApiHandler({ service });
    server = createServer((req, res) => { void handler(req, res); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/namespaces`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const upload = (ns: string, path: string, content: string) => {
    const form = new FormData();
    form.append('fileContent', new Blob([content]), 'file');
    return fetch(`${url}/${ns}/files?path=${encodeURIComponent(path)}`, { method: 'POST', body: form });
  };

  it('uploads, lists, downloads and deletes a file as Kestra\'s API does', async () => {
    const up = await upload('company.team', '/scripts/hello.py', 'print("hi")\n');
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ path: 'scripts/hello.py', size: 12 });
    expect(await (await fetch(`${url}/company.team/files/directory`)).json()).toEqual([{ fileName: 'scripts', type: 'Directory' }]);
    expect(await (await fetch(`${url}/company.team/files/directory?path=/scripts`)).json()).toEqual([{ fileName: 'hello.py', type: 'File', size: 12 }]);
    const got = await fetch(`${url}/company.team/files?path=/scripts/hello.py`);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('print("hi")\n');
    expect((await fetch(`${url}/company.team/files?path=/scripts/hello.py`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${url}/company.team/files?path=/scripts/hello.py`)).status).toBe(404);
  });

  it.each(['../../secret.txt', '%2e%2e/%2e%2e/secret.txt', '/scripts/../../../secret.txt'])(
    'refuses the traversal %s with 403 and a message, no stack and no server path', async (path) => {
      await blobs.put('kestra:///company/secret.txt', 'not yours');
      for (const r of [
        await fetch(`${url}/company.team/files?path=${encodeURIComponent(path)}`),
        await upload('company.team', path, 'overwritten'),
        await fetch(`${url}/company.team/files?path=${encodeURIComponent(path)}`, { method: 'DELETE' }),
        await fetch(`${url}/company.team/files/directory?path=${encodeURIComponent(path)}`),
      ]) {
        expect(r.status).toBe(403);
        const body = await r.json() as { code: string; message: string; stack?: unknown };
        expect(body.code).toBe('STORAGE_FORBIDDEN');
        expect(body.message).toContain('namespace file path');
        expect(body.message).not.toContain(dir);
        expect(body.stack).toBeUndefined();
      }
    },
  );

  it('refuses a malformed namespace with 400 naming it, and a missing path or file field', async () => {
    const bad = await fetch(`${url}/..%2F..%2Fetc/files?path=a.txt`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'MESSAGE_INVALID', message: expect.stringContaining("namespace '../../etc'") });
    expect((await fetch(`${url}/company/files`)).status).toBe(400);
    const form = new FormData();
    form.append('other', new Blob(['x']), 'file');
    const noField = await fetch(`${url}/company/files?path=a.txt`, { method: 'POST', body: form });
    expect(await noField.json()).toMatchObject({ code: 'MESSAGE_INVALID', message: expect.stringContaining('fileContent') });
  });
});
