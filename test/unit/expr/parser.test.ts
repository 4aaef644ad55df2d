import { parse } from '../../../lib/expr/parser';
import { ExprFailure } from '../../../lib/expr/failure';
import { failure as failing } from './helpers';

const failure = (src: string): ExprFailure => failing(() => parse(src));

describe('parser', () => {
  it('parses if/elseif/else, for/else and set into nodes', () => {
    const tpl = parse('{% if a %}1{% elseif b %}2{% else %}3{% endif %}{% for x in xs %}{{ x }}{% else %}none{% endfor %}{% set y = 1 %}');
    expect(tpl.nodes.map((n) => n.k)).toEqual(['if', 'for', 'set']);
    const iff = tpl.nodes[0];
    expect(iff.k === 'if' && iff.branches.length).toBe(2);
    expect(iff.k === 'if' && iff.otherwise).toEqual([{ k: 'text', v: '3' }]);
  });

  it('records where each tag is, for error messages', () => {
    const tpl = parse('ab{{ x }}');
    expect(tpl.nodes[1]).toMatchObject({ k: 'print', tag: { start: 2, end: 9 } });
  });

  it('marks a template that is exactly one expression, whitespace aside', () => {
    expect(parse('  {{ x }}\n').single).toBeDefined();
    expect(parse('{{ x }}{{ y }}').single).toBeUndefined();
    expect(parse('a{{ x }}').single).toBeUndefined();
  });

  it('reports unclosed and stray block tags', () => {
    expect(failure('{% if a %}x').message).toContain('missing {% endif %}');
    expect(failure('{% for x in y %}').message).toContain('missing {% endfor %}');
    expect(failure('x{% endif %}').message).toContain('without a matching opening tag');
    expect(failure('{% block a %}{% endblock %}').message).toContain("unknown tag 'block'");
    expect(failure('{% set true = 1 %}').message).toContain("cannot assign to 'true'");
    expect(failure('{% for x of y %}{% endfor %}').message).toContain("expected 'in'");
  });

  it('bounds the nesting of block tags', () => {
    expect(failure(`${'{% if a %}'.repeat(300)}${'{% endif %}'.repeat(300)}`).message).toContain('nested too deeply');
  });

});
