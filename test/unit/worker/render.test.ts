import { lookupsIn, mayUseSecrets, ownProperties, renderOne, renderProperties, resolveSecrets } from '../../../lib/worker/render';

const cx = { vars: { inputs: { a: 'A', n: 2 } }, opts: { now: new Date('2024-01-01T00:00:00Z'), secrets: {} }, location: { flow: 'io.n.f', task: 't' } };

describe('worker rendering', () => {
  it('skips the template engine for values without templates', () => {
    const list = ['x', 'y'];
    expect(renderOne('plain', cx)).toBe('plain');
    expect(renderOne(5, cx)).toBe(5);
    expect(renderOne(list, cx)).toBe(list);
  });

  it('renders nested values and names the property path in errors', () => {
    expect(renderOne({ k: ['{{ inputs.a }}', '{{ inputs.n }}'] }, cx, 'p')).toEqual({ k: ['A', 2] });
    expect(() => renderOne({ k: ['{{ inputs.zz }}'] }, cx, 'headers')).toThrow(expect.objectContaining({
      code: 'EXPRESSION', location: expect.objectContaining({ flow: 'io.n.f', task: 't', property: 'headers.k[0]' }),
    }));
  });

  it('renders the own properties except base keys and lazy ones', () => {
    const task = { id: 't', type: 'x', timeout: 'PT1S', retry: { type: 'constant' }, a: '{{ inputs.a }}', lazy: '{{ row }}' };
    const calls: string[] = [];
    const out = renderProperties(task, ['lazy'], (v, p) => { calls.push(p); return renderOne(v, cx, p); });
    expect(out).toEqual({ a: 'A', lazy: '{{ row }}' });
    expect(calls).toEqual(['a']);
    expect(ownProperties(task)).toEqual({ a: '{{ inputs.a }}', lazy: '{{ row }}' });
  });

  it('fetches only the secrets a value names, once', async () => {
    const asked: string[] = [];
    const secrets = { get: async (n: string) => { asked.push(n); return n === 'MISSING' ? undefined : `v-${n}`; } };
    const known: Record<string, string> = { B: 'known' };
    await resolveSecrets({ x: "{{ secret('A') }}", y: ["{{ secret('B') }}", "{{ secret('MISSING') }}"] }, secrets, known);
    expect(known).toEqual({ A: 'v-A', B: 'known' });
    expect(asked.sort()).toEqual(['A', 'MISSING']);
    expect(mayUseSecrets({ a: ['no templates here'] })).toBe(false);
  });

  it('fails naming the secret when it does not exist', () => {
    expect(() => renderOne("{{ secret('MISSING') }}", cx, 'password')).toThrow(expect.objectContaining({
      code: 'EXPRESSION', message: expect.stringContaining('MISSING'), location: expect.objectContaining({ property: 'password' }),
    }));
  });
});

describe('the lookups a task calls for', () => {
  it('are found in any string of its properties, nested ones too', () => {
    expect(lookupsIn({ id: 't', format: 'plain' })).toEqual({ secrets: false, kv: false, read: false, files: false });
    expect(lookupsIn({ id: 't', a: ['{{ secret("A") }}'], b: { c: '{{ kv("k") }}' } })).toEqual({ secrets: true, kv: true, read: false, files: false });
    expect(lookupsIn({ id: 't', env: { X: '{{ read("f.txt") }}', Y: '{{ fileSize(outputs.a.uri) }}' } })).toEqual({ secrets: false, kv: false, read: true, files: true });
  });

  it('are the same answer for the same task object, and found anew for a copy', () => {
    const task = { id: 't', format: '{{ errorLogs() }}' };
    expect(lookupsIn(task)).toBe(lookupsIn(task));
    expect(lookupsIn({ ...task, format: 'none' }).files).toBe(false);
  });
});
