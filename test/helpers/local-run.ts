// Runs a flow file to the end on a fresh embedded runtime, for e2e tests.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { LocalRuntime, type LocalRuntimeOptions } from '../../lib/runtime/embedded/runtime';
import type { Execution } from '../../lib/model/execution';

export interface LocalRunOptions {
  inputs?: Record<string, unknown>;
  files?: Record<string, string>;
  flowsDir?: string;
  runtime?: Partial<LocalRuntimeOptions>;
}

export async function runFlowFile(file: string, opts: LocalRunOptions = {}): Promise<{ execution: Execution; runtime: LocalRuntime }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aloft-e2e-'));
  const runtime = new LocalRuntime({ env: { ALOFT_DATA_DIR: dataDir }, ...opts.runtime });
  try {
    if (opts.flowsDir) {
      for (const name of readdirSync(opts.flowsDir).filter((n) => n.endsWith('.yml')).sort()) {
        await runtime.deploy(readFileSync(join(opts.flowsDir, name), 'utf8'), name);
      }
    }
    const { flow } = await runtime.deploy(readFileSync(file, 'utf8'), file);
    const files = Object.fromEntries(Object.entries(opts.files ?? {}).map(([k, p]) => [k, { fileName: basename(p), data: readFileSync(p) }]));
    const started = await runtime.startExecution({ flow, inputs: opts.inputs, files, checks: true });
    const execution = await runtime.waitForEnd(started.id);
    return { execution, runtime };
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const runsOf = (e: Execution, taskId: string) => e.taskRunList.filter((r) => r.taskId === taskId);
export const outputOf = (e: Execution, taskId: string, value?: string): Record<string, unknown> | undefined =>
  e.taskRunList.find((r) => r.taskId === taskId && (value === undefined || r.value === value))?.outputs;
