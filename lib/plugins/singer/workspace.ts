// What a Singer tap and target share: where they run (PROCESS on the worker, or DOCKER), the
// virtualenv with their pip packages, config.json, the flow-scoped state, and one shell step at a
// time through the scripts' task runner, so Singer, the script tasks and Bash share one mechanism.
import { createHash } from 'node:crypto';
import { rm, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { AloftError, ErrorCode } from '../../model/errors';
import type { LogLevel, TaskContext } from '../types';
import { usesCloudRun } from '../gcp/run/container-job';
import { HandOver } from '../gcp/run/hand-over';
import { assertDockerEngine } from '../scripts/docker';
import { runInRunner } from '../scripts/exec-script';
import { DOCKER_RUNNER, type ResolvedRunner } from '../scripts/task-runner';
import type { SingerKind } from './kinds';
import { virtualenvCacheOf, virtualenvKey, type VirtualenvLease } from './virtualenv-cache';

/** Kestra's default state name. */
export const DEFAULT_STATE_NAME = 'singer-state';
/** Kestra 0.4's AbstractPython image. */
const DEFAULT_IMAGE = 'python:3.8';
/**
 * Installed beside the task's packages, as Kestra does (taps log through it). Where no index can
 * serve it, ALOFT_SINGER_JSON_LOGGER names another requirement (a wheel's path), or '' for none.
 */
const JSON_LOGGER = 'python-json-logger';
const PYTHON_ENV = { PYTHONUNBUFFERED: 'true', PIP_ROOT_USER_ACTION: 'ignore', PIP_DISABLE_PIP_VERSION_CHECK: '1' };
const STDERR_TAIL = 10;
const NO_PYTHON = 'aloft: no python3 on this worker';

export interface SingerCommon {
  runner?: 'PROCESS' | 'DOCKER';
  dockerOptions?: { dockerHost?: string; image: string; user?: string; entryPoint?: string[]; extraHosts?: string[] };
  taskRunner?: { type: string; [k: string]: unknown };
  containerImage?: string;
  env?: Record<string, string>;
  stateName?: string;
}

/** 0.4's `runner` wins, then 1.x's `taskRunner`; Kestra 0.4's default is PROCESS. */
export function singerRunner(p: SingerCommon): ResolvedRunner {
  const docker = p.runner === 'DOCKER' || (p.runner === undefined && p.taskRunner?.type === DOCKER_RUNNER);
  if (!docker) return { kind: 'process' };
  const { type: _t, version: _v, ...fromRunner } = (p.taskRunner?.type === DOCKER_RUNNER ? p.taskRunner : {}) as Record<string, unknown>;
  const o = p.dockerOptions;
  return {
    kind: 'docker',
    image: o?.image ?? p.containerImage ?? DEFAULT_IMAGE,
    options: {
      ...fromRunner,
      ...(o?.dockerHost ? { host: o.dockerHost } : {}),
      ...(o?.user ? { user: o.user } : {}),
      ...(o?.entryPoint ? { entryPoint: o.entryPoint } : {}),
      ...(o?.extraHosts ? { extraHosts: o.extraHosts } : {}),
    },
  };
}

/** The state file of this task run: one per loop value, so each ForEach/Each iteration resumes its own. */
export function stateFileOf(value: string | undefined): string {
  return value === undefined ? 'state.json' : `state-${createHash('sha256').update(value).digest('hex').slice(0, 32)}.json`;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export class SingerWorkspace {
  readonly stateFile: string;
  private lease: VirtualenvLease | undefined;
  private constructor(
    private readonly ctx: TaskContext,
    readonly dir: string,
    private readonly runner: ResolvedRunner,
    private readonly env: Record<string, string>,
    readonly stateName: string,
  ) {
    this.stateFile = stateFileOf(ctx.taskRun.value);
  }

  /** Prepares the working directory: runner checked, virtualenv with the packages, config.json written. */
  static async open<P extends SingerCommon>(ctx: TaskContext, kind: SingerKind<P>, props: P): Promise<SingerWorkspace> {
    const runner = singerRunner(props);
    if (runner.kind === 'docker' && !usesCloudRun(ctx.env)) await assertDockerEngine(runner.options);
    const dir = resolve(await ctx.tempDir());
    const extras = kind.extras?.(props, dir) ?? { files: {}, env: {} };
    const ws = new SingerWorkspace(ctx, dir, runner, { ...PYTHON_ENV, ...extras.env, ...props.env }, props.stateName ?? DEFAULT_STATE_NAME);
    await ws.write('config.json', JSON.stringify(kind.config(props, dir)));
    for (const [name, content] of Object.entries(extras.files)) await ws.write(name, content);
    await ws.installVirtualenv(kind.pipPackages(props), runner.kind === 'docker');
    return ws;
  }

  write(name: string, content: string): Promise<void> {
    return writeFile(join(this.dir, name), content);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Lets the cached virtualenv go (it stays in the cache); the working directory goes with the attempt. */
  close(): void {
    this.lease?.release();
    this.lease = undefined;
  }

  /** Whether a step's stdout can go to a stream (a process on the worker), not only to a file. */
  get streamsStdout(): boolean {
    return this.runner.kind === 'process';
  }

  /**
   * Runs one shell line in the working directory; throws with the stderr tail unless it exits 0.
   * stdout lines go to `stdout` when given (a function), or its bytes to a stream (streamsStdout
   * only), else to the task's logs.
   */
  async step(script: string, what: string, stdout?: ((line: string) => void) | Writable): Promise<void> {
    const tail: string[] = [];
    const sink = typeof stdout === 'function' ? undefined : stdout;
    const end = await runInRunner(this.ctx, this.runner, this.dir, ['/bin/sh', '-c', script], this.env, (line, stderr) => {
      if (stderr) {
        tail.push(line);
        if (tail.length > STDERR_TAIL) tail.shift();
      } else if (typeof stdout === 'function') {
        return stdout(line);
      }
      const { level, message } = logLine(line);
      this.ctx.logger.log(level, message);
    }, sink);
    if (end.exitCode === 0) return;
    if (tail.includes(NO_PYTHON)) {
      throw new AloftError(ErrorCode.TASK_FAILED, 'runner PROCESS needs python3 on the worker, and there is none; run the task with runner: DOCKER (dockerOptions.image: python:3.8) or a Docker taskRunner', { property: 'runner' });
    }
    const how = end.exitCode === null ? `was stopped by ${end.signal}` : `failed with exit code ${end.exitCode}`;
    const lines = tail.filter((l) => l !== NO_PYTHON);
    throw new AloftError(ErrorCode.TASK_FAILED, `${what} ${how}${lines.length ? `; last lines of stderr:\n${lines.join('\n')}` : ''}`);
  }

  /** The state saved by the last successful run of this flow (for this loop value), or undefined. */
  readState(): Promise<string | undefined> {
    return this.ctx.storage.getState(this.stateName, this.stateFile);
  }

  saveState(value: unknown): Promise<string> {
    return this.ctx.storage.putState(this.stateName, this.stateFile, JSON.stringify(value));
  }

  /**
   * `venv` in the working directory: on the worker, a link to the runtime's cached virtualenv for this
   * interpreter and package set (built once, see virtualenv-cache.ts); in a container, or without a
   * cache, a virtualenv of its own, as Kestra makes one per task.
   */
  private async installVirtualenv(packages: readonly string[], inContainer: boolean): Promise<void> {
    const logger = this.ctx.env.ALOFT_SINGER_JSON_LOGGER ?? JSON_LOGGER;
    const all = [...packages, ...(logger ? [logger] : [])];
    const cache = inContainer ? undefined : virtualenvCacheOf(this.ctx.cacheRoot, this.ctx.env);
    if (!cache) return this.buildVirtualenv('venv', all, inContainer);

    const [interpreter = '', version = ''] = await this.probePython();
    const key = await virtualenvKey({ interpreter, version, specs: all, env: { ...this.ctx.env, ...this.env }, cwd: this.dir });
    this.lease = await cache.acquire(key, (dir) => this.buildVirtualenv(dir, all, false));
    this.ctx.logger.info(this.lease.built ? `Built virtualenv ${key} into the cache` : `Reusing cached virtualenv ${key}`);
    // In a WorkingDirectory the folder is shared: an earlier task's link (or a restored cache) may be there.
    await rm(this.path('venv'), { recursive: true, force: true });
    await symlink(this.lease.dir, this.path('venv')).catch((err: unknown) => {
      this.close();
      throw err;
    });
  }

  private async buildVirtualenv(dir: string, all: readonly string[], inContainer: boolean): Promise<void> {
    const python = inContainer
      ? 'PY=python3; command -v python3 >/dev/null 2>&1 || PY=python'
      : `PY=python3; command -v python3 >/dev/null 2>&1 || { echo '${NO_PYTHON}' >&2; exit 127; }`;
    await this.step(`${python}; "$PY" -m venv ${quote(dir)}`, 'creating the virtualenv');
    try {
      await this.step(`${quote(`${dir}/bin/pip`)} install ${all.map(quote).join(' ')}`, 'pip install');
    } catch (err) {
      if (err instanceof HandOver) throw err;
      const reason = err instanceof AloftError ? pipReason(err.message) : String(err);
      throw new AloftError(ErrorCode.TASK_FAILED, `pip could not install ${all.join(', ')}: ${reason}`, { property: 'pipPackages' });
    }
  }

  /** The worker's python3: its real path and version, which key the cached virtualenvs. */
  private async probePython(): Promise<string[]> {
    const lines: string[] = [];
    const print = `import os, sys; print(os.path.realpath(sys.executable)); print(sys.version.replace(chr(10), " "))`;
    await this.step(`command -v python3 >/dev/null 2>&1 || { echo '${NO_PYTHON}' >&2; exit 127; }; python3 -c ${quote(print)}`, 'python3', (l) => lines.push(l));
    return lines;
  }

  /** The command as the package installs it in the virtualenv (Kestra runs `./bin/<command>`). */
  bin(command: string): string {
    return `venv/bin/${command}`;
  }
}

/** pip's own reason: its ERROR lines, else the last line it printed. */
function pipReason(message: string): string {
  const lines = message.split('\n').slice(1);
  const errors = lines.filter((l) => l.startsWith('ERROR:'));
  return (errors.length ? errors : lines.slice(-1)).join(' ') || message;
}

const LEVELS: Record<string, LogLevel> = { DEBUG: 'DEBUG', INFO: 'INFO', WARNING: 'WARN', WARN: 'WARN', ERROR: 'ERROR', CRITICAL: 'ERROR', FATAL: 'ERROR' };

/** Taps log on stderr, as text or (through python-json-logger) as JSON with a `levelname`. */
export function logLine(line: string): { level: LogLevel; message: string } {
  if (line.startsWith('{')) {
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      const level = LEVELS[String(o.levelname ?? o.level ?? '').toUpperCase()];
      if (level && typeof o.message === 'string') return { level, message: o.message };
    } catch {
      // Not JSON: logged as printed.
    }
  }
  // Singer tools log on stderr, so a stderr line is not an error by itself.
  return { level: 'INFO', message: line };
}
