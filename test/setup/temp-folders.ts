// Every test removes the temporary files it creates. The run gets a private TMPDIR (jest workers
// and the processes tests start inherit it), and the teardown fails the run when anything is left
// in it. A private folder rather than a before/after listing of /tmp: the machine is shared, and
// other runs create aloft-* folders there at the same time.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KEY = '__aloftJestTemp';

interface Saved { dir: string; previous: string | undefined }

export function setupTempFolder(): void {
  const dir = mkdtempSync(join(tmpdir(), 'aloft-jest-'));
  (globalThis as Record<string, unknown>)[KEY] = { dir, previous: process.env.TMPDIR } satisfies Saved;
  process.env.TMPDIR = dir;
}

/** Removes the run's folder; throws, naming them, when tests left files in it. */
export function teardownTempFolder(): void {
  const saved = (globalThis as Record<string, unknown>)[KEY] as Saved | undefined;
  if (!saved) return;
  if (saved.previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = saved.previous;
  let left: string[] = [];
  try {
    left = readdirSync(saved.dir).sort();
  } finally {
    rmSync(saved.dir, { recursive: true, force: true });
  }
  if (left.length > 0) {
    const shown = left.slice(0, 20).join(', ') + (left.length > 20 ? `, … (${left.length} in all)` : '');
    const err = new Error(`tests left ${left.length} temporary file(s) behind: ${shown}. Remove what a test creates (afterEach/afterAll).`);
    // The teardown's own stack says nothing about which test leaked.
    err.stack = err.message;
    throw err;
  }
}
