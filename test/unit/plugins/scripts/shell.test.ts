import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';
import { ShellCommandsProperties, ShellScriptProperties } from '../../../../lib/plugins/scripts/shell';

const PROCESS = { type: 'io.kestra.plugin.core.runner.Process' };
const opts = { workerId: 'w' };

describe('shell.Commands and shell.Script', () => {
  it('runs an inline shell script through the interpreter', async () => {
    const w = await fakeWorker({ variables: { inputs: { who: 'world' } } });
    try {
      const out = await runAttempt(w.task('io.kestra.plugin.scripts.shell.Script', {
        taskRunner: PROCESS,
        script: 'for i in 1 2 3; do n=$i; done\necho "::{\\"outputs\\":{\\"n\\":$n,\\"who\\":\\"{{ inputs.who }}\\"}}::"',
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { exitCode: 0, vars: { n: 3, who: 'world' } } } });
    } finally {
      await w.cleanup();
    }
  });

  it('names the Docker runner when a command is not found on the worker (exit code 127)', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task('io.kestra.plugin.scripts.shell.Commands', {
        taskRunner: PROCESS, commands: ['aloft-no-such-interpreter --version'],
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'FAILED' } });
      const message = String((out as any).result.error?.message);
      expect(message).toMatch(/aloft-no-such-interpreter.*not found/);
      expect(message).toContain('exit code 127: a command was not found on the worker; run the script in an image that has it with taskRunner: {type: io.kestra.plugin.scripts.runner.docker.Docker}');
    } finally {
      await w.cleanup();
    }
  });

  it('runs with another interpreter', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task('io.kestra.plugin.scripts.shell.Commands', {
        taskRunner: PROCESS, interpreter: ['/bin/bash', '-c'], commands: ['arr=(a b c); echo "::{\\"outputs\\":{\\"n\\":${#arr[@]}}}::"'],
      }), w.deps, opts);
      expect(out).toMatchObject({ result: { state: 'SUCCESS', outputs: { vars: { n: 3 } } } });
    } finally {
      await w.cleanup();
    }
  });

  it('validates its properties with Kestra defaults: Docker runner, /bin/sh -c, failFast, warningOnStdErr', () => {
    expect(ShellCommandsProperties.parse({ commands: ['x'] })).toMatchObject({
      interpreter: ['/bin/sh', '-c'], failFast: true, warningOnStdErr: true, targetOS: 'AUTO', containerImage: 'ubuntu',
    });
    expect(ShellCommandsProperties.safeParse({ commands: [] }).success).toBe(false);
    expect(ShellCommandsProperties.safeParse({ commands: ['x'], comands: ['y'] }).success).toBe(false);
    expect(ShellScriptProperties.safeParse({}).success).toBe(false);
    const bad = ShellScriptProperties.safeParse({ script: 'x', taskRunner: { type: 'io.kestra.plugin.ee.kubernetes.runner.Kubernetes' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].message).toBe(
      'taskRunner type must be io.kestra.plugin.core.runner.Process (on the worker) or io.kestra.plugin.scripts.runner.docker.Docker',
    );
  });
});
