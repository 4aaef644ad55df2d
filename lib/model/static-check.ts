// A static check of every template in a flow's tasks: syntax errors are errors; references to
// undeclared inputs, unknown task outputs or undefined variables are warnings (they only fail
// at run time, and only if that branch renders).
//
// The template parser lives in lib/expr, which depends on lib/model; it is passed in here so the
// dependency keeps pointing one way.
import type { TaskCatalog } from './catalog';
import { ErrorCode } from './errors';
import type { Flow } from './flow';
import { Severity } from './flow-diagnostics';
import type { DocPath, Finding } from './flow-diagnostics';
import { closest } from './flow-suggest';
import { forEachTask } from './flow-tasks';
import { isPlainObject } from './flow-zod';

/** What the static check needs from the expression engine (lib/expr provides both). */
export interface ExpressionAnalyzer {
  /** Root access paths of a template: `{{ inputs.query.uri }}` gives `[['inputs', 'query', 'uri']]`. */
  referencedPaths(template: string): string[][];
  /** The first syntax error, with its offset in the template, or undefined. */
  checkSyntax(template: string): { message: string; offset: number } | undefined;
}

const MAYBE_TEMPLATE = /\{\{|\{%|\{#/;
/** Properties that are never rendered. */
const NOT_RENDERED = new Set(['id', 'type', 'description']);
/** Properties rendered against another execution: a subflow's `outputs` read the child's outputs. */
const OTHER_OUTPUTS: Readonly<Record<string, readonly string[]>> = { 'io.kestra.core.tasks.flows.Flow': ['outputs'] };

export function checkExpressions(flow: Flow, catalog: TaskCatalog, analyzer: ExpressionAnalyzer): Finding[] {
  const taskIds = new Set<string>();
  const visitAll = (fn: Parameters<typeof forEachTask>[3]): void => {
    forEachTask(flow.tasks, ['tasks'], catalog, fn);
    forEachTask(flow.errors, ['errors'], catalog, fn);
    forEachTask(flow.finally, ['finally'], catalog, fn);
    forEachTask(flow.afterExecution, ['afterExecution'], catalog, fn);
  };
  visitAll(({ task, info }) => {
    if (typeof task.id !== 'string') return;
    taskIds.add(task.id);
    // ForEachItem's internal tasks have outputs too (`outputs.each_items.iterations`).
    for (const id of info?.internalTaskIds?.(task.id) ?? []) taskIds.add(id);
  });
  const scope: Scope = {
    inputs: (flow.inputs ?? []).map((i) => i.id),
    taskIds: [...taskIds],
    variables: Object.keys(flow.variables ?? {}),
  };

  const findings: Finding[] = [];
  visitAll(({ task, path, info }) => {
    const children = new Set([...(info?.childLists ?? []), ...(info?.childMaps ?? []), ...(info?.childWrappers ?? [])]);
    const taskId = typeof task.id === 'string' ? task.id : undefined;
    const otherOutputs = OTHER_OUTPUTS[info?.type ?? ''] ?? [];
    for (const [key, value] of Object.entries(task)) {
      if (NOT_RENDERED.has(key) || children.has(key)) continue;
      const inScope = otherOutputs.includes(key) ? { ...scope, outputsElsewhere: true } : scope;
      eachString(value, [...path, key], (text, at) => {
        if (MAYBE_TEMPLATE.test(text)) findings.push(...checkTemplate(text, at, taskId, inScope, analyzer));
      });
    }
  });
  return findings;
}

interface Scope {
  inputs: string[];
  taskIds: string[];
  variables: string[];
  /** `outputs` are another execution's here, unknown statically. */
  outputsElsewhere?: boolean;
}

function checkTemplate(text: string, path: DocPath, task: string | undefined, scope: Scope, analyzer: ExpressionAnalyzer): Finding[] {
  const base = { code: ErrorCode.FLOW_INVALID, path, ...(task !== undefined ? { task } : {}) };
  const syntax = analyzer.checkSyntax(text);
  if (syntax) return [{ ...base, severity: Severity.error, message: `template syntax error: ${syntax.message}`, offset: syntax.offset }];

  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const ref of analyzer.referencedPaths(text)) {
    const [root, name] = ref;
    if (name === undefined || seen.has(`${root}.${name}`)) continue;
    seen.add(`${root}.${name}`);
    const problem = unknownReference(ref, scope);
    if (problem) out.push({ ...base, severity: Severity.warning, ...problem });
  }
  return out;
}

function unknownReference(ref: string[], scope: Scope): { message: string; hint?: string } | undefined {
  const [root, name] = ref;
  const rest = ref.slice(1).join('.');
  const hint = (h: string | undefined): { hint?: string } => (h ? { hint: h } : {});
  switch (root) {
    case 'inputs': {
      // A dotted input id (`a.b`) is read as inputs.a.b.
      if (scope.inputs.some((i) => i === name || i.startsWith(`${name}.`))) return undefined;
      const message = `inputs.${name} is not a declared input`;
      if (scope.taskIds.includes(name)) return { message, hint: `did you mean outputs.${rest}?` };
      const near = closest(name, scope.inputs);
      return { message, ...hint(near ? `did you mean inputs.${near}?` : scope.inputs.length === 0 ? 'the flow declares no inputs' : undefined) };
    }
    case 'outputs': {
      if (scope.outputsElsewhere || scope.taskIds.includes(name)) return undefined;
      const message = `outputs.${name} names no task of this flow`;
      if (scope.inputs.includes(name)) return { message, hint: `did you mean inputs.${rest}?` };
      const near = closest(name, scope.taskIds);
      return { message, ...hint(near ? `did you mean outputs.${near}?` : undefined) };
    }
    case 'vars': {
      if (scope.variables.includes(name)) return undefined;
      const near = closest(name, scope.variables);
      return { message: `vars.${name} is not defined in the flow's variables`, ...hint(near ? `did you mean vars.${near}?` : undefined) };
    }
    default:
      return undefined;
  }
}

function eachString(value: unknown, path: DocPath, fn: (text: string, path: DocPath) => void): void {
  if (typeof value === 'string') fn(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => eachString(v, [...path, i], fn));
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) eachString(v, [...path, k], fn);
}
