import { FAIL, RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const SEQ = 'io.kestra.core.tasks.flows.Sequential';
const ALLOW = 'io.kestra.core.tasks.flows.AllowFailure';
const SWITCH = 'io.kestra.core.tasks.flows.Switch';

// Kestra's allow-failure.yaml, with the Switch value read from an input.
const allowFailureFlow = flow([
  { id: 'first', type: SEQ, tasks: [
    { id: '1-1-allow-failure', type: ALLOW, tasks: [
      { id: '1-1-1_seq', type: SEQ, tasks: [{ id: '1-1-1-1', type: RETURN }, { id: 'ko', type: FAIL }, { id: '1-1-1-3', type: RETURN }] },
    ], errors: [{ id: 'local-error', type: RETURN }] },
    { id: '1-2-todo', type: RETURN },
  ] },
  { id: 'switch', type: SWITCH, value: '{{ inputs.crash }}', cases: { true: [{ id: 'crash', type: FAIL }] }, defaults: [{ id: 'last', type: RETURN }] },
], { errors: [{ id: 'global-error', type: RETURN }] });

const worker = (wt: { type: string }) => ({ state: wt.type === FAIL ? 'FAILED' as const : 'SUCCESS' as const });

describe('AllowFailure', () => {
  it('runs its local errors branch, ends WARNING and lets the flow carry on', () => {
    const h = Harness.start(allowFailureFlow, { inputs: { crash: 'false' } });
    h.drive(worker);
    expect(h.run('ko').state.current).toBe('FAILED');
    expect(h.has('1-1-1-3')).toBe(false);
    expect(h.run('local-error').state.current).toBe('SUCCESS');
    expect(h.run('1-1-allow-failure').state.current).toBe('WARNING');
    expect(h.run('1-2-todo').state.current).toBe('SUCCESS');
    expect(h.run('last').state.current).toBe('SUCCESS');
    expect(h.has('global-error')).toBe(false);
    expect(h.state).toBe('WARNING');
  });

  it('does not hide a later failure: the flow-level errors run and the execution fails', () => {
    const h = Harness.start(allowFailureFlow, { inputs: { crash: 'true' } });
    h.drive(worker);
    expect(h.run('1-1-allow-failure').state.current).toBe('WARNING');
    expect(h.run('crash').state.current).toBe('FAILED');
    expect(h.run('global-error').state.current).toBe('SUCCESS');
    expect(h.state).toBe('FAILED');
  });
});
