// The secrets probe (issue: "every test run greps all logs, outputs and API answers for the test
// secrets"). Loaded by jest into every test file (setupFiles) and, through NODE_OPTIONS, into every
// Node process a test starts (`aloft server`, `aloft run`, function hosts). It records each place where
// a secret's value, or one of its lines, left Aloft:
// - API answers: bodies of responses to /api/ requests (test servers' own answers are not Aloft's);
// - in jest: lines appended to any log store, events appended to any state store (task outputs and
//   errors travel in them), whatever the adapter;
// - in a child process: what it writes on stdout and stderr (CLI output, function logs).
// The secrets: values of the SECRET_* variables of the process, and in jest every value a Secrets
// adapter returned. Values and lines shorter than MIN_LENGTH are not probed (they would match
// ordinary text). Hits go to $ALOFT_TEST_SECRET_HITS/<pid>.jsonl; jest's global teardown fails the
// run on any (test/setup/secrets-teardown.js). Plain JavaScript: child processes load it with --require.
'use strict';
const { appendFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const MIN_LENGTH = 6;
// Shared by every copy of this file in the process (jest loads one per test file, in its own module
// registry, and a jest worker may have one outside them): node:http is the same object for all.
const http = require('node:http');
const resolved = (http.__aloftSecrets ??= new Set());

function needles() {
  const values = new Set(resolved);
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('SECRET_') && v) values.add(Buffer.from(v, 'base64').toString('utf8'));
  }
  const out = new Set();
  for (const v of values) {
    if (v.length >= MIN_LENGTH) out.add(v);
    for (const line of v.split(/\r?\n/)) if (line.trim().length >= MIN_LENGTH) out.add(line.trim());
  }
  return out;
}

// The probe's own tests point it elsewhere through node:http, which every copy shares (a copy loaded
// outside jest's sandbox does not see the sandbox's process.env).
const hitsDirNow = () => http.__aloftHitsOverride ?? process.env.ALOFT_TEST_SECRET_HITS;

function probe(sink, text) {
  const hitsDir = hitsDirNow();
  if (!hitsDir || typeof text !== 'string' || text.length < MIN_LENGTH) return;
  for (const n of needles()) {
    const at = text.indexOf(n);
    if (at < 0) continue;
    // The report never repeats the secret: its length stands in for it.
    const around = `${text.slice(Math.max(0, at - 80), at)}<secret of ${n.length} chars>${text.slice(at + n.length, at + n.length + 80)}`;
    const test = typeof expect === 'function' && expect.getState ? expect.getState().currentTestName : undefined;
    const file = typeof expect === 'function' && expect.getState ? expect.getState().testPath : undefined;
    try {
      mkdirSync(hitsDir, { recursive: true });
      appendFileSync(join(hitsDir, `${process.pid}.jsonl`), `${JSON.stringify({ sink, file, test, argv: process.argv.slice(1, 3), around })}\n`);
    } catch {
      // The probe never fails what it watches.
    }
  }
}

const asText = (chunk) => (typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : undefined);

function watchApiAnswers() {
  const { ServerResponse } = http;
  if (ServerResponse.prototype.__secretsProbe) return;
  ServerResponse.prototype.__secretsProbe = true;
  const isApi = (res) => typeof res.req?.url === 'string' && res.req.url.startsWith('/api/');
  for (const method of ['write', 'end']) {
    const original = ServerResponse.prototype[method];
    ServerResponse.prototype[method] = function (chunk, ...rest) {
      if (chunk !== undefined && typeof chunk !== 'function' && isApi(this)) probe(`api ${this.req.method} ${this.req.url.split('?')[0]}`, asText(chunk));
      return original.call(this, chunk, ...rest);
    };
  }
}

function watchOutput() {
  for (const stream of ['stdout', 'stderr']) {
    const s = process[stream];
    const original = s.write;
    s.write = function (chunk, ...rest) {
      probe(stream, asText(chunk));
      return original.call(this, chunk, ...rest);
    };
  }
}

/** In jest: every adapter's writes, and every secret an adapter returns. */
function watchAdapters(root) {
  const patch = (file, name, methods, describe) => {
    let mod;
    try {
      mod = require(join(root, file));
    } catch {
      return; // An adapter whose dependencies this test does not have.
    }
    const cls = mod[name];
    if (!cls || cls.prototype.__secretsProbe) return;
    cls.prototype.__secretsProbe = true;
    for (const m of methods) {
      const original = cls.prototype[m];
      if (typeof original !== 'function') continue;
      cls.prototype[m] = function (...args) {
        probe(`${name}.${m}`, describe(args));
        return original.apply(this, args);
      };
    }
  };
  const json = (args) => { try { return JSON.stringify(args); } catch { return undefined; } };
  const logStores = [['lib/adapters/local/log-store', 'MemoryLogStore'], ['lib/adapters/sqlite/log-store', 'SqliteLogStore'], ['lib/adapters/gcp/firestore-log-store', 'FirestoreLogStore']];
  for (const [file, name] of logStores) patch(file, name, ['append'], json);
  const stateStores = [['lib/adapters/local/state-store', 'MemoryStateStore'], ['lib/adapters/sqlite/state-store', 'SqliteStateStore'], ['lib/adapters/gcp/firestore-state-store', 'FirestoreStateStore']];
  for (const [file, name] of stateStores) patch(file, name, ['append', 'appendNow', 'appendAlone'], (args) => json(args.slice(1)));
  for (const [file, name] of [['lib/adapters/local/secrets', 'EnvSecrets'], ['lib/adapters/gcp/secret-manager-secrets', 'SecretManagerSecrets']]) {
    let mod;
    try { mod = require(join(root, file)); } catch { continue; }
    const cls = mod[name];
    if (!cls || cls.prototype.__secretsGet) continue;
    cls.prototype.__secretsGet = true;
    const original = cls.prototype.get;
    cls.prototype.get = async function (...args) {
      const value = await original.apply(this, args);
      if (typeof value === 'string') resolved.add(value);
      return value;
    };
  }
}

// A jest worker process itself loads this through NODE_OPTIONS too: its own output is jest's, not Aloft's.
const jestWorker = (process.argv[1] ?? '').includes('jest-worker');
// Each test file starts with no resolved secret: a short test value ("shadowed") of one file must not
// match ordinary text of the next.
if (typeof jest !== 'undefined') resolved.clear();
if (process.env.ALOFT_TEST_SECRET_HITS) {
  watchApiAnswers();
  if (typeof jest !== 'undefined') watchAdapters(join(__dirname, '..', '..'));
  else if (!jestWorker) watchOutput();
}
