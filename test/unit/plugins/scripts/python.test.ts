import { join, relative } from 'node:path';
import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';
import { PythonScriptProperties } from '../../../../lib/plugins/scripts/python';

const PROCESS = { type: 'io.kestra.plugin.core.runner.Process' };
const opts = { workerId: 'w' };

describe('python.Script and python.Commands (python3 on this machine)', () => {
  it('runs an inline script whose printed outputs become vars, with JSON literals rendered into it', async () => {
    const w = await fakeWorker({ variables: { inputs: { flag: true, n: 4 } } });
    try {
      const out = await runAttempt(w.task('io.kestra.plugin.scripts.python.Script', {
        taskRunner: PROCESS,
        script: [
          'import json',
          'flag = {{ inputs.flag }}',
          'squares = [i * i for i in range({{ inputs.n }})]',
          'print("computed")',
          'print("::" + json.dumps({"outputs": {"squares": squares, "flag": flag}}) + "::")',
        ].join('\n'),
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { exitCode: 0, vars: { squares: [0, 1, 4, 9], flag: true } } } });
      expect((await w.logLines()).map((l) => l.message)).toContain('computed');
    } finally {
      await w.cleanup();
    }
  });

  it('reads a kestra:// file named in its code through a local copy, as Kestra does', async () => {
    const w = await fakeWorker();
    try {
      const stored = `kestra:///io/aloft/tests/test/executions/${w.execution.id}/inputs/data/data.csv`;
      await w.blobs.put(stored, 'a,b\n1,2\n3,4\n');
      const out = await runAttempt(w.task('io.kestra.plugin.scripts.python.Script', {
        taskRunner: PROCESS,
        script: `import json\nrows = open("${stored}").read().splitlines()\nprint("::" + json.dumps({"outputs": {"rows": len(rows)}}) + "::")`,
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { rows: 3 } } } });
    } finally {
      await w.cleanup();
    }
  });

  it('fails with the exit code and the traceback tail when the script raises', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task('io.kestra.plugin.scripts.python.Script', { id: 'py', taskRunner: PROCESS, script: 'raise ValueError("bad row")' }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'TASK_FAILED', task: 'py' } } });
      if (out.kind === 'result') expect(out.result.error?.message).toMatch(/^Command failed with exit code 1; last lines of stderr:\n[\s\S]*ValueError: bad row$/);
    } finally {
      await w.cleanup();
    }
  });

  it('runs commands against input files, unbuffered', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task('io.kestra.plugin.scripts.python.Commands', {
        taskRunner: PROCESS,
        inputFiles: { 'main.py': 'import os\nprint("::{\\"outputs\\":{\\"unbuffered\\":\\"%s\\"}}::" % os.environ["PYTHONUNBUFFERED"])' },
        commands: ['python3 main.py'],
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { unbuffered: 'true' } } } });
    } finally {
      await w.cleanup();
    }
  });

  it('runs when the scratch folder of the runtime is a relative path, as with aloft run', async () => {
    const w = await fakeWorker();
    try {
      const deps = { ...w.deps, tempRoot: relative(process.cwd(), join(w.dataDir, 'tmp')) };
      const out = await runAttempt(w.task('io.kestra.plugin.scripts.python.Script', { taskRunner: PROCESS, script: 'print("::{\\"outputs\\":{\\"ok\\":1}}::")' }), deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { ok: 1 } } } });
    } finally {
      await w.cleanup();
    }
  });

  it('defaults to the python:3.13-slim image, as Kestra does', () => {
    expect(PythonScriptProperties.parse({ script: 'pass' }).containerImage).toBe('python:3.13-slim');
  });
});
