// The Kestra 1.x corpus (test/fixtures/kestra-1x), created through the `api` function and run on the
// emulated cloud (Firestore, Pub/Sub and Storage emulators, the functions served by
// functions-framework), ends in the same state with the same outputs as on the embedded runtime.
// Needs Java and the Google Cloud SDK emulators, as cloud-parity.test.ts does.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulatedCloud, type EmulatedCloud } from '../../lib/dev/cloud';
import type { Execution, TaskRun } from '../../lib/model/execution';
import { createFlowFile, startExecution, waitForExecution } from '../helpers/emulated-cloud';
import { runFlowFile } from '../helpers/local-run';

jest.setTimeout(600_000);

const DIR = join(__dirname, '../fixtures/kestra-1x');
const FLOWS = join(DIR, 'flows');
const NAMESPACE = 'io.aloft.kestra1x';

interface Case {
  file: string;
  inputs?: Record<string, unknown>;
}

const CASES: Case[] = [
  ...readdirSync(DIR).filter((n) => n.endsWith('.yml')).sort().map((file) => ({ file })),
  { file: 'if.yml', inputs: { n: 1 } },
  { file: 'subflow.yml', inputs: { fail: true } },
];
const nameOf = (c: Case): string => (c.inputs ? `${c.file} with ${JSON.stringify(c.inputs)}` : c.file);
// The flow id is written in the file; the corpus names each file after its flow, dots aside.
const flowIdOf = (file: string): string => file.replace(/\.yml$/, '').replace(/\./g, '-');

/** What must match between runtimes: states, attempts, outputs and errors, with ids replaced. */
function normalise(e: Execution): unknown {
  const replaceIds = (value: unknown): unknown => {
    let text = JSON.stringify(value ?? null);
    const children = e.taskRunList.map((r) => r.outputs?.executionId).filter((id): id is string => typeof id === 'string');
    const ids = [e.id, ...e.taskRunList.map((r) => r.id), ...children];
    for (const id of ids) text = text.split(id).join('<id>');
    return JSON.parse(text);
  };
  const run = (r: TaskRun) => ({
    taskId: r.taskId, value: r.value ?? null, state: r.state.current, attempts: r.attempts.map((a) => a.state.current),
    outputs: replaceIds(r.outputs), error: r.error ? { code: r.error.code, message: replaceIds(r.error.message) } : null,
  });
  const key = (r: ReturnType<typeof run>): string => `${r.taskId}/${r.value}/${JSON.stringify(r.outputs)}`;
  // Task runs only: the API's execution JSON shows its task outputs map as `outputs`, not flow outputs.
  return {
    state: e.state.current,
    taskRuns: e.taskRunList.map(run).sort((a, b) => key(a).localeCompare(key(b))),
  };
}

let cloud: EmulatedCloud | undefined;
const cloudExecutions = new Map<string, Promise<Execution>>();

beforeAll(async () => {
  cloud = await startEmulatedCloud({
    logSink: () => undefined,
    pushPolicy: { minimumBackoff: '1s', maximumBackoff: '10s', maxDeliveryAttempts: 10 },
  });
  for (const name of readdirSync(FLOWS).filter((n) => n.endsWith('.yml'))) await createFlowFile(cloud.apiUrl, join(FLOWS, name));
  for (const file of new Set(CASES.map((c) => c.file))) await createFlowFile(cloud.apiUrl, join(DIR, file));
  for (const c of CASES) {
    const started = startExecution(cloud.apiUrl, NAMESPACE, flowIdOf(c.file), c.inputs);
    const done = started.then((e) => waitForExecution(cloud!.apiUrl, e.id, 300_000));
    done.catch(() => undefined);
    cloudExecutions.set(nameOf(c), done);
  }
});

afterAll(async () => {
  await cloud?.stop();
});

describe('the Kestra 1.x corpus on the emulated cloud', () => {
  it.each(CASES.map((c) => [nameOf(c), c] as const))('%s ends as on the embedded runtime', async (name, c) => {
    const local = await runFlowFile(join(DIR, c.file), { inputs: c.inputs, flowsDir: FLOWS });
    const remote = await cloudExecutions.get(name)!;
    expect(normalise(remote)).toEqual(normalise(local.execution));
  });
});
