// Where a 1.x script runs: `taskRunner` (Process on the worker, or Docker), or the deprecated
// `runner: PROCESS | DOCKER` with `docker` options. Kestra's default is Docker, and so is Aloft's.
import { z } from 'zod';

export const PROCESS_RUNNER = 'io.kestra.plugin.core.runner.Process';
export const DOCKER_RUNNER = 'io.kestra.plugin.scripts.runner.docker.Docker';

const Strings = z.array(z.string());

/** The Docker runner's properties that Aloft passes to `docker run`. */
const DockerSettings = {
  host: z.string().optional(),
  user: z.string().optional(),
  /** Kestra's default [""] clears the image's entry point. */
  entryPoint: Strings.optional(),
  extraHosts: Strings.optional(),
  networkMode: z.string().optional(),
  volumes: Strings.optional(),
  pullPolicy: z.enum(['IF_NOT_PRESENT', 'ALWAYS', 'NEVER']).optional(),
  cpu: z.object({ cpus: z.union([z.number(), z.string()]) }).strict().optional(),
  memory: z.object({ memory: z.string() }).strict().optional(),
  shmSize: z.string().optional(),
  privileged: z.boolean().optional(),
  delete: z.boolean().optional(),
};

export const DockerRunnerProperties = z.object({ type: z.literal(DOCKER_RUNNER), version: z.string().optional(), ...DockerSettings }).strict();
export type DockerRunnerProperties = z.infer<typeof DockerRunnerProperties>;

export const TaskRunner = z.discriminatedUnion('type', [
  z.object({ type: z.literal(PROCESS_RUNNER), version: z.string().optional() }).strict(),
  DockerRunnerProperties,
], { error: () => `taskRunner type must be ${PROCESS_RUNNER} (on the worker) or ${DOCKER_RUNNER}` });

/** The deprecated `docker` property (0.x DockerOptions). */
export const DockerOptions = z.object({ image: z.string().optional(), ...DockerSettings }).strict();

export interface RunnerProperties {
  taskRunner?: z.infer<typeof TaskRunner>;
  runner?: 'PROCESS' | 'DOCKER';
  docker?: z.infer<typeof DockerOptions>;
  containerImage: string;
}

export type ResolvedRunner =
  | { kind: 'process' }
  | { kind: 'docker'; image: string; options: Omit<DockerRunnerProperties, 'type' | 'version'> };

/** As Kestra: the deprecated `runner` wins when set, then `taskRunner`, then Docker. */
export function resolveRunner(props: RunnerProperties): ResolvedRunner {
  if (props.runner === 'PROCESS') return { kind: 'process' };
  if (props.runner === undefined && props.taskRunner?.type === PROCESS_RUNNER) return { kind: 'process' };
  const { image, ...fromDocker } = props.docker ?? {};
  const fromRunner = props.taskRunner?.type === DOCKER_RUNNER ? stripType(props.taskRunner) : {};
  return { kind: 'docker', image: image ?? props.containerImage, options: { ...fromRunner, ...fromDocker } };
}

function stripType(r: DockerRunnerProperties): Omit<DockerRunnerProperties, 'type' | 'version'> {
  const { type: _type, version: _version, ...rest } = r;
  return rest;
}
