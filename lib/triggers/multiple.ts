// MultipleCondition windows: each sub-condition's result is kept until all are true inside one window.
// Windows are aligned on the epoch (UTC) and shifted by `windowAdvance`: P1D + PT16H means each day
// from 16:00 UTC to 16:00 UTC the next day, which is what Kestra's windowAdvance is for.
import type { ConditionWindow, WindowFold } from '../ports/trigger-state';
import type { ConditionOf } from './conditions/types';

export function windowAt(c: Pick<ConditionOf<'Multiple'>, 'windowMs' | 'windowAdvanceMs'>, now: Date): { start: Date; end: Date } {
  const size = Math.max(1, c.windowMs);
  const start = Math.floor((now.getTime() - c.windowAdvanceMs) / size) * size + c.windowAdvanceMs;
  return { start: new Date(start), end: new Date(start + size) };
}

export const windowContains = (w: ConditionWindow, now: Date): boolean =>
  Date.parse(w.start) <= now.getTime() && now.getTime() < Date.parse(w.end);

/**
 * Adds the true results of one ended execution to the window that contains `now` (an expired window
 * starts over). When every condition is then true the window is consumed: it is deleted and the
 * result is `true`, so exactly one writer sees completion.
 */
export function recordResults(
  c: ConditionOf<'Multiple'>, now: Date, results: Readonly<Record<string, boolean>>,
): (current: ConditionWindow | null) => WindowFold<boolean> {
  return (current) => {
    const base = current && windowContains(current, now) ? current : (() => {
      const w = windowAt(c, now);
      return { start: w.start.toISOString(), end: w.end.toISOString(), results: {} };
    })();
    const merged: Record<string, boolean> = { ...base.results };
    for (const [k, v] of Object.entries(results)) if (v && k in c.conditions) merged[k] = true;
    const complete = Object.keys(c.conditions).every((k) => merged[k] === true);
    return complete ? { next: null, result: true } : { next: { ...base, results: merged }, result: false };
  };
}
