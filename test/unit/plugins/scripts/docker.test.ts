import { assertDockerEngine, dockerRemoveArgs, dockerRunArgs } from '../../../../lib/plugins/scripts/docker';
import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

// No Docker engine runs in tests: the command line is checked as data, and "no engine" is a
// docker CLI pointed at a loopback port where nothing listens (or no CLI at all).
const NOBODY = 'tcp://127.0.0.1:1';
const NO_ENGINE = /^no Docker engine answers for the Docker task runner \(.+\); run the script on the worker with taskRunner: \{type: io\.kestra\.plugin\.core\.runner\.Process\}$/;

describe('the Docker task runner adapter', () => {
  it('builds the docker run command line: working directory mounted at its own path, env, image, interpreter and script', () => {
    expect(dockerRunArgs({
      name: 'aloft-run-0', image: 'python:3.13-slim', workingDir: '/tmp/w', env: { WORKING_DIR: '/tmp/w', A: '1' },
      command: ['/bin/sh', '-c', 'set -e\npython3 x.py'], settings: {},
    })).toEqual([
      'run', '--name', 'aloft-run-0', '--rm', '-v', '/tmp/w:/tmp/w', '-w', '/tmp/w', '--pull', 'always', '--entrypoint', '',
      '-e', 'WORKING_DIR=/tmp/w', '-e', 'A=1', 'python:3.13-slim', '/bin/sh', '-c', 'set -e\npython3 x.py',
    ]);
  });

  it('maps the runner properties to docker options', () => {
    const args = dockerRunArgs({
      name: 'n', image: 'i', workingDir: '/w', env: {}, command: ['sh'],
      settings: {
        host: 'tcp://d:2375', user: '1000', entryPoint: ['/bin/entry'], networkMode: 'host', extraHosts: ['h:1.2.3.4'], volumes: ['/data:/data'],
        pullPolicy: 'IF_NOT_PRESENT', cpu: { cpus: 1.5 }, memory: { memory: '512m' }, shmSize: '1g', privileged: true, delete: false,
      },
    });
    expect(args).toEqual([
      '-H', 'tcp://d:2375', 'run', '--name', 'n', '-v', '/w:/w', '-w', '/w', '--pull', 'missing', '--entrypoint', '/bin/entry',
      '--user', '1000', '--network', 'host', '--add-host', 'h:1.2.3.4', '-v', '/data:/data', '--cpus', '1.5', '--memory', '512m',
      '--shm-size', '1g', '--privileged', 'i', 'sh',
    ]);
    expect(dockerRemoveArgs('n', { host: 'tcp://d:2375' })).toEqual(['-H', 'tcp://d:2375', 'rm', '-f', 'n']);
  });

  it('refuses an entry point of several elements, naming the property', () => {
    expect(() => dockerRunArgs({ name: 'n', image: 'i', workingDir: '/w', env: {}, command: [], settings: { entryPoint: ['a', 'b'] } }))
      .toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED', location: { property: 'taskRunner.entryPoint' } }));
  });

  it('says no engine answers, naming the Process runner, when the CLI is missing', async () => {
    await expect(assertDockerEngine({}, '/nonexistent/docker')).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { property: 'taskRunner' }, message: expect.stringMatching(NO_ENGINE),
    });
    await expect(assertDockerEngine({}, '/nonexistent/docker')).rejects.toThrow('(the docker CLI is not installed)');
  });

  it('fails a script task on the Docker runner when no engine answers at its host', async () => {
    const w = await fakeWorker();
    try {
      const out = await runAttempt(w.task('io.kestra.plugin.scripts.python.Script', {
        id: 'py', taskRunner: { type: 'io.kestra.plugin.scripts.runner.docker.Docker', host: NOBODY }, script: 'print(1)',
      }), w.deps, { workerId: 'w' });
      expect(out).toMatchObject({ result: { state: 'FAILED', error: { code: 'TASK_FAILED', task: 'py', property: 'taskRunner', message: expect.stringMatching(NO_ENGINE) } } });
    } finally {
      await w.cleanup();
    }
  });
});
