import { runAttempt } from '../../../../lib/worker';
import { NamespaceFiles } from '../../../../lib/worker/namespace-files';
import { fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };
const text = async (s: AsyncIterable<Buffer | string>): Promise<string> => {
  let out = '';
  for await (const c of s) out += c.toString();
  return out;
};

describe('namespace file tasks', () => {
  let w: Awaited<ReturnType<typeof fakeWorker>>;
  let files: NamespaceFiles;
  let input: string;
  beforeEach(async () => {
    w = await fakeWorker();
    files = new NamespaceFiles(w.blobs);
    input = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/inputs/data/q.sql`;
    await w.blobs.put(input, 'select 1');
  });
  afterEach(() => w.cleanup());

  async function run(type: string, task: Record<string, unknown>) {
    const out = await runAttempt(w.task(`io.kestra.plugin.core.namespace.${type}`, { id: 't', ...task }), w.deps, opts);
    if (out.kind !== 'result') throw new Error('expected a result');
    return out.result;
  }

  it('UploadFiles stores files of the execution as namespace files, by map or under a destination', async () => {
    expect(await run('UploadFiles', { filesMap: { '/queries/a.sql': input } })).toMatchObject({ state: 'SUCCESS', outputs: { files: ['queries/a.sql'] } });
    expect(await run('UploadFiles', { files: [input], destination: '/more' })).toMatchObject({ outputs: { files: ['more/q.sql'] } });
    expect(await text(await files.get('io.aloft.tests', 'queries/a.sql'))).toBe('select 1');
    expect((await files.list('io.aloft.tests')).map((f) => f.path)).toEqual(['more/q.sql', 'queries/a.sql']);
  });

  it('UploadFiles skips or refuses an existing file when conflict says so', async () => {
    await files.put('io.aloft.tests', 'q.sql', 'old');
    expect(await run('UploadFiles', { files: [input], conflict: 'SKIP' })).toMatchObject({ state: 'SUCCESS', outputs: { files: [] } });
    expect(await run('UploadFiles', { files: [input], conflict: 'ERROR' })).toMatchObject({ state: 'FAILED', error: { code: 'CONFLICT', property: 'conflict' } });
    expect(await text(await files.get('io.aloft.tests', 'q.sql'))).toBe('old');
  });

  it('DownloadFiles copies matching namespace files into the execution\'s storage', async () => {
    await files.put('io.aloft.tests', 'queries/a.sql', 'A');
    await files.put('io.aloft.tests', 'queries/b.txt', 'B');
    const out = await run('DownloadFiles', { files: ['queries/*.sql'] });
    expect(out).toMatchObject({ state: 'SUCCESS' });
    const map = out.outputs!.files as Record<string, string>;
    expect(Object.keys(map)).toEqual(['queries/a.sql']);
    expect(await text(await w.blobs.get(map['queries/a.sql']))).toBe('A');
  });

  it('DeleteFiles deletes the matching files only', async () => {
    await files.put('io.aloft.tests', 'tmp/a.csv', 'a');
    await files.put('io.aloft.tests', 'keep.csv', 'k');
    expect(await run('DeleteFiles', { files: '**.csv', namespace: 'io.aloft.tests' })).toMatchObject({ outputs: { files: ['keep.csv', 'tmp/a.csv'] } });
    expect(await files.list('io.aloft.tests')).toEqual([]);
  });

  it('refuses another namespace and paths that leave the namespace\'s files', async () => {
    await files.put('company', 'secret.txt', 's');
    expect(await run('DownloadFiles', { files: ['**'], namespace: 'company' })).toMatchObject({
      state: 'FAILED', error: { code: 'FORBIDDEN', property: 'namespace', message: expect.stringContaining('namespace company') },
    });
    expect(await run('UploadFiles', { filesMap: { '../../company/_files/secret.txt': input } })).toMatchObject({
      state: 'FAILED', error: { code: 'STORAGE_FORBIDDEN', property: 'filesMap' },
    });
    expect(await text(await files.get('company', 'secret.txt'))).toBe('s');
  });
});
