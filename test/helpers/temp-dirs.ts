// Temporary folders that the test file removes after its last test (the jest teardown fails the run
// on leftovers). Importing this module registers the file's afterAll.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

/** A new folder under the run's TMPDIR, removed after the test file's last test. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes every folder tempDir made so far (and the `.partial` sibling a FolderBlobStore rooted there makes). */
export function removeTempDirs(): void {
  for (const dir of made) for (const d of [dir, `${dir}.partial`]) rmSync(d, { recursive: true, force: true });
  made.clear();
}

afterAll(removeTempDirs);
