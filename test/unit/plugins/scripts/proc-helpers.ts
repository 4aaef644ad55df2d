// Whether a process still runs (a zombie waiting for its reaper counts as gone).
import { readFileSync } from 'node:fs';

export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Polls until the process is gone; the limit only guards against a hung test. */
export async function waitGone(pid: number, limitMs = 10_000): Promise<boolean> {
  const start = process.hrtime.bigint();
  while (isRunning(pid)) {
    if (Number(process.hrtime.bigint() - start) / 1e6 > limitMs) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
