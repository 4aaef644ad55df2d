import { z } from 'zod';
import { checkValue, isTemplate, knownKeys, schemaAt } from '../../../lib/model/flow-zod';

const schema = z.object({
  port: z.number().int(),
  mode: z.enum(['A', 'B']).optional(),
  hosts: z.array(z.string()).optional(),
  retry: z.discriminatedUnion('type', [
    z.object({ type: z.literal('constant'), interval: z.string() }).strict(),
    z.object({ type: z.literal('random'), minInterval: z.string() }).strict(),
  ]).optional(),
  docker: z.object({ image: z.string() }).strict().optional(),
}).strict();

describe('checkValue', () => {
  it('drops issues at or under a template string, whatever type the schema expects', () => {
    expect(checkValue(schema, { port: '{{ vars.port }}', mode: '{{ inputs.mode }}', hosts: '{{ outputs.a.hosts }}', docker: '{% if x %}{% endif %}' })).toEqual([]);
    expect(checkValue(schema, { port: 1, retry: { type: 'constant', interval: 5 } })).toEqual([
      { path: ['retry', 'interval'], message: 'expected a string, got 5' },
    ]);
  });

  it('reports the branch of a union that the value was meant for', () => {
    const s = z.object({ message: z.union([z.string(), z.array(z.string())]) });
    expect(checkValue(s, { message: ['a', 2] })).toEqual([{ path: ['message', 1], message: 'expected a string, got 2' }]);
    expect(checkValue(s, { message: 3 })).toEqual([{ path: ['message'], message: 'expected a string or a list, got 3' }]);
    expect(checkValue(s, { message: ['{{ a }}', '{{ b }}'] })).toEqual([]);
  });

  it('names unknown keys with the closest valid key, also in a root object that only strips them', () => {
    expect(checkValue(schema, { port: 1, docker: { imag: 'x' } })).toEqual([
      { path: ['docker', 'image'], message: "missing required property 'image'" },
      { path: ['docker', 'imag'], atKey: true, message: "unknown property 'imag'; did you mean 'image'?" },
    ]);
    const loose = z.object({ url: z.string() });
    expect(checkValue(loose, { url: 'x', ulr: 'y' }, { strictRoot: true })).toEqual([
      { path: ['ulr'], atKey: true, message: "unknown property 'ulr'; did you mean 'url'?" },
    ]);
    expect(checkValue(loose, { url: 'x', tasks: [] }, { strictRoot: true, extraRootKeys: ['tasks'] })).toEqual([]);
  });

  it('skips the paths it is told to skip', () => {
    const s = z.object({ tasks: z.array(z.object({ id: z.string() })) });
    expect(checkValue(s, { tasks: [{ id: 1 }] }, { skip: (p) => p[0] === 'tasks' && p.length > 1 })).toEqual([]);
  });
});

describe('schema introspection', () => {
  it('finds the property names and the schema at a path through optionals, arrays and unions', () => {
    expect(knownKeys(schema)).toEqual(['port', 'mode', 'hosts', 'retry', 'docker']);
    expect(knownKeys(schemaAt(schema, ['retry']))).toEqual(['type', 'interval', 'minInterval']);
    expect(knownKeys(schemaAt(schema, ['docker']))).toEqual(['image']);
    expect(schemaAt(schema, ['nothing', 'here'])).toBeUndefined();
  });

  it('recognises Pebble templates', () => {
    expect(isTemplate('a {{ b }}')).toBe(true);
    expect(isTemplate('{% if a %}x{% endif %}')).toBe(true);
    expect(isTemplate('just { text }')).toBe(false);
    expect(isTemplate(3)).toBe(false);
  });
});
