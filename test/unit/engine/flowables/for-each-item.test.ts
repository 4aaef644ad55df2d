import { WINDOW } from '../../../../lib/engine/flowables/for-each-item-batches';
import { replay } from '../../../../lib/engine/replay';
import type { EffectOf } from '../../../../lib/model/effects';
import { ForEachItemPart } from '../../../../lib/model/for-each-item';
import { RETURN } from '../helpers/catalog';
import { Harness, T0, flow } from '../helpers/harness';
import { fakeIds } from '../helpers/ids';

const TYPE = 'io.kestra.plugin.core.flow.ForEachItem';
const SPLITS = 'kestra:///test/f/executions/e1/tasks/each_split/r2/splits.txt';

const parent = (extra: Record<string, unknown> = {}, after = true) => flow([
  {
    id: 'each', type: TYPE, items: '{{ inputs.file }}', batch: { rows: 2 }, namespace: 'io.tests', flowId: 'child',
    inputs: { batch: '{{ taskrun.items }}', n: '{{ taskrun.iteration }}' }, ...extra,
  },
  ...(after ? [{ id: 'after', type: RETURN }] : []),
], { labels: { team: 'data' } });

/** Runs the split with `batches` batches and returns the harness with the starts emitted. */
function split(batches: number, extra: Record<string, unknown> = {}): Harness {
  const h = Harness.start(parent(extra), { inputs: { file: 'kestra:///test/f/executions/e1/inputs/file/items.txt' }, labels: { team: 'data' } });
  h.succeed('each_split', { splits: SPLITS, batches, extension: '.txt' });
  return h;
}

const starts = (h: Harness, from = h.all): EffectOf<'StartSubflow'>[] => h.effectsOf('StartSubflow', from);
const itemsRun = (h: Harness) => h.run('each_items');
const began = (h: Harness, s: EffectOf<'StartSubflow'>) => h.send({ type: 'SubflowStarted', taskRunId: s.parentTaskRunId, childExecutionId: s.childExecutionId });
const ended = (h: Harness, s: EffectOf<'StartSubflow'>, state: 'SUCCESS' | 'FAILED' | 'WARNING' | 'KILLED' = 'SUCCESS') =>
  h.send({ type: 'SubflowEnded', taskRunId: s.parentTaskRunId, childExecutionId: s.childExecutionId, state });

describe('ForEachItem', () => {
  it('splits the items on a worker first, with the items and batch as written', () => {
    const h = Harness.start(parent(), { inputs: { file: 'kestra:///x/items.txt' } });
    const [task] = h.pending();
    expect(task).toMatchObject({ taskId: 'each_split', type: ForEachItemPart.split.type, task: { items: '{{ inputs.file }}', batch: { rows: 2 } } });
    expect(h.run('each_split').parentTaskRunId).toBe(h.run('each').id);
    expect(h.state).toBe('RUNNING');
  });

  it('starts one subflow per batch, with taskrun.items and taskrun.iteration rendered into its inputs', () => {
    const h = split(3);
    const s = starts(h);
    expect(s.map((x) => x.inputs)).toEqual([
      { batch: 'kestra:///test/f/executions/e1/tasks/each_split/r2/0.txt', n: 0 },
      { batch: 'kestra:///test/f/executions/e1/tasks/each_split/r2/1.txt', n: 1 },
      { batch: 'kestra:///test/f/executions/e1/tasks/each_split/r2/2.txt', n: 2 },
    ]);
    expect(s[0]).toMatchObject({
      namespace: 'io.tests', flowId: 'child', wait: true, iteration: 0, parentTaskRunId: itemsRun(h).id, chain: ['test.f'],
      outputsUri: `kestra:///test/f/executions/e1/tasks/each/${h.run('each').id}/subflow-outputs/0/outputs.jsonl`,
    });
    expect(new Set(s.map((x) => x.childExecutionId)).size).toBe(3);
    expect(itemsRun(h).outputs).toEqual({ numberOfBatches: 3, iterations: { CREATED: 3, RUNNING: 0 } });
  });

  it('counts its children by state and ends SUCCESS with one attempt once all ended, then merges', () => {
    const h = split(2);
    const [a, b] = starts(h);
    began(h, a);
    began(h, b);
    expect(itemsRun(h).outputs?.iterations).toEqual({ CREATED: 0, RUNNING: 2 });
    ended(h, a);
    expect(itemsRun(h).state.current).toBe('RUNNING');
    ended(h, b);
    const run = itemsRun(h);
    expect(run.state.current).toBe('SUCCESS');
    expect(run.attempts.map((x) => x.state.current)).toEqual(['SUCCESS']);
    expect(run.outputs).toEqual({
      numberOfBatches: 2, iterations: { CREATED: 0, RUNNING: 0, SUCCESS: 2 },
      subflowOutputsBaseUri: `kestra:///test/f/executions/e1/tasks/each/${h.run('each').id}/subflow-outputs`,
    });
    expect(h.pending().map((w) => [w.taskId, w.task])).toEqual([
      ['each_merge', { id: 'each_merge', type: ForEachItemPart.merge.type, forEachItem: { taskId: 'each', taskRunId: '{{ taskrun.parentId }}' } }],
    ]);
    h.succeed('each_merge', { subflowOutputs: 'kestra:///m/outputs.jsonl' });
    expect(h.states()).toEqual({ each: 'SUCCESS', each_split: 'SUCCESS', each_items: 'SUCCESS', each_merge: 'SUCCESS', after: 'CREATED' });
  });

  it('counts a child whose end is heard before its start once', () => {
    const h = split(1);
    const [a] = starts(h);
    ended(h, a);
    began(h, a);
    expect(itemsRun(h).state.current).toBe('SUCCESS');
    expect(itemsRun(h).outputs?.iterations).toEqual({ CREATED: 0, RUNNING: 0, SUCCESS: 1 });
  });

  it('fails with a failed batch when it transmits failures, and ends SUCCESS when it does not', () => {
    for (const transmitFailed of [true, false]) {
      const h = split(3, { transmitFailed });
      const s = starts(h);
      s.forEach((x) => began(h, x));
      ended(h, s[0]);
      h.send({ ...{ type: 'SubflowEnded', taskRunId: s[1].parentTaskRunId, childExecutionId: s[1].childExecutionId, state: 'FAILED' },
        failure: { code: 'TASK_FAILED', message: `subflow io.tests.child (execution ${s[1].childExecutionId}) failed in task boom: no` } });
      ended(h, s[2]);
      const run = itemsRun(h);
      expect(run.outputs?.iterations).toEqual({ CREATED: 0, RUNNING: 0, SUCCESS: 2, FAILED: 1 });
      if (transmitFailed) {
        expect(run.state.current).toBe('FAILED');
        expect(run.error?.message).toBe('1 of 3 subflow executions failed; the first (batch 1) subflow io.tests.child failed in task boom: no');
        expect(h.states()).toEqual({ each: 'FAILED', each_split: 'SUCCESS', each_items: 'FAILED' });
        expect(h.state).toBe('FAILED');
      } else {
        expect(run.state.current).toBe('SUCCESS');
        expect(h.has('each_merge')).toBe(true);
      }
    }
  });

  it('takes WARNING from a warning batch, and allowFailure on the task turns a failure into WARNING', () => {
    const warn = split(1);
    began(warn, starts(warn)[0]);
    ended(warn, starts(warn)[0], 'WARNING');
    expect(itemsRun(warn).state.current).toBe('WARNING');
    const tolerated = split(1, { allowFailure: true });
    ended(tolerated, starts(tolerated)[0], 'FAILED');
    expect(tolerated.run('each').state.current).toBe('WARNING');
    expect(tolerated.has('after')).toBe(true);
  });

  it('with wait false, succeeds once every child exists, counting them as SUCCESS', () => {
    const h = split(2, { wait: false });
    const s = starts(h);
    expect(s.every((x) => x.wait === false && x.outputsUri === undefined)).toBe(true);
    began(h, s[0]);
    expect(itemsRun(h).state.current).toBe('RUNNING');
    began(h, s[1]);
    expect(itemsRun(h).state.current).toBe('SUCCESS');
    expect(itemsRun(h).outputs).toEqual({ numberOfBatches: 2, iterations: { RUNNING: 0, SUCCESS: 2 } });
  });

  it('with no batch, starts no subflow and ends SUCCESS without outputs', () => {
    const h = split(0);
    expect(starts(h)).toEqual([]);
    expect(itemsRun(h).state.current).toBe('SUCCESS');
    expect(itemsRun(h).outputs).toBeUndefined();
    expect(h.has('each_merge')).toBe(true);
  });

  it('makes at most WINDOW children at once, and the next ones as the first are heard of', () => {
    const h = split(WINDOW + 5);
    const first = starts(h);
    expect(first).toHaveLength(WINDOW);
    const more = began(h, first[0]);
    expect(starts(h, more).map((x) => x.iteration)).toEqual([WINDOW]);
    expect(itemsRun(h).outputs?.numberOfBatches).toBe(WINDOW + 5);
  });

  it('gives labels as a map or a list, with the parent labels when inheritLabels', () => {
    const listed = split(1, { labels: [{ key: 'batch', value: '{{ taskrun.iteration }}' }], inheritLabels: true });
    expect(starts(listed)[0].labels).toEqual({ team: 'data', batch: '0' });
    const mapped = split(1, { labels: { k: 'v' } });
    expect(starts(mapped)[0].labels).toEqual({ k: 'v' });
  });

  it('fails at once, naming the task and property, when a batch inputs do not render', () => {
    const h = split(2, { inputs: { x: '{{ nope }}' } });
    expect(starts(h)).toEqual([]);
    expect(itemsRun(h).state.current).toBe('FAILED');
    expect(itemsRun(h).error).toMatchObject({ code: 'EXPRESSION', flow: 'test.f', task: 'each_items', property: 'inputs.x' });
  });

  it('creates every subflow execution at once with scheduleDate, rendered once; a value that is no date fails naming the property', () => {
    const h = split(2, { scheduleDate: '2030-01-01T10:00:00+01:00' });
    expect(starts(h).map((x) => x.scheduleDate)).toEqual(['2030-01-01T09:00:00.000Z', '2030-01-01T09:00:00.000Z']);
    const bad = split(1, { scheduleDate: '{{ inputs.file }}' });
    expect(itemsRun(bad).error).toMatchObject({ task: 'each_items', property: 'scheduleDate', message: expect.stringMatching(/^scheduleDate must be a date/) });
  });

  it('cannot read a file in inputs (the engine reads none): the run fails naming the property', () => {
    const h = split(1, { inputs: { json: '{{ json(read(taskrun.items)) }}' } });
    expect(itemsRun(h).error).toMatchObject({ code: 'EXPRESSION', task: 'each_items', property: 'inputs.json' });
    expect(itemsRun(h).error?.message).toMatch(/was not read before rendering/);
  });

  it('fails at once when a subflow cannot start (unknown flow), killing the children already made', () => {
    const h = split(3);
    const s = starts(h);
    began(h, s[0]);
    const out = h.send({ type: 'SubflowEnded', taskRunId: s[1].parentTaskRunId, childExecutionId: s[1].childExecutionId, state: 'FAILED',
      error: { code: 'SUBFLOW_INVALID', message: 'unknown subflow io.tests.child' } });
    expect(itemsRun(h).error?.message).toBe('unknown subflow io.tests.child');
    expect(h.effectsOf('KillSubflow', out).map((k) => k.childExecutionId)).toEqual([s[0].childExecutionId]);
    expect(h.state).toBe('FAILED');
  });

  it('ignores events of children it did not make', () => {
    const h = split(1);
    const before = h.execution;
    h.send({ type: 'SubflowEnded', taskRunId: itemsRun(h).id, childExecutionId: 'other-0', state: 'FAILED' });
    h.send({ type: 'SubflowStarted', taskRunId: itemsRun(h).id, childExecutionId: `${starts(h)[0].childExecutionId}0` });
    expect(h.execution).toBe(before);
  });

  it('on kill, kills every child made and ends KILLED once they ended', () => {
    const h = split(2);
    const [a, b] = starts(h);
    began(h, a);
    const out = h.send({ type: 'Kill' });
    expect(h.effectsOf('KillSubflow', out).map((k) => k.childExecutionId)).toEqual([a.childExecutionId]);
    // b was not heard of yet: killed once it exists.
    expect(h.effectsOf('KillSubflow', began(h, b)).map((k) => k.childExecutionId)).toEqual([b.childExecutionId]);
    ended(h, a, 'KILLED');
    expect(itemsRun(h).state.current).toBe('KILLING');
    ended(h, b, 'KILLED');
    expect(itemsRun(h).state.current).toBe('KILLED');
    expect(h.state).toBe('KILLED');
  });

  it('without wait, ends KILLED at once on kill and leaves its children running', () => {
    const h = split(2, { wait: false });
    began(h, starts(h)[0]);
    const out = h.send({ type: 'Kill' });
    expect(h.effectsOf('KillSubflow', out)).toEqual([]);
    expect(itemsRun(h).state.current).toBe('KILLED');
    expect(h.state).toBe('KILLED');
  });

  it('restarts in place with new subflow executions for every batch, ignoring the earlier ones', () => {
    const h = split(2);
    const [a, b] = starts(h);
    ended(h, a);
    ended(h, b, 'FAILED');
    expect(h.state).toBe('FAILED');
    h.send({ type: 'Restart' });
    const again = starts(h, h.last);
    expect(again.map((x) => x.iteration)).toEqual([0, 1]);
    expect(again.map((x) => x.childExecutionId)).not.toContain(a.childExecutionId);
    expect(h.runs('each_split')).toHaveLength(1);
    // A late event of the first round changes nothing.
    const before = h.execution;
    began(h, a);
    expect(h.execution).toBe(before);
    again.forEach((x) => ended(h, x));
    expect(itemsRun(h).attempts.map((x) => x.state.current)).toEqual(['FAILED', 'SUCCESS']);
    h.succeed('each_merge');
    h.succeed('after');
    expect(h.state).toBe('SUCCESS');
  });

  it('inside a ForEach, runs its parts once per value, each reading its own split and merging its own folder', () => {
    const h = Harness.start(flow([{
      id: 'loop', type: 'io.kestra.plugin.core.flow.ForEach', values: ['a', 'b'], concurrencyLimit: 0,
      tasks: [{ id: 'each', type: TYPE, items: '{{ taskrun.value }}', namespace: 'io.tests', flowId: 'child', inputs: { f: '{{ taskrun.items }}' } }],
    }]));
    const splits = h.pending().filter((w) => w.taskId === 'each_split');
    expect(splits).toHaveLength(2);
    splits.forEach((w, i) => {
      h.send({ type: 'AttemptStarted', taskRunId: w.taskRunId, attempt: 0, at: T0.toISOString() });
      h.send({ type: 'WorkerResult', result: h.result(w.taskRunId, 0, { state: 'SUCCESS', outputs: { splits: `kestra:///s${i}/splits.txt`, batches: 1, extension: '.txt' } }) });
    });
    const s = starts(h);
    expect(s.map((x) => x.inputs.f)).toEqual(['kestra:///s0/0.txt', 'kestra:///s1/0.txt']);
    expect(new Set(s.map((x) => x.parentTaskRunId)).size).toBe(2);
    s.forEach((x) => ended(h, x));
    const merges = h.pending().filter((w) => w.taskId === 'each_merge');
    expect(merges.map((w) => (w.variables.taskrun as { parentId: string }).parentId).sort()).toEqual(h.runs('each').map((r) => r.id).sort());
    expect((merges[1].variables.outputs as any).each_items).toMatchObject({ a: { numberOfBatches: 1 }, b: { numberOfBatches: 1 } });
  });

  it('replays from any of its runs by cutting the items again', () => {
    const h = split(1);
    ended(h, starts(h)[0]);
    h.succeed('each_merge');
    h.succeed('after');
    const copy = replay(h.execution, h.flow, h.run('each_merge').id, 'e2', T0, fakeIds('n'));
    expect(copy.taskRunList.map((r) => `${r.taskId}:${r.state.current}`)).toEqual(['each:RESTARTED']);
  });
});
