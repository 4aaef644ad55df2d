// GcsBlobStore on the firebase-tools storage emulator, beyond the port contract: where kestra:/// URIs
// land in the bucket, and that a store never sees objects outside its prefix.
import { GcsBlobStore } from '../../../lib/adapters/gcp/gcs-blob-store';
import { storageFor, uniquePrefix, uniqueProject } from './emulators';

const projectId = uniqueProject('gcs');
const bucketName = `${projectId}-bucket`;
let client: ReturnType<typeof storageFor> | undefined;
const storage = () => (client ??= storageFor(projectId));

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString();
}

describe('GcsBlobStore on the storage emulator', () => {
  it('maps kestra:///{key} to gs://{bucket}/{prefix}/{key}', async () => {
    const prefix = `internal/${uniquePrefix('p')}`;
    const store = new GcsBlobStore({ storage: storage(), bucket: bucketName, prefix });
    const info = await store.put('kestra:///io/aloft/f/executions/e1/tasks/t/r1/out.csv', 'a,b\n');
    expect(info).toEqual({ uri: 'kestra:///io/aloft/f/executions/e1/tasks/t/r1/out.csv', size: 4 });
    const [found] = await storage().bucket(bucketName).file(`${prefix}/io/aloft/f/executions/e1/tasks/t/r1/out.csv`).exists();
    expect(found).toBe(true);
  });

  it('keeps objects at the bucket root when there is no prefix, decoding escaped names once', async () => {
    const top = uniquePrefix('root');
    const store = new GcsBlobStore({ storage: storage(), bucket: bucketName });
    await store.put(`kestra:///${top}/my%20file.txt`, 'x');
    const [found] = await storage().bucket(bucketName).file(`${top}/my file.txt`).exists();
    expect(found).toBe(true);
    expect(await store.list(`kestra:///${top}`)).toEqual([{ uri: `kestra:///${top}/my%20file.txt`, size: 1 }]);
  });

  it('neither lists nor reads objects outside its prefix', async () => {
    const mine = `a/${uniquePrefix('mine')}`;
    const other = `a/${uniquePrefix('other')}`;
    await storage().bucket(bucketName).file(`${other}/secret.txt`).save('not yours', { resumable: false });
    const store = new GcsBlobStore({ storage: storage(), bucket: bucketName, prefix: mine });
    await store.put('kestra:///x/mine.txt', 'mine');
    expect(await store.list('kestra:///x')).toEqual([{ uri: 'kestra:///x/mine.txt', size: 4 }]);
    await expect(store.get(`kestra:///../${other.slice(2)}/secret.txt`)).rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
    expect(await text(await store.get('kestra:///x/mine.txt'))).toBe('mine');
  });
});
