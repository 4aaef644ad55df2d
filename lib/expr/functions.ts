// Functions a template may call: now, json/fromJson, secret, range, max, min. Nothing here reads
// the clock or the environment: `now` is the caller's `opts.now`, secrets are resolved beforehand.

import { table, type FunctionDef } from './callables';
import { formatDate, zoneOf } from './dates';
import { hardFailure } from './failure';
import { parseJson } from './filters/json';
import { range } from './operators';
import { compare, describe } from './values';
import { DateTime } from 'luxon';

/** `now()` with arguments formats like the date filter; this is its default pattern. */
const NOW_PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

function extreme(op: '>' | '<'): FunctionDef {
  return {
    params: null,
    apply(args) {
      let best: unknown = null;
      for (const v of args) if (best === null || compare(v, best, op)) best = v;
      return best;
    },
  };
}

const json: FunctionDef = { params: ['json'], apply: ([s], cx) => parseJson(s, cx, 'fromJson') };

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = table<FunctionDef>({
  now: {
    params: ['format', 'timeZone', 'existingFormat', 'locale'],
    apply([format, timeZone, _existing, locale], cx) {
      if (format === undefined && timeZone === undefined && locale === undefined) return cx.now.toISOString();
      const dt = DateTime.fromJSDate(cx.now, { zone: zoneOf(timeZone) });
      return formatDate(dt, format ?? NOW_PATTERN, locale);
    },
  },
  json,
  fromJson: json,
  jsonDecode: json,
  secret: {
    params: ['key'],
    apply([key], cx) {
      if (typeof key !== 'string' || key === '') throw hardFailure(`secret() needs a secret name, got ${describe(key)}`);
      const secrets = cx.secrets;
      if (!secrets || !Object.hasOwn(secrets, key)) throw hardFailure(`secret '${key}' is not defined`);
      return secrets[key];
    },
  },
  range: { params: ['start', 'end', 'increment'], apply: ([start, end, inc], cx) => range(start, end, inc, cx) },
  max: extreme('>'),
  min: extreme('<'),
});
