import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderBlobStore } from '../../../lib/adapters/local/blob-store';
import { NamespaceFiles } from '../../../lib/worker/namespace-files';

const text = async (s: AsyncIterable<Buffer | string>): Promise<string> => {
  let out = '';
  for await (const c of s) out += c.toString();
  return out;
};

describe('NamespaceFiles on a folder blob store', () => {
  let dir: string;
  let blobs: FolderBlobStore;
  let files: NamespaceFiles;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aloft-nsfiles-'));
    blobs = new FolderBlobStore({ root: join(dir, 'storage'), partialDir: join(dir, 'partial') });
    files = new NamespaceFiles(blobs);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the size of one file, and STORAGE_NOT_FOUND naming a missing one', async () => {
    await files.put('company.team', 'scripts/etl.py', 'print(1)\n');
    await files.put('company.team', 'scripts/etl.py.bak', 'older');
    await files.put('company.team', 'top.txt', '');
    expect(await files.size('company.team', 'scripts/etl.py')).toBe(9);
    expect(await files.size('company.team', '/top.txt')).toBe(0);
    await expect(files.size('company.team', 'scripts/nope.py')).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND', message: 'namespace company.team has no file scripts/nope.py' });
    await expect(files.size('company.team', '../other/_files/x')).rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
  });

  it('stores, reads, lists and deletes the files of a namespace', async () => {
    expect(await files.put('company.team', '/scripts/etl.py', 'print(1)\n')).toEqual({ path: 'scripts/etl.py', size: 9 });
    await files.put('company.team', 'README.md', '# hi');
    await files.put('company.team', 'scripts/sql/q.sql', 'select 1');
    expect(await text(await files.get('company.team', 'scripts/etl.py'))).toBe('print(1)\n');
    expect(await files.list('company.team')).toEqual([
      { path: 'README.md', size: 4 }, { path: 'scripts/etl.py', size: 9 }, { path: 'scripts/sql/q.sql', size: 8 },
    ]);
    expect(await files.directory('company.team')).toEqual([
      { fileName: 'scripts', type: 'Directory' }, { fileName: 'README.md', type: 'File', size: 4 },
    ]);
    expect(await files.directory('company.team', '/scripts/')).toEqual([
      { fileName: 'sql', type: 'Directory' }, { fileName: 'etl.py', type: 'File', size: 9 },
    ]);
    expect(await files.delete('company.team', 'README.md')).toBe(true);
    expect(await files.delete('company.team', 'README.md')).toBe(false);
  });

  it('keeps a namespace\'s files apart from its child namespace and from flows', async () => {
    await files.put('company', 'a.txt', 'parent');
    await files.put('company.team', 'a.txt', 'child');
    await blobs.put('kestra:///company/flow/executions/e1/tasks/t/r/out.txt', 'execution file');
    expect(await files.list('company')).toEqual([{ path: 'a.txt', size: 6 }]);
    expect(await text(await files.get('company.team', 'a.txt'))).toBe('child');
  });

  it('refuses paths that leave the namespace\'s files before touching storage', async () => {
    await blobs.put('kestra:///company/secret.txt', 'not yours');
    for (const path of ['../secret.txt', '%2e%2e/secret.txt', 'x/../../secret.txt']) {
      await expect(files.get('company.team', path)).rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
      await expect(files.put('company.team', path, 'x')).rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
      await expect(files.delete('company.team', path)).rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
    }
    expect(await text(await blobs.get('kestra:///company/secret.txt'))).toBe('not yours');
  });

  it('names the namespace and the path of a missing file', async () => {
    await expect(files.get('company', 'nope.txt')).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND', message: 'namespace company has no file nope.txt' });
  });
});
