// Labels (Kestra 1.x): adds or overwrites labels of the running execution, in the engine (Kestra's
// ExecutionUpdatableTask), so later tasks see them as `labels`. `labels` is a map, a list of
// {key, value}, or a string rendering to a JSON map; keys and values are rendered, a map value is
// written as JSON. Labels starting with `system.` are Kestra's own and refused, as Kestra does.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import type { TaskRun } from '../../model/execution';
import { State, isTerminal } from '../../model/states';
import { failAndNotify } from '../dispatch';
import type { Draft } from '../draft';
import { propertyError, renderProperty, renderText, type Rendered } from '../render';
import type { FlowableBehaviour } from './behaviour';
import { conclude, startRunning } from './list-behaviour';

const Entry = z.object({ key: z.string().min(1), value: z.unknown() }).strict();

export const labelsInfo: TaskTypeInfo = {
  type: 'io.kestra.plugin.core.execution.Labels',
  aliases: ['io.kestra.core.tasks.executions.Labels'],
  kind: 'flowable',
  properties: z.object({
    labels: z.union([z.string(), z.array(Entry), z.record(z.string(), z.unknown())]),
  }).strict(),
};

const SYSTEM_PREFIX = 'system.';

const asText = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v));

/** The labels as written, rendered to a map of strings. */
function renderLabels(d: Draft, run: TaskRun, written: unknown): Rendered<Record<string, string>> {
  const site = d.renderSite(run);
  const bad = (message: string): Rendered<Record<string, string>> => ({ ok: false, error: propertyError(site, 'labels', message) });
  if (typeof written === 'string') {
    const text = renderText(site, 'labels', written);
    if (!text.ok) return text;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.value);
    } catch {
      return bad('labels as a string must render to a JSON map of labels');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return bad('labels as a string must render to a JSON map of labels');
    return renderLabels(d, run, parsed);
  }
  const pairs: [unknown, unknown][] = Array.isArray(written)
    ? written.map((e: { key: unknown; value: unknown }) => [e.key, e.value])
    : Object.entries(written as Record<string, unknown>);
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) {
    const key = renderText(site, 'labels', String(k));
    if (!key.ok) return key;
    const value = renderProperty(site, 'labels', v);
    if (!value.ok) return value;
    out[key.value] = asText(value.value);
  }
  return { ok: true, value: out };
}

export const labels: FlowableBehaviour = {
  info: labelsInfo,
  start(d, run, task) {
    const running = startRunning(d, run);
    d.update(running);
    const rendered = renderLabels(d, running, task.labels);
    if (!rendered.ok) return failAndNotify(d, running, rendered.error);
    const system = Object.entries(rendered.value).find(([k]) => k.startsWith(SYSTEM_PREFIX));
    if (system) {
      return failAndNotify(d, running, propertyError(d.renderSite(running), 'labels',
        `system labels can only be set by Kestra itself, offending label: ${system[0]}=${system[1]}`));
    }
    d.patch({ labels: { ...d.execution.labels, ...rendered.value } });
    conclude(d, running, State.SUCCESS);
  },
  evaluate() {
    // No children: it acts once, when it starts.
  },
  kill(d, run) {
    if (!isTerminal(run.state.current)) conclude(d, run, State.KILLED);
  },
};
