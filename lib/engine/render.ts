// Rendering flowable properties. Failures come back as data (never thrown out of step), carrying
// the flow, task and property they happened in.
import { render, renderValue } from '../expr';
import { ErrorCode, toErrorData } from '../model/errors';
import { cleanError, type ErrorData } from './state-ops';

export type Rendered<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

export interface RenderSite {
  now: Date;
  vars: Record<string, unknown>;
  flow: string;
  task: string;
}

function attempt<T>(site: RenderSite, property: string, fn: () => T): Rendered<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    const data = toErrorData(err, ErrorCode.EXPRESSION);
    return { ok: false, error: cleanError({ ...data, flow: data.flow ?? site.flow, task: data.task ?? site.task, property: data.property ?? property }) };
  }
}

const opts = (site: RenderSite, property: string) => ({ now: site.now, location: { flow: site.flow, task: site.task, property } });

/** Renders a property value; a string that is exactly one expression keeps its type. Secrets are not available here. */
export function renderProperty(site: RenderSite, property: string, value: unknown): Rendered<unknown> {
  return attempt(site, property, () => renderValue(value, site.vars, opts(site, property)));
}

/** Renders a property to text. */
export function renderText(site: RenderSite, property: string, value: string): Rendered<string> {
  return attempt(site, property, () => render(value, site.vars, opts(site, property)));
}

export function propertyError(site: Pick<RenderSite, 'flow' | 'task'>, property: string, message: string, code: ErrorData['code'] = ErrorCode.EXPRESSION): ErrorData {
  return { code, message, flow: site.flow, task: site.task, property };
}
