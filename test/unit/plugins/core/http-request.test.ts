import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { RequestProperties } from '../../../../lib/plugins/core/http-request';
import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';
import { startFixture, type Fixture } from './http-fixture';

// Against a real node:http server on loopback.
const REQUEST = 'io.kestra.plugin.core.http.Request';
const opts = { workerId: 'w' };

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const c of stream) out += String(c);
  return out;
}

describe('http.Request', () => {
  let server: Fixture;
  beforeAll(async () => { server = await startFixture(); });
  afterAll(() => server.close());

  async function run(task: Record<string, unknown>) {
    const w = await fakeWorker({ variables: { inputs: { payload: { title: 'Pen' } } } });
    try {
      const out = await runAttempt(w.task(REQUEST, { id: 'http', ...task }), w.deps, opts);
      if (out.kind !== 'result') throw new Error('expected a result');
      return { result: out.result };
    } finally {
      await w.cleanup();
    }
  }

  it('outputs the code, the headers as lists, the body as text and the requested uri', async () => {
    const { result } = await run({ uri: `${server.url}/json` });
    expect(result).toMatchObject({
      state: 'SUCCESS',
      outputs: { uri: `${server.url}/json`, code: 200, body: '{"hello":"world"}', headers: { 'content-type': ['application/json'], 'set-cookie': ['a=1', 'b=2'] } },
      metrics: { 'response.length': 17 },
    });
  });

  it('logs each answer at DEBUG', async () => {
    const w = await fakeWorker();
    try {
      await runAttempt(w.task(REQUEST, { uri: `${server.url}/json`, logLevel: 'DEBUG' }), w.deps, opts);
      expect((await w.logLines()).map((l) => [l.level, l.message])).toContainEqual(['DEBUG', `GET ${server.url}/json answered 200`]);
    } finally {
      await w.cleanup();
    }
  });

  it('runs under its 0.x plugin-fs name too', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task('io.kestra.plugin.fs.http.Request', { uri: `${server.url}/json` }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { code: 200 } } });
    } finally {
      await w.cleanup();
    }
  });

  it('sends the method, headers and body, a map body as JSON with contentType application/json by default', async () => {
    const { result } = await run({ uri: `${server.url}/echo`, method: 'POST', body: '{{ inputs.payload }}', headers: { 'X-Trace': 7 } });
    const echoed = JSON.parse(String(result.outputs?.body));
    expect(echoed).toMatchObject({ method: 'POST', body: '{"title":"Pen"}', headers: { 'content-type': 'application/json', 'x-trace': '7' } });
  });

  it('sends formData URL-encoded, or multipart with files from internal storage', async () => {
    const form = await run({ uri: `${server.url}/echo`, method: 'POST', formData: { user: 'John Doe', n: 2 } });
    expect(JSON.parse(String(form.result.outputs?.body))).toMatchObject({
      body: 'user=John+Doe&n=2', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    const w = await fakeWorker();
    try {
      const stored = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/inputs/file/data.csv`;
      await w.blobs.put(stored, 'a,b\n1,2\n');
      const out = await runAttempt(w.task(REQUEST, {
        uri: `${server.url}/multipart`, method: 'POST', contentType: 'multipart/form-data',
        formData: { user: 'John', file: stored, named: { name: 'renamed.csv', content: stored }, meta: { a: 1 } },
      }), w.deps, opts);
      if (out.kind !== 'result') throw new Error('expected a result');
      expect(JSON.parse(String(out.result.outputs?.body))).toEqual({
        user: 'John', meta: '{"a":1}', file: { filename: 'data.csv', data: 'a,b\n1,2\n' }, named: { filename: 'renamed.csv', data: 'a,b\n1,2\n' },
      });
    } finally {
      await w.cleanup();
    }
  });

  it('authenticates with basic auth (auth or the deprecated basicAuthUser) or a bearer token', async () => {
    const basic = `Basic ${Buffer.from('admin:s3cret').toString('base64')}`;
    const a = await run({ uri: `${server.url}/echo`, options: { auth: { type: 'BASIC', username: 'admin', password: 's3cret' } } });
    expect(JSON.parse(String(a.result.outputs?.body)).headers.authorization).toBe(basic);
    const b = await run({ uri: `${server.url}/echo`, options: { basicAuthUser: 'admin', basicAuthPassword: 's3cret' } });
    expect(JSON.parse(String(b.result.outputs?.body)).headers.authorization).toBe(basic);
    const c = await run({ uri: `${server.url}/echo`, options: { auth: { type: 'BEARER', token: 't0k' } } });
    expect(JSON.parse(String(c.result.outputs?.body)).headers.authorization).toBe('Bearer t0k');
  });

  it('follows redirects unless followRedirects is false', async () => {
    const followed = await run({ uri: `${server.url}/redirect` });
    expect(followed.result.outputs).toMatchObject({ code: 200, body: '{"hello":"world"}' });
    const kept = await run({ uri: `${server.url}/redirect`, options: { followRedirects: false } });
    expect(kept.result.outputs).toMatchObject({ code: 302, headers: { location: ['/json'] } });
  });

  it('fails on 4xx and 5xx, naming the code and the start of the body, unless allowFailed', async () => {
    const missing = await run({ uri: `${server.url}/missing` });
    expect(missing.result).toMatchObject({
      state: 'FAILED', error: { code: 'TASK_FAILED', task: 'http', message: `GET ${server.url}/missing failed with response code 404: no such thing` },
    });
    const broken = await run({ uri: `${server.url}/broken`, method: 'POST' });
    expect(broken.result.error?.message).toBe(`POST ${server.url}/broken failed with response code 500: boom`);
    const allowed = await run({ uri: `${server.url}/missing`, options: { allowFailed: true } });
    expect(allowed.result).toMatchObject({ state: 'SUCCESS', outputs: { code: 404, body: 'no such thing' } });
    const deprecated = await run({ uri: `${server.url}/broken`, allowFailed: true });
    expect(deprecated.result).toMatchObject({ state: 'SUCCESS', outputs: { code: 500 } });
  });

  it('masks a secret used in the uri in its error message', async () => {
    const w = await fakeWorker({ env: { SECRET_API_KEY: Buffer.from('k3y-value').toString('base64') } });
    try {
      const out = await runAttempt(w.task(REQUEST, { uri: `${server.url}/missing?key={{ secret('API_KEY') }}` }), w.deps, opts);
      if (out.kind !== 'result') throw new Error('expected a result');
      expect(out.result.error?.message).toBe(`GET ${server.url}/missing?key=****** failed with response code 404: no such thing`);
    } finally {
      await w.cleanup();
    }
  });

  it('accepts only allowedResponseCodes when they are set', async () => {
    expect((await run({ uri: `${server.url}/missing`, options: { allowedResponseCodes: [404] } })).result.state).toBe('SUCCESS');
    expect((await run({ uri: `${server.url}/json`, options: { allowedResponseCodes: [201] } })).result.error?.message)
      .toBe(`GET ${server.url}/json failed with response code 200: {"hello":"world"}`);
  });

  it('reads a chunked body whole', async () => {
    const { result } = await run({ uri: `${server.url}/chunked` });
    expect(result.outputs).toMatchObject({ body: 'part0;part1;part2;part3;part4;', headers: { 'transfer-encoding': ['chunked'] } });
  });

  it('fails when the server stops sending for longer than readIdleTimeout, before or during the body', async () => {
    const silent = await run({ uri: `${server.url}/silent`, options: { timeout: { readIdleTimeout: 'PT0.2S' } } });
    expect(silent.result).toMatchObject({
      state: 'FAILED', error: { code: 'TASK_FAILED', message: `GET ${server.url}/silent: the server sent nothing for 200 ms (options.timeout.readIdleTimeout)` },
    });
    const slow = await run({ uri: `${server.url}/slow`, options: { readTimeout: 'PT0.2S' } });
    expect(slow.result.error?.message).toBe(`GET ${server.url}/slow: the server sent nothing for 200 ms (options.timeout.readIdleTimeout)`);
  });

  it('ends TIMEOUT when the task timeout comes first, and KILLED when killed', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(REQUEST, { uri: `${server.url}/silent` }, { timeoutMs: 200 }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'TIMEOUT' } } });
      const kill = new AbortController();
      const running = runAttempt(w.task(REQUEST, { uri: `${server.url}/silent` }), w.deps, { ...opts, signal: kill.signal });
      setImmediate(() => kill.abort());
      expect(await running).toMatchObject({ result: { state: 'KILLED', error: { code: 'KILLED' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('says when nothing listens, and refuses a uri that is not http(s)', async () => {
    const refused = await run({ uri: 'http://127.0.0.1:1/x' });
    expect(refused.result).toMatchObject({ state: 'FAILED', error: { code: 'TASK_FAILED', message: 'GET http://127.0.0.1:1/x failed: ECONNREFUSED' } });
    const file = await run({ uri: 'file:///etc/passwd' });
    expect(file.result).toMatchObject({ state: 'FAILED', error: { code: 'FLOW_INVALID', property: 'uri', message: 'uri must be http:// or https://, not file:' } });
  });

  it('streams a body larger than 128 KiB into internal storage as bodyUri', async () => {
    const w = await fakeWorker();
    try {
      const bytes = 300 * 1024;
      const out = await runAttempt(w.task(REQUEST, { id: 'big', uri: `${server.url}/large?bytes=${bytes}` }), w.deps, opts);
      if (out.kind !== 'result') throw new Error('expected a result');
      expect(out.result.outputs?.body).toBeUndefined();
      const uri = String(out.result.outputs?.bodyUri);
      expect(uri).toMatch(new RegExp(`^kestra:///io/aloft/tests/test/executions/${w.execution.id}/tasks/big/[^/]+/body$`));
      expect(await text(await w.blobs.get(uri))).toBe('x'.repeat(bytes));
      expect(out.result.metrics).toEqual({ 'response.length': bytes });
    } finally {
      await w.cleanup();
    }
  });

  it('validates its properties: uri is required, unknown options are refused', () => {
    expect(RequestProperties.safeParse({}).success).toBe(false);
    expect(RequestProperties.safeParse({ uri: 'http://x', options: { proxyHost: 'p' } }).success).toBe(false);
    expect(RequestProperties.safeParse({ uri: 'http://x', options: { auth: { type: 'DIGEST' } } }).error?.issues[0].message)
      .toBe('auth type must be BASIC (username, password) or BEARER (token)');
    expect(RequestProperties.parse({ uri: 'http://x' })).toMatchObject({ method: 'GET', contentType: 'application/json' });
  });

  it('is built and validated without loading undici (loaded on the first request)', () => {
    const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'test/unit/plugins/core/http-lazy-probe.ts'], { encoding: 'utf8' });
    // run-ts removes its bundle at exit, not when its process is killed: named by the child's pid.
    rmSync(`node_modules/.cache/aloft-run/http-lazy-probe-${r.pid}.cjs`, { force: true });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ undici: false });
    // A child process that bundles first: more than jest's 5 s default on a loaded machine.
  }, 30_000);
});
