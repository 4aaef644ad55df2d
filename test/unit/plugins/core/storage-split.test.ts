import { Readable } from 'node:stream';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseBytes, splitStored } from '../../../../lib/plugins/core/storage-split';
import { runAttempt } from '../../../../lib/worker';
import { fakeTaskContext, fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const c of stream) out += String(c);
  return out;
}

describe('Split', () => {
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

  it('Split cuts by rows, by bytes, or round-robin into partitions', async () => {
    const read = async (uris: unknown): Promise<string[]> => Promise.all((uris as string[]).map(async (u) => text(await w.blobs.get(u))));
    const byRows = await run('io.kestra.plugin.core.storage.Split', { from: input, rows: 2 });
    expect(await read(byRows.outputs?.uris)).toEqual(['l1\nl2\n', 'l3\nl4\n', 'l5\n']);
    expect((byRows.outputs?.uris as string[])[0]).toMatch(/\/0\.csv$/);
    const byBytes = await run('io.kestra.plugin.core.storage.Split', { from: input, bytes: '7B' });
    expect(await read(byBytes.outputs?.uris)).toEqual(['l1\nl2\nl3\n', 'l4\nl5\n']);
    const parts = await run('io.kestra.plugin.core.storage.Split', { from: input, partitions: 2, separator: ';' });
    expect(await read(parts.outputs?.uris)).toEqual(['l1;l3;l5;', 'l2;l4;']);
    const empty = await run('io.kestra.plugin.core.storage.Split', { from: input, partitions: 9 });
    expect(empty.outputs?.uris).toHaveLength(5);
    expect(await run('io.kestra.plugin.core.storage.Split', { from: input })).toMatchObject({ state: 'FAILED', error: { code: 'FLOW_INVALID', message: 'Split needs one of bytes, partitions or rows' } });
  });

  it('by rows, holds one part at a time: each is stored and removed before the next is begun', async () => {
    const t = await fakeTaskContext();
    try {
      const from = `kestra:///io/aloft/tests/test/executions/${t.execution.id}/inputs/data/many.txt`;
      await t.blobs.put(from, Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n'));
      const seen: string[][] = [];
      const n = await splitStored(t.ctx, from, { rows: 7, separator: '\n' }, async (_i, path) => {
        seen.push(readdirSync(dirname(path)));
      });
      expect(n).toBe(72);
      expect(seen.every((files) => files.length === 1)).toBe(true);
    } finally {
      await t.cleanup();
    }
  });

  it('reads sizes as Kestra does, in powers of 1024', () => {
    expect(parseBytes('10MB')).toBe(10 * 1024 * 1024);
    expect(parseBytes('1.5kb')).toBe(1536);
    expect(parseBytes(2048)).toBe(2048);
    expect(() => parseBytes('ten')).toThrow("invalid size 'ten': use a number of bytes or a size such as 10MB");
  });
});
