import { Readable } from 'node:stream';
import { fileName } from '../../../../lib/plugins/core/http-download';
import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';
import { startFixture, type Fixture } from './http-fixture';

// Against a real node:http server on loopback.
const DOWNLOAD = 'io.kestra.plugin.core.http.Download';
const opts = { workerId: 'w' };

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const c of stream) out += String(c);
  return out;
}

describe('http.Download', () => {
  let server: Fixture;
  beforeAll(async () => { server = await startFixture(); });
  afterAll(() => server.close());

  it('streams the body into internal storage and outputs uri, code, length and headers', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(DOWNLOAD, { id: 'dl', uri: `${server.url}/json` }), w.deps, opts);
      expect(out).toMatchObject({
        result: { state: 'SUCCESS', outputs: { code: 200, length: 17, headers: { 'content-type': ['application/json'] } }, metrics: { 'response.length': 17 } },
      });
      if (out.kind !== 'result') throw new Error('expected a result');
      const uri = String(out.result.outputs?.uri);
      expect(uri).toMatch(new RegExp(`^kestra:///io/aloft/tests/test/executions/${w.execution.id}/tasks/dl/[^/]+/json$`));
      expect(await text(await w.blobs.get(uri))).toBe('{"hello":"world"}');
    } finally {
      await w.cleanup();
    }
  });

  it('names the file after Content-Disposition, keeping only its last segment', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(DOWNLOAD, { uri: `${server.url}/named` }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { uri: expect.stringMatching(/\/report%201\.csv$/) } } });
    } finally {
      await w.cleanup();
    }
    expect(fileName('http://h/a/b.csv', { 'content-disposition': ["attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"] })).toBe('résumé.pdf');
    expect(fileName('http://h/', {})).toBe('download');
  });

  it('fails on an empty body unless failOnEmptyResponse is false', async () => {
    const w = await fakeWorker();
    try {
      const strict = await runAttempt(w.task(DOWNLOAD, { uri: `${server.url}/empty` }), w.deps, opts);
      expect(strict).toMatchObject({ result: { state: 'FAILED', error: { code: 'TASK_FAILED', message: `no response from server: ${server.url}/empty sent an empty body (failOnEmptyResponse)` } } });
      const lax = await runAttempt(w.task(DOWNLOAD, { uri: `${server.url}/empty`, failOnEmptyResponse: false }), w.deps, opts);
      expect(lax).toMatchObject({ result: { state: 'SUCCESS', outputs: { length: 0 } } });
    } finally {
      await w.cleanup();
    }
  });

  it('fails on a 4xx, and when the body ends before its Content-Length', async () => {
    const w = await fakeWorker();
    try {
      const missing = await runAttempt(w.task(DOWNLOAD, { uri: `${server.url}/missing` }), w.deps, opts);
      expect(missing).toMatchObject({ result: { state: 'FAILED', error: { message: `GET ${server.url}/missing failed with response code 404: no such thing` } } });
      const short = await runAttempt(w.task(DOWNLOAD, { uri: `${server.url}/short` }), w.deps, opts);
      expect(short).toMatchObject({ result: { state: 'FAILED', error: { code: 'TASK_FAILED', message: expect.stringMatching(new RegExp(`^GET ${server.url}/short failed: `)) } } });
    } finally {
      await w.cleanup();
    }
  });

  it('downloads 100 MB with flat memory', async () => {
    const w = await fakeWorker();
    try {
      const bytes = 100 * 1024 * 1024;
      // A first, smaller download warms up what is allocated once (JIT, pools, stream buffers).
      await runAttempt(w.task(DOWNLOAD, { uri: `${server.url}/large?bytes=${16 * 1024 * 1024}` }), w.deps, opts);
      const base = process.memoryUsage();
      let peakRss = base.rss;
      let peakBuffers = base.arrayBuffers;
      const sample = setInterval(() => {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
      }, 5);
      let out;
      try {
        out = await runAttempt(w.task(DOWNLOAD, { uri: `${server.url}/large?bytes=${bytes}` }), w.deps, opts);
      } finally {
        clearInterval(sample);
      }
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { length: bytes } } });
      // Holding the body would add 100 MB of buffers (and of RSS); streaming adds a few chunks. Not the JS
      // heap: its garbage waits for a collection whose timing depends on what else runs in the process.
      expect((peakRss - base.rss) / 2 ** 20).toBeLessThan(75);
      expect((peakBuffers - base.arrayBuffers) / 2 ** 20).toBeLessThan(75);
    } finally {
      await w.cleanup();
    }
  });
});
