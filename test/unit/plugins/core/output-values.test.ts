import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };

describe('OutputValues', () => {
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

  it('OutputValues outputs its rendered values', async () => {
    const out = await run('io.kestra.plugin.core.output.OutputValues', { values: { id: '{{ execution.id }}', list: [1, 2] } });
    expect(out).toMatchObject({ state: 'SUCCESS', outputs: { values: { id: w.execution.id, list: [1, 2] } } });
  });
});
