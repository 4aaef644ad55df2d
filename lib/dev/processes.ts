// Child processes of the emulated cloud: each runs in its own process group, so that stopping it by
// its PID also stops whatever it spawned (gcloud's JVM, a task's shell); every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
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

/**
 * Polls `ready` until it resolves true; fails when the service exits first or after `timeoutMs`,
 * quoting the end of its log.
 */
export async function waitReady(service: Service, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: string | undefined;
  void service.exited.then((how) => { exitedWith = how; });
  for (;;) {
    if (exitedWith !== undefined) throw new Error(`${service.name} exited during startup (${exitedWith})${tail(service.logFile)}`);
    try {
      if (await ready()) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await service.stop(1_000).catch(() => undefined);
      throw new Error(`${service.name} was not ready after ${Math.round(timeoutMs / 1000)} s${tail(service.logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
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
