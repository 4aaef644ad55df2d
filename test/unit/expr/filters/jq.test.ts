import { render, renderTyped } from '../../../../lib/expr';
import { JqTimeout, runJq } from '../../../../lib/expr/jq-thread';

const NOW = new Date('2026-11-25T01:02:03.456Z');
const typed = (t: string, vars: Record<string, unknown> = {}) => renderTyped(t, vars, { now: NOW });

describe('the jq filter', () => {
  it('answers the list of everything the program outputs, as Kestra does', () => {
    expect(typed("{{ {'a': [1, 2, 3]} | jq('.a[] | . * 2') }}")).toEqual([2, 4, 6]);
    expect(typed("{{ {'a': {'b': 'x'}} | jq('.a') | first }}")).toEqual({ b: 'x' });
  });

  it('reads a string input as JSON text', () => {
    expect(typed('{{ body | jq(".items | map(.id)") | first }}', { body: '{"items":[{"id":1},{"id":2}]}' })).toEqual([1, 2]);
  });

  it('runs jq 1.7 builtins such as pick and ltrimstr', () => {
    expect(typed("{{ {'a': 1, 'b': 2} | jq('pick(.a)') | first }}")).toEqual({ a: 1 });
    expect(typed("{{ 'prefix-x' | toJson | jq('ltrimstr(\"prefix-\")') | first }}")).toBe('x');
  });

  it('answers null for a null input', () => {
    expect(typed("{{ null | jq('.a') }}")).toBeNull();
  });

  it('renders a list into text as JSON', () => {
    expect(render("{{ {'a': 1} | jq('.a, .a + 1') }}", {}, { now: NOW })).toBe('[1,2]');
  });

  it('fails with jq\'s own message naming the expression on a syntax error', () => {
    expect(() => typed("{{ {} | jq('.a |||') }}")).toThrow(/jq '\.a \|\|\|' failed on '\{\}': syntax error/);
  });

  it('fails with the message of a runtime error', () => {
    expect(() => typed("{{ {} | jq('error(\"boom\")') }}")).toThrow(/jq 'error\("boom"\)' failed .*boom/);
  });

  it('fails on a string input that is not JSON', () => {
    expect(() => typed("{{ 'not json' | jq('.') }}")).toThrow(/jq '\.' failed on 'not json'/);
  });

  it('needs an expression', () => {
    expect(() => typed("{{ {} | jq('') }}")).toThrow("the 'jq' filter needs an expression, got ''");
  });

  it('sees the render time as now and no process environment', () => {
    expect(typed("{{ {} | jq('now') | first }}")).toBe(NOW.getTime() / 1000);
    expect(typed("{{ {} | jq('env') | first }}")).toEqual({});
  });

  it('stops a program that loops forever and answers the next call from a fresh thread', () => {
    expect(() => runJq('{}', 'def f: f; f', 300)).toThrow(JqTimeout);
    expect(runJq('{"a":1}', '.a', 5_000)).toBe('1');
  });
});
