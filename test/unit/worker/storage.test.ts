import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderBlobStore } from '../../../lib/adapters/local';
import { ScopedTaskStorage } from '../../../lib/worker/storage';

describe('ScopedTaskStorage', () => {
  let dir: string;
  let storage: ScopedTaskStorage;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aloft-scoped-'));
    const blobs = new FolderBlobStore({ root: join(dir, 'storage') });
    storage = new ScopedTaskStorage(blobs, { namespace: 'io.n', flowId: 'f', executionId: 'e1', taskId: 't', taskRunId: 'r1' }, ['io/n/f/executions/e1']);
  });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('keeps only the base name of a file name given with folders', async () => {
    const { uri } = await storage.put('../../elsewhere/out.txt', 'x');
    expect(uri).toBe('kestra:///io/n/f/executions/e1/tasks/t/r1/out.txt');
  });

  it('refuses a prefix look-alike of its own execution', async () => {
    await expect(storage.get('kestra:///io/n/f/executions/e10/tasks/t/r/x')).rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
  });

  it('counts and stores rows given as a plain iterable', async () => {
    const out = await storage.writeRows('rows.jsonl', [{ a: 1 }, { a: 2 }]);
    expect(out.rows).toBe(2);
    const rows = [];
    for await (const r of storage.readRows(out.uri)) rows.push(r);
    expect(rows).toEqual([{ a: 1 }, { a: 2 }]);
  });
});
