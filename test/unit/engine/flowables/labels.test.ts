import { RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const LABELS = 'io.kestra.plugin.core.execution.Labels';

describe('Labels', () => {
  it('adds and overwrites the execution\'s labels from a map, and later tasks see them', () => {
    const h = Harness.start(flow([
      { id: 'tag', type: LABELS, labels: { customer: '{{ inputs.c }}', team: 'data', '{{ inputs.k }}': 'dyn' } },
      { id: 'after', type: RETURN, format: '{{ labels.customer }}/{{ labels.team }}' },
    ]), { inputs: { c: 'acme', k: 'key' }, labels: { team: 'ops', keep: 'me' } });
    expect(h.run('tag').state.current).toBe('SUCCESS');
    expect(h.run('tag').attempts).toEqual([]);
    expect(h.execution.labels).toEqual({ team: 'data', keep: 'me', customer: 'acme', key: 'dyn' });
    expect(h.pending().map((w) => [w.taskId, (w.variables.labels as Record<string, string>).customer])).toEqual([['after', 'acme']]);
  });

  it('takes a list of key and value, the last one winning, and writes a map value as JSON', () => {
    const h = Harness.start(flow([{ id: 'tag', type: LABELS, labels: [
      { key: 'order', value: '{{ inputs.n }}' }, { key: 'order', value: 'second' }, { key: 'meta', value: { a: 1 } },
    ] }]), { inputs: { n: 7 } });
    expect(h.execution.labels).toEqual({ order: 'second', meta: '{"a":1}' });
    expect(h.state).toBe('SUCCESS');
  });

  it('takes a string rendering to a JSON map', () => {
    const h = Harness.start(flow([{ id: 'tag', type: LABELS, labels: '{{ inputs.json }}' }]), { inputs: { json: '{"from":"json"}' } });
    expect(h.execution.labels).toEqual({ from: 'json' });
  });

  it('fails naming labels for a string that is no JSON map, and for a system label', () => {
    const bad = Harness.start(flow([{ id: 'tag', type: LABELS, labels: 'not json' }]));
    expect(bad.run('tag').error).toMatchObject({ task: 'tag', property: 'labels', message: expect.stringContaining('JSON map') });
    expect(bad.state).toBe('FAILED');
    const sys = Harness.start(flow([{ id: 'tag', type: LABELS, labels: { 'system.readOnly': 'true' } }]));
    expect(sys.run('tag').error).toMatchObject({ property: 'labels', message: expect.stringContaining('system.readOnly=true') });
    expect(sys.execution.labels).toBeUndefined();
  });
});
