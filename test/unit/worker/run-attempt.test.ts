import { z } from 'zod';
import { runAttempt } from '../../../lib/worker';
import { fakeWorker } from '../../../lib/worker/testing';
import { NamespaceFiles } from '../../../lib/worker/namespace-files';
import { coreTasks } from '../../../lib/plugins/core';
import type { RunnableTaskDefinition } from '../../../lib/plugins/types';
import { PluginGroup } from '../../../lib/model/catalog';
import { AloftError, ErrorCode } from '../../../lib/model/errors';

const opts = { workerId: 'w1' };

/** A test task type whose run is given by each test. */
function probe(run: RunnableTaskDefinition['run'], extra: Partial<RunnableTaskDefinition> = {}): RunnableTaskDefinition {
  return {
    type: 'io.aloft.tests.Probe', aliases: [], group: PluginGroup.core,
    properties: z.object({ value: z.unknown().optional(), count: z.number().optional(), raw: z.unknown().optional() }).strict(),
    outputs: z.object({ out: z.unknown().optional() }).strict(),
    run, ...extra,
  };
}

describe('runAttempt', () => {
  it('renders the properties, runs the task and returns SUCCESS with its outputs', async () => {
    const w = await fakeWorker({ variables: { inputs: { who: 'world' } } });
    try {
      const out = await runAttempt(w.task('io.kestra.core.tasks.debugs.Return', { id: 'hello', format: 'Hello {{ inputs.who }}' }), w.deps, opts);
      expect(out).toMatchObject({ kind: 'result', result: { state: 'SUCCESS', outputs: { value: 'Hello world' }, attempt: 0 } });
      if (out.kind !== 'result') throw new Error('expected a result');
      expect(Date.parse(out.result.endedAt)).toBeGreaterThanOrEqual(Date.parse(out.result.startedAt));
    } finally {
      await w.cleanup();
    }
  });

  it('resolves a task by its Kestra 1.x alias', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task('io.kestra.plugin.core.debug.Return', { format: 'x' }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { value: 'x' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('fails the task with a clear error when its type is unknown', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task('io.kestra.nope.Missing', { id: 'm' }), w.deps, opts);
      expect(out).toMatchObject({
        result: { state: 'FAILED', error: { code: 'FLOW_INVALID', message: "unknown task type 'io.kestra.nope.Missing'", task: 'm', property: 'type', flow: 'io.aloft.tests.test' } },
      });
    } finally {
      await w.cleanup();
    }
  });

  it('keeps the type of a property that is exactly one expression', async () => {
    let seen: unknown;
    const w = await fakeWorker({ tasks: [probe(async (_ctx, p) => { seen = p; return {}; })], variables: { vars: { n: 3, list: [1, 2] } } });
    try {
      await runAttempt(w.task('io.aloft.tests.Probe', { count: '{{ vars.n }}', value: '{{ vars.list }}', raw: 'n={{ vars.n }}' }), w.deps, opts);
      expect(seen).toEqual({ count: 3, value: [1, 2], raw: 'n=3' });
    } finally {
      await w.cleanup();
    }
  });

  it('leaves lazy properties unrendered for the task', async () => {
    let seen: unknown;
    const def = probe(async (ctx, p) => { seen = [p.raw, await ctx.render(p.raw, { row: 'r1' })]; return {}; }, { lazyProperties: ['raw'] });
    const w = await fakeWorker({ tasks: [def] });
    try {
      const out = await runAttempt(w.task('io.aloft.tests.Probe', { raw: 'row {{ row }}' }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS' } });
      expect(seen).toEqual(['row {{ row }}', 'row r1']);
    } finally {
      await w.cleanup();
    }
  });

  it('fails the task naming flow, task and property when a template names an undefined variable', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task('io.kestra.core.tasks.debugs.Return', { id: 'r', format: '{{ outputs.nope.value }}' }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'EXPRESSION', flow: 'io.aloft.tests.test', task: 'r', property: 'format' } } });
      if (out.kind === 'result') expect(out.result.error?.message).toContain('nope');
    } finally {
      await w.cleanup();
    }
  });

  it('fails the task naming the property when a rendered value does not fit its schema', async () => {
    const w = await fakeWorker({ variables: { vars: { level: 'LOUD' } } });
    try {
      const out = await runAttempt(w.task('io.kestra.core.tasks.log.Log', { id: 'l', message: 'hi', level: '{{ vars.level }}' }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'FLOW_INVALID', task: 'l', property: 'level' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('maps an error thrown by the task onto the closed set, without a stack trace', async () => {
    const w = await fakeWorker({ tasks: [probe(async () => { throw new TypeError('cannot read x of undefined'); })] });
    try {
      const out = await runAttempt(w.task('io.aloft.tests.Probe', { id: 'p' }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'TASK_FAILED', message: 'cannot read x of undefined', task: 'p' } } });
      expect(JSON.stringify(out)).not.toMatch(/at .*\.ts:\d+/);
      const logged = await w.logLines();
      expect(logged.map((l) => [l.level, l.message])).toContainEqual(['ERROR', 'cannot read x of undefined']);
    } finally {
      await w.cleanup();
    }
  });

  it('keeps the code of an Aloft error thrown by the task', async () => {
    const w = await fakeWorker({ tasks: [probe(async () => { throw new AloftError(ErrorCode.STORAGE_FORBIDDEN, 'no'); })] });
    try {
      const out = await runAttempt(w.task('io.aloft.tests.Probe', {}), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'STORAGE_FORBIDDEN', message: 'no' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('ends WARNING when the task says so', async () => {
    const w = await fakeWorker({ tasks: [probe(async () => ({ outputs: { out: 1 }, state: 'WARNING' as const }))] });
    try {
      const out = await runAttempt(w.task('io.aloft.tests.Probe', {}), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'WARNING', outputs: { out: 1 } } });
    } finally {
      await w.cleanup();
    }
  });

  it('fails the task when it returns outputs that do not fit its schema', async () => {
    const w = await fakeWorker({ tasks: [probe(async () => ({ unexpected: true }) as never)] });
    try {
      const out = await runAttempt(w.task('io.aloft.tests.Probe', {}), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'INTERNAL' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('fails the task when its outputs are too large for a message', async () => {
    const w = await fakeWorker({ tasks: [probe(async () => ({ out: 'x'.repeat(300 * 1024) }))] });
    try {
      const out = await runAttempt(w.task('io.aloft.tests.Probe', {}), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'PAYLOAD_TOO_LARGE' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('fails the task with a clear error when its outputs nest deeper than 1000 levels', async () => {
    const deep = JSON.parse('['.repeat(20_000) + ']'.repeat(20_000));
    const w = await fakeWorker({ tasks: [probe(async () => ({ out: deep }))] });
    try {
      const out = await runAttempt(w.task('io.aloft.tests.Probe', {}), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'TASK_FAILED', message: "the task's outputs are nested deeper than 1000 levels" } } });
    } finally {
      await w.cleanup();
    }
  });

  it('returns a suspension with the continuation a resumable task asked for', async () => {
    let given: unknown;
    const w = await fakeWorker({ tasks: [probe(async (_c, _p, continuation) => { given = continuation; return { suspend: true, continuation: { job: 'j-2' } }; })] });
    try {
      const out = await runAttempt(w.task('io.aloft.tests.Probe', {}, { continuation: { job: 'j-1' } }), w.deps, opts);
      expect(out).toEqual({ kind: 'suspended', continuation: { job: 'j-2' } });
      expect(given).toEqual({ job: 'j-1' });
    } finally {
      await w.cleanup();
    }
  });

  it('fails with TIMEOUT and aborts the signal when the task outlives its timeout', async () => {
    let aborted = false;
    const def = probe((ctx) => new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => { aborted = true; reject(new Error('stopped')); });
    }));
    const w = await fakeWorker({ tasks: [def] });
    try {
      const out = await runAttempt(w.task('io.aloft.tests.Probe', { id: 'slow' }, { timeoutMs: 50 }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'TIMEOUT', message: 'the task timed out after PT0.05S', task: 'slow' } } });
      expect(aborted).toBe(true);
    } finally {
      await w.cleanup();
    }
  });

  it('returns after the grace period when a timed-out task ignores its signal', async () => {
    const w = await fakeWorker({ tasks: [probe(() => new Promise(() => undefined))] });
    try {
      const out = await runAttempt(w.task('io.aloft.tests.Probe', {}, { timeoutMs: 20 }), { ...w.deps, abortGraceMs: 20 }, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'TIMEOUT' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('ends KILLED when the kill signal is aborted', async () => {
    const kill = new AbortController();
    const def = probe((ctx) => new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
      setImmediate(() => kill.abort());
    }));
    const w = await fakeWorker({ tasks: [def] });
    try {
      const out = await runAttempt(w.task('io.aloft.tests.Probe', {}), w.deps, { ...opts, signal: kill.signal });
      expect(out).toMatchObject({ result: { state: 'KILLED', error: { code: 'KILLED' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('runs a task whose run returns a plain value instead of a promise', async () => {
    const def = probe((() => ({ out: 'sync' })) as unknown as RunnableTaskDefinition['run']);
    const w = await fakeWorker({ tasks: [def] });
    try {
      const out = await runAttempt(w.task('io.aloft.tests.Probe', {}, { timeoutMs: 60_000 }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { out: 'sync' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('does not start a task whose attempt was killed before it began', async () => {
    let ran = false;
    const w = await fakeWorker({ tasks: [probe(async () => { ran = true; return {}; })] });
    try {
      const kill = new AbortController();
      kill.abort();
      const out = await runAttempt(w.task('io.aloft.tests.Probe', {}), w.deps, { ...opts, signal: kill.signal });
      expect(out).toMatchObject({ result: { state: 'KILLED' } });
      expect(ran).toBe(false);
    } finally {
      await w.cleanup();
    }
  });

  it('gives the task a deadline no later than its timeout', async () => {
    let deadline: Date | undefined;
    const w = await fakeWorker({ tasks: [probe(async (ctx) => { deadline = ctx.deadline; return {}; })] });
    try {
      const far = new Date(Date.now() + 3_600_000);
      await runAttempt(w.task('io.aloft.tests.Probe', {}, { timeoutMs: 60_000 }), w.deps, { ...opts, deadline: far });
      expect(deadline!.getTime()).toBeLessThan(far.getTime());
      await runAttempt(w.task('io.aloft.tests.Probe', {}), w.deps, { ...opts, deadline: far });
      expect(deadline).toEqual(far);
    } finally {
      await w.cleanup();
    }
  });

  it('renders secrets and masks their values in logs and errors', async () => {
    const env = { SECRET_TOKEN: Buffer.from('hunter22').toString('base64') };
    const def = probe(async (ctx, p) => {
      ctx.logger.info(`using ${String(p.value)}`);
      throw new Error(`login failed with ${String(p.value)}`);
    });
    const w = await fakeWorker({ tasks: [def], env });
    try {
      const out = await runAttempt(w.task('io.aloft.tests.Probe', { value: "{{ secret('TOKEN') }}" }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { message: 'login failed with ******' } } });
      const messages = (await w.logLines()).map((l) => l.message);
      expect(messages).toContain('using ******');
      expect(JSON.stringify(messages)).not.toContain('hunter22');
    } finally {
      await w.cleanup();
    }
  });

  it('masks a secret longer than 40 characters in an error that quotes it cut short', async () => {
    const long = 'sk-live-0123456789abcdefghijklmnopqrstuvwxyz0123456789';
    const w = await fakeWorker({ env: { SECRET_LONG: Buffer.from(long).toString('base64') } });
    try {
      const out = await runAttempt(w.task('io.kestra.core.tasks.debugs.Return', { format: "{{ secret('LONG') * 2 }}" }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED' } });
      const text = JSON.stringify(out) + JSON.stringify(await w.logLines());
      expect(text).not.toContain(long.slice(0, 16));
    } finally {
      await w.cleanup();
    }
  });

  it('masks secrets in the outputs a task returns, and values equal to a secret', async () => {
    const env = { SECRET_TOKEN: Buffer.from('hunter22-token').toString('base64') };
    const def = probe(async (_ctx, p) => ({ out: { given: p.value, derived: ['hunter', '22-token'].join(''), list: [`Bearer ${String(p.value)}`] } }));
    const w = await fakeWorker({ tasks: [def], env });
    try {
      const out = await runAttempt(w.task('io.aloft.tests.Probe', { value: "{{ secret('TOKEN') }}" }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { out: { given: '******', derived: '******', list: ['Bearer ******'] } } } });
    } finally {
      await w.cleanup();
    }
    const core = await fakeWorker({ env });
    try {
      const ret = await runAttempt(core.task('io.kestra.core.tasks.debugs.Return', { format: "{{ secret('TOKEN') }}" }), core.deps, opts);
      expect(ret).toMatchObject({ result: { state: 'SUCCESS', outputs: { value: '******' } } });
    } finally {
      await core.cleanup();
    }
  });

  it('exposes ENV_ environment variables as envs, lower-cased without the prefix, and no ALOFT_ setting', async () => {
    const w = await fakeWorker({ env: { ENV_REGION: 'eu', OTHER: 'x', ALOFT_API_TOKEN: 'admin-token' } });
    try {
      const out = await runAttempt(w.task('io.kestra.core.tasks.debugs.Return', { format: '{{ envs.region }}' }), w.deps, opts);
      expect(out).toMatchObject({ result: { outputs: { value: 'eu' } } });
      const keys = await runAttempt(w.task('io.kestra.core.tasks.debugs.Return', { format: '{{ envs | keys }}' }), w.deps, opts);
      expect(keys).toMatchObject({ result: { outputs: { value: '["region"]' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('reads variables from internal storage when the message carries a URI instead', async () => {
    const w = await fakeWorker();
    try {
      const base = w.task('io.kestra.core.tasks.debugs.Return', { format: '{{ inputs.big }}' });
      const uri = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/variables/${base.taskRunId}.json`;
      await w.blobs.put(uri, JSON.stringify({ ...base.variables, inputs: { big: 'from storage' } }));
      const out = await runAttempt({ ...base, variables: {}, variablesUri: uri }, w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { value: 'from storage' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('drops log lines below the task logLevel', async () => {
    const w = await fakeWorker();
    try {
      const task = (level: string) => w.task('io.kestra.core.tasks.log.Log', { message: `at ${level}`, level, logLevel: 'WARN' });
      await runAttempt(task('INFO'), w.deps, opts);
      await runAttempt(task('ERROR'), w.deps, opts);
      expect((await w.logLines()).map((l) => l.message)).toEqual(['at ERROR']);
    } finally {
      await w.cleanup();
    }
  });

  it('returns the metrics the task recorded', async () => {
    const w = await fakeWorker({ tasks: coreTasks });
    try {
      const out = await runAttempt(w.task('io.kestra.core.tasks.debugs.Return', { format: 'abcd' }), w.deps, opts);
      expect(out).toMatchObject({ result: { metrics: { length: 4 } } });
    } finally {
      await w.cleanup();
    }
  });

  describe('read() in task properties', () => {
    const VALUES = 'io.kestra.plugin.core.output.OutputValues';

    it('reads a file of the execution\'s namespace and a file of the execution', async () => {
      const w = await fakeWorker();
      try {
        await new NamespaceFiles(w.blobs).put('io.aloft.tests', 'sql/q.sql', 'select 1');
        const own = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/inputs/f/data.txt`;
        await w.blobs.put(own, 'mine');
        const out = await runAttempt(w.task(VALUES, { id: 't', values: { q: "{{ read('sql/q.sql') }}", f: `{{ read('${own}') }}` } }), w.deps, { workerId: 'w' });
        expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { values: { q: 'select 1', f: 'mine' } } } });
      } finally {
        await w.cleanup();
      }
    });

    it.each([
      '../../../company/_files/secret.txt',
      '%2e%2e/%2e%2e/company/_files/secret.txt',
      'kestra:///company/_files/secret.txt',
      'kestra:///company/other/executions/e1/tasks/t/r/out.txt',
      'kestra:///io/aloft/tests/test/executions/../../../../company/_files/secret.txt',
    ])('refuses read(%j) outside the execution\'s namespace and files, naming the path', async (path) => {
      const w = await fakeWorker();
      try {
        await new NamespaceFiles(w.blobs).put('company', 'secret.txt', 'TOP SECRET');
        await w.blobs.put('kestra:///company/other/executions/e1/tasks/t/r/out.txt', 'TOP SECRET');
        const out = await runAttempt(w.task(VALUES, { id: 't', values: { v: `{{ read('${path}') }}` } }), w.deps, { workerId: 'w' });
        expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'EXPRESSION', property: 'values.v', message: expect.stringContaining(`read('${path}')`) } } });
        expect(JSON.stringify(out)).not.toContain('TOP SECRET');
      } finally {
        await w.cleanup();
      }
    });
  });

  describe('file functions and errorLogs() in task properties', () => {
    const VALUES = 'io.kestra.plugin.core.output.OutputValues';

    it('looks up namespace files and execution files, by literal or computed path', async () => {
      const w = await fakeWorker();
      try {
        await new NamespaceFiles(w.blobs).put('io.aloft.tests', 'data/in.csv', 'a,b\n1,2\n');
        await new NamespaceFiles(w.blobs).put('io.aloft.tests', 'empty.txt', '');
        const own = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/inputs/f/data.txt`;
        await w.blobs.put(own, 'mine');
        const values = {
          size: "{{ fileSize('data/in.csv') }}", empty: "{{ isFileEmpty('empty.txt') }}", there: "{{ fileExists('data/' ~ 'in.csv') }}",
          gone: "{{ fileExists('nope.txt') }}", own: `{{ fileSize('${own}') }}`, uri: "{{ fileURI('data/in.csv') }}",
        };
        const out = await runAttempt(w.task(VALUES, { id: 't', values }), w.deps, { workerId: 'w' });
        expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { values: {
          size: 8, empty: true, there: true, gone: false, own: 4, uri: 'kestra:///io/aloft/tests/_files/data/in.csv',
        } } } });
      } finally {
        await w.cleanup();
      }
    });

    it.each([
      '../../../company/_files/secret.txt',
      'kestra:///company/other/executions/e1/tasks/t/r/out.txt',
    ])('refuses fileExists(%j) outside the execution\'s namespace and files, naming the path', async (path) => {
      const w = await fakeWorker();
      try {
        await new NamespaceFiles(w.blobs).put('company', 'secret.txt', 'TOP SECRET');
        await w.blobs.put('kestra:///company/other/executions/e1/tasks/t/r/out.txt', 'TOP SECRET');
        const out = await runAttempt(w.task(VALUES, { id: 't', values: { v: `{{ fileExists('${path}') }}` } }), w.deps, { workerId: 'w' });
        expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'EXPRESSION', property: 'values.v', message: expect.stringContaining(`fileExists('${path}')`) } } });
      } finally {
        await w.cleanup();
      }
    });

    it("gives errorLogs() the execution's ERROR lines only", async () => {
      const w = await fakeWorker();
      try {
        await w.logs.append([
          { executionId: w.execution.id, flowId: 'test', namespace: 'io.aloft.tests', taskId: 'load', taskRunId: 'r0', level: 'INFO', message: 'starting', timestamp: '2026-01-01T00:00:00.000Z' },
          { executionId: w.execution.id, flowId: 'test', namespace: 'io.aloft.tests', taskId: 'load', taskRunId: 'r0', level: 'ERROR', message: 'connection refused', timestamp: '2026-01-01T00:00:01.000Z' },
        ]);
        const out = await runAttempt(w.task(VALUES, { id: 't', values: { n: '{{ errorLogs() | length }}', m: '{{ errorLogs()[0].taskId }}: {{ errorLogs()[0].message }}' } }), w.deps, { workerId: 'w' });
        expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { values: { n: 1, m: 'load: connection refused' } } } });
      } finally {
        await w.cleanup();
      }
    });
  });
});
