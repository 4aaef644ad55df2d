import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';
import { BashProperties } from '../../../../lib/plugins/scripts/bash';
import { waitGone } from './proc-helpers';

const BASH = 'io.kestra.core.tasks.scripts.Bash';
const opts = { workerId: 'w' };

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const c of stream) out += String(c);
  return out;
}

describe('Bash', () => {
  it('runs the commands and sets outputs from ::{"outputs":...}:: lines', async () => {
    const w = await fakeWorker({ variables: { inputs: { n: 3 } } });
    try {
      const out = await runAttempt(w.task(BASH, {
        commands: ['echo "hello {{ inputs.n }}"', 'echo \'::{"outputs":{"count":{{ inputs.n }},"name":"x"}}::\''],
      }), w.deps, opts);
      expect(out).toMatchObject({
        result: { state: 'SUCCESS', outputs: { exitCode: 0, stdOutLineCount: 2, stdErrLineCount: 0, vars: { count: 3, name: 'x' }, outputFiles: {} } },
      });
      expect((await w.logLines()).map((l) => l.message)).toContain('hello 3');
    } finally {
      await w.cleanup();
    }
  });

  it('fails on a non-zero exit, naming the exit code and the last lines of stderr', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(BASH, { id: 'bad', commands: ['echo "disk full" >&2', 'exit 4'] }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'TASK_FAILED', task: 'bad' } } });
      if (out.kind === 'result') expect(out.result.error?.message).toBe('Command failed with exit code 4; last lines of stderr:\ndisk full');
    } finally {
      await w.cleanup();
    }
  });

  it('stops at the first failing command unless exitOnFailed is false', async () => {
    const w = await fakeWorker();
    try {
      const strict = await runAttempt(w.task(BASH, { commands: ['false', 'echo after'] }), w.deps, opts);
      expect(strict).toMatchObject({ result: { state: 'FAILED' } });
      const lax = await runAttempt(w.task(BASH, { exitOnFailed: false, commands: ['false', 'echo after'] }), w.deps, opts);
      expect(lax).toMatchObject({ result: { state: 'SUCCESS', outputs: { stdOutLineCount: 1 } } });
    } finally {
      await w.cleanup();
    }
  });

  it('ends WARNING when anything is written to stderr, unless warningOnStdErr is false', async () => {
    const w = await fakeWorker();
    try {
      const warn = await runAttempt(w.task(BASH, { commands: ['echo oops >&2'] }), w.deps, opts);
      expect(warn).toMatchObject({ result: { state: 'WARNING', outputs: { stdErrLineCount: 1, warningOnStdErr: true } } });
      const quiet = await runAttempt(w.task(BASH, { warningOnStdErr: false, commands: ['echo oops >&2'] }), w.deps, opts);
      expect(quiet).toMatchObject({ result: { state: 'SUCCESS' } });
      expect((await w.logLines()).filter((l) => l.message === 'oops').map((l) => l.level)).toEqual(['WARN', 'WARN']);
    } finally {
      await w.cleanup();
    }
  });

  it('writes input files into the working directory, from text or from internal storage', async () => {
    const w = await fakeWorker();
    try {
      const stored = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/inputs/data/data.csv`;
      await w.blobs.put(stored, 'a,b\n1,2\n');
      const out = await runAttempt(w.task(BASH, {
        inputFiles: { 'script.sh': 'echo "in {{ workingDir }}"', 'data/in.csv': stored },
        commands: ['sh script.sh | grep -q "in $(pwd)"', 'echo "::{\\"outputs\\":{\\"rows\\":$(wc -l < data/in.csv)}}::"'],
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { rows: 2 } } } });
    } finally {
      await w.cleanup();
    }
  });

  it('stores output files in internal storage and outputs their URIs', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(BASH, {
        id: 'files', outputFiles: ['first', 'result.txt'],
        commands: ['echo 1 >> {{ outputFiles.first }}', 'echo done > result.txt'],
      }), w.deps, opts);
      if (out.kind !== 'result') throw new Error('expected a result');
      expect(out.result.state).toBe('SUCCESS');
      const files = out.result.outputs?.outputFiles as Record<string, string>;
      expect(files.first).toMatch(new RegExp(`^kestra:///io/aloft/tests/test/executions/${w.execution.id}/tasks/files/[^/]+/first$`));
      expect(await text(await w.blobs.get(files.first))).toBe('1\n');
      expect(await text(await w.blobs.get(files['result.txt']))).toBe('done\n');
      expect(out.result.outputs?.files).toEqual(files);
    } finally {
      await w.cleanup();
    }
  });

  it('passes env to the script and keeps SECRET_ variables out of it', async () => {
    const env = { PATH: '/usr/bin:/bin', SECRET_PW: Buffer.from('pw').toString('base64') };
    const w = await fakeWorker({ env, variables: { vars: { region: 'eu' } } });
    try {
      const out = await runAttempt(w.task(BASH, {
        env: { REGION: '{{ vars.region }}', PORT: 5432 },
        commands: ['echo "::{\\"outputs\\":{\\"env\\":\\"$REGION:$PORT:${SECRET_PW:-none}\\"}}::"'],
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { outputs: { vars: { env: 'eu:5432:none' } } } });
    } finally {
      await w.cleanup();
    }
  });

  it('keeps the settings of Aloft (the API token) out of the script environment, and passes the rest', async () => {
    const env = { PATH: '/usr/bin:/bin', ALOFT_API_TOKEN: 'admin-token', ALOFT_DATA_DIR: '/srv/aloft', LANG: 'C.UTF-8' };
    const w = await fakeWorker({ env });
    try {
      const out = await runAttempt(w.task(BASH, { commands: ['env | grep -c "^ALOFT_" || true', 'echo "lang=$LANG"'] }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS' } });
      expect((await w.logLines()).map((l) => l.message)).toEqual(['0', 'lang=C.UTF-8']);
    } finally {
      await w.cleanup();
    }
  });

  it('masks a multi-line secret line by line, and a secret set as a script output', async () => {
    const pem = '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----';
    const w = await fakeWorker({ env: { PATH: '/usr/bin:/bin', SECRET_PEM: Buffer.from(pem).toString('base64') } });
    try {
      const out = await runAttempt(w.task(BASH, {
        commands: ["cat <<'EOF'\n{{ secret('PEM') }}\nEOF", 'echo "::{\\"outputs\\":{\\"key\\":\\"$(echo MIIEvQIBADANBgkqhkiG9w0BAQEFAASC)\\"}}::"'],
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { key: '******' } } } });
      const text = JSON.stringify(await w.logLines()) + JSON.stringify(out);
      for (const line of pem.split('\n')) expect(text).not.toContain(line);
    } finally {
      await w.cleanup();
    }
  });

  it('stores at most the log budget of a script that prints 11 MB, and still succeeds', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(BASH, { commands: ["yes 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' | head -n 120000"] }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { stdOutLineCount: 120000 } } });
      const lines = await w.logLines();
      expect(lines.reduce((n, l) => n + l.message.length, 0)).toBeLessThan(8.5 * 1024 * 1024);
      expect(lines.at(-1)?.message).toMatch(/^\d+ log lines were dropped past the limit$/);
    } finally {
      await w.cleanup();
    }
  }, 20_000);

  it('runs with another interpreter and its arguments', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(BASH, {
        interpreter: '/bin/bash', interpreterArgs: ['-c'], commands: ['arr=(a b c); echo "::{\\"outputs\\":{\\"n\\":${#arr[@]}}}::"'],
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { n: 3 } } } });
    } finally {
      await w.cleanup();
    }
  });

  it('runs a script longer than one argument may be through a file', async () => {
    const w = await fakeWorker();
    try {
      const big = `# ${'x'.repeat(140_000)}`;
      const out = await runAttempt(w.task(BASH, { commands: [big, 'echo short-enough'] }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { stdOutLineCount: 1 } } });
    } finally {
      await w.cleanup();
    }
  });

  it('stops the script and every process it started when the task times out', async () => {
    const w = await fakeWorker();
    try {
      const pidFile = join(w.dataDir, 'pids');
      const out = await runAttempt(w.task(BASH, {
        commands: [`sleep 300 & echo $! > ${pidFile}`, 'wait'],
      }, { timeoutMs: 500 }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'TIMEOUT' } } });
      const child = Number((await readFile(pidFile, 'utf8')).trim());
      expect(await waitGone(child)).toBe(true);
    } finally {
      await w.cleanup();
    }
  });

  it('ends KILLED, with its processes gone, when the attempt is killed', async () => {
    const w = await fakeWorker();
    try {
      const pidFile = join(w.dataDir, 'pids');
      const kill = new AbortController();
      const running = runAttempt(w.task(BASH, { commands: [`sleep 300 & echo $! > ${pidFile}`, 'echo started', 'wait'] }), w.deps, { ...opts, signal: kill.signal });
      while (!(await readFile(pidFile, 'utf8').catch(() => '')).trim()) await new Promise((r) => setTimeout(r, 20));
      kill.abort();
      expect(await running).toMatchObject({ result: { state: 'KILLED', error: { code: 'KILLED' } } });
      expect(await waitGone(Number((await readFile(pidFile, 'utf8')).trim()))).toBe(true);
    } finally {
      await w.cleanup();
    }
  });

  it('gives an absolute workingDir when the scratch folder of the runtime is a relative path', async () => {
    const w = await fakeWorker();
    try {
      const deps = { ...w.deps, tempRoot: relative(process.cwd(), join(w.dataDir, 'tmp')) };
      const out = await runAttempt(w.task(BASH, { commands: ['test "{{ workingDir }}" = "$(pwd)"'] }), deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS' } });
    } finally {
      await w.cleanup();
    }
  });

  it('refuses the DOCKER runner', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(BASH, { runner: 'DOCKER', dockerOptions: { image: 'alpine' }, commands: ['true'] }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'NOT_SUPPORTED', property: 'runner' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('validates its properties: commands are required, unknown ones are refused', () => {
    expect(BashProperties.safeParse({ commands: [] }).success).toBe(false);
    expect(BashProperties.safeParse({ commands: ['x'], comands: ['y'] }).success).toBe(false);
    expect(BashProperties.parse({ commands: ['x'] })).toMatchObject({ interpreter: '/bin/sh', interpreterArgs: ['-c'], exitOnFailed: true, warningOnStdErr: true });
  });
});
