import { ErrorCode, formatError } from '../../../lib/model/errors';
import type { Diagnostic } from '../../../lib/model/flow-diagnostics';
import { parseFlow } from '../../../lib/model/flow-parse';
import type { ParseResult } from '../../../lib/model/flow-parse';
import type { ExpressionAnalyzer } from '../../../lib/model/static-check';
import { catalog } from '../../../lib/plugins/catalog';
import { testCatalog } from './test-catalog';

const parse = (source: string, extra: { expressions?: ExpressionAnalyzer } = {}): ParseResult =>
  parseFlow(source, { file: 'flow.yml', catalog: testCatalog, ...extra });

function errorsOf(r: ParseResult): Diagnostic[] {
  if (r.ok) throw new Error('expected the flow to be invalid');
  return r.errors;
}

function flowOf(r: ParseResult) {
  if (!r.ok) throw new Error(`expected a valid flow:\n${r.errors.map(formatError).join('\n')}`);
  return r.flow;
}

const RETURN = 'io.kestra.core.tasks.debugs.Return';

describe('parseFlow', () => {
  it('returns the normalised flow of a valid document', () => {
    const flow = flowOf(parse(`
id: hello
namespace: dev.aloft
revision: 3
description: says hello
labels:
  team: data
  tier: 1
variables:
  greeting: hi
tasks:
  - id: hello
    type: ${RETURN}
    format: "{{ vars.greeting }}"
`));
    expect(flow).toEqual({
      id: 'hello', namespace: 'dev.aloft', description: 'says hello', labels: { team: 'data', tier: '1' },
      variables: { greeting: 'hi' }, tasks: [{ id: 'hello', type: RETURN, format: '{{ vars.greeting }}' }],
    });
  });

  it('reports invalid YAML with its file, line and column', () => {
    const errors = errorsOf(parse('id: a\nnamespace: b\ntasks:\n  - id: x\n   type: y\n'));
    expect(errors[0]).toMatchObject({ code: ErrorCode.YAML_INVALID, file: 'flow.yml', line: 5, severity: 'error' });
    expect(errors[0].column).toBeGreaterThan(0);
    expect(formatError(errors[0])).toMatch(/^flow\.yml:5:\d+: invalid YAML: /);
  });

  it('reports every YAML error, not just the first', () => {
    const errors = errorsOf(parse('id: a\nid: b\nnamespace: c\nnamespace: d\ntasks: []\n'));
    expect(errors.map((e) => [e.code, e.line])).toEqual([[ErrorCode.YAML_INVALID, 2], [ErrorCode.YAML_INVALID, 4]]);
  });

  it('names an unknown task type and the closest known type', () => {
    const errors = errorsOf(parse(`id: f
namespace: ns
tasks:
  - id: t
    type: io.kestra.core.tasks.debug.Return
`));
    expect(errors).toHaveLength(1);
    expect(formatError(errors[0])).toBe(
      "flow.yml:5:11: flow ns.f, task t, property tasks[0].type: unknown task type 'io.kestra.core.tasks.debug.Return'; did you mean 'io.kestra.core.tasks.debugs.Return'?",
    );
  });

  it('names an unknown property and the closest valid property', () => {
    const errors = errorsOf(parse(`id: f
namespace: ns
tasks:
  - id: t
    type: ${RETURN}
    formt: hello
`));
    expect(formatError(errors[0])).toBe("flow.yml:6:5: flow ns.f, task t, property tasks[0].formt: unknown property 'formt'; did you mean 'format'?");
  });

  it('refuses ids and namespaces Kestra refuses, and namespaces with an empty part', () => {
    const doc = (ns: string, id: string): string => `id: "${id}"\nnamespace: "${ns}"\ntasks:\n  - id: a\n    type: ${RETURN}\n    format: x\n`;
    for (const [ns, id, property] of [['..', 'f', 'namespace'], ['.', 'f', 'namespace'], ['a..b', 'f', 'namespace'], ['a.', 'f', 'namespace'], ['.a', 'f', 'namespace'],
      ['io.x', '..', 'id'], ['io.x', '.', 'id'], ['io.x', '-f', 'id'], ['io.x', 'f'.repeat(101), 'id'], ['a'.repeat(151), 'f', 'namespace'],
      // Storage keys stay unambiguous: flow states of t.a would be below flow a's t/a/states.
      ['t.a', 'states', 'id'], ['t.a', 'executions', 'id'], ['t.states.b', 'f', 'namespace'], ['executions', 'f', 'namespace'],
      // ... and t._files's flows would be inside namespace t's namespace files (t/_files).
      ['t._files', 'f', 'namespace'], ['t._x.y', 'f', 'namespace']]) {
      const errors = errorsOf(parse(doc(ns, id)));
      expect(errors.map((e) => e.property)).toEqual([property]);
    }
    for (const [ns, id] of [['io.x', 'a..b'], ['io.x-y_z.0', 'F.x-y_z'], ['a'.repeat(150), 'f'.repeat(100)], ['t.state', 'States'], ['t.my-states', 'executions2'], ['t.a_files', 'f'], ['t.-x', 'f_']]) {
      expect(flowOf(parse(doc(ns, id))).id).toBe(id);
    }
  });

  it('names Object.prototype member names as unknown properties, at the top and inside a task', () => {
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const errors = errorsOf(parse(`id: f\nnamespace: io.x\n${key}: 1\ntasks:\n  - id: a\n    type: ${RETURN}\n    format: x\n    ${key}: 2\n`));
      expect(errors.map((e) => [e.code, e.message.split(';')[0], e.line])).toEqual([
        [ErrorCode.FLOW_INVALID, `unknown property '${key}'`, 3],
        [ErrorCode.FLOW_INVALID, expect.stringContaining(key), 8],
      ]);
    }
  });

  it('merges taskDefaults values keyed __proto__ as data, so they are refused as an unknown property', () => {
    const errors = errorsOf(parse(`id: f\nnamespace: io.x\ntaskDefaults:\n  - type: ${RETURN}\n    values:\n      __proto__:\n        format: injected\ntasks:\n  - id: a\n    type: ${RETURN}\n    format: x\n`));
    expect(errors.map((e) => e.message)).toEqual(["unknown property '__proto__' (set by taskDefaults[0])"]);
  });

  it('names an unknown property inside a nested map with the closest valid name', () => {
    const errors = errorsOf(parse(`id: f
namespace: ns
tasks:
  - id: t
    type: test.Typed
    nested:
      image: a
      usr: b
`));
    expect(errors.map((e) => [e.property, e.message, e.line])).toEqual([
      ['tasks[0].nested.usr', "unknown property 'usr'; did you mean 'user'?", 8],
    ]);
  });

  it('accepts a template wherever a number, boolean, enum or list is expected', () => {
    const flow = flowOf(parse(`id: f
namespace: ns
inputs:
  - name: n
    type: INT
tasks:
  - id: t
    type: test.Typed
    count: "{{ inputs.n }}"
    enabled: "{{ inputs.n > 1 }}"
    level: "{% if inputs.n > 1 %}WARN{% else %}INFO{% endif %}"
    items: "{{ outputs.x.list }}"
    nested: "{{ vars.nested }}"
`));
    expect(flow.tasks[0].count).toBe('{{ inputs.n }}');
  });

  it('rejects a value of the wrong type that is not a template, naming the property', () => {
    const errors = errorsOf(parse(`id: f
namespace: ns
tasks:
  - id: t
    type: test.Typed
    count: many
    level: DEBUG
    message: [a, 3]
`));
    expect(errors.map((e) => `${e.property}: ${e.message}`)).toEqual([
      "tasks[0].count: expected a number, got 'many'",
      "tasks[0].level: expected one of \"INFO\", \"WARN\", got 'DEBUG'",
      'tasks[0].message[1]: expected a string, got 3',
    ]);
  });

  it('reports every schema error of the flow, in document order', () => {
    const errors = errorsOf(parse(`id: f
namespace: ns
tasks:
  - id: a
    type: nope.Nope
  - id: b
    type: ${RETURN}
    format: 3
  - type: ${RETURN}
`));
    expect(errors.map((e) => [e.line, e.property])).toEqual([[5, 'tasks[0].type'], [8, 'tasks[1].format'], [9, 'tasks[2].id']]);
    expect(errors[2].message).toBe("missing required property 'id'");
  });

  it('reports a duplicate task id with both locations, across nested children and errors branches', () => {
    const errors = errorsOf(parse(`id: f
namespace: ns
tasks:
  - id: seq
    type: io.kestra.core.tasks.flows.Sequential
    tasks:
      - id: same
        type: ${RETURN}
errors:
  - id: same
    type: ${RETURN}
`));
    expect(errors).toHaveLength(1);
    expect(formatError(errors[0])).toBe(
      "flow.yml:10:9: flow ns.f, task same, property errors[0].id: task id 'same' is already used by tasks[0].tasks[0] (line 7); task ids must be unique in a flow",
    );
  });

  it('checks the children of every flowable: task lists, maps of cases, and lists its schema leaves out', () => {
    const errors = errorsOf(parse(`id: f
namespace: ns
tasks:
  - id: sw
    type: io.kestra.core.tasks.flows.Switch
    value: "{{ inputs.x }}"
    cases:
      A:
        - id: a
          type: test.Typed
          count: x
    defaults:
      - id: loose
        type: test.Loose
        tasks:
          - id: inner
            type: io.kestra.core.tasks.debug.Return
`));
    expect(errors.map((e) => [e.task, e.property])).toEqual([
      ['a', 'tasks[0].cases.A[0].count'],
      ['inner', 'tasks[0].defaults[0].tasks[0].type'],
    ]);
  });

  it('rejects a flowable without its required children', () => {
    const errors = errorsOf(parse(`id: f
namespace: ns
tasks:
  - id: seq
    type: io.kestra.core.tasks.flows.Sequential
`));
    expect(errors.map((e) => [e.task, e.message])).toEqual([['seq', "missing required property 'tasks'"]]);
  });

  it('requires an id, a namespace and at least one task', () => {
    const errors = errorsOf(parse('description: nothing\ntasks: []\n'));
    expect(errors.map((e) => e.message)).toEqual(expect.arrayContaining([
      "missing required property 'id'", "missing required property 'namespace'", 'a flow needs at least one task',
    ]));
  });

  it('names an unknown top-level property and the closest valid one', () => {
    const errors = errorsOf(parse(`id: f\nnamespace: ns\ntasks:\n  - id: t\n    type: ${RETURN}\nvariabels:\n  a: 1\n`));
    expect(formatError(errors[0])).toBe("flow.yml:6:1: flow ns.f, property variabels: unknown property 'variabels'; did you mean 'variables'?");
  });

  it('rejects a namespace with capitals, as Kestra does', () => {
    const errors = errorsOf(parse(`id: f\nnamespace: Dev\ntasks:\n  - id: t\n    type: ${RETURN}\n`));
    expect(errors[0]).toMatchObject({ property: 'namespace', line: 2, column: 12 });
  });

  it('normalises inputs written with name (0.x) or id (later) to id, required by default', () => {
    const flow = flowOf(parse(`id: f
namespace: ns
inputs:
  - name: old
    type: STRING
  - id: new
    type: INT
    required: false
    defaults: 3
tasks:
  - id: t
    type: ${RETURN}
`));
    expect(flow.inputs).toEqual([
      { id: 'old', type: 'STRING', required: true },
      { id: 'new', type: 'INT', required: false, defaults: 3 },
    ]);
  });

  it('rejects an input default that does not fit its type, and a repeated input id', () => {
    const errors = errorsOf(parse(`id: f
namespace: ns
inputs:
  - name: when
    type: DATETIME
    defaults: yesterday
  - id: when
    type: STRING
  - id: kind
    type: TEXT
tasks:
  - id: t
    type: ${RETURN}
`));
    expect(errors.map((e) => `${e.line} ${e.property}: ${e.message}`)).toEqual([
      "6 inputs[0].defaults: default of input 'when': expected DATETIME (an ISO-8601 instant such as 2024-01-31T12:00:00Z), got 'yesterday'",
      "7 inputs[1].id: input id 'when' is already used by inputs[0]",
      expect.stringMatching(/^10 inputs\[2\]\.type: expected one of "STRING", .*got 'TEXT'$/),
    ]);
  });

  it('accepts labels as a list of key and value, as later Kestra writes them', () => {
    const flow = flowOf(parse(`id: f\nnamespace: ns\nlabels:\n  - key: team\n    value: data\ntasks:\n  - id: t\n    type: ${RETURN}\n`));
    expect(flow.labels).toEqual({ team: 'data' });
  });

  it('requires values on SELECT and MULTISELECT inputs, and checks their defaults against them', () => {
    const base = `id: f\nnamespace: ns\ntasks:\n  - id: t\n    type: ${RETURN}\ninputs:\n`;
    const ok = flowOf(parse(`${base}  - id: env\n    type: SELECT\n    values: [dev, prod]\n    defaults: dev\n  - id: regions\n    type: MULTISELECT\n    options: [eu, us]\n    isRadio: false\n`));
    expect(ok.inputs?.map((i) => [i.id, i.type])).toEqual([['env', 'SELECT'], ['regions', 'MULTISELECT']]);
    const errors = errorsOf(parse(`${base}  - id: env\n    type: SELECT\n  - id: regions\n    type: MULTISELECT\n    values: [eu, us]\n    defaults: [asia]\n`));
    expect(errors.map((e) => [e.property, e.line, e.message])).toEqual([
      ['inputs[0].values', 7, "input 'env': a SELECT input needs a non-empty list of values"],
      ['inputs[1].defaults', 12, "default of input 'regions': 'asia' is not one of the values 'eu', 'us'"],
    ]);
  });

  it('reads concurrency with QUEUE as the default behavior, as Kestra does', () => {
    const base = `id: f\nnamespace: ns\ntasks:\n  - id: t\n    type: ${RETURN}\n`;
    expect(flowOf(parse(`${base}concurrency:\n  limit: 2\n`)).concurrency).toEqual({ limit: 2, behavior: 'QUEUE' });
    expect(flowOf(parse(`${base}concurrency:\n  limit: 1\n  behavior: CANCEL\n`)).concurrency).toEqual({ limit: 1, behavior: 'CANCEL' });
    expect(flowOf(parse(base)).concurrency).toBeUndefined();
  });

  it('refuses a concurrency limit under 1, an unknown behavior and a missing limit, naming the flow, property and line', () => {
    const errors = errorsOf(parse(`id: f\nnamespace: ns\ntasks:\n  - id: t\n    type: ${RETURN}\nconcurrency:\n  limit: 0\n  behavior: DROP\n`));
    expect(errors.map((e) => [e.flow, e.property, e.line, e.message])).toEqual([
      ['ns.f', 'concurrency.limit', 7, 'concurrency.limit must be at least 1'],
      ['ns.f', 'concurrency.behavior', 8, expect.stringContaining('expected one of "QUEUE", "CANCEL", "FAIL"')],
    ]);
    const missing = errorsOf(parse(`id: f\nnamespace: ns\ntasks:\n  - id: t\n    type: ${RETURN}\nconcurrency:\n  behavior: FAIL\n`));
    expect(missing.map((e) => [e.property, e.message])).toEqual([['concurrency.limit', "missing required property 'limit'"]]);
  });

  it('takes Kestra 1.x\'s retry maxAttempts and behavior RETRY_FAILED_TASK, and refuses CREATE_NEW_EXECUTION and both names at once', () => {
    const task = (retry: string) => `id: f\nnamespace: ns\ntasks:\n  - id: t\n    type: ${RETURN}\n    retry:\n      type: constant\n      interval: PT1S\n${retry}`;
    expect(flowOf(parse(task('      maxAttempts: 5\n      behavior: RETRY_FAILED_TASK\n'))).tasks[0].retry).toMatchObject({ maxAttempts: 5, behavior: 'RETRY_FAILED_TASK' });
    const newExecution = errorsOf(parse(task('      behavior: CREATE_NEW_EXECUTION\n')));
    expect(newExecution.map((e) => [e.task, e.property, e.line])).toEqual([['t', 'tasks[0].retry.behavior', 9]]);
    expect(newExecution[0].message).toContain('CREATE_NEW_EXECUTION is not supported yet');
    const both = errorsOf(parse(task('      maxAttempt: 2\n      maxAttempts: 3\n')));
    expect(both.map((e) => e.message)).toEqual([expect.stringContaining('not both')]);
  });

  it('reads afterExecution tasks and checks them as any task list, naming the property and line', () => {
    const base = `id: f\nnamespace: ns\ntasks:\n  - id: t\n    type: ${RETURN}\n`;
    expect(flowOf(parse(`${base}afterExecution:\n  - id: end\n    type: ${RETURN}\n    format: x\n`)).afterExecution?.map((t) => t.id)).toEqual(['end']);
    const errors = errorsOf(parse(`${base}afterExecution:\n  - id: t\n    type: io.example.Nope\n`));
    expect(errors.map((e) => [e.property, e.line])).toEqual(expect.arrayContaining([['afterExecution[0].type', 8]]));
    expect(errors.some((e) => e.property === 'afterExecution[0].id' && /already used/.test(e.message))).toBe(true);
  });

  it('reads checks with Kestra\'s defaults: style INFO, behavior BLOCK_EXECUTION', () => {
    const base = `id: f\nnamespace: ns\ntasks:\n  - id: t\n    type: ${RETURN}\n`;
    const f = flowOf(parse(`${base}checks:\n  - condition: "{{ inputs.ok }}"\n    message: not ok\n  - condition: "{{ true }}"\n    message: m\n    style: WARNING\n    behavior: CREATE_EXECUTION\n`));
    expect(f.checks).toEqual([
      { condition: '{{ inputs.ok }}', message: 'not ok', style: 'INFO', behavior: 'BLOCK_EXECUTION' },
      { condition: '{{ true }}', message: 'm', style: 'WARNING', behavior: 'CREATE_EXECUTION' },
    ]);
    expect(flowOf(parse(base)).checks).toBeUndefined();
  });

  it('refuses a check without a message, or with an unknown behavior or style, naming the flow, property and line', () => {
    const errors = errorsOf(parse(`id: f\nnamespace: ns\ntasks:\n  - id: t\n    type: ${RETURN}\nchecks:\n  - condition: "{{ true }}"\n    behavior: STOP\n    style: LOUD\n`));
    expect(errors.map((e) => [e.flow, e.property, e.line])).toEqual(expect.arrayContaining([
      ['ns.f', 'checks[0].behavior', 8],
      ['ns.f', 'checks[0].style', 9],
    ]));
    expect(errors.some((e) => e.property === 'checks[0].message' && /message/.test(e.message))).toBe(true);
  });

  it('requires an id and a type on triggers, and warns about trigger types it does not know', () => {
    const bad = errorsOf(parse(`id: f\nnamespace: ns\ntasks:\n  - id: t\n    type: ${RETURN}\ntriggers:\n  - type: io.kestra.core.models.triggers.types.Schedule\n`));
    expect(bad.map((e) => [e.property, e.message])).toEqual([['triggers[0].id', "missing required property 'id'"]]);

    const r = parse(`id: f
namespace: ns
tasks:
  - id: t
    type: ${RETURN}
triggers:
  - id: daily
    type: io.kestra.core.models.triggers.types.Schedule
    cron: "0 3 * * *"
  - id: odd
    type: io.kestra.core.models.triggers.types.Schedul
`);
    expect(flowOf(r).triggers).toHaveLength(2);
    expect(r.warnings.map((w) => [w.property, w.message])).toEqual([[
      'triggers[1].type',
      "unknown trigger type 'io.kestra.core.models.triggers.types.Schedul'; did you mean 'io.kestra.core.models.triggers.types.Schedule'?; it will not fire",
    ]]);
  });

  it('applies taskDefaults by type and alias, the task winning unless the default is forced', () => {
    const flow = flowOf(parse(`id: f
namespace: ns
taskDefaults:
  - type: io.kestra.plugin.core.debug.Return
    values:
      format: from-default
  - type: test.Typed
    forced: true
    values:
      count: 7
      env:
        A: forced
tasks:
  - id: written
    type: ${RETURN}
    format: mine
  - id: defaulted
    type: ${RETURN}
  - id: typed
    type: test.Typed
    count: 1
    env:
      A: mine
      B: kept
`));
    expect(flow.tasks.map((t) => [t.id, t.format ?? t.count])).toEqual([['written', 'mine'], ['defaulted', 'from-default'], ['typed', 7]]);
    expect(flow.tasks[2].env).toEqual({ A: 'forced', B: 'kept' });
    expect(flow.taskDefaults).toHaveLength(2);
  });

  it('points a bad value that came from taskDefaults at the default that set it', () => {
    const errors = errorsOf(parse(`id: f
namespace: ns
taskDefaults:
  - type: ${RETURN}
    values:
      formatt: x
tasks:
  - id: t
    type: ${RETURN}
`));
    expect(errors.map((e) => [e.task, e.property, e.line, e.message])).toEqual([
      ['t', 'taskDefaults[0].values.formatt', 6, "unknown property 'formatt'; did you mean 'format'? (set by taskDefaults[0])"],
    ]);
  });

  it('warns about a taskDefaults type that matches no task type', () => {
    const r = parse(`id: f\nnamespace: ns\ntaskDefaults:\n  - type: io.kestra.core.tasks.debugs.Retrun\n    values: {}\ntasks:\n  - id: t\n    type: ${RETURN}\n`);
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => w.message)).toEqual([
      "taskDefaults type 'io.kestra.core.tasks.debugs.Retrun' matches no known task type; did you mean 'io.kestra.core.tasks.debugs.Return'?",
    ]);
  });

  it('accepts Kestra 0.x listeners with a warning that they are ignored', () => {
    const r = parse(`id: f\nnamespace: ns\nlisteners:\n  - tasks: []\ntasks:\n  - id: t\n    type: ${RETURN}\n`);
    expect(flowOf(r)).not.toHaveProperty('listeners');
    expect(r.warnings[0]).toMatchObject({ property: 'listeners', severity: 'warning' });
  });

  it('rejects a document that is not a map', () => {
    expect(errorsOf(parse('- just\n- a list\n'))[0].message).toMatch(/must be a YAML map/);
  });

  it('checks templates when given an expression analyzer, with line and column of a syntax error', () => {
    const analyzer: ExpressionAnalyzer = {
      referencedPaths: () => [],
      checkSyntax: (t) => (t.includes('{{ (') ? { message: 'unexpected (', offset: t.indexOf('(') } : undefined),
    };
    const errors = errorsOf(parse(`id: f\nnamespace: ns\ntasks:\n  - id: t\n    type: ${RETURN}\n    format: "ab {{ ( }}"\n`, { expressions: analyzer }));
    expect(formatError(errors[0])).toBe('flow.yml:6:20: flow ns.f, task t, property tasks[0].format: template syntax error: unexpected (');
  });
});

describe('parseFlow with Kestra 1.x task properties and flowables', () => {
  // The real catalog: these checks are about the 1.x flowables' own schemas.
  const parse1x = (source: string): ParseResult => parseFlow(source, { file: 'flow.yml', catalog: catalog() });

  it('accepts allowFailure, allowWarning, runIf, workerGroup, logLevel, logToFile and description on any task', () => {
    const flow = flowOf(parse1x(`
id: props
namespace: dev.aloft
tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: hi
    description: says hi
    allowFailure: true
    allowWarning: true
    runIf: "{{ true }}"
    workerGroup:
      key: gpu
    logLevel: DEBUG
    logToFile: true
  - id: b
    type: io.kestra.plugin.core.flow.Sequential
    runIf: false
    allowFailure: true
    tasks:
      - id: c
        type: io.kestra.plugin.core.log.Log
        message: hi
`));
    expect(flow.tasks[0]).toMatchObject({ allowFailure: true, allowWarning: true, runIf: '{{ true }}', workerGroup: { key: 'gpu' } });
    expect(flow.tasks[1]).toMatchObject({ runIf: false, allowFailure: true });
  });

  it('refuses a runIf that is not an expression, naming flow, task, property and line', () => {
    const errors = errorsOf(parse1x(`
id: bad-runif
namespace: dev.aloft
tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: hi
    runIf: outputs.x == 1
`));
    expect(errors.map(formatError)).toEqual([
      "flow.yml:8:12: flow dev.aloft.bad-runif, task a, property tasks[0].runIf: runIf must be an expression such as '{{ inputs.enabled }}', or true or false",
    ]);
  });

  it('refuses an If without then, naming flow, task, property and line', () => {
    const errors = errorsOf(parse1x(`
id: bad-if
namespace: dev.aloft
tasks:
  - id: check
    type: io.kestra.plugin.core.flow.If
    condition: "{{ true }}"
    else:
      - id: no
        type: io.kestra.plugin.core.log.Log
        message: no
`));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ flow: 'dev.aloft.bad-if', task: 'check', property: 'tasks[0].then', line: 5, message: "missing required property 'then'" });
  });

  it('checks the children of If, ForEach and their ids like any other task', () => {
    const errors = errorsOf(parse1x(`
id: children
namespace: dev.aloft
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: [1, 2]
    concurrencyLimit: -1
    tasks:
      - id: check
        type: io.kestra.plugin.core.flow.If
        condition: "{{ taskrun.value == 1 }}"
        then:
          - id: loop
            type: io.kestra.plugin.core.log.Logg
`));
    expect(errors.map((e) => [e.line, e.property])).toEqual([
      [8, 'tasks[0].concurrencyLimit'],
      [14, 'tasks[0].tasks[0].then[0].id'],
      [15, 'tasks[0].tasks[0].then[0].type'],
    ]);
  });

  const forEachItem = (props: string, more = ''): string => `
id: items
namespace: dev.aloft
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
${props}    namespace: dev.aloft
    flowId: child
${more}`;

  it('refuses a ForEachItem batch of 0 rows, and one without items, naming flow, task, property and line', () => {
    const zero = errorsOf(parse1x(forEachItem(`    items: "{{ inputs.file }}"
    batch:
      rows: 0
`)));
    expect(zero.map(formatError)).toEqual([
      'flow.yml:9:13: flow dev.aloft.items, task each, property tasks[0].batch.rows: expected a whole number of at least 1',
    ]);
    const none = errorsOf(parse1x(forEachItem('')));
    expect(none).toHaveLength(1);
    expect(none[0]).toMatchObject({ flow: 'dev.aloft.items', task: 'each', property: 'tasks[0].items', line: 5, message: "missing required property 'items'" });
    const size = errorsOf(parse1x(forEachItem(`    items: "{{ inputs.file }}"
    batch:
      bytes: ten
`)));
    expect(size.map((e) => [e.property, e.line, e.message])).toEqual([['tasks[0].batch.bytes', 9, 'expected a size such as 10MB, 512KB or 1024 (bytes)']]);
    const scheduled = errorsOf(parse1x(forEachItem(`    items: "{{ inputs.file }}"
    scheduleDate: 3
`)));
    expect(scheduled.map((e) => [e.property, e.line])).toEqual([['tasks[0].scheduleDate', 8]]);
  });

  it('accepts a ForEachItem batch given by an expression, and keeps its internal task ids for it', () => {
    expect(parse1x(forEachItem(`    items: "{{ inputs.file }}"
    batch:
      partitions: "{{ inputs.n }}"
`)).ok).toBe(true);
    const clash = errorsOf(parse1x(forEachItem(`    items: "{{ inputs.file }}"
`, `  - id: each_merge
    type: io.kestra.plugin.core.log.Log
    message: hi
`)));
    expect(clash.map((e) => [e.property, e.message])).toEqual([
      ['tasks[1].id', "task id 'each_merge' is already used by tasks[0] (line 5); task ids must be unique in a flow"],
    ]);
  });

  it('refuses the internal ForEachItem task types written in a flow', () => {
    const errors = errorsOf(parse1x(`
id: internal
namespace: dev.aloft
tasks:
  - id: split
    type: io.kestra.plugin.core.flow.ForEachItem$ForEachItemSplit
    items: kestra:///x
`));
    expect(errors.map((e) => e.message)).toEqual([
      "task type 'io.kestra.plugin.core.flow.ForEachItem$ForEachItemSplit' is internal to Kestra's ForEachItem and cannot be written in a flow",
    ]);
  });

  const dag = (tasks: string): string => `
id: dag
namespace: dev.aloft
tasks:
  - id: graph
    type: io.kestra.plugin.core.flow.Dag
    tasks:
${tasks}`;

  it('refuses a Dag dependency on an unknown task, naming flow, task, property and line', () => {
    const errors = errorsOf(parse1x(dag(`      - task:
          id: a
          type: io.kestra.plugin.core.log.Log
          message: a
        dependsOn: [ghost]
`)));
    expect(errors.map(formatError)).toEqual([
      "flow.yml:12:21: flow dev.aloft.dag, task graph, property tasks[0].tasks[0].dependsOn[0]: task 'a' depends on 'ghost', which is not a task of this Dag (its tasks: a)",
    ]);
  });

  it('refuses a cycle in a Dag, naming flow, task, property and line', () => {
    const errors = errorsOf(parse1x(dag(`      - task:
          id: a
          type: io.kestra.plugin.core.log.Log
          message: a
        dependsOn: [b]
      - task:
          id: b
          type: io.kestra.plugin.core.log.Log
          message: b
        dependsOn: [a]
`)));
    expect(errors.map(formatError)).toEqual([
      'flow.yml:12:20: flow dev.aloft.dag, task graph, property tasks[0].tasks[0].dependsOn: dependency cycle: a depends on b depends on a',
    ]);
  });

  const wdir = (extra: string): string => `
id: wdir
namespace: dev.aloft
tasks:
  - id: folder
    type: io.kestra.plugin.core.flow.WorkingDirectory
${extra}`;

  it('refuses a flowable inside a WorkingDirectory, naming flow, task, property and line', () => {
    const errors = errorsOf(parse1x(wdir(`    tasks:
      - id: inner
        type: io.kestra.plugin.core.flow.Sequential
        tasks:
          - id: log
            type: io.kestra.plugin.core.log.Log
            message: hi
`)));
    expect(errors.map(formatError)).toEqual([
      "flow.yml:8:7: flow dev.aloft.wdir, task folder, property tasks[0].tasks: task 'inner' (tasks[0]) is a flowable (io.kestra.plugin.core.flow.Sequential): only runnable tasks can run in a WorkingDirectory",
    ]);
  });

  it('refuses a WorkingDirectory cache without patterns, naming flow, task, property and line', () => {
    const errors = errorsOf(parse1x(wdir(`    cache:
      ttl: PT1H
    tasks:
      - id: log
        type: io.kestra.plugin.core.log.Log
        message: hi
`)));
    expect(errors.map(formatError)).toEqual([
      "flow.yml:8:7: flow dev.aloft.wdir, task folder, property tasks[0].cache.patterns: missing required property 'patterns'",
    ]);
  });

  it('checks the tasks inside a Dag, applies pluginDefaults to them and counts their ids', () => {
    const r = parse1x(`${dag(`      - task:
          id: a
          type: io.kestra.plugin.core.log.Log
      - task:
          id: graph
          type: io.kestra.plugin.core.log.Logg
`)}
pluginDefaults:
  - type: io.kestra.plugin.core.log.Log
    values:
      message: from defaults
`);
    expect(errorsOf(r).map((e) => [e.line, e.property])).toEqual([[12, 'tasks[0].tasks[1].task.id'], [13, 'tasks[0].tasks[1].task.type']]);
    const ok = flowOf(parse1x(`${dag(`      - task:
          id: a
          type: io.kestra.plugin.core.log.Log
`)}
pluginDefaults:
  - type: io.kestra.plugin.core.log.Log
    values:
      message: from defaults
`));
    expect((ok.tasks[0].tasks as any)[0].task).toMatchObject({ id: 'a', message: 'from defaults' });
  });

  it('accepts finally at flow level and in flowables, checking its tasks and ids like the others', () => {
    const errors = errorsOf(parse1x(`
id: fin
namespace: dev.aloft
tasks:
  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
      - id: a
        type: io.kestra.plugin.core.log.Log
        message: a
    finally:
      - id: a
        type: io.kestra.plugin.core.log.Log
        message: again
finally:
  - id: last
    type: io.kestra.plugin.core.log.Logg
`));
    expect(errors.map((e) => [e.line, e.property])).toEqual([[12, 'tasks[0].finally[0].id'], [17, 'finally[0].type']]);
    const flow = flowOf(parse1x(`
id: fin
namespace: dev.aloft
tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: a
finally:
  - id: last
    type: io.kestra.plugin.core.log.Log
    message: last
`));
    expect(flow.finally).toEqual([{ id: 'last', type: 'io.kestra.plugin.core.log.Log', message: 'last' }]);
  });

  it('accepts typed flow outputs and refuses an unknown output type with its line', () => {
    const ok = flowOf(parse1x(`
id: outs
namespace: dev.aloft
tasks:
  - id: a
    type: io.kestra.plugin.core.debug.Return
    format: "1"
outputs:
  - id: n
    type: INT
    value: "{{ outputs.a.value }}"
`));
    expect(ok.outputs).toEqual([{ id: 'n', type: 'INT', value: '{{ outputs.a.value }}' }]);
    const errors = errorsOf(parse1x(`
id: outs
namespace: dev.aloft
tasks:
  - id: a
    type: io.kestra.plugin.core.debug.Return
    format: "1"
outputs:
  - id: n
    type: NUMBER
    value: "{{ outputs.a.value }}"
`));
    expect(errors.map((e) => [e.line, e.property])).toEqual([[10, 'outputs[0].type']]);
  });

  it('refuses the Pause behavior CANCEL, which Aloft does not support', () => {
    const errors = errorsOf(parse1x(`
id: p
namespace: dev.aloft
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    pauseDuration: PT1M
    behavior: CANCEL
`));
    expect(errors.map((e) => [e.line, e.property, e.message])).toEqual([[8, 'tasks[0].behavior', 'expected one of "RESUME", "WARN", "FAIL", got \'CANCEL\'']]);
  });
});


describe('parseFlow with Kestra 1.x inputs', () => {
  const withInputs = (inputs: string) => parse(`id: f
namespace: ns
inputs:
${inputs}
tasks:
  - id: t
    type: ${RETURN}
    format: x
`);

  it('reads displayName, values, itemType, length bounds and dependsOn', () => {
    const flow = flowOf(withInputs(`  - id: region
    type: SELECT
    displayName: Region
    values: [eu, us]
  - id: zones
    type: ARRAY
    itemType: STRING
    minLength: 1
    dependsOn:
      inputs: [region]`));
    expect(flow.inputs).toEqual([
      { id: 'region', type: 'SELECT', displayName: 'Region', values: ['eu', 'us'], required: true },
      { id: 'zones', type: 'ARRAY', itemType: 'STRING', minLength: 1, dependsOn: { inputs: ['region'] }, required: true },
    ]);
  });

  it('refuses a SELECT without values and an ARRAY without itemType, naming the input', () => {
    const errors = errorsOf(withInputs(`  - id: pick
    type: SELECT
  - id: list
    type: ARRAY`));
    expect(errors.map((e) => e.message)).toEqual(["input 'pick': a SELECT input needs a non-empty list of values", "input 'list': an ARRAY input needs an itemType"]);
  });

  it('refuses a dependsOn naming an input that is not declared', () => {
    const errors = errorsOf(withInputs(`  - id: a
    type: STRING
    dependsOn:
      inputs: [nope]`));
    expect(errors.map((e) => e.message)).toEqual(["input 'a' depends on 'nope', which is not a declared input"]);
  });

  it('checks a default against the new rules', () => {
    const errors = errorsOf(withInputs(`  - id: c
    type: ENUM
    values: [a]
    defaults: b`));
    expect(errors.map((e) => e.message)).toEqual(["default of input 'c': 'b' is not one of the values 'a'"]);
  });
});
