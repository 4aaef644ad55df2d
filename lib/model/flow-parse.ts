// parseFlow: YAML source -> a validated, normalised Flow, or every problem found, each with
// file, line:column, flow, task and property path.
import type { TaskCatalog } from './catalog';
import { ErrorCode } from './errors';
import { CheckBehavior, CheckStyle, ConcurrencyBehavior, flowKey, InputType } from './flow';
import type { Flow, FlowCheck, FlowConcurrency, FlowInput, TaskDefault, Trigger } from './flow';
import { TaskDefaults } from './flow-defaults';
import type { SourcedDefault } from './flow-defaults';
import { formatPath, Severity } from './flow-diagnostics';
import type { Diagnostic, DocPath, Finding } from './flow-diagnostics';
import { INPUT_ID, InputDocument, KNOWN_TRIGGER_TYPES, REQUIRED_TOP_LEVEL, TOP_LEVEL, TriggerDocument } from './flow-schema';
import { closest, didYouMean } from './flow-suggest';
import { checkTaskList, duplicateIds } from './flow-tasks';
import type { Task } from './flow';
import { checkValue, isPlainObject } from './flow-zod';
import { parseYaml } from './flow-yaml';
import { coerceInputValue } from './input-value';
import { checkExpressions } from './static-check';
import type { ExpressionAnalyzer } from './static-check';
import { getOwn } from './own';

export interface ParseOptions {
  /** Named in every diagnostic. */
  file?: string;
  catalog: TaskCatalog;
  /** lib/expr's analyzer; without it templates are not checked statically. */
  expressions?: ExpressionAnalyzer;
}

export type ParseResult =
  | { ok: true; flow: Flow; warnings: Diagnostic[] }
  | { ok: false; errors: Diagnostic[]; warnings: Diagnostic[] };

export function parseFlow(source: string, opts: ParseOptions): ParseResult {
  const yaml = parseYaml(source);
  const file = opts.file !== undefined ? { file: opts.file } : {};
  if (yaml.errors.length > 0) {
    const asDiag = (severity: Severity) => (e: { message: string; line: number; column: number }): Diagnostic =>
      ({ severity, code: ErrorCode.YAML_INVALID, message: `invalid YAML: ${e.message}`, ...file, line: e.line, column: e.column });
    return { ok: false, errors: yaml.errors.map(asDiag(Severity.error)), warnings: yaml.warnings.map(asDiag(Severity.warning)) };
  }

  const doc = yaml.value;
  const findings: Finding[] = [];
  let flow: Flow | undefined;
  if (!isPlainObject(doc)) {
    findings.push(err([], 'a flow must be a YAML map with at least id, namespace and tasks'));
  } else {
    flow = checkDocument(doc, opts, findings, yaml);
  }

  const label = isPlainObject(doc) && typeof doc.namespace === 'string' && typeof doc.id === 'string' ? flowKey(doc.namespace, doc.id) : undefined;
  const toDiagnostic = (f: Finding): Diagnostic => {
    const at = yaml.locate(f.path, { atKey: f.atKey, offset: f.offset });
    const property = formatPath(f.path);
    return {
      severity: f.severity, code: f.code, message: f.message, ...(f.hint ? { hint: f.hint } : {}), ...file,
      ...(label ? { flow: label } : {}), ...(f.task !== undefined ? { task: f.task } : {}), ...(property ? { property } : {}),
      line: at.line, column: at.column,
    };
  };
  const byPosition = (a: Diagnostic, b: Diagnostic): number => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
  const errors = findings.filter((f) => f.severity === Severity.error).map(toDiagnostic).sort(byPosition);
  const warnings = [
    ...yaml.warnings.map((w): Diagnostic => ({ severity: Severity.warning, code: ErrorCode.YAML_INVALID, message: w.message, ...file, line: w.line, column: w.column })),
    ...findings.filter((f) => f.severity === Severity.warning).map(toDiagnostic),
  ].sort(byPosition);
  if (errors.length > 0 || !flow) return { ok: false, errors, warnings };
  return { ok: true, flow, warnings };
}

/** Checks every part of the document; returns the normalised flow (meaningful only without errors). */
function checkDocument(doc: Record<string, unknown>, opts: ParseOptions, findings: Finding[], yaml: ReturnType<typeof parseYaml>): Flow {
  const present = (key: string): boolean => getOwn(doc, key) !== undefined && doc[key] !== null;
  for (const key of Object.keys(doc)) {
    if (!Object.hasOwn(TOP_LEVEL, key)) {
      findings.push({ ...err([key], `unknown property '${key}'${didYouMean(key, Object.keys(TOP_LEVEL))}`), atKey: true });
    } else if (present(key)) {
      for (const issue of checkValue(TOP_LEVEL[key], doc[key], { skip: (p) => (key === 'tasks' || key === 'errors' || key === 'finally' || key === 'afterExecution') && p.length > 0 })) {
        findings.push({ ...err([key, ...issue.path], issue.message), atKey: issue.atKey });
      }
    }
  }
  for (const key of REQUIRED_TOP_LEVEL) if (!present(key)) findings.push(err([], `missing required property '${key}'`));
  if (present('listeners')) findings.push({ ...err(['listeners'], 'listeners are not supported and are ignored; use a Flow trigger instead'), severity: Severity.warning });

  const inputs = checkInputs(doc.inputs, findings);

  const sourced: SourcedDefault[] = [];
  for (const key of ['taskDefaults', 'pluginDefaults']) {
    const list = doc[key];
    if (Array.isArray(list)) {
      list.forEach((d, i) => {
        if (isPlainObject(d) && typeof d.type === 'string' && isPlainObject(d.values)) {
          sourced.push({ type: d.type, forced: d.forced === true, values: d.values, at: [key, i] });
        }
      });
    }
  }
  checkDefaultTypes(sourced, opts.catalog, findings);
  const defaults = new TaskDefaults(sourced, opts.catalog);
  const withDefaults = (list: unknown): unknown => (Array.isArray(list) ? list.map((t) => defaults.apply(t)) : list);
  const tasks = withDefaults(doc.tasks);
  const errors = withDefaults(doc.errors);
  const finallyTasks = withDefaults(doc.finally);
  const afterTasks = withDefaults(doc.afterExecution);

  const ctx = { catalog: opts.catalog, defaults, has: yaml.has, findings, ids: [] as { id: string; path: DocPath }[] };
  if (Array.isArray(tasks)) checkTaskList(tasks, ['tasks'], ctx);
  if (Array.isArray(errors)) checkTaskList(errors, ['errors'], ctx);
  if (Array.isArray(finallyTasks)) checkTaskList(finallyTasks, ['finally'], ctx);
  if (Array.isArray(afterTasks)) checkTaskList(afterTasks, ['afterExecution'], ctx);
  findings.push(...duplicateIds(ctx.ids, (p) => yaml.locate(p).line));

  const triggers = checkTriggers(doc.triggers, defaults, findings);

  const flow: Flow = {
    id: String(doc.id),
    namespace: String(doc.namespace),
    ...(typeof doc.description === 'string' ? { description: doc.description } : {}),
    ...(present('labels') ? { labels: normaliseLabels(doc.labels) } : {}),
    ...(inputs.length > 0 ? { inputs } : {}),
    ...(isPlainObject(doc.variables) ? { variables: doc.variables } : {}),
    ...(isPlainObject(doc.retry) ? { retry: doc.retry as Flow['retry'] } : {}),
    tasks: (Array.isArray(tasks) ? tasks : []) as Task[],
    ...(Array.isArray(errors) && errors.length > 0 ? { errors: errors as Task[] } : {}),
    ...(Array.isArray(finallyTasks) && finallyTasks.length > 0 ? { finally: finallyTasks as Task[] } : {}),
    ...(Array.isArray(afterTasks) && afterTasks.length > 0 ? { afterExecution: afterTasks as Task[] } : {}),
    ...(Array.isArray(doc.outputs) && doc.outputs.length > 0 ? { outputs: doc.outputs as Flow['outputs'] } : {}),
    ...(triggers.length > 0 ? { triggers } : {}),
    ...(isPlainObject(doc.concurrency) ? { concurrency: concurrencyOf(doc.concurrency) } : {}),
    ...(Array.isArray(doc.checks) && doc.checks.length > 0 ? { checks: doc.checks.map(checkOf) } : {}),
    ...(sourced.length > 0 ? { taskDefaults: sourced.map(({ at: _at, ...d }): TaskDefault => d) } : {}),
    ...(doc.disabled === true ? { disabled: true } : {}),
  };
  if (opts.expressions) findings.push(...checkExpressions(flow, opts.catalog, opts.expressions));
  return flow;
}

/** A written check with Kestra's defaults (style INFO, behavior BLOCK_EXECUTION); only read once it validated. */
function checkOf(raw: unknown): FlowCheck {
  const c = raw as Partial<FlowCheck>;
  return {
    condition: String(c.condition), message: String(c.message),
    style: c.style ?? CheckStyle.INFO, behavior: c.behavior ?? CheckBehavior.BLOCK_EXECUTION,
  };
}

/** The written `concurrency` with Kestra's default behavior (QUEUE); only read once it validated. */
function concurrencyOf(raw: Record<string, unknown>): FlowConcurrency {
  return { limit: Number(raw.limit), behavior: (raw.behavior as ConcurrencyBehavior | undefined) ?? ConcurrencyBehavior.QUEUE };
}

function checkInputs(raw: unknown, findings: Finding[]): FlowInput[] {
  if (!Array.isArray(raw)) return [];
  const out: FlowInput[] = [];
  const seen = new Map<string, number>();
  raw.forEach((input, i) => {
    const path: DocPath = ['inputs', i];
    const issues = checkValue(InputDocument, input);
    for (const issue of issues) findings.push({ ...err([...path, ...issue.path], issue.message), atKey: issue.atKey });
    if (!isPlainObject(input) || issues.length > 0) return;
    const doc = InputDocument.parse(input);
    if (doc.id !== undefined && doc.name !== undefined && doc.id !== doc.name) {
      findings.push(err([...path, 'name'], `an input has either an id or a name (Kestra 0.x); got id '${doc.id}' and name '${doc.name}'`));
      return;
    }
    const id = doc.id ?? doc.name;
    const idKey = doc.id !== undefined ? 'id' : 'name';
    if (id === undefined) {
      findings.push(err(path, "missing required property 'id' (or 'name' in Kestra 0.x)"));
      return;
    }
    if (!INPUT_ID.safeParse(id).success) {
      findings.push(err([...path, idKey], `input id '${id}' may use letters, digits, ., - and _ only`));
      return;
    }
    if (seen.has(id)) {
      findings.push(err([...path, idKey], `input id '${id}' is already used by inputs[${seen.get(id)}]`));
      return;
    }
    seen.set(id, i);
    const { name: _name, ...rest } = doc;
    const normalised: FlowInput = { ...rest, id, required: doc.required ?? true };
    const shapeProblem = inputShapeProblem(normalised);
    if (shapeProblem) {
      findings.push(err([...path, shapeProblem.key], `input '${id}': ${shapeProblem.message}`));
      return;
    }
    // A default must itself be a valid value (FILE defaults are URIs checked at run time).
    if (doc.defaults !== undefined && doc.defaults !== null && doc.type !== InputType.FILE) {
      const r = coerceInputValue(normalised, doc.defaults);
      if (!r.ok) findings.push(err([...path, 'defaults'], `default of input '${id}': ${r.message}`));
    }
    out.push(normalised);
  });
  // dependsOn names inputs declared anywhere in the list (Kestra orders the form by it).
  raw.forEach((input, i) => {
    const doc = out.find((x) => x.id === (isPlainObject(input) ? (input.id ?? input.name) : undefined));
    for (const [j, dep] of (doc?.dependsOn?.inputs ?? []).entries()) {
      if (!seen.has(dep)) findings.push(err(['inputs', i, 'dependsOn', 'inputs', j], `input '${doc?.id}' depends on '${dep}', which is not a declared input`));
    }
  });
  return out;
}

/** The properties a type needs: values for ENUM/SELECT/MULTISELECT, itemType for ARRAY. */
function inputShapeProblem(input: FlowInput): { key: string; message: string } | undefined {
  const choices = input.values ?? input.options;
  if ((input.type === InputType.ENUM || input.type === InputType.SELECT || input.type === InputType.MULTISELECT) && (!choices || choices.length === 0)) {
    return { key: 'values', message: `a ${input.type} input needs a non-empty list of values` };
  }
  if (input.type === InputType.ARRAY && input.itemType === undefined) return { key: 'itemType', message: 'an ARRAY input needs an itemType' };
  if (input.minLength !== undefined && input.maxLength !== undefined && input.minLength > input.maxLength) {
    return { key: 'minLength', message: `minLength ${input.minLength} is more than maxLength ${input.maxLength}` };
  }
  return undefined;
}

function checkDefaultTypes(defaults: readonly SourcedDefault[], catalog: TaskCatalog, findings: Finding[]): void {
  const names = catalog.types().flatMap((t) => [t.type, ...t.aliases]);
  for (const d of defaults) {
    // A default may name a type or a prefix of types (io.kestra.plugin.jdbc), as in Kestra 1.x.
    if (catalog.get(d.type) || names.some((n) => n.startsWith(d.type))) continue;
    const near = closest(d.type, names);
    findings.push({
      ...err([...d.at, 'type'], `taskDefaults type '${d.type}' matches no known task type${near ? `; did you mean '${near}'?` : ''}`),
      severity: Severity.warning,
    });
  }
}

function checkTriggers(raw: unknown, defaults: TaskDefaults, findings: Finding[]): Trigger[] {
  if (!Array.isArray(raw)) return [];
  const out: Trigger[] = [];
  const seen = new Map<string, number>();
  raw.forEach((value, i) => {
    const path: DocPath = ['triggers', i];
    const trigger = isPlainObject(value) ? defaults.applyOne(value) : value;
    const issues = checkValue(TriggerDocument, trigger);
    const task = isPlainObject(trigger) && typeof trigger.id === 'string' ? { task: trigger.id } : {};
    for (const issue of issues) findings.push({ ...err([...path, ...issue.path], issue.message), ...task });
    if (issues.length > 0 || !isPlainObject(trigger)) return;
    const t = TriggerDocument.parse(trigger);
    if (seen.has(t.id)) findings.push({ ...err([...path, 'id'], `trigger id '${t.id}' is already used by triggers[${seen.get(t.id)}]`), ...task });
    seen.set(t.id, i);
    if (!KNOWN_TRIGGER_TYPES.includes(t.type)) {
      findings.push({
        ...err([...path, 'type'], `unknown trigger type '${t.type}'${didYouMean(t.type, KNOWN_TRIGGER_TYPES)}; it will not fire`),
        severity: Severity.warning, ...task,
      });
    }
    out.push(trigger as Trigger);
  });
  return out;
}

function normaliseLabels(raw: unknown): Record<string, string> {
  const scalar = (v: unknown): string => String(v);
  if (Array.isArray(raw)) return Object.fromEntries(raw.filter(isPlainObject).map((l) => [String(l.key), scalar(l.value)]));
  if (isPlainObject(raw)) return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, scalar(v)]));
  return {};
}

function err(path: DocPath, message: string): Finding {
  return { severity: Severity.error, code: ErrorCode.FLOW_INVALID, message, path };
}
