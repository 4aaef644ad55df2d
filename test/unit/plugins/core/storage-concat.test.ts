import { Readable } from 'node:stream';
import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const c of stream) out += String(c);
  return out;
}

describe('Concat', () => {
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

  it('Concat joins files with an optional separator, from a list or its JSON', async () => {
    const second = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/inputs/b/b.txt`;
    await w.blobs.put(second, 'B');
    const listed = await run('io.kestra.plugin.core.storage.Concat', { files: [input, second], separator: '|', extension: '.txt' });
    expect(listed.outputs?.uri).toMatch(/\/concat\.txt$/);
    expect(await text(await w.blobs.get(String(listed.outputs?.uri)))).toBe('l1\nl2\nl3\nl4\nl5\n|B|');
    const json = await run('io.kestra.core.tasks.storages.Concat', { files: JSON.stringify([second, second]) });
    expect(await text(await w.blobs.get(String(json.outputs?.uri)))).toBe('BB');
    const bad = await run('io.kestra.plugin.core.storage.Concat', { files: 'not json' });
    expect(bad).toMatchObject({ state: 'FAILED', error: { code: 'FLOW_INVALID', property: 'files' } });
  });

  it('Concat refuses a file of another execution and leaves no file behind', async () => {
    const other = 'kestra:///io/aloft/tests/test/executions/other/inputs/x/x.txt';
    await w.blobs.put(other, 'secret');
    const out = await run('io.kestra.plugin.core.storage.Concat', { files: [input, other] });
    expect(out).toMatchObject({ state: 'FAILED', error: { code: 'STORAGE_FORBIDDEN' } });
    expect(await w.blobs.list(`kestra:///io/aloft/tests/test/executions/${w.execution.id}/tasks`)).toEqual([]);
  });
});
