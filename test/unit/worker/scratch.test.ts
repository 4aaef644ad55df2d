import { spawnSync } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFolder, sweepDeadRuns } from '../../../lib/worker/scratch';

describe('scratch run folders', () => {
  let root: string;
  beforeEach(async () => { root = await mkdtemp(join(tmpdir(), 'aloft-scratch-')); });
  afterEach(async () => { await rm(root, { recursive: true, force: true }); });

  it('removes, on first use, the folders of runtimes that are gone and keeps the live ones and anything else', async () => {
    // A process that has ended: its pid and start time name a run that is gone.
    const ended = spawnSync('/bin/sh', ['-c', 'echo $$']);
    const deadPid = Number(String(ended.stdout).trim());
    const dead = join(root, `run-${deadPid}-1`);
    const reused = join(root, `run-${process.pid}-1`); // this pid, but another start time: a reused pid
    const other = join(root, 'not-a-run');
    for (const d of [dead, reused, other]) {
      await mkdir(join(d, 'task-x'), { recursive: true });
      await writeFile(join(d, 'task-x', 'f'), 'x');
    }
    const own = await runFolder(root);
    expect((await readdir(root)).sort()).toEqual([own.slice(root.length + 1), 'not-a-run'].sort());
    await access(own);
    expect(await sweepDeadRuns(root)).toBe(0);
  });
});
