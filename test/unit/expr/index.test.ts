import { AloftError, ErrorCode } from '../../../lib/model/errors';
import { checkSyntax, isTemplate, render, renderTyped, renderValue, type RenderOptions } from '../../../lib/expr';

const NOW = new Date('2026-11-25T01:02:03.456Z');
const VARS = {
  inputs: { n: 3, name: 'x', list: [1, 2], map: { a: 1 }, nothing: null },
  outputs: { t3: { value: 'v3' } },
};
const OPTS: RenderOptions = { now: NOW, location: { flow: 'io.kestra.demo', task: 't1', property: 'tasks[0]' } };

function error(fn: () => unknown): AloftError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AloftError) return e;
    throw e;
  }
  throw new Error('expected an AloftError');
}

describe('lib/expr public API', () => {
  describe('render', () => {
    it('renders text and expressions to a string', () => {
      expect(render('{{ outputs.t3.value }}-x', VARS, OPTS)).toBe('v3-x');
      expect(render('{{ inputs.n }}', VARS, OPTS)).toBe('3');
    });

    it('returns text without braces untouched', () => {
      const s = 'no templates here';
      expect(render(s, VARS, OPTS)).toBe(s);
    });

    it('keeps a stray }} as plain text', () => {
      expect(render('a }} b {{ inputs.name }} }}', VARS, OPTS)).toBe('a }} b x }}');
    });

    it('fails with an EXPRESSION error naming the variable, quoting the tag and carrying the location', () => {
      const e = error(() => render('SELECT {{ inputs.nope }} FROM t', VARS, OPTS));
      expect(e.code).toBe(ErrorCode.EXPRESSION);
      expect(e.message).toBe(`undefined variable 'inputs.nope' in "{{ inputs.nope }}"`);
      expect(e.location).toEqual({ flow: 'io.kestra.demo', task: 't1', property: 'tasks[0]' });
    });

    it('gives the template line of a failing tag in a multi-line template', () => {
      expect(error(() => render('a\nb\n{{ nope }}', VARS, OPTS)).message).toContain('(template line 3)');
    });

    it('reports syntax errors as EXPRESSION errors quoting the tag', () => {
      const e = error(() => render('x {{ inputs.n | nope }} y', VARS, OPTS));
      expect(e.code).toBe(ErrorCode.EXPRESSION);
      expect(e.message).toBe(`template syntax error: unknown filter 'nope' in "{{ inputs.n | nope }}"`);
    });

    it('shortens long excerpts', () => {
      const e = error(() => render(`{{ nope ~ '${'x'.repeat(200)}' }}`, VARS, OPTS));
      expect(e.message.length).toBeLessThan(150);
      expect(e.message).toContain('…');
    });

    it('honours the output limit', () => {
      const e = error(() => render("{% for i in 1..100 %}{{ 'abcdefghij' }}{% endfor %}", VARS, { ...OPTS, maxOutputChars: 100 }));
      expect(e.code).toBe(ErrorCode.EXPRESSION);
      expect(e.message).toContain('exceeds 100 characters');
    });

    it('honours the step budget', () => {
      const e = error(() => render('{% for i in 1..1000 %}{{ i }}{% endfor %}', VARS, { ...OPTS, maxSteps: 500 }));
      expect(e.message).toContain('more than 500 evaluation steps');
    });
  });

  describe('renderTyped', () => {
    it('holds a typed value to the output limit, even one that repeats a large value', () => {
      const big = 'x'.repeat(300_000);
      const e = error(() => renderTyped('{{ [big, big, big, big] }}', { big }, OPTS));
      expect(e.code).toBe(ErrorCode.EXPRESSION);
      expect(e.message).toContain('would exceed 1000000 characters');
      expect(error(() => renderTyped('{{ inputs.list }}', VARS, { ...OPTS, maxOutputChars: 3 })).message).toContain('would exceed 3 characters');
      expect(renderTyped('{{ [big, big, big] }}', { big }, OPTS)).toHaveLength(3);
    });

    it('keeps the type of a template that is exactly one expression', () => {
      expect(renderTyped('{{ inputs.n }}', VARS, OPTS)).toBe(3);
      expect(renderTyped(' {{ inputs.list }}\n', VARS, OPTS)).toEqual([1, 2]);
      expect(renderTyped('{{ inputs.map }}', VARS, OPTS)).toEqual({ a: 1 });
      expect(renderTyped('{{ inputs.n > 2 }}', VARS, OPTS)).toBe(true);
      expect(renderTyped('{{ inputs.nothing }}', VARS, OPTS)).toBeNull();
      expect(renderTyped("{{ 'a' }}", VARS, OPTS)).toBe('a');
    });

    it('renders anything else to a string', () => {
      expect(renderTyped('n={{ inputs.n }}', VARS, OPTS)).toBe('n=3');
      expect(renderTyped('{{ inputs.n }}{{ inputs.n }}', VARS, OPTS)).toBe('33');
      expect(renderTyped('{% if true %}{{ inputs.n }}{% endif %}', VARS, OPTS)).toBe('3');
    });

    it('fails like render', () => {
      expect(error(() => renderTyped('{{ inputs.nope }}', VARS, OPTS)).message).toBe(`undefined variable 'inputs.nope' in "{{ inputs.nope }}"`);
    });
  });

  describe('renderValue', () => {
    it('renders strings deep inside lists and maps, keeping types of single expressions', () => {
      const value = { sql: 'SELECT {{ inputs.n }}', n: '{{ inputs.n }}', env: { FOO: '{{ inputs.name }}' }, commands: ['echo', '{{ inputs.list }}'] };
      expect(renderValue(value, VARS, OPTS)).toEqual({ sql: 'SELECT 3', n: 3, env: { FOO: 'x' }, commands: ['echo', [1, 2]] });
    });

    it('returns non-strings and plain strings as they are, and unchanged containers by identity', () => {
      const value = { a: 1, b: true, c: null, d: ['plain', { e: 'text' }] };
      expect(renderValue(value, VARS, OPTS)).toBe(value);
      const date = new Date(0);
      expect(renderValue(date, VARS, OPTS)).toBe(date);
    });

    it('renders map keys that contain templates, the first of two equal keys winning as in Kestra', () => {
      expect(renderValue({ 'key-{{ inputs.name }}': 1 }, VARS, OPTS)).toEqual({ 'key-x': 1 });
      expect(renderValue({ 'key-x': 1, 'key-{{ inputs.name }}': 2 }, VARS, OPTS)).toEqual({ 'key-x': 1 });
    });

    it('copies a __proto__ key as data, never as a prototype', () => {
      const value = JSON.parse('{"__proto__": {"polluted": true}, "a": "{{ inputs.name }}"}');
      const out = renderValue(value, VARS, OPTS) as Record<string, unknown>;
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
      expect(Object.hasOwn(out, '__proto__')).toBe(true);
      expect(out.a).toBe('x');
      expect((out as { polluted?: boolean }).polluted).toBeUndefined();
    });

    it('appends the path inside the value to the property in errors', () => {
      expect(error(() => renderValue({ sql: '{{ nope }}' }, VARS, OPTS)).location.property).toBe('tasks[0].sql');
      expect(error(() => renderValue({ env: { FOO: '{{ nope }}' } }, VARS, OPTS)).location.property).toBe('tasks[0].env.FOO');
      expect(error(() => renderValue({ commands: ['ok', '{{ nope }}'] }, VARS, OPTS)).location.property).toBe('tasks[0].commands[1]');
      expect(error(() => renderValue(['{{ nope }}'], VARS, { now: NOW })).location.property).toBe('[0]');
      expect(error(() => renderValue({ 'a b': '{{ nope }}' }, VARS, { now: NOW })).location.property).toBe('["a b"]');
    });

    it('keeps the location as given for a top-level string', () => {
      expect(error(() => renderValue('{{ nope }}', VARS, OPTS)).location.property).toBe('tasks[0]');
    });
  });

  describe('isTemplate', () => {
    it('detects {{ and {%', () => {
      expect(isTemplate('a {{ b }}')).toBe(true);
      expect(isTemplate('{% if a %}{% endif %}')).toBe(true);
      expect(isTemplate('a } b { c')).toBe(false);
      expect(isTemplate('{# comment only #}')).toBe(false);
    });
  });

  describe('checkSyntax', () => {
    it('returns nothing for a valid template', () => {
      expect(checkSyntax('{{ a | date("yyyy") }}{% for x in y %}{{ x }}{% endfor %}')).toBeUndefined();
    });

    it('returns the first error and its offset without evaluating', () => {
      expect(checkSyntax('abc {{ 1 + }}')).toEqual({ message: "unexpected '}}'", offset: 11 });
      expect(checkSyntax('{{ x | nope }}')).toEqual({ message: "unknown filter 'nope'", offset: 7 });
      expect(checkSyntax('{% if x %}')).toEqual({ message: 'unclosed {% if %}: missing {% endif %}', offset: 0 });
    });
  });
});
