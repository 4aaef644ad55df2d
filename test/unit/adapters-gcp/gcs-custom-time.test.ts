// The bucket's retention rule deletes execution files by daysSinceCustomTime, so the adapter must stamp
// them. The firebase-tools storage emulator drops customTime, so this test checks the upload on the wire
// with a fake GCS upload endpoint on loopback, driven by the real @google-cloud/storage client.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CRC32C, Storage } from '@google-cloud/storage';
import { GcsBlobStore } from '../../../lib/adapters/gcp/gcs-blob-store';

let server: Server;

function checksum(data: Buffer): string {
  const crc = new CRC32C();
  crc.update(data);
  return crc.toString();
}
const uploads: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      uploads.push(body);
      // A multipart upload: the object's metadata as JSON, then its data. The client checks the CRC32C we answer.
      const boundary = /boundary=([^;]+)/.exec(String(req.headers['content-type']))?.[1] ?? '';
      const dataPart = body.split(`--${boundary}`)[2] ?? '';
      const data = dataPart.slice(dataPart.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '');
      const name = /"name":"([^"]+)"/.exec(body)?.[1] ?? 'x';
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        kind: 'storage#object', name, bucket: 'b', size: String(Buffer.byteLength(data)), generation: '1',
        crc32c: checksum(Buffer.from(data)),
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('GcsBlobStore customTime (fake GCS upload endpoint on loopback)', () => {
  it('stamps execution files with the injected time and leaves flow state files unstamped', async () => {
    const { port } = server.address() as AddressInfo;
    const storage = new Storage({ apiEndpoint: `http://127.0.0.1:${port}`, projectId: 'p', token: 'test' } as never);
    const at = new Date('2026-03-01T12:00:00.000Z');
    const store = new GcsBlobStore({ storage, bucket: 'b', clock: { now: () => at } });
    await store.put('kestra:///io/aloft/f/executions/e1/tasks/t/r1/out.csv', 'x');
    await store.put('kestra:///io/aloft/f/states/singer/state.json', '{}');
    expect(uploads).toHaveLength(2);
    expect(uploads[0]).toContain('"customTime":"2026-03-01T12:00:00.000Z"');
    expect(uploads[1]).not.toContain('customTime');
  });
});
