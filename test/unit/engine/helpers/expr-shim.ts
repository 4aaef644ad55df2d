// TEMPORARY stand-in for lib/expr while it is being written: `{{ a.b['c'][x] }}` lookups only.
// Registered as a virtual jest mock by ./setup-expr; unused once lib/expr/index.ts exists.
import { AloftError, ErrorCode } from '../../../../lib/model/errors';

type Opts = { now: Date; location?: { flow?: string; task?: string; property?: string } };

function lookup(expr: string, vars: Record<string, unknown>, opts: Opts): unknown {
  const fail = (): never => { throw new AloftError(ErrorCode.EXPRESSION, `undefined variable '${expr.trim()}'`, opts.location ?? {}); };
  const tokens = expr.trim().match(/\['[^']*'\]|\[[\w.]+\]|[\w-]+/g) ?? fail();
  let cur: unknown = vars;
  for (const t of tokens) {
    let key: string;
    if (t.startsWith("['")) key = t.slice(2, -2);
    else if (t.startsWith('[')) key = String(lookup(t.slice(1, -1), vars, opts));
    else key = t;
    if (!cur || typeof cur !== 'object' || !(key in (cur as object))) fail();
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

const EXACT = /^\{\{([^}]*)\}\}$/;

export function renderTyped(template: string, vars: Record<string, unknown>, opts: Opts): unknown {
  const m = EXACT.exec(template.trim());
  if (m) return lookup(m[1], vars, opts);
  return render(template, vars, opts);
}

export function render(template: string, vars: Record<string, unknown>, opts: Opts): string {
  return template.replace(/\{\{([^}]*)\}\}/g, (_, e: string) => {
    const v = lookup(e, vars, opts);
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

export function renderValue(value: unknown, vars: Record<string, unknown>, opts: Opts): unknown {
  if (typeof value === 'string') return renderTyped(value, vars, opts);
  if (Array.isArray(value)) return value.map((v) => renderValue(v, vars, opts));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, vars, opts)]));
  }
  return value;
}
