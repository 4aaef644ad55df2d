import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderBlobStore } from '../../../lib/adapters/local';
import { ScopedTaskStorage } from '../../../lib/worker/storage';

describe('ScopedTaskStorage', () => {
  let dir: string;
  let storage: ScopedTaskStorage;
  let blobs: FolderBlobStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aloft-scoped-'));
    blobs = new FolderBlobStore({ root: join(dir, 'storage') });
    // Readable: its own execution and the one that triggered it (e0).
    storage = new ScopedTaskStorage(blobs, { namespace: 'io.n', flowId: 'f', executionId: 'e1', taskId: 't', taskRunId: 'r1' }, ['io/n/f/executions/e1', 'io/n/f/executions/e0']);
  });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('keeps flow state across executions, under the flow\'s states folder', async () => {
    expect(await storage.getState('singer-state', 'state.json')).toBeUndefined();
    expect(await storage.putState('singer-state', 'state.json', '{"a":1}')).toBe('kestra:///io/n/f/states/singer-state/state.json');
    const next = new ScopedTaskStorage(blobs, { namespace: 'io.n', flowId: 'f', executionId: 'e2', taskId: 't', taskRunId: 'r9' }, ['io/n/f/executions/e2']);
    expect(await next.getState('singer-state', 'state.json')).toBe('{"a":1}');
  });

  it('refuses a state name that would leave its folder', async () => {
    for (const name of ['../x', 'a/b', '..', '']) {
      await expect(storage.putState(name, 'state.json', '{}')).rejects.toMatchObject({ code: 'INPUT_INVALID', message: expect.stringContaining('may hold only letters') });
    }
  });

  it('keeps only the base name of a file name given with folders', async () => {
    const { uri } = await storage.put('../../elsewhere/out.txt', 'x');
    expect(uri).toBe('kestra:///io/n/f/executions/e1/tasks/t/r1/out.txt');
  });

  it('lists the files below a folder it may read, and refuses any other folder', async () => {
    await blobs.put('kestra:///io/n/f/executions/e1/tasks/t/r1/a/1.txt', 'x');
    await blobs.put('kestra:///io/n/f/executions/e1/tasks/t/r1/b.txt', 'yy');
    await blobs.put('kestra:///io/n/f/executions/e1/tasks/t/r10/c.txt', 'z');
    const listed = await storage.list('kestra:///io/n/f/executions/e1/tasks/t/r1');
    expect(listed.map((f) => [f.uri, f.size]).sort()).toEqual([
      ['kestra:///io/n/f/executions/e1/tasks/t/r1/a/1.txt', 1],
      ['kestra:///io/n/f/executions/e1/tasks/t/r1/b.txt', 2],
    ]);
    await expect(storage.list('kestra:///io/n/f/executions/e9')).rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
    await expect(storage.list('kestra:///io/n/f/executions/e1/../e9')).rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
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

  it('gives the size of a readable file, and says when it does not exist', async () => {
    const { uri } = await storage.put('out.txt', 'hello');
    await blobs.put('kestra:///io/n/f/executions/e0/inputs/i/in.txt', 'abc');
    expect(await storage.size(uri)).toBe(5);
    expect(await storage.size('kestra:///io/n/f/executions/e0/inputs/i/in.txt')).toBe(3);
    await expect(storage.size('kestra:///io/n/f/executions/e1/tasks/t/r1/none.txt')).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND' });
    await expect(storage.size('kestra:///io/n/f/executions/e2/x')).rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
  });

  it('deletes only files of its own execution, not those it may merely read', async () => {
    const { uri } = await storage.put('out.txt', 'x');
    await blobs.put('kestra:///io/n/f/executions/e0/inputs/i/in.txt', 'abc');
    expect(await storage.delete(uri)).toBe(true);
    expect(await storage.delete(uri)).toBe(false);
    await expect(storage.delete('kestra:///io/n/f/executions/e0/inputs/i/in.txt')).rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
    await expect(storage.delete('kestra:///io/n/f/executions/e1/../e0/inputs/i/in.txt')).rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
    expect(await blobs.exists('kestra:///io/n/f/executions/e0/inputs/i/in.txt')).toBe(true);
  });

  it("purges every file of its own execution and nothing else", async () => {
    await storage.put('a.txt', 'a');
    await blobs.put('kestra:///io/n/f/executions/e1/inputs/i/in.txt', 'i');
    await blobs.put('kestra:///io/n/f/executions/e10/inputs/i/in.txt', 'other');
    expect(await storage.deleteExecutionFiles()).toEqual([
      'kestra:///io/n/f/executions/e1/inputs/i/in.txt', 'kestra:///io/n/f/executions/e1/tasks/t/r1/a.txt',
    ]);
    expect(await blobs.exists('kestra:///io/n/f/executions/e10/inputs/i/in.txt')).toBe(true);
  });
});
