// Functions a template may call: now, json/fromJson, secret, kv, read, render, range, max, min. Nothing here reads
// the clock or the environment: `now` is the caller's `opts.now`, secrets and kv entries are resolved beforehand.

import { kvEntryKey, table, type FunctionDef } from './callables';
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
  kv: {
    // Kestra's kv(key, namespace, errorOnMissing): the namespace defaults to the execution's.
    params: ['key', 'namespace', 'errorOnMissing'],
    apply([key, namespace, errorOnMissing], cx) {
      if (typeof key !== 'string' || key === '') throw hardFailure(`kv() needs a key, got ${describe(key)}`);
      if (namespace !== undefined && namespace !== null && typeof namespace !== 'string') {
        throw hardFailure(`kv() needs a namespace name, got ${describe(namespace)}`);
      }
      const kv = cx.kv;
      const ns = namespace ?? kv?.namespace;
      const entry = kv && ns !== undefined ? kv.entries.get(kvEntryKey(ns, key)) : undefined;
      if (entry === undefined) {
        throw hardFailure(`kv('${key}') was not read before rendering: kv() takes its key and namespace as literal strings, and works in task properties`);
      }
      if (entry === null) {
        if (errorOnMissing === false) return null;
        throw hardFailure(`key '${key}' does not exist in the key-value store of namespace ${ns}`);
      }
      return entry.value;
    },
  },
  read: {
    // Kestra's read(path): a namespace file of the execution's namespace, or a kestra:// file the
    // execution may read, as text. The caller reads it before rendering, and decides what is allowed.
    params: ['path'],
    apply([path], cx) {
      if (typeof path !== 'string' || path === '') throw hardFailure(`read() needs a path, got ${describe(path)}`);
      const file = cx.files?.get(path);
      if (file === undefined) {
        throw hardFailure(`read('${path}') was not read before rendering: read() takes its path as a literal string, and works in task properties`);
      }
      if ('error' in file) throw hardFailure(`read('${path}'): ${file.error}`);
      return cx.str(file.text);
    },
  },
  // Kestra's render(toRender, recursive = true): variables are not rendered when read, so a template
  // kept in `vars` (or an output) is rendered on demand. Anything but a string is returned as is.
  render: {
    params: ['toRender', 'recursive'],
    apply([toRender, recursive], cx) {
      if (typeof toRender !== 'string') return toRender ?? null;
      return cx.renderNested(toRender, recursive !== false);
    },
  },
  range: { params: ['start', 'end', 'increment'], apply: ([start, end, inc], cx) => range(start, end, inc, cx) },
  max: extreme('>'),
  min: extreme('<'),
});
