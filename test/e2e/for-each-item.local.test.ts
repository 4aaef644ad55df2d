// ForEachItem on the embedded runtime beyond the corpus: more batches than are ever being created at
// once, merged in batch order; and a kill that reaches every subflow execution it made.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WINDOW } from '../../lib/engine/flowables/for-each-item-batches';
import type { Execution } from '../../lib/model/execution';
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

/** Runs the flow on a fresh runtime with the corpus flows; returns it and the executions of `childFlowId`. */
async function runWithChildren(file: string, childFlowId: string): Promise<{ execution: Execution; children: Execution[] }> {
  const data = mkdtempSync(join(tmpdir(), 'aloft-fei-data-'));
  const runtime = new LocalRuntime({ env: { ALOFT_DATA_DIR: data } });
  try {
    for (const name of readdirSync(CORPUS_FLOWS).filter((n) => n.endsWith('.yml'))) await runtime.deploy(readFileSync(join(CORPUS_FLOWS, name), 'utf8'));
    const { flow } = await runtime.deploy(readFileSync(file, 'utf8'));
    const started = await runtime.startExecution({ flow });
    const execution = await runtime.waitForEnd(started.id);
    const page = await runtime.adapters.store.list({ namespace: flow.namespace, flowId: childFlowId });
    return { execution, children: await Promise.all(page.executions.map(async (c) => runtime.waitForEnd(c.id))) };
  } finally {
    await runtime.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

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

  it('with scheduleDate, creates every subflow execution at once and starts none before that date', async () => {
    const file = join(dir, 'scheduled.yml');
    writeFileSync(file, parent(['a', 'b'], 'for-each-item-child').replace(
      '    inputs:\n      items:', `    scheduleDate: "{{ now() | dateAdd(1, 'SECONDS') }}"\n    inputs:\n      items:`,
    ));
    const { execution: e, children } = await runWithChildren(file, 'for-each-item-child');
    expect(e.state.current).toBe('SUCCESS');
    expect(children).toHaveLength(2);
    const at = Date.parse(children[0].scheduleDate!);
    for (const child of children) {
      expect(Date.parse(child.scheduleDate!)).toBe(at);
      const [created, running] = child.state.histories;
      expect([created.state, running.state]).toEqual(['CREATED', 'RUNNING']);
      expect(Date.parse(created.date)).toBeLessThan(at);
      expect(Date.parse(running.date)).toBeGreaterThanOrEqual(at);
    }
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
