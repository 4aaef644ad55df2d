// The Renderer triggers use, over lib/expr. Time comes from the injected clock.
import { render, renderValue } from '../expr';
import type { Clock } from '../ports/system';
import type { Renderer } from './render';

export function exprRenderer(clock: Clock): Renderer {
  return {
    render: (template, vars) => render(template, vars, { now: clock.now() }),
    renderValue: (value, vars) => renderValue(value, vars, { now: clock.now() }),
  };
}
