// Scratch folders live under {tempRoot}/run-{pid}-{start}: one folder per runtime process, named so
// that a later runtime can tell whether its owner still runs. A runtime that dies (SIGKILL, a crash)
// cannot remove its folders; the first scratch folder a new runtime makes removes those of runtimes
// that are gone.
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const RUN_FOLDER = /^run-(\d+)-(\d+)$/;

/** A process's start time in clock ticks since boot; '0' where /proc is not there. */
function startOf(pid: number): string | undefined {
  if (process.platform !== 'linux') {
    try {
      process.kill(pid, 0);
      return '0';
    } catch {
      return undefined;
    }
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const swept = new Set<string>();

/** This runtime's folder under `tempRoot`, made (and the folders of dead runtimes removed) on first use. */
export async function runFolder(tempRoot: string): Promise<string> {
  const own = join(tempRoot, `run-${process.pid}-${startOf(process.pid) ?? '0'}`);
  if (!swept.has(tempRoot)) {
    swept.add(tempRoot);
    await sweepDeadRuns(tempRoot);
  }
  await mkdir(own, { recursive: true });
  return own;
}

/** Removes the run folders whose runtime is gone; returns how many. */
export async function sweepDeadRuns(tempRoot: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(tempRoot);
  } catch {
    return 0;
  }
  let n = 0;
  for (const name of names) {
    const m = RUN_FOLDER.exec(name);
    if (!m || startOf(Number(m[1])) === m[2]) continue;
    await rm(join(tempRoot, name), { recursive: true, force: true });
    n++;
  }
  return n;
}
