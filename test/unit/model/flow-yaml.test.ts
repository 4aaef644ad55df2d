import { parseYaml } from '../../../lib/model/flow-yaml';

describe('parseYaml', () => {
  it('locates a value, a key, and the nearest written ancestor of a path that is not written', () => {
    const y = parseYaml('id: f\ntasks:\n  - id: a\n    sql: select 1\n');
    expect(y.value).toEqual({ id: 'f', tasks: [{ id: 'a', sql: 'select 1' }] });
    expect(y.locate(['tasks', 0, 'sql'])).toEqual({ line: 4, column: 10 });
    expect(y.locate(['tasks', 0, 'sql'], { atKey: true })).toEqual({ line: 4, column: 5 });
    expect(y.locate(['tasks', 0, 'missing'])).toEqual({ line: 3, column: 5 });
    expect(y.has(['tasks', 0, 'sql'])).toBe(true);
    expect(y.has(['tasks', 0, 'missing'])).toBe(false);
  });

  it('locates an offset inside plain, quoted and block scalars', () => {
    const y = parseYaml('a: x {{ y }}\nb: "x {{ y }}"\nc: |\n  first\n  x {{ y }}\n');
    expect(y.locate(['a'], { offset: 2 })).toEqual({ line: 1, column: 6 });
    expect(y.locate(['b'], { offset: 2 })).toEqual({ line: 2, column: 7 });
    expect(y.locate(['c'], { offset: 'first\nx '.length })).toEqual({ line: 5, column: 5 });
  });

  it('reports syntax errors with their line and column and no value', () => {
    const y = parseYaml('a: [1, 2\nb: 3\n');
    expect(y.value).toBeUndefined();
    expect(y.errors.length).toBeGreaterThan(0);
    expect(y.errors[0].line).toBeGreaterThanOrEqual(1);
  });

  it('refuses a document that expands aliases without bound', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
    const y = parseYaml(bomb);
    expect(y.value).toBeUndefined();
    expect(y.errors[0].message).toMatch(/alias/i);
  });

  it('refuses a document nested beyond the bound, in flow or block style, with its line, and keeps one within it', () => {
    for (const [source, line] of [['id: f\na: ' + '['.repeat(5000) + ']'.repeat(5000), 2], ['id: f\na:\n  ' + '- '.repeat(5000) + 'x\n', 3]] as const) {
      const y = parseYaml(source);
      expect(y.value).toBeUndefined();
      expect(y.errors).toEqual([expect.objectContaining({ message: 'the document is nested deeper than 200 levels', line })]);
    }
    const within = parseYaml('a: ' + '['.repeat(200) + ']'.repeat(200));
    expect(within.errors).toEqual([]);
    // Many brackets, hyphens and lines, but shallow: read in full.
    const wide = parseYaml(`tasks:\n${Array.from({ length: 300 }, (_, i) => `  - id: t-${i}\n    format: "{{ a-b }} [x] {y}"\n`).join('')}`);
    expect(wide.errors).toEqual([]);
    expect((wide.value as { tasks: unknown[] }).tasks).toHaveLength(300);
  });

  it('refuses YAML tags outside the core schema at parse time, with their line', () => {
    for (const [tag, text] of [['!!binary', 'aGVsbG8='], ['!!timestamp', '2024-01-01'], ['!!set', '{x}'], ['!!omap', '[a: 1]'], ['!custom', 'x']]) {
      const y = parseYaml(`id: f\nnamespace: t\nvalue: ${tag} ${text}\n`);
      expect(y.value).toBeUndefined();
      expect(y.errors).toEqual([expect.objectContaining({ message: `the YAML tag ${tag} is not supported`, line: 3 })]);
    }
    expect(parseYaml('a: !!str 12\nb: !!int "3"\n').value).toEqual({ a: '12', b: 3 });
  });

  it('refuses an unquoted {{ expression }} (a map keyed by a map) with its line, instead of turning it into text', () => {
    const y = parseYaml('id: f\ntasks:\n  - id: a\n    format: {{ inputs.name }}\n');
    expect(y.value).toBeUndefined();
    expect(y.errors.map((e) => [e.message, e.line])).toEqual([['a list or a map is used as a key: quote an expression such as "{{ x }}" where it is a whole value', 4]]);
    expect(parseYaml('format: "{{ inputs.name }}"\n').value).toEqual({ format: '{{ inputs.name }}' });
  });
});
