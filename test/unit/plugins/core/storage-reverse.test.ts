import { Readable } from 'node:stream';
import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const c of stream) out += String(c);
  return out;
}

describe('Reverse', () => {
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

  it('Reverse writes the lines last first, with a separator', async () => {
    const out = await run('io.kestra.plugin.core.storage.Reverse', { from: input, separator: ',' });
    expect(out.outputs?.uri).toMatch(/\/reverse\.csv$/);
    expect(await text(await w.blobs.get(String(out.outputs?.uri)))).toBe('l5,l4,l3,l2,l1,');
  });
});
