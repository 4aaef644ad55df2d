import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join('node_modules', '.cache', 'aloft-run');

describe('scripts/run-ts.mjs', () => {
  it('removes its own bundle at exit, and the bundle of a process that was killed before removing its own', () => {
    // A pid that is free: a child that has exited and been reaped.
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    mkdirSync(dir, { recursive: true });
    const orphan = join(dir, `killed-${gone}.cjs`);
    writeFileSync(orphan, '');
    const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'test/unit/scripts/run-ts-probe.ts'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('probe ran');
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(join(dir, `run-ts-probe-${r.pid}.cjs`))).toBe(false);
  });
});
