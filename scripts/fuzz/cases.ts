// Generated fuzz cases for `aloft server`: mutations of valid requests and flows. Deterministic for a
// seed, so a failure can be replayed from the seed and its index alone.
import { ROUTES } from '../../lib/api/router';

export const FuzzKind = {
  route: 'route',
  flow: 'flow',
  inputs: 'inputs',
  webhook: 'webhook',
  expression: 'expression',
} as const;
export type FuzzKind = (typeof FuzzKind)[keyof typeof FuzzKind];

/** One HTTP request; bodies are text (JSON, YAML) or a multipart form given as fields. */
export interface FuzzCase {
  kind: FuzzKind;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  form?: Record<string, string | { file: string; name: string }>;
}

export const NS = 'io.aloft.fuzz';
export const HOOK_KEY = 'fuzzkey0123456789';

/** Flows the server holds before the cases run, so that routes find something. */
export const SEED_FLOWS: readonly string[] = [
  `id: target\nnamespace: ${NS}\ninputs:\n  - id: s\n    type: STRING\n    required: false\n  - id: i\n    type: INT\n    required: false\n  - id: j\n    type: JSON\n    required: false\n  - id: f\n    type: FILE\n    required: false\n  - id: d\n    type: DATETIME\n    required: false\ntasks:\n  - id: ret\n    type: io.kestra.core.tasks.debugs.Return\n    format: "{{ inputs.s ?? 'none' }}"\ntriggers:\n  - id: hook\n    type: io.kestra.core.models.triggers.types.Webhook\n    key: ${HOOK_KEY}\n`,
  `id: looped\nnamespace: ${NS}\ntasks:\n  - id: each\n    type: io.kestra.core.tasks.flows.EachSequential\n    value: '["a", "b", "__proto__", "constructor"]'\n    tasks:\n      - id: log\n        type: io.kestra.core.tasks.log.Log\n        message: "{{ taskrun.value }}"\n`,
];

/** A small, seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, max: number): number => Math.floor(r() * max);

const NASTY_STRINGS = [
  '', ' ', '..', '.', 'a..b', '../../etc/passwd', '%2e%2e%2f', '%252e%252e', 'constructor', 'toString', '__proto__', 'prototype',
  'hasOwnProperty', '\u0000', '\ud800', '😀'.repeat(50), 'é', '{{', '}}', '{% for %}', '{{ 1/0 }}', '\\', '\n\r\t', "'", '"',
  'x'.repeat(300), 'x'.repeat(70_000), '-1', '1e309', 'NaN', 'null', 'true', '[]', '{}', 'kestra:///../x', 'kestra:///io/aloft/fuzz/target/states/x',
];

function nastyString(r: Rand): string {
  return r() < 0.7 ? pick(r, NASTY_STRINGS) : Array.from({ length: int(r, 40) }, () => String.fromCharCode(int(r, 0x3000))).join('');
}

function deep(r: Rand): string {
  const n = pick(r, [5, 200, 999, 1001, 5000, 100_000]);
  const [o, c] = r() < 0.5 ? ['[', ']'] : ['{"a":', '}'];
  return o.repeat(n) + (o === '[' ? '' : '1') + c.repeat(n);
}

/** A JSON value that is often hostile. */
function value(r: Rand, depth = 0): unknown {
  const k = int(r, depth > 3 ? 6 : 9);
  switch (k) {
    case 0: return nastyString(r);
    case 1: return pick(r, [0, -1, 1.5, 2 ** 53 + 1, -0, 1e308]);
    case 2: return r() < 0.5;
    case 3: return null;
    case 4: return int(r, 1000);
    case 5: return pick(r, ['a', 'b', 'x']);
    case 6: return Array.from({ length: int(r, 4) }, () => value(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = int(r, 4); i > 0; i--) Object.defineProperty(o, nastyString(r).slice(0, 40), { value: value(r, depth + 1), enumerable: true, configurable: true });
      return o;
    }
  }
}

function jsonText(r: Rand): string {
  const roll = r();
  if (roll < 0.15) return deep(r);
  if (roll < 0.25) return nastyString(r);
  if (roll < 0.3) return '{"a":1,' ; // broken
  return JSON.stringify(value(r));
}

/** encodeURIComponent; a string it refuses (a lone surrogate) has its surrogates made '?'. */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'));
  }
}

function fillPath(r: Rand, path: string): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (name === 'namespace' && r() < 0.6) return NS;
    if (name === 'flowId' && r() < 0.6) return pick(r, ['target', 'looped']);
    if (name === 'key' && r() < 0.5) return HOOK_KEY;
    return enc(nastyString(r).slice(0, 300)) || 'x';
  });
}

function routeCase(r: Rand): FuzzCase {
  const route = pick(r, ROUTES);
  let path = fillPath(r, route.path);
  if (r() < 0.5 && route.query) {
    const q = new URLSearchParams();
    for (const name of Object.keys(route.query)) if (r() < 0.5) q.append(name, pick(r, [nastyString(r).slice(0, 100), String(int(r, 200_000)), '0', '-1']));
    path += `?${q}`;
  }
  const types = Object.keys(route.body ?? {});
  const type = types.length ? pick(r, [...types, 'text/plain', 'application/json']) : undefined;
  const body = !type ? undefined : type.includes('yaml') ? mutateYaml(r, pick(r, SEED_FLOWS)) : jsonText(r);
  return { kind: FuzzKind.route, method: route.method, path, ...(type && type !== 'multipart/form-data' ? { headers: { 'content-type': type }, body } : {}) };
}

const YAML_MUTATIONS: Array<(r: Rand, y: string) => string> = [
  (r, y) => y.replace(/^id: \w+/m, `id: "${nastyString(r).slice(0, 120).replace(/"/g, '')}"`),
  (r, y) => y.replace(/^namespace: .*/m, `namespace: "${pick(r, ['..', '.', 'a..b', 't.states', 'x'.repeat(200), 'A.b', NS])}"`),
  (r, y) => `${y}${pick(r, ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])}: 1\n`,
  (r, y) => `${y}variables:\n  v: ${pick(r, ['!!binary aGVsbG8=', '!!set {a}', '!!omap [a: 1]', '!!timestamp 2024-01-01', '!foo x', deep(r)])}\n`,
  (r, y) => `${y}variables:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
  (r, y) => y.split('\n').filter(() => r() > 0.15).join('\n'),
  (r, y) => y.replace(/type: \S+/, `type: ${nastyString(r).slice(0, 60).replace(/\n/g, ' ')}`),
  (r, y) => `${y}  - ${'- '.repeat(pick(r, [10, 300, 3000]))}x\n`,
  (r, y) => y.slice(0, int(r, y.length)),
];

function mutateYaml(r: Rand, yaml: string): string {
  let y = yaml;
  for (let i = 1 + int(r, 2); i > 0; i--) y = pick(r, YAML_MUTATIONS)(r, y);
  return y;
}

function flowCase(r: Rand): FuzzCase {
  return { kind: FuzzKind.flow, method: r() < 0.7 ? 'POST' : 'PUT', path: r() < 0.7 ? '/api/v1/flows' : `/api/v1/flows/${NS}/target`, headers: { 'content-type': 'application/x-yaml' }, body: mutateYaml(r, pick(r, SEED_FLOWS)) };
}

function inputsCase(r: Rand): FuzzCase {
  const path = `/api/v1/executions/${NS}/target`;
  const names = ['s', 'i', 'j', 'f', 'd', 'constructor', 'toString', '__proto__', 'nope'];
  if (r() < 0.5) {
    const headers = { 'content-type': 'application/json' };
    if (r() < 0.15) return { kind: FuzzKind.inputs, method: 'POST', path, headers, body: `{"inputs":{"j":${deep(r)}}}` };
    const inputs: Record<string, unknown> = {};
    for (const n of names) if (r() < 0.4) Object.defineProperty(inputs, n, { value: value(r), enumerable: true, configurable: true });
    return { kind: FuzzKind.inputs, method: 'POST', path, headers, body: r() < 0.9 ? JSON.stringify({ inputs }) : jsonText(r) };
  }
  const form: FuzzCase['form'] = {};
  for (const n of names) {
    if (r() >= 0.4) continue;
    form[n] = r() < 0.3 ? { file: nastyString(r).slice(0, 1000), name: pick(r, ['a.csv', 'données.csv', 'n'.repeat(300), '../../x', '', 'a\r\nb']) } : nastyString(r).slice(0, 2000);
  }
  return { kind: FuzzKind.inputs, method: 'POST', path, form };
}

function webhookCase(r: Rand): FuzzCase {
  const key = r() < 0.8 ? HOOK_KEY : nastyString(r).slice(0, 300);
  const method = pick(r, ['GET', 'POST', 'PUT']);
  const q = r() < 0.3 ? `?${enc(nastyString(r).slice(0, 50))}=${enc(nastyString(r).slice(0, 50))}` : '';
  const path = `/api/v1/executions/webhook/${NS}/target/${enc(key) || 'k'}${q}`;
  if (method === 'GET') return { kind: FuzzKind.webhook, method, path };
  return { kind: FuzzKind.webhook, method, path, headers: { 'content-type': pick(r, ['application/json', 'text/plain']), [pick(r, ['x-a', 'constructor', '__proto__'])]: 'v' }, body: jsonText(r) };
}

const EXPRESSIONS = [
  "inputs.s", "constructor", "inputs.constructor", "inputs['__proto__']", "range(1, 100000000)", "'x' * 1000000",
  "[inputs, inputs, inputs]", "now() | date('yyyy')", "1 / 0", "'a' | replace('a', 'b', regexp=true)", "{{ }}", "(((((((1)))))))",
  "json(inputs)", "'[' * 5000 | fromJson", "secret('NOPE')", "envs", "envs.api_token", "execution.id ~ flow.id", "outputs.nope.value",
  "taskrun.value", "x is defined ? 1 : 2", "[1,2,3] | join(',')", "{'a': 1} | keys", "'%s' | format(1)",
];

function expressionCase(r: Rand): FuzzCase {
  let e = pick(r, EXPRESSIONS);
  if (r() < 0.3) e = e.slice(0, int(r, e.length + 1));
  if (r() < 0.2) e = `${e} ${pick(r, ['|', '~', '+', '[', '(', '.'])} ${pick(r, EXPRESSIONS)}`;
  const yaml = `id: expr${int(r, 50)}\nnamespace: ${NS}\ntasks:\n  - id: ret\n    type: io.kestra.core.tasks.debugs.Return\n    format: ${JSON.stringify(`{{ ${e} }}`)}\n`;
  return { kind: FuzzKind.expression, method: 'POST', path: '/api/v1/flows', headers: { 'content-type': 'application/x-yaml' }, body: yaml };
}

const MAKERS: Record<FuzzKind, (r: Rand) => FuzzCase> = {
  route: routeCase, flow: flowCase, inputs: inputsCase, webhook: webhookCase, expression: expressionCase,
};

/** The case at `index` of the run seeded with `seed`. */
export function fuzzCase(seed: number, index: number): FuzzCase {
  const r = prng(seed * 1_000_003 + index);
  const kind = pick(r, Object.values(FuzzKind));
  return MAKERS[kind](r);
}
