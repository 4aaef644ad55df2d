// The one place that talks to Docker: through the docker CLI, which honours DOCKER_HOST and the
// user's contexts. The working directory is mounted at the same path, as Kestra's Docker runner does.
import { execFile } from 'node:child_process';
import { AloftError, ErrorCode } from '../../model/errors';
import type { DockerRunnerProperties } from './task-runner';
import { PROCESS_RUNNER } from './task-runner';

export type DockerSettings = Omit<DockerRunnerProperties, 'type' | 'version'>;

export interface DockerRun {
  /** Container name, so a kill can remove it. */
  name: string;
  image: string;
  workingDir: string;
  env: Record<string, string>;
  /** Interpreter and its arguments, then the script. */
  command: readonly string[];
  settings: DockerSettings;
}

const PULL = { IF_NOT_PRESENT: 'missing', ALWAYS: 'always', NEVER: 'never' } as const;

const hostArgs = (s: DockerSettings): string[] => (s.host ? ['-H', s.host] : []);

/** The docker CLI arguments that run the script (unit-tested: no engine runs in tests). */
export function dockerRunArgs(run: DockerRun): string[] {
  const s = run.settings;
  const args = [...hostArgs(s), 'run', '--name', run.name];
  if (s.delete !== false) args.push('--rm');
  args.push('-v', `${run.workingDir}:${run.workingDir}`, '-w', run.workingDir);
  args.push('--pull', PULL[s.pullPolicy ?? 'ALWAYS']);
  const entryPoint = s.entryPoint ?? [''];
  if (entryPoint.length === 1) args.push('--entrypoint', entryPoint[0]);
  else if (entryPoint.length > 1) throw new AloftError(ErrorCode.NOT_SUPPORTED, 'a Docker entryPoint of more than one element is not supported', { property: 'taskRunner.entryPoint' });
  if (s.user) args.push('--user', s.user);
  if (s.networkMode) args.push('--network', s.networkMode);
  for (const h of s.extraHosts ?? []) args.push('--add-host', h);
  for (const v of s.volumes ?? []) args.push('-v', v);
  if (s.cpu) args.push('--cpus', String(s.cpu.cpus));
  if (s.memory) args.push('--memory', s.memory.memory);
  if (s.shmSize) args.push('--shm-size', s.shmSize);
  if (s.privileged) args.push('--privileged');
  for (const [k, v] of Object.entries(run.env)) args.push('-e', `${k}=${v}`);
  args.push(run.image, ...run.command);
  return args;
}

/** The arguments that remove the container (on kill or timeout). */
export const dockerRemoveArgs = (name: string, s: DockerSettings): string[] => [...hostArgs(s), 'rm', '-f', name];

/**
 * Fails with an error naming the Process runner unless a Docker engine answers.
 * `cli` is the docker executable (tests point it elsewhere).
 */
export function assertDockerEngine(s: DockerSettings, cli = 'docker', timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cli, [...hostArgs(s), 'version', '--format', '{{.Server.Version}}'], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (!err && stdout.trim()) return resolve();
      const code = (err as NodeJS.ErrnoException | null)?.code;
      const why = code === 'ENOENT' ? 'the docker CLI is not installed' : (stderr.trim().split('\n').pop() || 'it did not answer');
      reject(new AloftError(
        ErrorCode.TASK_FAILED,
        `no Docker engine answers for the Docker task runner (${why}); run the script on the worker with taskRunner: {type: ${PROCESS_RUNNER}}`,
        { property: 'taskRunner' },
      ));
    });
  });
}

/** Removes the container, ignoring failures (it may be gone already). */
export function removeContainer(name: string, s: DockerSettings, cli = 'docker'): void {
  execFile(cli, dockerRemoveArgs(name, s), { timeout: 30_000 }, () => undefined);
}
