// Known server-side template injection payloads (Jinja, Twig, Nunjucks, Pebble, plain JavaScript)
// and denial-of-service shapes. Each must fail with an EXPRESSION error or render harmless text,
// without reaching a function, escaping the data, running unbounded or exceeding the output limit.

import { AloftError, ErrorCode } from '../../../lib/model/errors';
import { render } from '../../../lib/expr';

const NOW = new Date('2026-11-25T01:02:03.456Z');
const MAX_OUTPUT = 100_000;
let reached = false;
const VARS = {
  inputs: { name: 'x', list: [1, 2, 3] },
  fn: () => {
    reached = true;
  },
  holder: {
    call: () => {
      reached = true;
    },
  },
};

const FAILS = 'an EXPRESSION error';

const PAYLOADS: [string, string][] = [
  // JavaScript prototype and constructor escapes
  ["{{ constructor.constructor('return process')() }}", FAILS],
  ["{{ this.constructor.constructor('return process')() }}", FAILS],
  ['{{ constructor }}', FAILS],
  ["{{ ''.__proto__ }}", FAILS],
  ["{{ ''.constructor }}", FAILS],
  ['{{ [].constructor }}', FAILS],
  ['{{ [].map.constructor }}', FAILS],
  ['{{ [].map }}', FAILS],
  ['{{ {}.__proto__.polluted }}', FAILS],
  ["{{ inputs['__proto__'] }}", FAILS],
  ["{{ inputs['constructor']['prototype'] }}", FAILS],
  ['{{ inputs.toString }}', FAILS],
  ['{{ inputs.hasOwnProperty }}', FAILS],
  ['{{ inputs.list.length }}', FAILS],
  ['{{ inputs.list.push }}', FAILS],
  ["{{ inputs.name.concat }}", FAILS],
  ["{% set x = {'__proto__': {'polluted': 1}} %}{{ x }}", FAILS],
  ["{% set constructor = 1 %}", FAILS],
  ["{{ json('{\"a\":1}').constructor }}", FAILS],
  ['{{ (inputs | keys).constructor }}', FAILS],
  // Nunjucks
  ["{{ range.constructor(\"return global.process.mainModule.require('child_process').execSync('id')\")() }}", FAILS],
  ['{{ range.constructor }}', FAILS],
  ["{{ cycler.constructor('return process')() }}", FAILS],
  // Jinja / Python
  ['{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}', FAILS],
  ["{{ ''.__class__.__mro__[1].__subclasses__() }}", FAILS],
  ["{{ config.items() }}", FAILS],
  ["{{ request.application.__globals__.__builtins__.__import__('os').popen('id').read() }}", FAILS],
  ["{{ lipsum.__globals__['os'].popen('id').read() }}", FAILS],
  ["{{ cycler.__init__.__globals__.os.popen('id').read() }}", FAILS],
  // Twig
  ['{{ _self.env.registerUndefinedFilterCallback("exec") }}{{ _self.env.getFilter("id") }}', FAILS],
  ["{{ ['id'] | filter('system') }}", FAILS],
  ["{{ ['id'] | map('system') | join }}", FAILS],
  // Pebble / Java
  ["{{ variable.getClass().forName('java.lang.Runtime').getRuntime().exec('id') }}", FAILS],
  ["{% set cmd = 'id' %}{% set b = (1).TYPE.forName('java.lang.Runtime').methods[6].invoke(null, null).exec(cmd) %}", FAILS],
  ["{{ inputs.name.getClass() }}", FAILS],
  // Globals and functions that do not exist here
  ['{{ process.env }}', FAILS],
  ['{{ global.process }}', FAILS],
  ['{{ globalThis }}', FAILS],
  ["{{ require('child_process') }}", FAILS],
  ["{{ import('fs') }}", FAILS],
  ["{{ eval('1 + 1') }}", FAILS],
  ["{{ Function('return process')() }}", FAILS],
  ["{{ env('HOME') }}", FAILS],
  // Functions placed in the data are never handed out or called
  ['{{ fn }}', FAILS],
  ['{{ fn() }}', FAILS],
  ['{{ holder.call }}', FAILS],
  ['{{ holder.call() }}', FAILS],
  ["{{ holder['call'] }}", FAILS],
  ['{{ holder | toJson }}', '{}'],
  // Harmless by design
  ["{{ 7*'7' }}", '49'],
  ['{{ 7*7 }}', '49'],
  ["{{ 'a' * 1000000000 }}", FAILS],
  ["{{ 'a' * 1e9 }}", FAILS],
  ['${7*7}', '${7*7}'],
  ['#{7*7}', '#{7*7}'],
  ['<%= 7*7 %>', '<%= 7*7 %>'],
  ['{{= 7*7 }}', FAILS],
  // Denial of service: nesting, ranges, growth, recursion
  ['{% for a in 1..1000 %}{% for b in 1..1000 %}{% for c in 1..1000 %}x{% endfor %}{% endfor %}{% endfor %}', FAILS],
  ['{{ 1..100000000 }}', FAILS],
  ['{{ range(1, 10000000000) | length }}', FAILS],
  ["{% set s = 'xxxxxxxx' %}{% for i in 1..64 %}{% set s = s ~ s %}{% endfor %}{{ s | length }}", FAILS],
  ["{% set s = 'xxxxxxxx' %}{% for i in 1..64 %}{% set s = s + s %}{% endfor %}", FAILS],
  ['{% set l = [1] %}{% for i in 1..64 %}{% set l = l + l %}{% endfor %}{{ l | length }}', FAILS],
  ["{% set m = {'a': 1} %}{% for i in 1..64 %}{% set m = {'a': m, 'b': m} %}{% endfor %}{{ m }}", FAILS],
  ["{{ 'x' | indent(999999999) }}", FAILS],
  ["{{ 'a\nb' | indent(999999999) }}", FAILS],
  ["{{ inputs.name | replace({'x': 'yyyyyyyyyyyyyyyyyyyy'}) | replace({'y': 'zzzzzzzzzzzzzzzzzzzzzzzz'}) | replace({'z': 'wwwwwwwwwwwwwwwwwwwwwwww'}) | replace({'w': 'vvvvvvvvvvvvvvvvvvvvvvvvvvv'}) }}", FAILS],
  [`{{ ${'('.repeat(10_000)}1${')'.repeat(10_000)} }}`, FAILS],
  [`{{ 1${' + 1'.repeat(10_000)} }}`, FAILS],
  [`${'{% if true %}'.repeat(5_000)}x${'{% endif %}'.repeat(5_000)}`, FAILS],
  [`{{ json('${'['.repeat(100_000)}${']'.repeat(100_000)}') }}`, FAILS],
  ["{{ 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa!' | replace({'(a+)+$': 'x'}, regexp=true) }}", FAILS],
];

function outcome(payload: string): string {
  try {
    const out = render(payload, VARS, { now: NOW, maxOutputChars: MAX_OUTPUT });
    expect(out.length).toBeLessThanOrEqual(MAX_OUTPUT);
    return out;
  } catch (e) {
    expect(e).toBeInstanceOf(AloftError);
    expect((e as AloftError).code).toBe(ErrorCode.EXPRESSION);
    return FAILS;
  }
}

describe('sandbox', () => {
  afterEach(() => {
    expect(reached).toBe(false);
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(PAYLOADS)('answers %s with %s', (payload, expected) => {
    expect(outcome(payload)).toBe(expected);
  });

  it('explains why a prototype key is refused', () => {
    expect(() => render("{{ ''.__proto__ }}", VARS, { now: NOW })).toThrow("access to '__proto__' is not allowed");
  });

  it('explains why a function in the data is refused', () => {
    expect(() => render('{{ holder.call }}', VARS, { now: NOW })).toThrow('functions are not accessible from templates');
  });

  it('explains why a method call is refused', () => {
    expect(() => render('{{ inputs.name.getClass() }}', VARS, { now: NOW })).toThrow('method calls are not allowed');
  });
});
