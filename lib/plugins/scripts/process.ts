// Runs a command in its own process group and streams its output line by line. On abort (kill or
// timeout) the whole group gets SIGTERM, then SIGKILL after a grace period, so no child survives.
// When the main process exits, whatever it left running in its group is stopped the same way.
import { execFile, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { AloftError, ErrorCode } from '../../model/errors';
import { killMarked, newOwnerMark, OWNER_VAR, superviseScripts } from './owner';

export interface ProcessSpec {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  onLine(line: string, stderr: boolean): void;
  /**
   * When given, stdout goes to it as bytes, in the pipe's chunks, rather than line by line to onLine
   * (a Singer tap's output, stored as it arrives). The end waits until it finished; when it fails,
   * the process group is stopped and the run rejects with its error.
   */
  stdout?: Writable;
  /** Between SIGTERM and SIGKILL. Default 3 s. */
  killGraceMs?: number;
}

export interface ProcessEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

// Process groups still running. If the main process exits first (a second Ctrl-C), they are
// killed synchronously from the 'exit' hook, registered on first use rather than at import.
const liveGroups = new Set<number>();
// FIFO folders between their mkdtemp and their removal: a process that exits in that window (a
// second Ctrl-C while a task starts) removes them from the same hook rather than leaving them in /tmp.
const pipeDirs = new Set<string>();
let exitHookArmed = false;

function armExitHook(): void {
  if (exitHookArmed) return;
  exitHookArmed = true;
  process.once('exit', () => {
    for (const group of liveGroups) killGroup(group, 'SIGKILL');
    for (const dir of pipeDirs) removeDir(dir);
  });
}

function track(pid: number): void {
  liveGroups.add(pid);
  armExitHook();
}

function removeDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // Gone already, or the temp folder is read-only: nothing left to do.
  }
  pipeDirs.delete(dir);
}

/** Characters of one line handed on; the rest of a longer line is skipped, never held in memory. */
export const MAX_LINE_CHARS = 64 * 1024;

/** Lines of a stream (LF or CRLF), each cut at MAX_LINE_CHARS: a line without end never fills memory. */
export function readLines(input: Readable, onLine: (line: string) => void): void {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let cut = false;
  const emit = (line: string): void => onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  const take = (text: string): void => {
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      if (!cut) emit(partial + text.slice(from, nl));
      partial = '';
      cut = false;
      from = nl + 1;
    }
    if (cut) return;
    partial += text.slice(from);
    if (partial.length > MAX_LINE_CHARS) {
      emit(`${partial.slice(0, MAX_LINE_CHARS)}… [line cut at ${MAX_LINE_CHARS} characters]`);
      partial = '';
      cut = true;
    }
  };
  input.on('data', (chunk: Buffer) => take(decoder.write(chunk)));
  input.on('end', () => {
    take(decoder.end());
    if (!cut && partial.length > 0) emit(partial);
    partial = '';
  });
  // A stream error ends the lines; without a listener it would be an uncaught exception.
  input.on('error', () => undefined);
}

interface Pipes {
  /** The write ends, given to the child and closed here once it started. */
  writeFds: [number, number];
  readers: [Readable, Readable];
}

const mkfifo = (paths: string[]): Promise<void> =>
  new Promise((resolve, reject) => execFile('mkfifo', ['-m', '600', ...paths], (err) => (err ? reject(err) : resolve())));

/**
 * Kernel pipes for the child's stdout and stderr. Node's 'pipe' gives a socket, on which a script's
 * `echo x >> /dev/stderr` fails ("No such device or address"); a shell user expects pipes. Named
 * FIFOs are opened at both ends, then unlinked. Undefined (and Node's sockets are used) when FIFOs
 * cannot be made.
 */
async function openPipes(parent: string): Promise<Pipes | undefined> {
  let dir: string | undefined;
  const opened: number[] = [];
  armExitHook();
  try {
    // Made and registered in one synchronous step: no turn of the event loop in which to exit unseen.
    // Inside the task's own working folder, removed before the child starts: a SIGKILLed runtime leaves
    // it in that scratch folder, which the next start cleans, not in /tmp.
    dir = mkdtempSync(join(parent, '.aloft-pipes-'));
    pipeDirs.add(dir);
    const paths = [join(dir, 'stdout'), join(dir, 'stderr')];
    await mkfifo(paths);
    // The read end first, without blocking; then the write end opens at once.
    const ends = paths.map((p) => {
      const r = openSync(p, constants.O_RDONLY | constants.O_NONBLOCK);
      opened.push(r);
      const w = openSync(p, constants.O_WRONLY);
      opened.push(w);
      return [r, w] as const;
    });
    const reader = (fd: number): Readable => new Socket({ fd, readable: true, writable: false });
    return { writeFds: [ends[0][1], ends[1][1]], readers: [reader(ends[0][0]), reader(ends[1][0])] };
  } catch {
    for (const fd of opened) closeSync(fd);
    return undefined;
  } finally {
    // Synchronously, at once: the FIFOs are open at both ends and no longer need their names.
    if (dir) removeDir(dir);
  }
}

export async function runProcess(spec: ProcessSpec): Promise<ProcessEnd> {
  if (spec.signal.aborted) throw spec.signal.reason;
  superviseScripts();
  return spawnWith(spec, await openPipes(spec.cwd), newOwnerMark());
}

function spawnWith(spec: ProcessSpec, pipes: Pipes | undefined, mark: string): Promise<ProcessEnd> {
  return new Promise<ProcessEnd>((resolve, reject) => {
    let child;
    try {
      child = spawn(spec.command, spec.args as string[], {
        cwd: spec.cwd, env: { ...spec.env, [OWNER_VAR]: mark }, detached: true, stdio: ['ignore', pipes?.writeFds[0] ?? 'pipe', pipes?.writeFds[1] ?? 'pipe'],
      });
    } finally {
      // The child holds its own copies: the pipes end when it (and whatever it started) is gone.
      if (pipes) for (const fd of pipes.writeFds) closeSync(fd);
    }
    const [stdout, stderr] = pipes?.readers ?? [child.stdout!, child.stderr!];
    const pid = child.pid;
    if (pid !== undefined) track(pid);
    let hardKill: NodeJS.Timeout | undefined;
    const stopGroup = (): void => {
      if (pid === undefined) return;
      killGroup(pid, 'SIGTERM');
      // What left the group (setsid, a double fork) still carries the task's mark: it gets the same
      // SIGTERM, then the same SIGKILL after the grace period.
      killMarked(mark, 'SIGTERM');
      hardKill ??= setTimeout(() => { killGroup(pid, 'SIGKILL'); killMarked(mark); }, spec.killGraceMs ?? 3000);
    };
    const onAbort = (): void => stopGroup();
    spec.signal.addEventListener('abort', onAbort, { once: true });

    let sinkError: unknown;
    const sink = spec.stdout;
    const sunk = sink ? finished(sink).catch((err: unknown) => {
      sinkError = err;
      stdout.destroy();
      stopGroup();
    }) : undefined;
    if (sink) {
      // Without a listener, a read error would be an uncaught exception; the sink fails with it instead.
      stdout.on('error', (err) => sink.destroy(err));
      stdout.pipe(sink);
    }
    else readLines(stdout, (l) => spec.onLine(l, false));
    readLines(stderr, (l) => spec.onLine(l, true));
    // With our own pipes, 'close' does not wait for them: the end waits until both are read.
    const drained = Promise.all([
      ...(pipes ? pipes.readers.map((r) => new Promise<void>((done) => {
        if (r.destroyed) done();
        else r.once('close', () => done());
      })) : []),
      sunk,
    ]);

    let exit: ProcessEnd | undefined;
    child.on('exit', (exitCode, signal) => {
      exit = { exitCode, signal };
      // Background children would keep the pipes open and outlive the task.
      stopGroup();
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      for (const r of pipes?.readers ?? []) r.destroy();
      if (pid !== undefined) liveGroups.delete(pid);
      spec.signal.removeEventListener('abort', onAbort);
      if (hardKill) clearTimeout(hardKill);
      reject(new AloftError(ErrorCode.TASK_FAILED, `cannot run ${spec.command}: ${err.code ?? err.message}`));
    });
    child.on('close', (exitCode, signal) => {
      void drained.then(() => {
        if (pid !== undefined) liveGroups.delete(pid);
        spec.signal.removeEventListener('abort', onAbort);
        if (hardKill) clearTimeout(hardKill);
        if (spec.signal.aborted) return reject(spec.signal.reason);
        if (sinkError !== undefined) return reject(sinkError);
        resolve(exit ?? { exitCode, signal });
      });
    });
  });
}
