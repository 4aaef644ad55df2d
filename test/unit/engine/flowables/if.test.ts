import { RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const IF = 'io.kestra.plugin.core.flow.If';

describe('If', () => {
  it('runs then when the condition is truthy, with evaluationResult true', () => {
    const h = Harness.start(flow([
      { id: 'check', type: IF, condition: '{{ inputs.n > 1 }}', then: [{ id: 'yes', type: RETURN }], else: [{ id: 'no', type: RETURN }] },
    ]), { inputs: { n: 2 } });
    h.drive();
    expect(h.states()).toEqual({ check: 'SUCCESS', yes: 'SUCCESS' });
    expect(h.run('check').outputs).toEqual({ evaluationResult: true });
  });

  it('runs else when the condition renders false, 0, -0 or nothing', () => {
    for (const condition of ['{{ inputs.n > 1 }}', '0', '-0', '{{ "" }}', ' false ']) {
      const h = Harness.start(flow([
        { id: 'check', type: IF, condition, then: [{ id: 'yes', type: RETURN }], else: [{ id: 'no', type: RETURN }] },
      ]), { inputs: { n: 0 } });
      h.drive();
      expect(h.states()).toEqual({ check: 'SUCCESS', no: 'SUCCESS' });
      expect(h.run('check').outputs).toEqual({ evaluationResult: false });
    }
  });

  it('ends SUCCESS with no child when false and there is no else', () => {
    const h = Harness.start(flow([{ id: 'check', type: IF, condition: false, then: [{ id: 'yes', type: RETURN }] }, { id: 'end', type: RETURN }]));
    expect(h.states()).toEqual({ check: 'SUCCESS', end: 'CREATED' });
  });

  it('keeps the branch it chose even when the condition would change', () => {
    const h = Harness.start(flow([
      { id: 'check', type: IF, condition: '{{ outputs.first is defined }}', then: [{ id: 'yes', type: RETURN }], else: [{ id: 'first', type: RETURN }, { id: 'second', type: RETURN }] },
    ]));
    h.drive((wt) => ({ state: 'SUCCESS', outputs: { value: wt.taskId } }));
    expect(h.states()).toEqual({ check: 'SUCCESS', first: 'SUCCESS', second: 'SUCCESS' });
  });

  it('runs its errors and fails when a child fails', () => {
    const h = Harness.start(flow([
      { id: 'check', type: IF, condition: 'true', then: [{ id: 'yes', type: RETURN }], errors: [{ id: 'alert', type: RETURN }] },
    ]));
    h.fail('yes');
    h.drive();
    expect(h.states()).toEqual({ check: 'FAILED', yes: 'FAILED', alert: 'SUCCESS' });
    expect(h.state).toBe('FAILED');
  });

  it('fails naming condition when it does not render', () => {
    const h = Harness.start(flow([{ id: 'check', type: IF, condition: '{{ nope }}', then: [{ id: 'yes', type: RETURN }] }]));
    expect(h.run('check').error).toMatchObject({ code: 'EXPRESSION', task: 'check', property: 'condition' });
    expect(h.state).toBe('FAILED');
  });
});
