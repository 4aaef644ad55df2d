import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };

describe('Size', () => {
  let w: Awaited<ReturnType<typeof fakeWorker>>;
  let input: string;
  beforeEach(async () => {
    w = await fakeWorker();
    input = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/inputs/data/data.csv`;
    await w.blobs.put(input, 'l1\nl2\nl3\nl4\nl5\n');
  });
  afterEach(() => w.cleanup());

  async function run(type: string, task: Record<string, unknown>) {
    const out = await runAttempt(w.task(type, { id: 't', ...task }), w.deps, opts);
    if (out.kind !== 'result') throw new Error('expected a result');
    return out.result;
  }

  it('Size gives the bytes of a file', async () => {
    expect(await run('io.kestra.plugin.core.storage.Size', { uri: input })).toMatchObject({ state: 'SUCCESS', outputs: { size: 15 } });
    expect(await run('io.kestra.plugin.core.storage.Size', { uri: `${input}.none` })).toMatchObject({ state: 'FAILED', error: { code: 'STORAGE_NOT_FOUND' } });
  });
});
