import { propertyError, renderProperty, renderText } from '../../../lib/engine/render';

const site = { now: new Date('2024-01-01T00:00:00Z'), vars: { inputs: { n: 2, s: 'x' } }, flow: 'test.f', task: 't' };

describe('render', () => {
  it('keeps the type of a single expression and renders text', () => {
    expect(renderProperty(site, 'value', '{{ inputs.n }}')).toEqual({ ok: true, value: 2 });
    expect(renderText(site, 'value', 'a-{{ inputs.s }}')).toEqual({ ok: true, value: 'a-x' });
  });

  it('returns an EXPRESSION error naming the flow, task and property instead of throwing', () => {
    const r = renderText(site, 'value', '{{ inputs.missing }}');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ code: 'EXPRESSION', flow: 'test.f', task: 't', property: 'value' });
      expect(r.error.message).toContain('inputs.missing');
    }
  });

  it('has no secrets in flowable properties', () => {
    const r = renderText(site, 'namespace', "{{ secret('TOKEN') }}");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain("secret 'TOKEN'");
  });

  it('builds a property error', () => {
    expect(propertyError(site, 'value', 'bad')).toEqual({ code: 'EXPRESSION', message: 'bad', flow: 'test.f', task: 't', property: 'value' });
  });
});
