import { text } from 'node:stream/consumers';
import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };
const LOCAL_FILES = 'io.kestra.plugin.core.storage.LocalFiles';

describe('LocalFiles', () => {
  let w: Awaited<ReturnType<typeof fakeWorker>>;
  beforeEach(async () => { w = await fakeWorker(); });
  afterEach(() => w.cleanup());

  async function run(task: Record<string, unknown>) {
    const out = await runAttempt(w.task(LOCAL_FILES, { id: 'files', ...task }), w.deps, opts);
    if (out.kind !== 'result') throw new Error('expected a result');
    return out.result;
  }

  it('stores inline inputs and copies kestra:// inputs, then answers the URIs of the files matching outputs', async () => {
    const input = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/inputs/data/data.csv`;
    await w.blobs.put(input, 'a,b\n1,2\n');
    const r = await run({ inputs: { 'hello.txt': 'Hello {{ flow.id }}', 'copy.csv': input, 'skip.md': 'no' }, outputs: ['*.txt', '*.csv'] });
    expect(r.state).toBe('SUCCESS');
    const uris = r.outputs!.uris as Record<string, string>;
    expect(Object.keys(uris).sort()).toEqual(['copy.csv', 'hello.txt']);
    expect(await text(await w.blobs.get(uris['hello.txt']))).toBe('Hello test');
    expect(await text(await w.blobs.get(uris['copy.csv']))).toBe('a,b\n1,2\n');
  });

  it('takes inputs as the JSON text of a map', async () => {
    const r = await run({ inputs: '{"x.json": "{}"}', outputs: ['x.json'] });
    expect(Object.keys(r.outputs!.uris as Record<string, string>)).toEqual(['x.json']);
  });

  it('refuses a file name that leaves the folder', async () => {
    const r = await run({ inputs: { '../escape.txt': 'x' }, outputs: ['**'] });
    expect(r).toMatchObject({ state: 'FAILED', error: { code: 'FLOW_INVALID', message: expect.stringContaining("invalid file name '../escape.txt'") } });
  });

  it('refuses inputs text that is not a map of names to contents', async () => {
    expect(await run({ inputs: '[1]' })).toMatchObject({ state: 'FAILED', error: { message: 'inputs must be a map of file name to content, or the JSON text of one' } });
  });
});
