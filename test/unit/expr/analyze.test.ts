import { kvReferences, readPaths, referencedPaths, secretNames } from '../../../lib/expr';

describe('analyze', () => {
  describe('referencedPaths', () => {
    it('lists the root variable paths a template reads', () => {
      expect(referencedPaths('{{ inputs.query.uri }}')).toEqual([['inputs', 'query', 'uri']]);
      expect(referencedPaths("{{ outputs.t['a a'].value }} and {{ vars.x[0] }}")).toEqual([
        ['outputs', 't', 'a a', 'value'],
        ['vars', 'x', '0'],
      ]);
    });

    it('stops a path at a computed subscript and reports the subscript too', () => {
      expect(referencedPaths('{{ outputs.t[taskrun.value].x }}')).toEqual([['outputs', 't'], ['taskrun', 'value']]);
    });

    it('leaves out loop and set variables, but not what they are built from', () => {
      const tpl = '{% for x in outputs.list.rows %}{{ x.id }}{{ loop.index }}{% endfor %}{% set y = vars.a %}{{ y.b }}';
      expect(referencedPaths(tpl)).toEqual([['outputs', 'list', 'rows'], ['vars', 'a']]);
    });

    it('still reports a loop variable name used outside its loop', () => {
      expect(referencedPaths('{% for x in xs %}{% endfor %}{{ x }}')).toEqual([['xs'], ['x']]);
    });

    it('leaves out reads the template guards itself', () => {
      expect(referencedPaths("{{ inputs.a ?? inputs.b }}{{ inputs.c is defined }}{{ inputs.d | default('x') }}{{ inputs.e ?: 'f' }}"))
        .toEqual([['inputs', 'b']]);
    });

    it('looks inside filters, function arguments, conditions and string interpolation', () => {
      expect(referencedPaths("{% if a.b > 1 %}{{ c | date(d.fmt) }}{{ max(e, 1) }}{{ \"#{f.g}\" }}{% endif %}")).toEqual([
        ['a', 'b'], ['c'], ['d', 'fmt'], ['e'], ['f', 'g'],
      ]);
    });

    it('reports each path once and nothing for a template that does not parse', () => {
      expect(referencedPaths('{{ a.b }}{{ a.b }}')).toEqual([['a', 'b']]);
      expect(referencedPaths('{{ a. }}')).toEqual([]);
      expect(referencedPaths('plain text')).toEqual([]);
    });
  });

  describe('secretNames', () => {
    it('finds literal secret names anywhere in a value, keys included', () => {
      const value = {
        url: "jdbc://{{ secret('DB_HOST') }}",
        env: [{ TOKEN: "{{ secret('API_TOKEN') | trim }}" }, 5, null],
        "{{ secret('KEY_NAME') }}": 'x',
        again: "{{ secret('DB_HOST') }}",
      };
      expect(secretNames(value)).toEqual(['DB_HOST', 'API_TOKEN', 'KEY_NAME']);
    });

    it('ignores computed names, text that merely mentions secret, and broken templates', () => {
      expect(secretNames(["{{ secret(name) }}", 'secret(\'X\')', "{{ secret('Y') "])).toEqual([]);
    });
  });

  describe('kvReferences', () => {
    it('lists literal kv() calls deeply, once each, with their namespace when given', () => {
      const value = {
        a: "{{ kv('conf') }} and {{ kv('conf') }}",
        b: ["{% if kv('flag', 'company') %}x{% endif %}", "{{ kv(key='k2', namespace='company.team', errorOnMissing=false) }}"],
      };
      expect(kvReferences(value)).toEqual([{ key: 'conf' }, { key: 'flag', namespace: 'company' }, { key: 'k2', namespace: 'company.team' }]);
    });

    it('skips calls whose key or namespace is computed, and text that is not a template', () => {
      expect(kvReferences(['{{ kv(name) }}', "{{ kv('a', ns) }}", "kv('plain')"])).toEqual([]);
    });
  });

  describe('readPaths', () => {
    it('lists the literal paths of read() calls, once each', () => {
      expect(readPaths({ a: "{{ read('a.sql') }}{{ read('a.sql') }}", b: ["{{ read('kestra:///x/y.txt') | trim }}", '{{ read(p) }}'] }))
        .toEqual(['a.sql', 'kestra:///x/y.txt']);
    });

    it('given the variables, lists the paths of read() calls named by a variable path, as a ForEachItem subflow reads its batch', () => {
      const vars = { inputs: { items: 'kestra:///b/0.txt', n: 3 }, taskrun: { items: 'kestra:///b/1.txt' } };
      expect(readPaths(['{{ read(inputs.items) }}', "{{ json(read(taskrun['items'])) }}", '{{ read(inputs.n) }}', '{{ read(inputs.none.x) }}', '{{ read(p) }}'], vars))
        .toEqual(['kestra:///b/0.txt', 'kestra:///b/1.txt']);
      expect(readPaths('{{ read(inputs.items) }}')).toEqual([]);
    });
  });
});
