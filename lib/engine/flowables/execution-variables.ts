// SetVariables and UnsetVariables (Kestra 1.x): change the execution's `vars` at run time, in the
// engine (Kestra's ExecutionUpdatableTask), so tasks after them see the change. The first one copies
// the flow's `variables` into the execution; from then on the execution's copy is the whole of `vars`.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import type { TaskRun } from '../../model/execution';
import type { Task } from '../../model/flow';
import { State, isTerminal } from '../../model/states';
import { failAndNotify } from '../dispatch';
import type { Draft } from '../draft';
import { propertyError, renderProperty, type Rendered } from '../render';
import type { FlowableBehaviour } from './behaviour';
import { conclude, startRunning } from './list-behaviour';

const Flag = z.union([z.boolean(), z.string()]);

export const setVariablesInfo: TaskTypeInfo = {
  type: 'io.kestra.plugin.core.execution.SetVariables',
  aliases: [],
  kind: 'flowable',
  properties: z.object({ variables: z.record(z.string(), z.unknown()), overwrite: Flag.optional() }).strict(),
};

export const unsetVariablesInfo: TaskTypeInfo = {
  type: 'io.kestra.plugin.core.execution.UnsetVariables',
  aliases: [],
  kind: 'flowable',
  properties: z.object({ variables: z.array(z.string()), ignoreMissing: Flag.optional() }).strict(),
};

type Vars = Record<string, unknown>;
const isMap = (v: unknown): v is Vars => !!v && typeof v === 'object' && !Array.isArray(v);

/** Kestra's MapUtils.deepMerge: maps merge key by key, anything else is replaced. */
function deepMerge(base: Vars, over: Vars): Vars {
  const out: Vars = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isMap(out[k]) && isMap(v) ? deepMerge(out[k] as Vars, v) : v;
  return out;
}

function flag(d: Draft, run: TaskRun, property: string, written: unknown, fallback: boolean): Rendered<boolean> {
  if (written === undefined) return { ok: true, value: fallback };
  const rendered = renderProperty(d.renderSite(run), property, written);
  if (!rendered.ok) return rendered;
  const v = typeof rendered.value === 'string' ? rendered.value.trim() : rendered.value;
  if (v === true || v === 'true') return { ok: true, value: true };
  if (v === false || v === 'false') return { ok: true, value: false };
  return { ok: false, error: propertyError(d.renderSite(run), property, `${property} must be true or false, not '${String(rendered.value)}'`) };
}

const currentVars = (d: Draft): Vars => d.execution.variables ?? d.flow.variables ?? {};

/** Removes a dotted path from a copy of `vars`; false when it is not there. */
function without(vars: Vars, path: string): { vars: Vars; found: boolean } {
  const dot = path.indexOf('.');
  if (dot < 0) {
    if (!(path in vars)) return { vars, found: false };
    const { [path]: _gone, ...rest } = vars;
    return { vars: rest, found: true };
  }
  const head = path.slice(0, dot);
  const inner = vars[head];
  if (!isMap(inner)) return { vars, found: false };
  const next = without(inner, path.slice(dot + 1));
  return next.found ? { vars: { ...vars, [head]: next.vars }, found: true } : { vars, found: false };
}

function begin(d: Draft, run: TaskRun): TaskRun {
  const running = startRunning(d, run);
  d.update(running);
  return running;
}

const once = {
  evaluate() {
    // No children: it acts once, when it starts.
  },
  kill(d: Draft, run: TaskRun) {
    if (!isTerminal(run.state.current)) conclude(d, run, State.KILLED);
  },
};

export const setVariables: FlowableBehaviour = {
  info: setVariablesInfo,
  ...once,
  start(d, run, task: Task) {
    const running = begin(d, run);
    const rendered = renderProperty(d.renderSite(running), 'variables', task.variables ?? {});
    if (!rendered.ok) return failAndNotify(d, running, rendered.error);
    if (!isMap(rendered.value)) return failAndNotify(d, running, propertyError(d.renderSite(running), 'variables', 'variables must render to a map'));
    const overwrite = flag(d, running, 'overwrite', task.overwrite, true);
    if (!overwrite.ok) return failAndNotify(d, running, overwrite.error);
    const vars = currentVars(d);
    const existing = Object.keys(rendered.value).filter((k) => k in vars);
    if (!overwrite.value && existing.length) {
      return failAndNotify(d, running, propertyError(d.renderSite(running), 'variables',
        `\`overwrite\` is set to false and the following variables already exist: ${existing.join(',')}`));
    }
    d.patch({ variables: deepMerge(vars, rendered.value) });
    conclude(d, running, State.SUCCESS);
  },
};

export const unsetVariables: FlowableBehaviour = {
  info: unsetVariablesInfo,
  ...once,
  start(d, run, task: Task) {
    const running = begin(d, run);
    const rendered = renderProperty(d.renderSite(running), 'variables', task.variables ?? []);
    if (!rendered.ok) return failAndNotify(d, running, rendered.error);
    if (!Array.isArray(rendered.value)) return failAndNotify(d, running, propertyError(d.renderSite(running), 'variables', 'variables must render to a list of names'));
    const ignoreMissing = flag(d, running, 'ignoreMissing', task.ignoreMissing, false);
    if (!ignoreMissing.ok) return failAndNotify(d, running, ignoreMissing.error);
    let vars = currentVars(d);
    for (const name of rendered.value.map(String)) {
      const next = without(vars, name);
      if (!next.found && !ignoreMissing.value) {
        return failAndNotify(d, running, propertyError(d.renderSite(running), 'variables', `variable '${name}' is not set (ignoreMissing: true skips it)`));
      }
      vars = next.vars;
    }
    d.patch({ variables: vars });
    conclude(d, running, State.SUCCESS);
  },
};
