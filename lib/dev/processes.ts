// Child processes of the emulated cloud: each runs in its own process group, so that stopping it by
// its PID also stops whatever it spawned (gcloud's JVM, a task's shell); every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { listenOnFreePort, portOf } from './ports';

export interface Service {
  name: string;
  pid: number;
  /** The service's output goes here. */
  logFile: string;
  /** Resolves when the process has exited (with its code, or the signal that killed it). */
  exited: Promise<string>;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once it is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the process group at once (fault tests). */
  kill(): Promise<void>;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /** Called with each line the service prints on stdout. */
  onLine?(line: string): void;
}

export function spawnService(name: string, command: string, args: readonly string[], opts: SpawnOptions): Service {
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    if (!opts.onLine) return;
    buffered += chunk.toString('utf8');
    let i: number;
    while ((i = buffered.indexOf('\n')) >= 0) {
      opts.onLine(buffered.slice(0, i));
      buffered = buffered.slice(i + 1);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      log.end();
      resolve(signal ?? `exit code ${code}`);
    });
    child.once('error', (err) => resolve(`failed to start: ${err.message}`));
  });
  let done = false;
  exited.then(() => { done = true; }, () => undefined);
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  const waitGone = async (ms: number): Promise<boolean> => {
    if (done) return true;
    return Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  };
  return {
    name, pid, logFile: opts.logFile, exited,
    async stop(graceMs = 5_000) {
      if (done) return;
      signalGroup('SIGTERM');
      if (await waitGone(graceMs)) return;
      signalGroup('SIGKILL');
      if (!(await waitGone(10_000))) throw new Error(`${name} (pid ${pid}) would not stop`);
    },
    async kill() {
      signalGroup('SIGKILL');
      if (!(await waitGone(10_000))) throw new Error(`${name} (pid ${pid}) would not die`);
    },
  };
}

export interface ReservedPort {
  port: number;
  /** Stops holding the port, just before its real server binds it. */
  release(): Promise<void>;
}

/** Holds a free port on 127.0.0.1 (listening, so nothing else gets it) until released. */
export async function reservePort(): Promise<ReservedPort> {
  const s = await listenOnFreePort();
  return { port: portOf(s), release: () => new Promise<void>((done) => s.close(() => done())) };
}

/** A port free on 127.0.0.1 right now, outside the kernel's ephemeral range where possible (ports.ts). */
export async function freePort(): Promise<number> {
  const s = await listenOnFreePort();
  const port = portOf(s);
  await new Promise<void>((done) => s.close(() => done()));
  return port;
}

export interface ReadyOptions {
  /**
   * Text the service prints once it listens (its own port in it): the probe alone could be answered by
   * another service that took the port first, while this one dies on it.
   */
  logSays?: string;
  /** Where this start's output begins in the log (earlier starts appended theirs before it). */
  logFrom?: number;
}

/**
 * Polls `ready` until it resolves true (and the log says `logSays`); fails when the service exits
 * first or after `timeoutMs`, quoting the end of its log.
 */
export async function waitReady(service: Service, ready: () => Promise<boolean>, timeoutMs: number, opts: ReadyOptions = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: string | undefined;
  void service.exited.then((how) => { exitedWith = how; });
  for (;;) {
    if (exitedWith !== undefined) throw new Error(`${service.name} exited during startup (${exitedWith})${tail(service.logFile)}`);
    try {
      if ((opts.logSays === undefined || logSince(service.logFile, opts.logFrom ?? 0).includes(opts.logSays)) && (await ready())) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      // A service that will not stop is reported with the timeout: nobody would stop it later.
      const stopped = await service.stop(1_000).then(() => '', (err: Error) => `; ${err.message}`);
      throw new Error(`${service.name} was not ready after ${Math.round(timeoutMs / 1000)} s${stopped}${tail(service.logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The size of a log file now (0 when there is none yet): where the next start's output begins. */
export function logSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** What a log file holds from byte `from` on ('' when there is none). */
export function logSince(file: string, from: number): string {
  try {
    const text = readFileSync(file);
    return text.subarray(Math.min(from, text.length)).toString('utf8');
  } catch {
    return '';
  }
}

function tail(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n').slice(-15);
    return lines.length ? `; last lines of ${file}:\n${lines.join('\n')}` : '';
  } catch {
    return '';
  }
}

/** The project folder (where package.json names aloft), from this file's location. */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (dir !== dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'aloft') return dir;
      } catch {
        // Not ours; keep looking.
      }
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find the aloft project folder above ${from}`);
}
