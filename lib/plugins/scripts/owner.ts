// Scripts die with their runtime. Every script process gets OWNER_VAR in its environment; whatever it
// starts inherits it, also a child that leaves the process group (`setsid`) or is orphaned by a
// double fork. From that mark:
// - a task's stop also kills every process that carries the task's mark;
// - a watchdog (one small shell loop per runtime process, in its own group) kills every process
//   marked with the runtime's pid once that pid is gone, SIGKILL of the runtime included;
// - the first script of a new runtime kills processes marked by runtimes that are gone.
// Linux only (/proc); elsewhere scripts still stop with their process group. A process that clears its
// environment escapes the mark: only a cgroup could follow it.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/** `{runtime pid}.{runtime start}.{task token}`: pid and start tell a live runtime from a reused pid. */
export const OWNER_VAR = '__ALOFT_OWNER';

const hasProc = (): boolean => process.platform === 'linux';

/** The start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or undefined when it is gone. */
export function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let self: string | undefined;
/** This runtime's part of the mark. */
function runtimeMark(): string {
  self ??= `${process.pid}.${startTicks(process.pid) ?? '0'}`;
  return self;
}

/** A new mark for one task's processes. */
export function newOwnerMark(): string {
  return `${runtimeMark()}.${randomUUID()}`;
}

/** Processes (other than this one) whose environment has OWNER_VAR starting with `prefix`, with the full mark. */
export function markedProcesses(prefix: string): Array<{ pid: number; mark: string }> {
  if (!hasProc()) return [];
  const out: Array<{ pid: number; mark: string }> = [];
  const needle = `${OWNER_VAR}=${prefix}`;
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue; // gone, or another user's
    }
    const at = environ.indexOf(needle);
    if (at >= 0 && (at === 0 || environ.charCodeAt(at - 1) === 0)) {
      const end = environ.indexOf('\0', at);
      out.push({ pid, mark: environ.slice(at + OWNER_VAR.length + 1, end < 0 ? undefined : end) });
    }
  }
  return out;
}

const kill = (pid: number, signal: NodeJS.Signals = 'SIGKILL'): void => {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
};

/** SIGKILLs every process that carries `mark` (a task's processes that left its group). */
/** Signals every process that carries the mark (SIGKILL unless told otherwise). */
export function killMarked(mark: string, signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const p of markedProcesses(mark)) if (p.mark === mark) kill(p.pid, signal);
}

/** SIGKILLs processes whose runtime is gone (its pid dead, or reused by a process that started later). */
export function reapOrphans(): number {
  let n = 0;
  for (const p of markedProcesses('')) {
    const [pid, start] = p.mark.split('.');
    if (Number(pid) === process.pid && start === startTicks(process.pid)) continue;
    if (startTicks(Number(pid)) === start) continue;
    kill(p.pid);
    n++;
  }
  return n;
}

// The watchdog: waits for this process to go, then kills what it marked. It polls once a second, so
// scripts outlive a crashed runtime by about a second.
const WATCHDOG = `
while kill -0 "$1" 2>/dev/null; do sleep 1; done
for f in $(grep -lzF "${OWNER_VAR}=$2." /proc/[0-9]*/environ 2>/dev/null); do
  p=\${f#/proc/}; kill -9 "\${p%/environ}" 2>/dev/null
done
`;

let watching = false;

/** Starts the watchdog and reaps orphans of dead runtimes, once per process, on the first script. */
export function superviseScripts(): void {
  if (watching || !hasProc()) return;
  watching = true;
  reapOrphans();
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'aloft-watchdog', String(process.pid), runtimeMark()], {
    detached: true, stdio: 'ignore',
  });
  child.on('error', () => undefined);
  child.unref();
}
