// Functions a template may call: now, json/fromJson, yaml/fromYaml, fromIon, render/renderOnce, secret, kv, read, range, max, min,
// the file functions (file-functions.ts) and errorLogs/currentEachOutput (execution-functions.ts). Nothing here reads
// the clock or the environment: `now` is the caller's `opts.now`, secrets and kv entries are resolved beforehand.

import { kvEntryKey, table, type CallContext, type FunctionDef } from './callables';
import { formatDate, zoneOf } from './dates';
import { EXECUTION_FUNCTIONS } from './execution-functions';
import { hardFailure } from './failure';
import { FILE_FUNCTIONS } from './file-functions';
import { parseIon } from './filters/ion';
import { parseJson } from './filters/json';
import { parseYamlText } from './filters/yaml';
import { range } from './operators';
import { compare, describe, toJson } from './values';
import { DateTime } from 'luxon';

const MAX_RECURSIVE_RENDERS = 10;

function bytes(cx: CallContext, n: number, what: string): Uint8Array {
  if (!cx.randomBytes) throw hardFailure(`${what} works in the properties of tasks, where a value may differ on each run`);
  return Uint8Array.from(cx.randomBytes(n));
}
const isTemplateText = (s: string): boolean => s.includes('{{') || s.includes('{%');

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
        throw hardFailure(`read('${path}') was not read before rendering: read() takes its path as a literal string or a variable (inputs.file), and works in task properties`);
      }
      if ('error' in file) throw hardFailure(`read('${path}'): ${file.error}`);
      return cx.str(file.text);
    },
  },
  // Kestra 1.x does not render variables recursively: render() does, until the text stops changing;
  // renderOnce() renders one level.
  render: {
    params: ['toRender', 'recursive'],
    apply([text, recursive], cx) {
      if (text === null || text === undefined) return null;
      if (typeof text !== 'string') return text;
      if (!cx.renderText) throw hardFailure('render() is not available here');
      let out = cx.renderText(text);
      for (let i = 0; recursive !== false && out !== text && isTemplateText(out); i++) {
        // As Kestra's renderRecursively: a value that keeps changing is an error, not its 10th rendering.
        if (i >= MAX_RECURSIVE_RENDERS) throw hardFailure(`render() did not settle after ${MAX_RECURSIVE_RENDERS} renderings of ${describe(text)}`);
        text = out;
        out = cx.renderText(out);
      }
      return out;
    },
  },
  renderOnce: {
    params: ['toRender'],
    apply([text], cx) {
      if (typeof text !== 'string') return text ?? null;
      if (!cx.renderText) throw hardFailure('renderOnce() is not available here');
      return cx.renderText(text);
    },
  },
  uuid: {
    params: [],
    apply(_args, cx) {
      const b = bytes(cx, 16, 'uuid()');
      b[6] = (b[6] & 0x0f) | 0x40; // version 4
      b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
      const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  },
  // Kestra's randomInt(lower, upper): lower included, upper excluded.
  randomInt: {
    params: ['lower', 'upper'],
    apply([lower, upper], cx) {
      if (!Number.isSafeInteger(lower) || !Number.isSafeInteger(upper)) {
        throw hardFailure(`randomInt() needs two whole numbers, got ${describe(lower)} and ${describe(upper)}`);
      }
      const [lo, hi] = [lower as number, upper as number];
      if (hi <= lo) throw hardFailure(`randomInt(): upper (${hi}) must be greater than lower (${lo})`);
      const span = hi - lo;
      // 48 random bits, reduced without bias: values past the last whole span are drawn again.
      const limit = Math.floor(2 ** 48 / span) * span;
      for (;;) {
        const b = bytes(cx, 6, 'randomInt()');
        const n = b.reduce((acc, x) => acc * 256 + x, 0);
        if (n < limit) return lo + (n % span);
      }
    },
  },
  // Kestra's printContext(): every variable of the render, as JSON text (secrets are never variables).
  printContext: {
    params: [],
    apply: (_args, cx) => cx.str(toJson(cx.variables?.() ?? {}, cx)),
  },
  yaml: { params: ['yaml'], apply: ([s], cx) => parseYamlText(s, cx, 'yaml()') },
  fromYaml: { params: ['yaml'], apply: ([s], cx) => parseYamlText(s, cx, 'fromYaml()') },
  fromIon: { params: ['ion', 'allRows'], apply: ([s, allRows], cx) => parseIon(s, allRows, cx, 'fromIon()') },
  ...FILE_FUNCTIONS,
  ...EXECUTION_FUNCTIONS,
  range: { params: ['start', 'end', 'increment'], apply: ([start, end, inc], cx) => range(start, end, inc, cx) },
  max: extreme('>'),
  min: extreme('<'),
});
