import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runAttempt } from '../../../../lib/worker';
import { NamespaceFiles } from '../../../../lib/worker/namespace-files';
import { fakeWorker } from '../../../../lib/worker/testing';
import { waitGone } from './proc-helpers';

// The shared 1.x script behaviour, driven through shell.Commands on the Process runner.
const COMMANDS = 'io.kestra.plugin.scripts.shell.Commands';
const PROCESS = { type: 'io.kestra.plugin.core.runner.Process' };
const opts = { workerId: 'w' };

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const c of stream) out += String(c);
  return out;
}

describe('the 1.x script tasks (shared behaviour)', () => {
  it('reads outputs, metrics and logs from ::{...}:: lines, as outputs.<task>.vars', async () => {
    const w = await fakeWorker({ variables: { inputs: { n: 3 } } });
    try {
      const out = await runAttempt(w.task(COMMANDS, {
        taskRunner: PROCESS,
        commands: [
          'echo "hello {{ inputs.n }}"',
          'echo \'::{"outputs":{"count":{{ inputs.n }},"name":"x"}}::\'',
          'echo \'::{"metrics":[{"name":"rows","type":"counter","value":7}]}::\'',
          'echo \'::{"logs":[{"level":"WARN","message":"from the protocol"}]}::\'',
        ],
      }), w.deps, opts);
      expect(out).toMatchObject({
        result: { state: 'SUCCESS', outputs: { exitCode: 0, vars: { count: 3, name: 'x' }, outputFiles: {} }, metrics: { rows: 7 } },
      });
      const logs = (await w.logLines()).map((l) => [l.level, l.message]);
      expect(logs).toContainEqual(['INFO', 'hello 3']);
      expect(logs).toContainEqual(['WARN', 'from the protocol']);
      // Protocol lines are read, not logged.
      expect(logs.some(([, m]) => m.startsWith('::{'))).toBe(false);
    } finally {
      await w.cleanup();
    }
  });

  it('logs a malformed protocol line as a warning and carries on', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(COMMANDS, {
        taskRunner: PROCESS, commands: ['echo \'::{"outputs": nope}::\'', 'echo \'::{"outputs":{"ok":true}}::\''],
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { ok: true } } } });
      expect((await w.logLines()).some((l) => l.level === 'WARN' && l.message.startsWith('invalid outputs line'))).toBe(true);
    } finally {
      await w.cleanup();
    }
  });

  it('runs beforeCommands first, and stops at the first failing command while failFast', async () => {
    const w = await fakeWorker();
    try {
      const before = await runAttempt(w.task(COMMANDS, {
        taskRunner: PROCESS, beforeCommands: ['export GREETING=hi'], commands: ['echo "::{\\"outputs\\":{\\"g\\":\\"$GREETING\\"}}::"'],
      }), w.deps, opts);
      expect(before).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { g: 'hi' } } } });

      const strict = await runAttempt(w.task(COMMANDS, { id: 'strict', taskRunner: PROCESS, commands: ['echo "no such" >&2', 'false', 'echo after'] }), w.deps, opts);
      expect(strict).toMatchObject({ result: { state: 'FAILED', error: { code: 'TASK_FAILED', task: 'strict' } } });
      if (strict.kind === 'result') expect(strict.result.error?.message).toBe('Command failed with exit code 1; last lines of stderr:\nno such');

      const lax = await runAttempt(w.task(COMMANDS, { taskRunner: PROCESS, failFast: false, commands: ['false', 'echo \'::{"outputs":{"after":1}}::\''] }), w.deps, opts);
      expect(lax).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { after: 1 } } } });
    } finally {
      await w.cleanup();
    }
  });

  it('logs stderr as ERROR and ends WARNING on stderr, unless warningOnStdErr is false', async () => {
    const w = await fakeWorker();
    try {
      const warn = await runAttempt(w.task(COMMANDS, { taskRunner: PROCESS, commands: ['echo oops >&2'] }), w.deps, opts);
      expect(warn).toMatchObject({ result: { state: 'WARNING', outputs: { exitCode: 0 } } });
      const quiet = await runAttempt(w.task(COMMANDS, { taskRunner: PROCESS, warningOnStdErr: false, commands: ['echo oops >&2'] }), w.deps, opts);
      expect(quiet).toMatchObject({ result: { state: 'SUCCESS' } });
      expect((await w.logLines()).filter((l) => l.message === 'oops').map((l) => l.level)).toEqual(['ERROR', 'ERROR']);
    } finally {
      await w.cleanup();
    }
  });

  it('passes env and WORKING_DIR, renders workingDir, and keeps SECRET_ variables out', async () => {
    const w = await fakeWorker({ env: { PATH: '/usr/bin:/bin', SECRET_PW: Buffer.from('pw').toString('base64') }, variables: { vars: { region: 'eu' } } });
    try {
      const out = await runAttempt(w.task(COMMANDS, {
        taskRunner: PROCESS, env: { REGION: '{{ vars.region }}', PORT: 5432 },
        commands: [
          'test "$WORKING_DIR" = "$(pwd)" && test "{{ workingDir }}" = "$(pwd)"',
          'echo "::{\\"outputs\\":{\\"env\\":\\"$REGION:$PORT:${SECRET_PW:-none}\\"}}::"',
        ],
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { env: 'eu:5432:none' } } } });
    } finally {
      await w.cleanup();
    }
  });

  it('writes inputFiles (text, internal storage or a JSON map) and replaces kestra:// URIs in commands by local copies', async () => {
    const w = await fakeWorker();
    try {
      const stored = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/inputs/data/data.csv`;
      await w.blobs.put(stored, 'a,b\n1,2\n');
      const map = await runAttempt(w.task(COMMANDS, {
        taskRunner: PROCESS, inputFiles: { 'sub/in.csv': stored, 'note.txt': 'dir {{ workingDir }}' },
        commands: ['grep -q "dir $(pwd)" note.txt', `echo "::{\\"outputs\\":{\\"rows\\":$(wc -l < sub/in.csv),\\"direct\\":$(wc -l < ${stored})}}::"`],
      }), w.deps, opts);
      expect(map).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { rows: 2, direct: 2 } } } });

      const json = await runAttempt(w.task(COMMANDS, {
        taskRunner: PROCESS, inputFiles: '{"a.txt": "A"}', commands: ['echo "::{\\"outputs\\":{\\"a\\":\\"$(cat a.txt)\\"}}::"'],
      }), w.deps, opts);
      expect(json).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { a: 'A' } } } });

      const escape = await runAttempt(w.task(COMMANDS, { taskRunner: PROCESS, inputFiles: { '../x': 'no' }, commands: ['true'] }), w.deps, opts);
      expect(escape).toMatchObject({ result: { state: 'FAILED', error: { code: 'FLOW_INVALID', property: 'inputFiles.../x' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('refuses a kestra:// URI of another execution in the commands', async () => {
    const w = await fakeWorker();
    try {
      const other = 'kestra:///io/aloft/tests/test/executions/other/inputs/data/data.csv';
      await w.blobs.put(other, 'secret');
      const out = await runAttempt(w.task(COMMANDS, { taskRunner: PROCESS, commands: [`cat ${other}`] }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'STORAGE_FORBIDDEN' } } });
    } finally {
      await w.cleanup();
    }
  });

  it('stores the files matching outputFiles globs and outputs their URIs by relative path', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(COMMANDS, {
        id: 'files', taskRunner: PROCESS, outputFiles: ['*.csv', 'deep/**.json', 'exact.txt'],
        commands: ['mkdir -p deep/er', 'echo 1 > a.csv', 'echo 2 > b.csv', 'echo no > c.tsv', 'echo {} > deep/er/x.json', 'echo e > exact.txt', 'mkdir n && echo no > n/n.csv'],
      }), w.deps, opts);
      if (out.kind !== 'result') throw new Error('expected a result');
      expect(out.result.state).toBe('SUCCESS');
      const files = out.result.outputs?.outputFiles as Record<string, string>;
      expect(Object.keys(files).sort()).toEqual(['a.csv', 'b.csv', 'deep/er/x.json', 'exact.txt']);
      expect(files['a.csv']).toMatch(new RegExp(`^kestra:///io/aloft/tests/test/executions/${w.execution.id}/tasks/files/[^/]+/a.csv$`));
      expect(await text(await w.blobs.get(files['b.csv']))).toBe('2\n');
      expect(await text(await w.blobs.get(files['deep/er/x.json']))).toBe('{}\n');
    } finally {
      await w.cleanup();
    }
  });

  it('keeps every file of {{ outputDir }} (OUTPUT_DIR) with the deprecated outputDirectory, or the deprecated runner', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(COMMANDS, {
        taskRunner: PROCESS, outputDirectory: true,
        commands: ['echo a > {{ outputDir }}/a.txt', 'mkdir "$OUTPUT_DIR/sub" && echo b > "$OUTPUT_DIR/sub/b.txt"', 'echo no > not-kept.txt'],
      }), w.deps, opts);
      if (out.kind !== 'result') throw new Error('expected a result');
      const files = out.result.outputs?.outputFiles as Record<string, string>;
      expect(Object.keys(files).sort()).toEqual(['a.txt', 'sub/b.txt']);
      expect(await text(await w.blobs.get(files['sub/b.txt']))).toBe('b\n');
      const legacy = await runAttempt(w.task(COMMANDS, { runner: 'PROCESS', commands: ['echo x > "$OUTPUT_DIR/x.txt"'] }), w.deps, opts);
      expect(legacy).toMatchObject({ result: { state: 'SUCCESS', outputs: { outputFiles: { 'x.txt': expect.stringMatching(/\/x\.txt$/) } } } });
      const off = await runAttempt(w.task(COMMANDS, { taskRunner: PROCESS, commands: ['test -z "$OUTPUT_DIR"'] }), w.deps, opts);
      expect(off).toMatchObject({ result: { state: 'SUCCESS', outputs: { outputFiles: {} } } });
    } finally {
      await w.cleanup();
    }
  });

  it('stops the script and every process it started when the task times out', async () => {
    const w = await fakeWorker();
    try {
      const pidFile = join(w.dataDir, 'pids');
      const out = await runAttempt(w.task(COMMANDS, {
        taskRunner: PROCESS, commands: [`sleep 300 & echo $! > ${pidFile}`, 'wait'],
      }, { timeoutMs: 500 }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'TIMEOUT' } } });
      expect(await waitGone(Number((await readFile(pidFile, 'utf8')).trim()))).toBe(true);
    } finally {
      await w.cleanup();
    }
  });

  it('ends KILLED, with its processes gone, when the attempt is killed', async () => {
    const w = await fakeWorker();
    try {
      const pidFile = join(w.dataDir, 'pids');
      const kill = new AbortController();
      const running = runAttempt(w.task(COMMANDS, { taskRunner: PROCESS, commands: [`sleep 300 & echo $! > ${pidFile}`, 'wait'] }), w.deps, { ...opts, signal: kill.signal });
      while (!(await readFile(pidFile, 'utf8').catch(() => '')).trim()) await new Promise((r) => setTimeout(r, 20));
      kill.abort();
      expect(await running).toMatchObject({ result: { state: 'KILLED', error: { code: 'KILLED' } } });
      expect(await waitGone(Number((await readFile(pidFile, 'utf8')).trim()))).toBe(true);
    } finally {
      await w.cleanup();
    }
  });

  it('runs with the deprecated runner: PROCESS too', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(COMMANDS, { runner: 'PROCESS', commands: ['echo \'::{"outputs":{"v":1}}::\''] }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { v: 1 } } } });
    } finally {
      await w.cleanup();
    }
  });

  it('runs a script longer than one argument may be through a file', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task(COMMANDS, { taskRunner: PROCESS, commands: [`# ${'x'.repeat(140_000)}`, 'echo \'::{"outputs":{"v":2}}::\''] }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { v: 2 } } } });
    } finally {
      await w.cleanup();
    }
  });

  it('copies the files of the execution\'s namespace, filtered by include and exclude, under inputFiles', async () => {
    const w = await fakeWorker();
    try {
      const files = new NamespaceFiles(w.blobs);
      await files.put('io.aloft.tests', 'scripts/etl.sh', 'echo etl');
      await files.put('io.aloft.tests', 'scripts/skip.sh', 'echo skip');
      await files.put('io.aloft.tests', 'notes.md', 'notes');
      await files.put('io.aloft.tests', 'conf.txt', 'from the namespace');
      await files.put('io.aloft.other', 'scripts/theirs.sh', 'echo theirs');
      const out = await runAttempt(w.task(COMMANDS, {
        taskRunner: PROCESS,
        namespaceFiles: { enabled: true, include: ['scripts/**', '*.txt'], exclude: ['**skip.sh'] },
        inputFiles: { 'conf.txt': 'from inputFiles' },
        commands: ['find . -type f -not -name "*.sh.*" | sort | tr "\\n" " "; echo; sh scripts/etl.sh; cat conf.txt'],
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS' } });
      const lines = (await w.logLines()).map((l) => l.message);
      expect(lines).toEqual(expect.arrayContaining(['./conf.txt ./scripts/etl.sh ', 'etl', 'from inputFiles']));
      expect(lines.join('\n')).not.toContain('theirs');
      expect(lines.join('\n')).not.toContain('notes.md');
    } finally {
      await w.cleanup();
    }
  });

  it('copies nothing from the namespace unless namespaceFiles.enabled is true', async () => {
    const w = await fakeWorker();
    try {
      await new NamespaceFiles(w.blobs).put('io.aloft.tests', 'a.txt', 'x');
      const out = await runAttempt(w.task(COMMANDS, { taskRunner: PROCESS, namespaceFiles: { enabled: false }, commands: ['test ! -e a.txt'] }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS' } });
    } finally {
      await w.cleanup();
    }
  });
});
