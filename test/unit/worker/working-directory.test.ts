import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionEvent } from '../../../lib/model/events';
import type { GroupChild, WorkerResult, WorkerTask } from '../../../lib/model/worker-messages';
import type { Clock } from '../../../lib/ports';
import { NamespaceFiles } from '../../../lib/worker/namespace-files';
import { fakeWorker } from '../../../lib/worker/testing';
import { runGroup } from '../../../lib/worker/working-directory';

const WDIR = 'io.kestra.plugin.core.flow.WorkingDirectory';
const SHELL = 'io.kestra.plugin.scripts.shell.Commands';
const RETURN = 'io.kestra.plugin.core.debug.Return';
const PROCESS = { type: 'io.kestra.plugin.core.runner.Process' };
const opts = { workerId: 'w1' };

type World = Awaited<ReturnType<typeof fakeWorker>>;

const child = (taskId: string, type: string, task: Record<string, unknown>): GroupChild =>
  ({ taskId, taskRunId: `run-${taskId}`, type, task: { id: taskId, type, ...task } });
const shell = (taskId: string, commands: string[], extra: Record<string, unknown> = {}): GroupChild =>
  child(taskId, SHELL, { taskRunner: PROCESS, commands, ...extra });

function group(w: World, children: GroupChild[], props: Record<string, unknown> = {}, over: Partial<WorkerTask> = {}): WorkerTask {
  return { ...w.task(WDIR, { id: 'wdir', ...props }, { taskRunId: 'run-wdir', group: 'scripts', ...over }), children };
}

/** Runs the group and returns its result and what it reported about its children, in order. */
async function play(w: World, task: WorkerTask, run: { signal?: AbortSignal } = {}): Promise<{ result: WorkerResult; events: ExecutionEvent[] }> {
  const events: ExecutionEvent[] = [];
  const out = await runGroup(task, w.deps, { ...opts, ...run }, (e) => { events.push(e); });
  if (out.kind !== 'result') throw new Error('expected a result');
  return { result: out.result, events };
}

const results = (events: ExecutionEvent[]): Record<string, WorkerResult> =>
  Object.fromEntries(events.flatMap((e) => (e.type === 'WorkerResult' ? [[e.result.taskRunId.replace('run-', ''), e.result]] : [])));

async function withWorker(fn: (w: World) => Promise<void>): Promise<void> {
  const w = await fakeWorker();
  try {
    await fn(w);
  } finally {
    await w.cleanup();
  }
}

describe('runGroup (a WorkingDirectory on its worker)', () => {
  // Real shell processes: on a loaded machine, starting and stopping them outlasts jest's default 5 s.
  jest.setTimeout(30_000);

  it('runs its tasks in turn in one folder, after writing inputFiles, and keeps outputFiles; the folder goes afterwards', () => withWorker(async (w) => {
    const { result, events } = await play(w, group(w, [
      shell('first', ['cat query.sql > copy.txt', 'echo \'::{"outputs":{"step":"one"}}::\'']),
      shell('second', ['echo \'::{"outputs":{"copied":"\'"$(cat copy.txt)"\'","before":"{{ outputs.first.vars.step }}"}}::\'']),
    ], { inputFiles: { 'query.sql': 'SELECT {{ 40 + 2 }}' }, outputFiles: ['*.txt'] }));
    expect(events.map((e) => [e.type, e.type === 'WorkerResult' ? e.result.taskRunId : e.type === 'AttemptStarted' ? e.taskRunId : '', e.type === 'WorkerResult' ? e.result.parentTaskRunId : e.type === 'AttemptStarted' ? e.parentTaskRunId : ''])).toEqual([
      ['AttemptStarted', 'run-first', 'run-wdir'], ['WorkerResult', 'run-first', 'run-wdir'],
      ['AttemptStarted', 'run-second', 'run-wdir'], ['WorkerResult', 'run-second', 'run-wdir'],
    ]);
    expect(results(events).second).toMatchObject({ state: 'SUCCESS', outputs: { vars: { copied: 'SELECT 42', before: 'one' } } });
    expect(result).toMatchObject({ taskRunId: 'run-wdir', state: 'SUCCESS', outputs: { outputFiles: { 'copy.txt': expect.stringContaining('/tasks/wdir/run-wdir/copy.txt') } } });
    const uri = (result.outputs!.outputFiles as Record<string, string>)['copy.txt'];
    const chunks: Buffer[] = [];
    for await (const c of await w.blobs.get(uri)) chunks.push(Buffer.from(c));
    expect(Buffer.concat(chunks).toString()).toBe('SELECT 42');
    const runs = await readdir(join(w.dataDir, 'tmp'));
    for (const r of runs) expect(await readdir(join(w.dataDir, 'tmp', r))).toEqual([]);
  }));

  it('takes inputFiles as the JSON text of a map', () => withWorker(async (w) => {
    const { events } = await play(w, group(w, [shell('read', ['echo \'::{"outputs":{"a":"\'"$(cat a.txt)"\'"}}::\''])], { inputFiles: '{"a.txt": "from json"}' }));
    expect(results(events).read.outputs).toMatchObject({ vars: { a: 'from json' } });
  }));

  it('stops after a task that failed, still keeping the outputFiles; a task with allowFailure does not stop it', () => withWorker(async (w) => {
    const stopped = await play(w, group(w, [shell('write', ['echo x > a.txt']), shell('boom', ['exit 3']), shell('never', ['echo never'])], { outputFiles: ['a.txt'] }));
    expect(Object.keys(results(stopped.events))).toEqual(['write', 'boom']);
    expect(results(stopped.events).boom.state).toBe('FAILED');
    expect(stopped.result).toMatchObject({ state: 'SUCCESS', outputs: { outputFiles: { 'a.txt': expect.any(String) } } });

    const tolerated = await play(w, group(w, [shell('boom', ['exit 3'], { allowFailure: true }), shell('next', ['echo next'])]));
    expect(Object.keys(results(tolerated.events))).toEqual(['boom', 'next']);
  }));

  it('settles a task whose runIf renders false as SKIPPED, without a start, rendering it with the outputs before it', () => withWorker(async (w) => {
    const { events } = await play(w, group(w, [
      child('first', RETURN, { format: 'no' }),
      child('maybe', RETURN, { format: 'ran', runIf: "{{ outputs.first.value == 'yes' }}" }),
      child('bad', RETURN, { format: 'ran', runIf: '{{ nothing.here }}' }),
    ]));
    expect(events.filter((e) => e.type === 'AttemptStarted').map((e) => (e as { taskRunId: string }).taskRunId)).toEqual(['run-first']);
    expect(results(events).maybe.state).toBe('SKIPPED');
    expect(results(events).bad).toMatchObject({ state: 'FAILED', error: { code: 'EXPRESSION', task: 'bad', property: 'runIf' } });
  }));

  it('addresses the outputs of its tasks by the loop values above it, as the engine does', () => withWorker(async (w) => {
    const { events } = await play(w, group(w, [
      child('first', RETURN, { format: 'x' }),
      child('second', RETURN, { format: "{{ outputs.first['a'].value }}" }),
    ], {}, { outputsPath: ['a'] }));
    expect(results(events).second.outputs).toEqual({ value: 'x' });
  }));

  it('restores its cache in the next execution, saves it again only when its files changed, and ignores it once older than its ttl', () => withWorker(async (w) => {
    let now = new Date('2024-03-14T10:00:00.000Z');
    const clock: Clock = { now: () => now };
    w.deps.clock = clock;
    const cache = { patterns: ['deps/**'], ttl: 'PT1H' };
    const check = shell('check', ['if [ -f deps/lib.txt ]; then s=cached; else s=fresh; mkdir -p deps; echo lib > deps/lib.txt; fi', 'echo \'::{"outputs":{"s":"\'$s\'"}}::\'']);
    const first = await play(w, group(w, [check], { cache }));
    expect(results(first.events).check.outputs).toMatchObject({ vars: { s: 'fresh' } });
    now = new Date('2024-03-14T10:30:00.000Z');
    const second = await play(w, group(w, [check], { cache }));
    expect(results(second.events).check.outputs).toMatchObject({ vars: { s: 'cached' } });
    // The second run changed nothing, so it saved nothing: the cache is still the 10:00 one, expired by 11:15.
    now = new Date('2024-03-14T11:15:00.000Z');
    const expired = await play(w, group(w, [check], { cache }));
    expect(results(expired.events).check.outputs).toMatchObject({ vars: { s: 'fresh' } });
  }));

  it('restores cached files with their permission bits, so a cached executable still runs', () => withWorker(async (w) => {
    const cache = { patterns: ['bin/**'] };
    const check = shell('check', [
      'if [ ! -f bin/tool ]; then mkdir -p bin; printf \'#!/bin/sh\\necho ran\\n\' > bin/tool; chmod 755 bin/tool; fi',
      'echo \'::{"outputs":{"s":"\'$(./bin/tool)\'"}}::\'',
    ]);
    const first = await play(w, group(w, [check], { cache }));
    expect(results(first.events).check.outputs).toMatchObject({ vars: { s: 'ran' } });
    const second = await play(w, group(w, [check], { cache }));
    expect(results(second.events).check.state).toBe('SUCCESS');
    expect(results(second.events).check.outputs).toMatchObject({ vars: { s: 'ran' } });
  }));

  it('copies the namespace files it asks for into the folder, and its inputFiles win over one of the same name', () => withWorker(async (w) => {
    const files = new NamespaceFiles(w.blobs);
    await files.put('io.aloft.tests', 'scripts/run.sh', 'echo from namespace');
    await files.put('io.aloft.tests', 'notes.md', 'not wanted');
    await files.put('io.aloft.tests', 'same.txt', 'namespace');
    const { events } = await play(w, group(w, [
      shell('look', ['echo \'::{"outputs":{"run":"\'"$(sh scripts/run.sh)"\'","notes":"\'"$(ls notes.md 2>/dev/null || echo none)"\'","same":"\'"$(cat same.txt)"\'"}}::\'']),
    ], { namespaceFiles: { enabled: true, include: ['scripts/**', 'same.txt'] }, inputFiles: { 'same.txt': 'input' } }));
    expect(results(events).look.outputs).toMatchObject({ vars: { run: 'from namespace', notes: 'none', same: 'input' } });
  }));

  it('fails with TIMEOUT when the whole group outlasts its own timeout, stopping the task that runs', () => withWorker(async (w) => {
    const { result, events } = await play(w, group(w, [shell('slow', ['sleep 30']), shell('never', ['echo never'])], {}, { timeoutMs: 300 }));
    expect(Object.keys(results(events))).toEqual(['slow']);
    expect(results(events).slow.state).toBe('KILLED');
    expect(result).toMatchObject({ state: 'FAILED', error: { code: 'TIMEOUT', task: 'wdir' } });
  }));

  it('fails before any task runs when its inputFiles cannot be written, naming the property', () => withWorker(async (w) => {
    const { result, events } = await play(w, group(w, [shell('never', ['echo never'])], { inputFiles: { '../escape.txt': 'x' } }));
    expect(events).toEqual([]);
    expect(result).toMatchObject({ state: 'FAILED', error: { task: 'wdir', property: 'inputFiles.../escape.txt', flow: 'io.aloft.tests.test' } });
  }));

  it('ends KILLED and runs nothing more once it was killed', () => withWorker(async (w) => {
    const controller = new AbortController();
    controller.abort();
    const { result, events } = await play(w, group(w, [shell('never', ['echo never'])]), { signal: controller.signal });
    expect(events).toEqual([]);
    expect(result).toMatchObject({ state: 'KILLED', error: { code: 'KILLED' } });
  }));
});
