// A fresh data directory per test, removed after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteData, type OpenSqliteOptions, type SqliteData } from '../../../../lib/adapters/sqlite';

export interface TempData {
  dir: string;
  data: SqliteData;
  /** Closes the data and opens the same directory again. */
  reopen(opts?: OpenSqliteOptions): SqliteData;
  cleanup(): Promise<void>;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'aloft-sqlite-'));
}

export function tempData(opts: OpenSqliteOptions = {}): TempData {
  const dir = tempDir();
  const t: TempData = {
    dir,
    data: openSqliteData(dir, opts),
    reopen(again = opts) {
      t.data.close();
      t.data = openSqliteData(dir, again);
      return t.data;
    },
    async cleanup() {
      t.data.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}
