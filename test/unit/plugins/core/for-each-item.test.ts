import { Readable } from 'node:stream';
import { ForEachItemPart, batchUri, subflowOutputsFolder, subflowOutputsUri } from '../../../../lib/model/for-each-item';
import { catalog } from '../../../../lib/plugins/catalog';
import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };
const SPLIT = ForEachItemPart.split.type;
const MERGE = ForEachItemPart.merge.type;

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const c of stream) out += String(c);
  return out;
}

describe('ForEachItem worker tasks', () => {
  let w: Awaited<ReturnType<typeof fakeWorker>>;
  let items: string;
  beforeEach(async () => {
    w = await fakeWorker({ variables: { inputs: { rows: 2 } } });
    items = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/inputs/file/items.jsonl`;
    await w.blobs.put(items, 'l1\nl2\nl3\nl4\nl5\n');
  });
  afterEach(() => w.cleanup());

  async function run(type: string, task: Record<string, unknown>, over = {}) {
    const out = await runAttempt(w.task(type, { id: 'each_split', ...task }, over), w.deps, opts);
    if (out.kind !== 'result') throw new Error('expected a result');
    return out.result;
  }

  async function batches(outputs: Record<string, unknown> | undefined): Promise<string[]> {
    const split = outputs as { splits: string; batches: number; extension: string };
    const listed = (await text(await w.blobs.get(split.splits))).split('\n');
    // The engine names batch i without reading the listing: both agree.
    expect(listed).toEqual(Array.from({ length: split.batches }, (_, i) => batchUri(split, i)));
    return Promise.all(listed.map(async (u) => text(await w.blobs.get(u))));
  }

  it('cuts the items by rows (one by default, or a rendered count), by bytes, or round-robin into partitions', async () => {
    const one = await run(SPLIT, { items });
    expect(one.outputs).toMatchObject({ batches: 5, extension: '.jsonl' });
    expect(await batches(one.outputs)).toEqual(['l1\n', 'l2\n', 'l3\n', 'l4\n', 'l5\n']);
    expect(await batches((await run(SPLIT, { items, batch: { rows: '{{ inputs.rows }}' } })).outputs)).toEqual(['l1\nl2\n', 'l3\nl4\n', 'l5\n']);
    expect(await batches((await run(SPLIT, { items, batch: { bytes: '7B', rows: 1 } })).outputs)).toEqual(['l1\nl2\nl3\n', 'l4\nl5\n']);
    expect(await batches((await run(SPLIT, { items, batch: { partitions: 2, separator: ';' } })).outputs)).toEqual(['l1;l3;l5;', 'l2;l4;']);
  });

  it('makes no batch of an empty file', async () => {
    const empty = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/inputs/file/empty.txt`;
    await w.blobs.put(empty, '');
    expect((await run(SPLIT, { items: empty })).outputs).toMatchObject({ batches: 0, extension: '.txt' });
  });

  it('refuses items that are not an internal storage URI, and a count that is not a whole number', async () => {
    expect(await run(SPLIT, { items: '/etc/passwd' })).toMatchObject({
      state: 'FAILED', error: { message: 'Unable to split the items from /etc/passwd, this is not an internal storage URI!', task: 'each_split', property: 'items' },
    });
    expect(await run(SPLIT, { items, batch: { rows: 'two' } })).toMatchObject({
      state: 'FAILED', error: { message: "batch.rows must be a whole number of at least 1, not 'two'", property: 'batch.rows' },
    });
  });

  it('merges the outputs the subflows left, in batch order, into one file', async () => {
    const owner = { namespace: w.execution.namespace, flowId: w.execution.flowId, executionId: w.execution.id, taskId: 'each', taskRunId: 'r1' };
    const folder = subflowOutputsFolder(owner);
    for (const i of [10, 2, 0]) await w.blobs.put(subflowOutputsUri(folder, i), `{"i":${i}}\n`);
    await w.blobs.put(`${folder}/notes.txt`, 'ignored');
    const merged = await run(MERGE, { id: 'each_merge', forEachItem: { taskId: 'each', taskRunId: 'r1' } });
    expect(merged.state).toBe('SUCCESS');
    expect(await text(await w.blobs.get(merged.outputs?.subflowOutputs as string))).toBe('{"i":0}\n{"i":2}\n{"i":10}\n');
    const none = await run(MERGE, { id: 'each_merge', forEachItem: { taskId: 'each', taskRunId: 'r2' } });
    expect(none).toMatchObject({ state: 'SUCCESS' });
    expect(none.outputs?.subflowOutputs).toBeUndefined();
  });

  it('are internal: found by name, but not among the types a flow may name', () => {
    expect(catalog().get(SPLIT)).toMatchObject({ kind: 'runnable', group: 'core', internal: true });
    expect(catalog().types().map((t) => t.type)).not.toContain(SPLIT);
    expect(catalog().types().map((t) => t.type)).not.toContain(ForEachItemPart.items.type);
    expect(catalog().types().map((t) => t.type)).toContain('io.kestra.plugin.core.flow.ForEachItem');
  });
});
