// gcs.Compose, CreateBucket, UpdateBucket and DeleteBucket on the storage emulator, behind a loopback
// proxy that adds the bucket and compose endpoints the emulator does not serve (wire protocol,
// test/helpers/storage-emulator-plus.ts).
import { gcsTasks } from '../../../lib/plugins/gcp/gcs';
import type { TaskContext } from '../../../lib/plugins/types';
import { fakeTaskContext } from '../../../lib/worker/testing';
import { startStoragePlus, type StoragePlus } from '../../helpers/storage-emulator-plus';
import { emulatorHost, uniquePrefix } from '../adapters-gcp/emulators';

jest.setTimeout(30_000);

const BUCKET = 'aloft-gcs-tasks';
let plus: StoragePlus;
let world: Awaited<ReturnType<typeof fakeTaskContext>>;
let dir: string;

let emulator: string;

beforeAll(async () => {
  emulator = emulatorHost('STORAGE_EMULATOR_HOST');
  plus = await startStoragePlus(emulator);
  // @google-cloud/storage sends JSON API calls to process.env.STORAGE_EMULATOR_HOST whatever apiEndpoint says.
  process.env.STORAGE_EMULATOR_HOST = plus.endpoint;
});
afterAll(async () => {
  process.env.STORAGE_EMULATOR_HOST = emulator;
  await plus.close();
});

beforeEach(async () => {
  world = await fakeTaskContext({ taskId: 'gcs', env: { STORAGE_EMULATOR_HOST: plus.endpoint } });
  dir = `gs://${BUCKET}/${uniquePrefix('c')}`;
});
afterEach(() => world.cleanup());

async function run(name: string, props: Record<string, unknown>, ctx: TaskContext = world.ctx): Promise<any> {
  const def = gcsTasks.find((t) => t.type === `io.kestra.plugin.gcp.gcs.${name}`)!;
  return def.run(ctx, def.properties.parse({ projectId: 'aloft-local', ...props }));
}

async function text(uri: string): Promise<string> {
  const down = await run('Download', { from: uri });
  const chunks: Buffer[] = [];
  for await (const c of await world.ctx.storage.get(down.uri)) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString();
}

describe('gcs.Compose on the storage emulator (with the compose endpoint added by a wire-level proxy)', () => {
  it('concatenates the files the listing finds, in name order, into one object', async () => {
    for (const [name, body] of [['in/1.csv', 'a\n'], ['in/2.csv', 'b\n'], ['in/3.txt', 'x\n']]) {
      await run('Upload', { from: (await world.ctx.storage.put('f', body)).uri, to: `${dir}/${name}` });
    }
    const out = await run('Compose', { list: { from: `${dir}/in/`, regExp: '.*\\.csv' }, to: `${dir}/all.csv` });
    expect(out).toEqual({ uri: `${dir}/all.csv` });
    expect(await text(`${dir}/all.csv`)).toBe('a\nb\n');
    expect(plus.requests.filter((r) => r.path.endsWith('/compose'))).toHaveLength(1);
  });

  it('an empty listing fails naming list unless allowEmpty', async () => {
    await expect(run('Compose', { list: { from: `${dir}/none/` }, to: `${dir}/all.csv` })).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { task: 'gcs', property: 'list' }, message: `No files found in '${dir}/none/' to compose`,
    });
  });
});

describe('gcs.CreateBucket, UpdateBucket and DeleteBucket (bucket endpoints added by a wire-level proxy)', () => {
  it('creates a bucket with its settings, then ERROR fails, SKIP keeps and UPDATE patches the existing one', async () => {
    const name = uniquePrefix('bkt').toLowerCase().replace(/_/g, '');
    const created = await run('CreateBucket', { name, location: 'EU', storageClass: 'NEARLINE', versioningEnabled: true, labels: { team: 'data' } });
    expect(created).toEqual({ bucket: name, bucketUri: `gs://${name}`, created: true, updated: false });
    expect(plus.buckets.get(name)).toMatchObject({ name, location: 'EU', storageClass: 'NEARLINE', versioning: { enabled: true }, labels: { team: 'data' } });
    await expect(run('CreateBucket', { name })).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { property: 'name' }, message: expect.stringMatching(/^CreateBucket '.+' failed: conflict: /),
    });
    expect(await run('CreateBucket', { name, ifExists: 'SKIP', location: 'US' })).toEqual({ bucket: name, bucketUri: `gs://${name}`, created: false, updated: false });
    expect(plus.buckets.get(name)).toMatchObject({ location: 'EU' });
    expect(await run('CreateBucket', { name, ifExists: 'UPDATE', requesterPays: true })).toMatchObject({ created: false, updated: true });
    expect(plus.buckets.get(name)).toMatchObject({ billing: { requesterPays: true }, storageClass: 'NEARLINE' });
    expect(await run('UpdateBucket', { name, indexPage: 'index.html', labels: { env: 'prod' } })).toMatchObject({ updated: true });
    expect(plus.buckets.get(name)).toMatchObject({ website: { mainPageSuffix: 'index.html' }, labels: { team: 'data', env: 'prod' } });
    expect(await run('DeleteBucket', { name })).toEqual({ bucket: name });
    expect(plus.buckets.has(name)).toBe(false);
  });

  it('a bucket that does not exist fails naming name with Google\'s reason; a bad name is refused on validation', async () => {
    await expect(run('UpdateBucket', { name: 'no-such-bucket-aloft', labels: { a: 'b' } })).rejects.toMatchObject({
      location: { property: 'name' }, message: "UpdateBucket 'no-such-bucket-aloft' failed: notFound: The specified bucket does not exist.",
    });
    await expect(run('DeleteBucket', { name: 'no-such-bucket-aloft' })).rejects.toMatchObject({ message: expect.stringMatching(/^DeleteBucket .+ failed: notFound: /) });
    const def = gcsTasks.find((t) => t.type === 'io.kestra.plugin.gcp.gcs.CreateBucket')!;
    expect(def.properties.safeParse({ name: 'Bad_Bucket' }).error?.issues[0]).toMatchObject({ path: ['name'] });
  });
});
