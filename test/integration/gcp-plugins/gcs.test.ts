// io.kestra.plugin.gcp.gcs.* on the Cloud Storage emulator (scripts/services/storage-emulator.sh).
import { gcsTasks } from '../../../lib/plugins/gcp/gcs';
import type { TaskContext } from '../../../lib/plugins/types';
import { fakeTaskContext } from '../../../lib/worker/testing';
import { emulatorHost, uniquePrefix } from '../adapters-gcp/emulators';

jest.setTimeout(30_000);

const BUCKET = 'aloft-gcs-tasks';
let world: Awaited<ReturnType<typeof fakeTaskContext>>;
let dir: string;

async function run(ctx: TaskContext, name: string, props: Record<string, unknown>): Promise<any> {
  const def = gcsTasks.find((t) => t.type === `io.kestra.plugin.gcp.gcs.${name}`)!;
  return def.run(ctx, def.properties.parse({ projectId: 'aloft-local', ...props }));
}

async function text(ctx: TaskContext, uri: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await ctx.storage.get(uri)) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString();
}

beforeEach(async () => {
  world = await fakeTaskContext({ taskId: 'gcs', env: { STORAGE_EMULATOR_HOST: emulatorHost('STORAGE_EMULATOR_HOST') } });
  dir = `gs://${BUCKET}/${uniquePrefix('t')}`;
});

afterEach(() => world.cleanup());

describe('Cloud Storage tasks on the storage emulator', () => {
  it('Upload a kestra:// file, then Download it back into internal storage, byte for byte', async () => {
    const body = `${'é,ü\n'.repeat(20_000)}end`;
    const file = await world.ctx.storage.put('data.csv', body);
    expect(await run(world.ctx, 'Upload', { from: file.uri, to: `${dir}/in/data.csv`, contentType: 'text/csv' })).toEqual({ uri: `${dir}/in/data.csv` });
    const down = await run(world.ctx, 'Download', { from: `${dir}/in/data.csv` });
    expect(down).toMatchObject({ bucket: BUCKET, path: `${dir.slice(BUCKET.length + 6)}/in/data.csv`, uri: expect.stringMatching(/^kestra:\/\/\/.+\/data\.csv$/) });
    expect(await text(world.ctx, down.uri)).toBe(body);
  });

  it('List one directory level or recursively, filtered by kind and regExp', async () => {
    const file = await world.ctx.storage.put('x.txt', 'x');
    for (const name of ['a.txt', 'b.csv', 'sub/c.txt']) await run(world.ctx, 'Upload', { from: file.uri, to: `${dir}/${name}` });
    const names = (out: { blobs: Array<{ uri: string }> }) => out.blobs.map((b) => b.uri.slice(dir.length + 1)).sort();
    expect(names(await run(world.ctx, 'List', { from: `${dir}/` }))).toEqual(['a.txt', 'b.csv', 'sub/']);
    expect(names(await run(world.ctx, 'List', { from: `${dir}/`, filter: 'FILES' }))).toEqual(['a.txt', 'b.csv']);
    expect(names(await run(world.ctx, 'List', { from: `${dir}/`, listingType: 'RECURSIVE', regExp: '.*\\.txt' }))).toEqual(['a.txt', 'sub/c.txt']);
    const [blob] = (await run(world.ctx, 'List', { from: `${dir}/a` })).blobs;
    expect(blob).toMatchObject({ bucket: BUCKET, size: 1, isDirectory: false });
  });

  it('Copy, Copy with delete (a move), and Delete with and without errorOnMissing', async () => {
    const file = await world.ctx.storage.put('x.txt', 'payload');
    await run(world.ctx, 'Upload', { from: file.uri, to: `${dir}/one.txt` });
    expect(await run(world.ctx, 'Copy', { from: `${dir}/one.txt`, to: `${dir}/two.txt` })).toEqual({ uri: `${dir}/two.txt` });
    await run(world.ctx, 'Copy', { from: `${dir}/two.txt`, to: `${dir}/three.txt`, delete: true });
    const names = (await run(world.ctx, 'List', { from: `${dir}/` })).blobs.map((b: { name: string }) => b.name.split('/').pop()).sort();
    expect(names).toEqual(['one.txt', 'three.txt']);
    expect(await run(world.ctx, 'Delete', { uri: `${dir}/one.txt` })).toEqual({ uri: `${dir}/one.txt`, deleted: true });
    expect(await run(world.ctx, 'Delete', { uri: `${dir}/one.txt` })).toEqual({ uri: `${dir}/one.txt`, deleted: false });
    await expect(run(world.ctx, 'Delete', { uri: `${dir}/one.txt`, errorOnMissing: true })).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { task: 'gcs', property: 'uri' }, message: expect.stringMatching(/^Delete of 'gs:.+\/one\.txt' failed: notFound: /),
    });
  });

  it('a missing object or bucket fails naming the task, the property and Google\'s reason', async () => {
    await expect(run(world.ctx, 'Download', { from: 'gs://no-such-bucket-aloft/x.csv' })).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { flow: 'io.aloft.tests.test', task: 'gcs', property: 'from' },
      message: expect.stringMatching(/^Download of 'gs:\/\/no-such-bucket-aloft\/x\.csv' failed: notFound: /),
    });
  });

  it('a value that is not a gs:// URI fails on validation with the property', () => {
    const def = gcsTasks.find((t) => t.type === 'io.kestra.plugin.gcp.gcs.Download')!;
    const parsed = def.properties.safeParse({ from: 'https://example.com/x' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['from'], message: 'expected a gs://bucket/path URI' });
  });
});
