import { checkResume, resumeInputs } from '../../../lib/engine';
import type { Task } from '../../../lib/model/flow';
import { RETURN } from './helpers/catalog';
import { Harness, flow } from './helpers/harness';

const PAUSE = 'io.kestra.plugin.core.flow.Pause';
const pause = (onResume?: unknown[]): Task => ({ id: 'approve', type: PAUSE, ...(onResume ? { onResume } : {}) });
const declared = [
  { id: 'approved', type: 'BOOLEAN' },
  { id: 'count', type: 'INT', defaults: 1 },
  { id: 'reason', type: 'STRING', required: false },
];

describe('resumeInputs', () => {
  it('types the given values like flow inputs and fills in defaults', () => {
    expect(resumeInputs(pause(declared), { approved: 'true', count: '3' })).toEqual({ ok: true, values: { approved: true, count: 3 } });
    expect(resumeInputs(pause(declared), { approved: false })).toEqual({ ok: true, values: { approved: false, count: 1 } });
  });

  it('refuses a missing required input or a value of the wrong type, naming it', () => {
    expect(resumeInputs(pause(declared), {})).toEqual({ ok: false, message: "missing required resume input 'approved'", property: 'onResume[0]' });
    expect(resumeInputs(pause(declared), { approved: true, count: 'lots' })).toMatchObject({ ok: false, message: expect.stringContaining("resume input 'count'"), property: 'onResume[1]' });
  });

  it('passes the values through when the Pause declares no onResume', () => {
    expect(resumeInputs(pause(), { anything: 1 })).toEqual({ ok: true, values: { anything: 1 } });
  });
});

describe('Pause with onResume', () => {
  const f = flow([pause(declared), { id: 'after', type: RETURN }]);

  it('exposes the typed values as its onResume outputs', () => {
    const h = Harness.start(f);
    h.send({ type: 'Resume', inputs: { approved: 'true' } });
    expect(h.run('approve').outputs).toEqual({ onResume: { approved: true, count: 1 } });
    expect(h.run('approve').state.current).toBe('SUCCESS');
  });

  it('ignores a Resume whose values do not pass, and checkResume says why', () => {
    const h = Harness.start(f);
    const before = h.execution;
    expect(checkResume(before, f, { count: 2 })).toEqual({ ok: false, message: "missing required resume input 'approved'", property: 'onResume[0]', task: 'approve' });
    h.send({ type: 'Resume', inputs: { count: 2 } });
    expect(h.execution).toBe(before);
    expect(h.state).toBe('PAUSED');
  });
});
