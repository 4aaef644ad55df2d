import { z } from 'zod';
import type { Flow } from '../../../lib/model/flow';
import { checkExpressions } from '../../../lib/model/static-check';
import type { ExpressionAnalyzer } from '../../../lib/model/static-check';
import { catalogOf, testCatalog } from './test-catalog';

// A stand-in for lib/expr that understands dotted paths in `{{ … }}` and flags `{{ }}` without content.
const analyzer: ExpressionAnalyzer = {
  referencedPaths: (t) => [...t.matchAll(/\{\{\s*([a-zA-Z_][\w.]*)/g)].map((m) => m[1].split('.')),
  checkSyntax: (t) => (t.includes('{{ }}') ? { message: 'empty expression', offset: t.indexOf('{{ }}') } : undefined),
};

const RETURN = 'io.kestra.core.tasks.debugs.Return';
const flow = (tasks: Flow['tasks'], extra: Partial<Flow> = {}): Flow => ({ id: 'f', namespace: 'ns', tasks, ...extra });

describe('checkExpressions', () => {
  it('warns that inputs.X is not declared and suggests outputs.X when a task X exists', () => {
    const findings = checkExpressions(flow([
      { id: 'query', type: RETURN, format: 'rows' },
      { id: 'load', type: RETURN, format: '{{ inputs.query.uri }}' },
    ]), testCatalog, analyzer);
    expect(findings).toEqual([{
      severity: 'warning', code: 'FLOW_INVALID', path: ['tasks', 1, 'format'], task: 'load',
      message: 'inputs.query is not a declared input', hint: 'did you mean outputs.query.uri?',
    }]);
  });

  it('warns about outputs of unknown tasks and undefined variables, with the closest names', () => {
    const findings = checkExpressions(flow([
      { id: 'extract', type: RETURN, format: 'x' },
      { id: 't', type: 'test.Typed', message: ['{{ outputs.extrac.value }}', '{{ vars.tabel }}'] },
    ], { variables: { table: 'users' } }), testCatalog, analyzer);
    expect(findings.map((f) => [f.path.join('/'), f.message, f.hint])).toEqual([
      ['tasks/1/message/0', 'outputs.extrac names no task of this flow', 'did you mean outputs.extract?'],
      ['tasks/1/message/1', "vars.tabel is not defined in the flow's variables", 'did you mean vars.table?'],
    ]);
  });

  it('knows the outputs of the internal tasks a task makes (ForEachItem each: each_items)', () => {
    const maker = { type: 'test.Maker', aliases: [], kind: 'flowable' as const, properties: z.object({}).passthrough(), internalTaskIds: (id: string) => [`${id}_items`] };
    const findings = checkExpressions(flow([
      { id: 'each', type: 'test.Maker' },
      { id: 'after', type: RETURN, format: '{{ outputs.each_items.numberOfBatches }} {{ outputs.each_item.x }}' },
    ]), catalogOf([...testCatalog.types(), maker]), analyzer);
    expect(findings.map((f) => f.message)).toEqual(['outputs.each_item names no task of this flow']);
  });

  it('accepts declared inputs (dotted ones too), task outputs, variables and other roots', () => {
    const findings = checkExpressions(flow([
      { id: 'a', type: RETURN, format: '{{ inputs.name }} {{ inputs.db.host }} {{ outputs.a.value }} {{ vars.v }} {{ execution.id }} {{ taskrun.value }}' },
    ], { inputs: [{ id: 'name', type: 'STRING' }, { id: 'db.host', type: 'STRING' }], variables: { v: 1 } }), testCatalog, analyzer);
    expect(findings).toEqual([]);
  });

  it('reports a template syntax error as an error with its offset', () => {
    const findings = checkExpressions(flow([{ id: 'a', type: RETURN, format: 'ab {{ }}' }]), testCatalog, analyzer);
    expect(findings).toEqual([{
      severity: 'error', code: 'FLOW_INVALID', path: ['tasks', 0, 'format'], task: 'a', message: 'template syntax error: empty expression', offset: 3,
    }]);
  });

  it('checks nested tasks and errors branches, each under its own task id, and skips ids, types and descriptions', () => {
    const findings = checkExpressions(flow([
      { id: 'seq', type: 'io.kestra.core.tasks.flows.Sequential', description: '{{ inputs.doc }}', tasks: [{ id: 'inner', type: RETURN, format: '{{ inputs.x }}' }] },
    ], { errors: [{ id: 'onError', type: RETURN, format: '{{ vars.y }}' }] }), testCatalog, analyzer);
    expect(findings.map((f) => [f.task, f.path.join('/')])).toEqual([['inner', 'tasks/0/tasks/0/format'], ['onError', 'errors/0/format']]);
  });
});

describe('checkExpressions on subflows', () => {
  const catalog = catalogOf([...testCatalog.types(), {
    type: 'io.kestra.core.tasks.flows.Flow', aliases: ['io.kestra.plugin.core.flow.Subflow'], kind: 'flowable', properties: z.object({}).loose(),
  }]);

  it('does not check the outputs a subflow task reads from its child, but still checks its inputs', () => {
    const findings = checkExpressions(flow([{
      id: 'call', type: 'io.kestra.plugin.core.flow.Subflow', inputs: { a: '{{ outputs.nope.x }}' }, outputs: { shout: '{{ outputs.shout.value }}' },
    }]), catalog, analyzer);
    expect(findings.map((f) => f.path.join('/'))).toEqual(['tasks/0/inputs/a']);
  });
});
