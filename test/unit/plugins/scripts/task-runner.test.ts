import { resolveRunner, TaskRunner } from '../../../../lib/plugins/scripts/task-runner';

const DOCKER = 'io.kestra.plugin.scripts.runner.docker.Docker';

describe('task runner resolution', () => {
  it('defaults to Docker with the task image, as Kestra does', () => {
    expect(resolveRunner({ containerImage: 'ubuntu' })).toEqual({ kind: 'docker', image: 'ubuntu', options: {} });
  });

  it('runs on the worker with the Process runner or the deprecated runner: PROCESS', () => {
    expect(resolveRunner({ containerImage: 'u', taskRunner: { type: 'io.kestra.plugin.core.runner.Process' } })).toEqual({ kind: 'process' });
    expect(resolveRunner({ containerImage: 'u', runner: 'PROCESS', taskRunner: { type: DOCKER } })).toEqual({ kind: 'process' });
  });

  it('takes Docker settings from taskRunner, and the deprecated docker options over them', () => {
    expect(resolveRunner({ containerImage: 'u', taskRunner: { type: DOCKER, user: 'a', networkMode: 'host' }, docker: { image: 'alpine', user: 'b' } }))
      .toEqual({ kind: 'docker', image: 'alpine', options: { user: 'b', networkMode: 'host' } });
  });

  it('refuses unknown runner properties', () => {
    expect(TaskRunner.safeParse({ type: DOCKER, imag: 'x' }).success).toBe(false);
    expect(TaskRunner.safeParse({ type: 'io.kestra.plugin.core.runner.Process', image: 'x' }).success).toBe(false);
  });
});
