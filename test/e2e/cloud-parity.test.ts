// Every example flow, created through the `api` function and run on the emulated cloud (Firestore,
// Pub/Sub and Storage emulators, the functions served by functions-framework), ends in the same state
// with the same outputs as on the embedded runtime. Needs Java and the Google Cloud SDK emulators:
// startEmulatedCloud starts its own (isolated project id) and fails with the reason when it cannot.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulatedCloud, type EmulatedCloud } from '../../lib/dev/cloud';
import type { Execution, TaskRun } from '../../lib/model/execution';
import { createFlowFile, startExecution, waitForExecution } from '../helpers/emulated-cloud';
import { runFlowFile } from '../helpers/local-run';

jest.setTimeout(600_000);

const EXAMPLES = join(__dirname, '../../examples');
const ex = (name: string): string => join(EXAMPLES, name);

interface Case {
  name: string;
  file: string;
  inputs?: Record<string, unknown>;
  files?: Record<string, string>;
}

const CASES: Case[] = [
  { name: 'hello with its default input', file: 'hello.yml' },
  { name: 'hello with an input', file: 'hello.yml', inputs: { who: 'Ada' } },
  { name: 'parallel', file: 'parallel.yml' },
  { name: 'switch on a matching case', file: 'switch.yml', inputs: { color: 'green' } },
  { name: 'switch on its defaults', file: 'switch.yml', inputs: { color: 'blue' } },
  { name: 'each', file: 'each.yml' },
  { name: 'errors', file: 'errors.yml' },
  { name: 'allow-failure', file: 'allow-failure.yml' },
  { name: 'retry', file: 'retry.yml' },
  { name: 'subflow', file: 'subflow.yml' },
  { name: 'pause', file: 'pause.yml' },
  { name: 'bash', file: 'bash.yml' },
  { name: 'inputs-file', file: 'inputs-file.yml', inputs: { count: '3' }, files: { data: ex('files/data.csv') } },
];

/** What must match between runtimes: states, attempts, outputs and errors, with ids replaced. */
function normalise(e: Execution): unknown {
  const replaceIds = (value: unknown): unknown => {
    let text = JSON.stringify(value ?? null);
    // Subflow children have ids of their own, named in their parent task's outputs.
    const children = e.taskRunList.map((r) => r.outputs?.executionId).filter((id): id is string => typeof id === 'string');
    const ids = [e.id, ...e.taskRunList.map((r) => r.id), ...children];
    for (const id of ids) text = text.split(id).join('<id>').split(id.toUpperCase()).join('<ID>');
    return JSON.parse(text);
  };
  const run = (r: TaskRun) => ({
    taskId: r.taskId, value: r.value ?? null, state: r.state.current, attempts: r.attempts.map((a) => a.state.current),
    outputs: replaceIds(r.outputs), error: r.error ? { code: r.error.code, message: replaceIds(r.error.message) } : null,
  });
  return {
    state: e.state.current, inputs: replaceIds(e.inputs),
    taskRuns: e.taskRunList.map(run).sort((a, b) => `${a.taskId}/${a.value}`.localeCompare(`${b.taskId}/${b.value}`)),
  };
}

let cloud: EmulatedCloud | undefined;
const cloudExecutions = new Map<string, Promise<Execution>>();

beforeAll(async () => {
  cloud = await startEmulatedCloud({
    logSink: () => undefined,
    pushPolicy: { minimumBackoff: '1s', maximumBackoff: '10s', maxDeliveryAttempts: 10 },
  });
  for (const name of readdirSync(ex('flows')).filter((n) => n.endsWith('.yml'))) await createFlowFile(cloud.apiUrl, join(ex('flows'), name));
  for (const file of new Set(CASES.map((c) => c.file))) await createFlowFile(cloud.apiUrl, ex(file));
  // All executions run at once, as they would in the cloud; each test then waits for its own.
  for (const c of CASES) {
    const flowId = c.file.replace(/\.yml$/, '');
    const started = startExecution(cloud.apiUrl, 'io.aloft.examples', flowId, c.inputs, c.files);
    const done = started.then((e) => waitForExecution(cloud!.apiUrl, e.id, 300_000));
    done.catch(() => undefined);
    cloudExecutions.set(c.name, done);
  }
});

afterAll(async () => {
  await cloud?.stop();
});

describe('the example flows on the emulated cloud', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s ends as on the embedded runtime', async (_name, c) => {
    const local = await runFlowFile(ex(c.file), {
      inputs: c.inputs, files: c.files, ...(c.file === 'subflow.yml' ? { flowsDir: ex('flows') } : {}),
    });
    const remote = await cloudExecutions.get(c.name)!;
    expect(normalise(remote)).toEqual(normalise(local.execution));
  });

  it('covers every example file', () => {
    const files = readdirSync(EXAMPLES).filter((n) => n.endsWith('.yml')).sort();
    expect([...new Set(CASES.map((c) => c.file))].sort()).toEqual(files);
  });
});
