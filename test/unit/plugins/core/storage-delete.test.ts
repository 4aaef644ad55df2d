import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };

describe('Delete and PurgeCurrentExecutionFiles', () => {
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

  it('Delete removes a file of this execution, errorOnMissing decides about a missing one', async () => {
    expect(await run('io.kestra.plugin.core.storage.Delete', { uri: input })).toMatchObject({ outputs: { uri: input, deleted: true } });
    expect(await run('io.kestra.plugin.core.storage.Delete', { uri: input })).toMatchObject({ state: 'SUCCESS', outputs: { deleted: false } });
    expect(await run('io.kestra.plugin.core.storage.Delete', { uri: input, errorOnMissing: true }))
      .toMatchObject({ state: 'FAILED', error: { code: 'STORAGE_NOT_FOUND', property: 'uri' } });
    const traversal = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/../other/inputs/x/x.txt`;
    expect(await run('io.kestra.plugin.core.storage.Delete', { uri: traversal })).toMatchObject({ state: 'FAILED', error: { code: 'STORAGE_FORBIDDEN' } });
  });

  it('PurgeCurrentExecutionFiles deletes every file of this execution and lists them', async () => {
    const out = await run('io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles', {});
    expect(out).toMatchObject({ state: 'SUCCESS', outputs: { uris: [input] } });
    expect(await w.blobs.exists(input)).toBe(false);
  });
});
