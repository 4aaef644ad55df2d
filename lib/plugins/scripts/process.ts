// Runs a command in its own process group and streams its output line by line. On abort (kill or
// timeout) the whole group gets SIGTERM, then SIGKILL after a grace period, so no child survives.
// When the main process exits, whatever it left running in its group is stopped the same way.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { AloftError, ErrorCode } from '../../model/errors';

export interface ProcessSpec {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  onLine(line: string, stderr: boolean): void;
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
let exitHookArmed = false;

function track(pid: number): void {
  liveGroups.add(pid);
  if (!exitHookArmed) {
    exitHookArmed = true;
    process.once('exit', () => { for (const group of liveGroups) killGroup(group, 'SIGKILL'); });
  }
}

export function runProcess(spec: ProcessSpec): Promise<ProcessEnd> {
  return new Promise<ProcessEnd>((resolve, reject) => {
    if (spec.signal.aborted) return reject(spec.signal.reason);
    const child = spawn(spec.command, spec.args as string[], {
      cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    if (pid !== undefined) track(pid);
    let hardKill: NodeJS.Timeout | undefined;
    const stopGroup = (): void => {
      if (pid === undefined) return;
      killGroup(pid, 'SIGTERM');
      hardKill ??= setTimeout(() => killGroup(pid, 'SIGKILL'), spec.killGraceMs ?? 3000);
    };
    const onAbort = (): void => stopGroup();
    spec.signal.addEventListener('abort', onAbort, { once: true });

    // readline re-emits a stream error on the interface: without a listener it would be an uncaught exception.
    const ignore = (): void => undefined;
    createInterface({ input: child.stdout!, crlfDelay: Infinity }).on('line', (l) => spec.onLine(l, false)).on('error', ignore);
    createInterface({ input: child.stderr!, crlfDelay: Infinity }).on('line', (l) => spec.onLine(l, true)).on('error', ignore);

    let exit: ProcessEnd | undefined;
    child.on('exit', (exitCode, signal) => {
      exit = { exitCode, signal };
      // Background children would keep the pipes open and outlive the task.
      stopGroup();
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (pid !== undefined) liveGroups.delete(pid);
      spec.signal.removeEventListener('abort', onAbort);
      if (hardKill) clearTimeout(hardKill);
      reject(new AloftError(ErrorCode.TASK_FAILED, `cannot run ${spec.command}: ${err.code ?? err.message}`));
    });
    child.on('close', (exitCode, signal) => {
      if (pid !== undefined) liveGroups.delete(pid);
      spec.signal.removeEventListener('abort', onAbort);
      if (hardKill) clearTimeout(hardKill);
      if (spec.signal.aborted) return reject(spec.signal.reason);
      resolve(exit ?? { exitCode, signal });
    });
  });
}
