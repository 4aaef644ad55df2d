import { FAIL, LOG, RETURN } from './helpers/catalog';
import { Harness, flow } from './helpers/harness';

const SEQ = 'io.kestra.core.tasks.flows.Sequential';
const SUBFLOW = 'io.kestra.plugin.core.flow.Subflow';
const FOR_EACH = 'io.kestra.plugin.core.flow.ForEach';

describe('runIf', () => {
  it('runs the task when it renders true', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, runIf: '{{ inputs.go }}' }]), { inputs: { go: true } });
    expect(h.pending().map((w) => w.taskId)).toEqual(['a']);
  });

  it('ends the run SKIPPED with no attempt when it renders false, and the flow carries on to SUCCESS', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, runIf: '{{ inputs.go }}' }, { id: 'b', type: RETURN }]), { inputs: { go: false } });
    expect(h.history('a')).toEqual(['CREATED', 'SKIPPED']);
    expect(h.run('a').attempts).toEqual([]);
    expect(h.pending().map((w) => w.taskId)).toEqual(['b']);
    h.drive();
    expect(h.state).toBe('SUCCESS');
  });

  it('treats 0, -0 and an empty rendering as false, as Kestra does', () => {
    for (const runIf of ['0', '-0', '{{ "" }}', false, ' false ']) {
      const h = Harness.start(flow([{ id: 'a', type: LOG, runIf }]));
      expect(h.states()).toEqual({ a: 'SKIPPED' });
      expect(h.state).toBe('SUCCESS');
    }
  });

  it('treats any other text as true, case included, as Kestra does', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, runIf: '{{ "False" }}' }]));
    expect(h.pending().map((w) => w.taskId)).toEqual(['a']);
  });

  it('skips a flowable without creating its children', () => {
    const h = Harness.start(flow([
      { id: 'seq', type: SEQ, runIf: 'false', tasks: [{ id: 'inner', type: LOG }] },
      { id: 'sub', type: SUBFLOW, runIf: 'false', namespace: 'n', flowId: 'x', wait: true },
    ]));
    expect(h.states()).toEqual({ seq: 'SKIPPED', sub: 'SKIPPED' });
    expect(h.effectsOf('StartSubflow')).toEqual([]);
    expect(h.state).toBe('SUCCESS');
  });

  it('reads the outputs of earlier tasks and the loop value', () => {
    const h = Harness.start(flow([
      { id: 'loop', type: FOR_EACH, values: ['1', '2'], tasks: [{ id: 'odd', type: LOG, runIf: '{{ taskrun.value == "1" }}' }] },
    ]));
    h.drive();
    expect(h.states()).toEqual({ loop: 'SUCCESS', 'odd[1]': 'SUCCESS', 'odd[2]': 'SKIPPED' });
  });

  it('fails the run naming runIf when it does not render', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, runIf: '{{ outputs.nope == 2 }}' }, { id: 'b', type: RETURN }]));
    expect(h.states()).toEqual({ a: 'FAILED' });
    expect(h.run('a').error).toMatchObject({ code: 'EXPRESSION', task: 'a', property: 'runIf' });
    expect(h.state).toBe('FAILED');
  });

  it('cannot read secrets: the engine renders it, and the engine holds none', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, runIf: "{{ secret('TOKEN') == 'x' }}" }]));
    expect(h.run('a').state.current).toBe('FAILED');
    expect(h.run('a').error).toMatchObject({ task: 'a', property: 'runIf' });
  });

  it('does not count a skipped task as a failure for the errors branch', () => {
    const h = Harness.start(flow([{ id: 'a', type: FAIL, runIf: 'false' }], { errors: [{ id: 'alert', type: LOG }] }));
    expect(h.has('alert')).toBe(false);
    expect(h.state).toBe('SUCCESS');
  });
});
