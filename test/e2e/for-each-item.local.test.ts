// ForEachItem on the embedded runtime beyond the corpus: more batches than are ever being created at
// once, merged in batch order; and a kill that reaches every subflow execution it made.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WINDOW } from '../../lib/engine/flowables/for-each-item-batches';
import { LocalRuntime } from '../../lib/runtime/embedded/runtime';
import { outputOf, runFlowFile, runsOf } from '../helpers/local-run';

const CORPUS_FLOWS = join(__dirname, '../fixtures/kestra-1x/flows');

const parent = (lines: string[], flowId: string, namespace = 'io.aloft.kestra1x'): string => `
id: many
namespace: ${namespace}
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.LocalFiles
    inputs:
      items.txt: ${JSON.stringify(`${lines.join('\n')}\n`)}
    outputs:
      - items.txt
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ outputs.write.uris['items.txt'] }}"
    namespace: ${namespace}
    flowId: ${flowId}
    inputs:
      items: "{{ taskrun.items }}"
      iteration: "{{ taskrun.iteration }}"
  - id: merged
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.each_merge.subflowOutputs) }}"
`;

describe('ForEachItem on the embedded runtime', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'aloft-fei-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a subflow for each of more batches than it creates at once, and merges their outputs in batch order', async () => {
    const n = WINDOW * 2 + 7;
    const file = join(dir, 'many.yml');
    writeFileSync(file, parent(Array.from({ length: n }, (_, i) => `item ${i}`), 'for-each-item-child'));
    const { execution: e } = await runFlowFile(file, { flowsDir: CORPUS_FLOWS });
    expect(e.state.current).toBe('SUCCESS');
    expect(outputOf(e, 'each_items')).toMatchObject({ numberOfBatches: n, iterations: { CREATED: 0, RUNNING: 0, SUCCESS: n } });
    const lines = String(outputOf(e, 'merged')?.value).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(Array.from({ length: n }, (_, i) => ({ lines: `item ${i}`, iteration: i })));
  });

  it('kills every subflow execution it made when the execution is killed, and ends KILLED', async () => {
    const runtime = new LocalRuntime({ env: { ALOFT_DATA_DIR: join(dir, 'data') } });
    try {
      await runtime.deploy(readFileSync(join(__dirname, '../fixtures/flows/for-each-item/waiting-child.yml'), 'utf8'));
      const { flow } = await runtime.deploy(parent(['a', 'b', 'c'], 'waiting-child', 'io.aloft.tests'));
      const started = await runtime.startExecution({ flow });
      // Every child is made and paused: three SubflowStarted counted as RUNNING.
      for (;;) {
        const e = await runtime.get(started.id);
        if ((runsOf(e!, 'each_items')[0]?.outputs?.iterations as Record<string, number> | undefined)?.RUNNING === 3) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await runtime.kill(started.id);
      const e = await runtime.waitForEnd(started.id);
      expect(e.state.current).toBe('KILLED');
      const items = runsOf(e, 'each_items')[0];
      expect(items.state.current).toBe('KILLED');
      expect(items.outputs?.iterations).toEqual({ CREATED: 0, RUNNING: 0, KILLED: 3 });
      const children = await runtime.adapters.store.list({ namespace: 'io.aloft.tests', flowId: 'waiting-child' });
      expect(children.executions.map((c) => c.state.current)).toEqual(['KILLED', 'KILLED', 'KILLED']);
    } finally {
      await runtime.stop();
    }
  });
});
