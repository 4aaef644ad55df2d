// gcs.Downloads and gcs.DeleteList on the Cloud Storage emulator (scripts/services/storage-emulator.sh).
import { gcsTasks } from '../../../lib/plugins/gcp/gcs';
import { movedTo } from '../../../lib/plugins/gcp/gcs/batch';
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

/** Objects under `dir`, by their name below it. */
async function names(ctx: TaskContext, at = dir): Promise<string[]> {
  const out = await run(ctx, 'List', { from: `${at}/`, listingType: 'RECURSIVE' });
  return out.blobs.map((b: { uri: string }) => b.uri.slice(at.length + 1)).sort();
}

async function seed(ctx: TaskContext, files: Record<string, string>): Promise<void> {
  for (const [name, body] of Object.entries(files)) {
    const file = await ctx.storage.put('seed', body);
    await run(ctx, 'Upload', { from: file.uri, to: `${dir}/${name}` });
  }
}

beforeEach(async () => {
  world = await fakeTaskContext({ taskId: 'gcs', env: { STORAGE_EMULATOR_HOST: emulatorHost('STORAGE_EMULATOR_HOST') } });
  dir = `gs://${BUCKET}/${uniquePrefix('b')}`;
});

afterEach(() => world.cleanup());

describe('gcs.Downloads on the storage emulator', () => {
  it('downloads every file the listing finds into internal storage, then MOVE puts them in moveDirectory', async () => {
    await seed(world.ctx, { 'in/a.csv': 'a', 'in/b.csv': 'bb', 'in/skip.txt': 'x', 'in/sub/c.csv': 'ccc' });
    const out = await run(world.ctx, 'Downloads', { from: `${dir}/in/`, listingType: 'RECURSIVE', regExp: '.*\\.csv', action: 'MOVE', moveDirectory: `${dir}/archive/` });
    const byName = Object.fromEntries(out.blobs.map((b: { name: string; uri: string }) => [b.name.slice(dir.length - BUCKET.length - 5), b]));
    expect(Object.keys(byName).sort()).toEqual(['in/a.csv', 'in/b.csv', 'in/sub/c.csv']);
    expect(byName['in/b.csv']).toMatchObject({ bucket: BUCKET, size: 2, isDirectory: false, uri: expect.stringMatching(/^kestra:\/\/\/.+\/b\.csv$/) });
    expect(await Promise.all(['in/a.csv', 'in/b.csv', 'in/sub/c.csv'].map((n) => text(world.ctx, byName[n].uri)))).toEqual(['a', 'bb', 'ccc']);
    expect(await names(world.ctx)).toEqual(['archive/a.csv', 'archive/b.csv', 'archive/c.csv', 'in/skip.txt']);
  });

  it('DELETE removes what was downloaded, NONE leaves it, and two objects with one file name keep two files', async () => {
    await seed(world.ctx, { 'x/data.json': '1', 'x/y/data.json': '2' });
    const kept = await run(world.ctx, 'Downloads', { from: `${dir}/x/`, listingType: 'RECURSIVE', action: 'NONE' });
    const uris = kept.blobs.map((b: { uri: string }) => b.uri);
    expect(new Set(uris).size).toBe(2);
    expect((await Promise.all(uris.map((u: string) => text(world.ctx, u)))).sort()).toEqual(['1', '2']);
    expect(await names(world.ctx)).toEqual(['x/data.json', 'x/y/data.json']);
    const deleted = await run(world.ctx, 'Downloads', { from: `${dir}/x/`, action: 'DELETE' });
    expect(deleted.blobs).toHaveLength(1);
    expect(await names(world.ctx)).toEqual(['x/y/data.json']);
  });

  it('MOVE without moveDirectory is refused on validation, naming moveDirectory', () => {
    const def = gcsTasks.find((t) => t.type === 'io.kestra.plugin.gcp.gcs.Downloads')!;
    const parsed = def.properties.safeParse({ from: 'gs://b/x/', action: 'MOVE' });
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['moveDirectory'], message: 'moveDirectory is required when action is MOVE' });
    expect(movedTo('gs://b/archive/', 'in/sub/c.csv')).toBe('gs://b/archive/c.csv');
    expect(movedTo('gs://b/archive', 'c.csv')).toBe('gs://b/archive/c.csv');
  });
});

describe('gcs.DeleteList on the storage emulator', () => {
  it('deletes the files the listing finds, concurrently when asked, and returns their count and total size', async () => {
    await seed(world.ctx, { 'd/a.log': 'aaa', 'd/b.log': 'bb', 'd/keep.txt': 'k', 'd/sub/c.log': 'c' });
    expect(await run(world.ctx, 'DeleteList', { from: `${dir}/d/`, regExp: '.*\\.log', concurrent: 2 })).toEqual({ count: 2, size: 5 });
    expect(await names(world.ctx)).toEqual(['d/keep.txt', 'd/sub/c.log']);
    expect(await run(world.ctx, 'DeleteList', { from: `${dir}/d/`, listingType: 'RECURSIVE' })).toEqual({ count: 2, size: 2 });
    expect(await names(world.ctx)).toEqual([]);
  });

  it('errorOnEmpty fails naming from when nothing was found; without it the count is 0', async () => {
    expect(await run(world.ctx, 'DeleteList', { from: `${dir}/none/` })).toEqual({ count: 0, size: 0 });
    await expect(run(world.ctx, 'DeleteList', { from: `${dir}/none/`, errorOnEmpty: true })).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { task: 'gcs', property: 'from' }, message: `Unable to find any files to delete on '${dir}/none/'`,
    });
  });
});
