import { parse } from '../../../lib/expr/parser';
import type { Expr } from '../../../lib/expr/ast';
import { ExprFailure } from '../../../lib/expr/failure';
import { failure as failing } from './helpers';

function expr(src: string): Expr {
  const node = parse(`{{ ${src} }}`).nodes[0];
  if (node.k !== 'print') throw new Error('not a print node');
  return node.e;
}

/** A compact rendering of the tree, to check shape and precedence. */
function show(e: Expr): string {
  switch (e.k) {
    case 'lit':
      return JSON.stringify(e.v);
    case 'path':
      return [e.root, ...e.keys.map((k) => `[${JSON.stringify(k)}]`)].join('');
    case 'get':
      return `${show(e.obj)}[${show(e.key)}]`;
    case 'list':
      return `[${e.items.map(show).join(',')}]`;
    case 'map':
      return `{${e.entries.map(([k, v]) => `${show(k)}:${show(v)}`).join(',')}}`;
    case 'unary':
      return `(${e.op} ${show(e.arg)})`;
    case 'bin':
      return `(${show(e.l)} ${e.op} ${show(e.r)})`;
    case 'coalesce':
      return `(${show(e.l)} ${e.mode} ${show(e.r)})`;
    case 'cond':
      return `(${show(e.test)} ? ${show(e.then)} : ${show(e.else)})`;
    case 'test':
      return `(${show(e.arg)} is${e.negate ? ' not' : ''} ${e.name})`;
    case 'filter':
      return `(${show(e.input)} | ${e.name}(${e.args.map((a) => (a ? show(a) : '_')).join(',')}))`;
    case 'call':
      return `${e.name}(${e.args.map((a) => (a ? show(a) : '_')).join(',')})`;
  }
}

const failure = (src: string): ExprFailure => failing(() => parse(src));

describe('expression parser', () => {
  it('gives multiplication precedence over addition and comparison the lowest of the three', () => {
    expect(show(expr('1 + 2 * 3 > 4'))).toBe('((1 + (2 * 3)) > 4)');
  });

  it('binds `~` tighter than `|`, so a filter applies to the whole concatenation', () => {
    expect(show(expr("a ~ b | upper"))).toBe('((a ~ b) | upper())');
    expect(show(expr('1 + 2 | abs'))).toBe('(1 + (2 | abs()))');
  });

  it('parses `and` tighter than `or`, and `not` as a unary operator on its operand', () => {
    expect(show(expr('not a and b or c'))).toBe('(((not a) and b) or c)');
    expect(show(expr('not a == b'))).toBe('((not a) == b)');
  });

  it('parses ternaries and elvis at the top level, right-nested', () => {
    expect(show(expr('a ? b : c ? d : e'))).toBe('(a ? b : (c ? d : e))');
    expect(show(expr('a ?: b'))).toBe('(a ?: b)');
  });

  it('parses ?? and ??? at the range level, left-associative', () => {
    expect(show(expr('a ?? b ?? c'))).toBe('((a ?? b) ?? c)');
    expect(show(expr("a ~ b ?? 'x'"))).toBe('(a ~ (b ?? "x"))');
    expect(show(expr('a ??? b'))).toBe('(a ??? b)');
  });

  it('folds static attribute and subscript chains into one path', () => {
    expect(show(expr("outputs.t['a a'][0].value"))).toBe('outputs["t"]["a a"][0]["value"]');
  });

  it('keeps a computed subscript as a lookup', () => {
    expect(show(expr('outputs.t[taskrun.value].x'))).toBe('outputs["t"][taskrun["value"]]["x"]');
  });

  it('accepts word operators as attribute names after a dot', () => {
    expect(show(expr('vars.in.not'))).toBe('vars["in"]["not"]');
  });

  it('parses literals: numbers, strings, booleans, null, none, lists, maps and ranges', () => {
    expect(show(expr("[1, 2.5, 'a', true, FALSE, null, none]"))).toBe('[1,2.5,"a",true,false,null,null]');
    expect(show(expr("{'a': 1, 'b': [x]}"))).toBe('{"a":1,"b":[x]}');
    expect(show(expr('1..3'))).toBe('(1 .. 3)');
  });

  it('parses tests with and without `not`', () => {
    expect(show(expr('x is defined'))).toBe('(x is defined)');
    expect(show(expr('x is not null'))).toBe('(x is not null)');
  });

  it('maps named filter arguments onto parameter positions', () => {
    expect(show(expr("d | date(timeZone='UTC')"))).toBe('(d | date(_,"UTC"))');
    expect(show(expr("d | date('yyyy', existingFormat='x')"))).toBe('(d | date("yyyy",_,"x"))');
  });

  it('rejects unknown filters, functions, tests and argument names at compile time', () => {
    expect(failure('{{ x | nope }}').message).toBe("unknown filter 'nope'");
    expect(failure('{{ nope() }}').message).toContain("unknown function 'nope'");
    expect(failure('{{ x is shiny }}').message).toContain("unknown test 'shiny'");
    expect(failure("{{ x | date(zone='UTC') }}").message).toContain("has no argument 'zone'");
    expect(failure("{{ x | upper(a=1) }}").message).toContain('takes no named arguments');
    expect(failure("{{ x | date(format='a', format='b') }}").message).toContain('given twice');
    expect(failure("{{ x | date(format='a', 'b') }}").message).toContain('positional arguments must come before');
  });

  it('rejects method calls and calls on anything but a function name', () => {
    expect(failure('{{ a.b() }}').message).toContain('method calls are not allowed');
    expect(failure('{{ (a)(1) }}').message).toContain('only named functions can be called');
  });

  it('bounds the depth of parentheses and of long operator chains', () => {
    expect(failure(`{{ ${'('.repeat(500)}1${')'.repeat(500)} }}`).message).toContain('nested too deeply');
    expect(failure(`{{ 1${' + 1'.repeat(1000)} }}`).message).toContain('nested too deeply');
    expect(failure(`{{ x${' | upper'.repeat(1000)} }}`).message).toContain('nested too deeply');
  });

});
