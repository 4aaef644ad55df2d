import { parse } from '../../../lib/expr/parser';
import { Evaluation, type Limits } from '../../../lib/expr/evaluate';
import { ExprFailure, FailureKind } from '../../../lib/expr/failure';

const NOW = new Date('2026-11-25T01:02:03.456Z');
const LIMITS: Limits = { now: NOW, secrets: undefined, maxOutputChars: 1_000_000, maxSteps: 1_000_000 };

const VARS = {
  inputs: { name: 'world', n: 3, empty: '', nothing: null, flag: false },
  outputs: { t: { value: 'v', 'a a': { value: 5 }, s1: { value: 'one' } } },
  taskrun: { value: 's1' },
  list: [1, 2, 3],
  map: { a: 1, b: 'two' },
};

function run(src: string, vars: Record<string, unknown> = VARS, limits: Partial<Limits> = {}): string {
  const ev = new Evaluation(parse(src), vars, { ...LIMITS, ...limits });
  ev.renderNodes(ev.template.nodes);
  return ev.out;
}

function failure(src: string, vars: Record<string, unknown> = VARS, limits: Partial<Limits> = {}): ExprFailure {
  try {
    run(src, vars, limits);
  } catch (e) {
    if (e instanceof ExprFailure) return e;
    throw e;
  }
  throw new Error(`expected ${src} to fail`);
}

describe('evaluate', () => {
  describe('printing', () => {
    it('prints strings as-is, numbers as JavaScript does, booleans as words and null as nothing', () => {
      expect(run("{{ 'a' }}|{{ 1.5 }}|{{ 10 }}|{{ true }}|{{ null }}|{{ inputs.nothing }}")).toBe('a|1.5|10|true||');
    });

    it('prints lists and maps as JSON', () => {
      expect(run('{{ list }} {{ map }}')).toBe('[1,2,3] {"a":1,"b":"two"}');
    });
  });

  describe('variables', () => {
    it('reads nested keys, quoted keys and list indexes', () => {
      expect(run("{{ outputs.t.value }} {{ outputs.t['a a'].value }} {{ list[1] }} {{ list['2'] }}")).toBe('v 5 2 3');
    });

    it('reads a key computed from another variable', () => {
      expect(run('{{ outputs.t[taskrun.value].value }}')).toBe('one');
    });

    it('fails on an undefined variable, naming it', () => {
      const f = failure('{{ nope }}');
      expect(f.kind).toBe(FailureKind.UNDEFINED);
      expect(f.message).toBe("undefined variable 'nope'");
    });

    it('fails on a missing key, naming the full path', () => {
      expect(failure('{{ inputs.nope.deeper }}').message).toBe("undefined variable 'inputs.nope'");
      expect(failure("{{ outputs.t['b b'] }}").message).toBe("undefined variable 'outputs.t['b b']'");
    });

    it('fails on an attribute of null or of a string, saying why', () => {
      expect(failure('{{ inputs.nothing.x }}').message).toBe("undefined variable 'inputs.nothing.x' ('inputs.nothing' is null)");
      expect(failure('{{ inputs.name.length }}').message).toBe("undefined variable 'inputs.name.length' ('inputs.name' is a string)");
    });

    it('fails on an index out of bounds, including negative ones, as Pebble does', () => {
      expect(failure('{{ list[3] }}').message).toBe("undefined variable 'list[3]' ('list' has 3 items)");
      expect(failure('{{ list[-1] }}').kind).toBe(FailureKind.UNDEFINED);
    });

    it('names a computed path by its source text', () => {
      expect(failure('{{ outputs.t[inputs.name] }}').message).toBe("undefined variable 'outputs.t.world' ('outputs.t' has no such key)");
    });
  });

  describe('operators', () => {
    it('does arithmetic with integer division between integers', () => {
      expect(run('{{ 1 + 2 * 3 }} {{ 7 / 2 }} {{ 7.5 / 2 }} {{ 7 % 3 }} {{ -inputs.n }} {{ 2 - 5 }}')).toBe('7 3 3.75 1 -3 -3');
    });

    it('concatenates with ~ (null as nothing) and with + when a side is a string', () => {
      expect(run("{{ 'a' ~ 1 ~ null ~ true }} {{ 'n' + 1 }} {{ 1 + '1' }}")).toBe('a1true n1 11');
    });

    it('compares numbers and strings, and values for equality', () => {
      expect(run("{{ 2 > 1 }} {{ 'b' > 'a' }} {{ 1 == 1.0 }} {{ '1' == 1 }} {{ [1, {'a': 2}] == [1, {'a': 2}] }} {{ 1 != 2 }} {{ 1 equals 1 }}"))
        .toBe('true true true false true true true');
    });

    it('short-circuits and/or and negates with not', () => {
      expect(run('{{ false and nope }} {{ true or nope }} {{ not false }} {{ not inputs.n }}')).toBe('false true true false');
    });

    it('treats non-empty strings and non-zero numbers as true, as Pebble does', () => {
      expect(run("{{ 'false' ? 'y' : 'n' }} {{ 0 ? 'y' : 'n' }} {{ '' ? 'y' : 'n' }}")).toBe('y n n');
    });

    it('fails when null or a list is used as a condition in if, not, and, or', () => {
      expect(failure('{% if inputs.nothing %}x{% endif %}').message).toContain('null value used in an if condition');
      expect(failure('{{ not inputs.nothing }}').message).toContain('null value');
      expect(failure('{% if list %}x{% endif %}').message).toContain('a list cannot be used as a condition');
    });

    it('treats a null ternary condition as false', () => {
      expect(run("{{ inputs.nothing ? 'y' : 'n' }}")).toBe('n');
    });

    it('supports in, not in and contains', () => {
      expect(run("{{ 2 in list }} {{ '2' in list }} {{ 5 not in list }} {{ 'a' in map }} {{ list contains 3 }} {{ 'hello' contains 'ell' }}"))
        .toBe('true true true true true true');
    });

    it('builds inclusive ranges', () => {
      expect(run("{{ 1..4 }} {{ 3..1 }} {{ 'a'..'c' }}")).toBe('[1,2,3,4] [] ["a","b","c"]');
    });
  });

  describe('tolerant operators', () => {
    it('uses the right side of ?? when the left is undefined or null, lazily', () => {
      expect(run("{{ nope ?? 'd' }} {{ inputs.nothing ?? 'n' }} {{ inputs.name ?? nope }} {{ inputs.empty ?? 'x' }}")).toBe('d n world ');
    });

    it('chains ?? across several undefined paths', () => {
      expect(run('{{ outputs.t[nope].x ?? outputs.t[nope2].x ?? outputs.t.value }}')).toBe('v');
    });

    it('fails when both sides of ?? are undefined', () => {
      expect(failure('{{ nope ?? nope2 }}').message).toBe("undefined variable 'nope2'");
    });

    it('uses the right side of ??? only when the left is undefined', () => {
      expect(run("{{ inputs.nothing ??? 'x' }}|{{ nope ??? 'u' }}")).toBe('|u');
    });

    it('uses the right side of ?: when the left is undefined or null, lazily', () => {
      expect(run("{{ nope ?: 'd' }} {{ inputs.name ?: nope }}")).toBe('d world');
    });

    it('never tolerates failures that are not about undefined values', () => {
      expect(failure("{{ ('a' * 2) ?? 'x' }}").kind).toBe(FailureKind.HARD);
    });

    it('checks definedness without failing, treating null as not defined', () => {
      expect(run('{{ nope is defined }} {{ inputs.x.y is not defined }} {{ inputs.name is defined }} {{ inputs.nothing is defined }}'))
        .toBe('false true true false');
      expect(run("{{ outputs.t[nope].child is defined ? 'y' : outputs.t.value }}")).toBe('v');
    });

    it('lets default replace an undefined, null or empty value', () => {
      expect(run("{{ nope | default('d') }} {{ inputs.empty | default('e') }} {{ inputs.name | default('x') }}")).toBe('d e world');
    });

    it('still fails in the branch a ternary takes', () => {
      expect(failure('{{ nope is defined ? nope : nope2 }}').message).toBe("undefined variable 'nope2'");
    });
  });

  describe('tags', () => {
    it('renders the first true branch of if/elseif/else', () => {
      const src = "{% if inputs.n > 5 %}big{% elseif inputs.n > 2 %}mid{% else %}small{% endif %}";
      expect(run(src)).toBe('mid');
    });

    it('loops over a list with loop.index, first, last, length and revindex', () => {
      expect(run('{% for x in list %}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}:{{ x }} {% endfor %}'))
        .toBe('0truefalse32:1 1falsefalse31:2 2falsetrue30:3 ');
    });

    it('loops over a map as key/value entries', () => {
      expect(run('{% for e in map %}{{ e.key }}={{ e.value }};{% endfor %}')).toBe('a=1;b=two;');
    });

    it('renders the else branch of an empty loop, and nothing for a null one', () => {
      expect(run('{% for x in [] %}x{% else %}none{% endfor %}')).toBe('none');
      expect(run('{% for x in inputs.nothing %}x{% else %}none{% endfor %}')).toBe('');
    });

    it('refuses to loop over a string', () => {
      expect(failure('{% for c in inputs.name %}{{ c }}{% endfor %}').message).toContain('cannot loop over a string');
    });

    it('scopes loop variables to the loop', () => {
      expect(failure('{% for x in list %}{% endfor %}{{ x }}').message).toBe("undefined variable 'x'");
    });

    it('sets variables that shadow the inputs without changing them', () => {
      const vars = { a: 1 };
      expect(run('{% set a = a + 1 %}{{ a }}{% set b = [a] %}{{ b }}', vars)).toBe('2[2]');
      expect(vars.a).toBe(1);
    });

    it('lets set inside a loop update a variable set before it', () => {
      expect(run('{% set total = 0 %}{% for x in list %}{% set total = total + x %}{% endfor %}{{ total }}')).toBe('6');
    });
  });

  describe('limits', () => {
    it('fails when the output exceeds its limit', () => {
      expect(failure('{% for x in 1..100 %}0123456789{% endfor %}', VARS, { maxOutputChars: 500 }).message).toContain('exceeds 500 characters');
    });

    it('fails when a string built on the way exceeds the limit, even if never printed', () => {
      const src = "{% set s = 'xxxxxxxxxx' %}{% for i in 1..30 %}{% set s = s ~ s %}{% endfor %}";
      expect(failure(src).message).toContain('exceed 1000000 characters');
    });

    it('fails when evaluation takes more steps than the budget', () => {
      expect(failure('{% for i in 1..100 %}{% for j in 1..100 %}{{ i }}{% endfor %}{% endfor %}', VARS, { maxSteps: 5000 }).message)
        .toContain('more than 5000 evaluation steps');
    });

    it('charges a range before building it', () => {
      expect(failure('{{ (1..1000000000) | length }}').message).toContain('evaluation steps');
    });
  });
});
