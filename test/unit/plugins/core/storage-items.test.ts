import { Readable } from 'node:stream';
import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const c of stream) out += String(c);
  return out;
}

describe('FilterItems and DeduplicateItems', () => {
  let w: Awaited<ReturnType<typeof fakeWorker>>;
  let rows: string;
  beforeEach(async () => {
    w = await fakeWorker({ variables: { vars: { min: 10 } } });
    rows = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/inputs/rows/rows.jsonl`;
    await w.blobs.put(rows, ['{"id":1,"price":5}', '{"id":2,"price":15}', '', '{"id":1,"price":25}', '{"id":3}'].join('\n'));
  });
  afterEach(() => w.cleanup());

  async function run(type: string, task: Record<string, unknown>) {
    const out = await runAttempt(w.task(type, { id: 't', ...task }), w.deps, opts);
    if (out.kind !== 'result') throw new Error('expected a result');
    return out.result;
  }

  it('FilterItems keeps the items whose condition, rendered with their fields, holds', async () => {
    const kept = await run('io.kestra.plugin.core.storage.FilterItems', { from: rows, filterCondition: '{{ (price ?? 0) >= vars.min }}' });
    expect(kept).toMatchObject({ state: 'SUCCESS', outputs: { processedItemsTotal: 4, droppedItemsTotal: 2 } });
    expect(await text(await w.blobs.get(String(kept.outputs?.uri)))).toBe('{"id":2,"price":15}\n{"id":1,"price":25}\n');
    const excluded = await run('io.kestra.plugin.core.storage.FilterItems', { from: rows, filterCondition: '{{ (price ?? 0) >= vars.min }}', filterType: 'EXCLUDE' });
    expect(await text(await w.blobs.get(String(excluded.outputs?.uri)))).toBe('{"id":1,"price":5}\n{"id":3}\n');
  });

  it('FilterItems fails on an item the condition cannot render, unless errorOrNullBehavior says otherwise', async () => {
    const failed = await run('io.kestra.plugin.core.storage.FilterItems', { from: rows, filterCondition: '{{ price > 10 }}' });
    expect(failed).toMatchObject({ state: 'FAILED', error: { code: 'EXPRESSION' } });
    const included = await run('io.kestra.plugin.core.storage.FilterItems', { from: rows, filterCondition: '{{ price > 10 }}', errorOrNullBehavior: 'INCLUDE' });
    expect(await text(await w.blobs.get(String(included.outputs?.uri)))).toBe('{"id":2,"price":15}\n{"id":1,"price":25}\n{"id":3}\n');
  });

  it('DeduplicateItems keeps the last item of each key', async () => {
    const out = await run('io.kestra.plugin.core.storage.DeduplicateItems', { from: rows, expr: '{{ id }}' });
    expect(out).toMatchObject({ state: 'SUCCESS', outputs: { numKeys: 3, processedItemsTotal: 4, droppedItemsTotal: 1 } });
    expect(await text(await w.blobs.get(String(out.outputs?.uri)))).toBe('{"id":2,"price":15}\n{"id":1,"price":25}\n{"id":3}\n');
  });

  it('names the line of a row that is not a JSON object', async () => {
    await w.blobs.put(rows, '{"id":1}\n[1]\n');
    expect(await run('io.kestra.plugin.core.storage.DeduplicateItems', { from: rows, expr: '{{ id }}' }))
      .toMatchObject({ state: 'FAILED', error: { code: 'TASK_FAILED', message: `${rows} line 2 is not a JSON object` } });
  });
});
