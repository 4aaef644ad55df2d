// Virtualenvs kept across tasks and executions, keyed by what makes them: the interpreter (its real
// path and version), the exact pip specs in order (a local path by its content's hash, not its name)
// and pip's settings from the environment (PIP_*).
//
// A virtualenv cannot move (its scripts name its folder in their first line), so each is built in
// its own folder `<key>.<id>` and published by creating the symlink `<key>` -> `<key>.<id>`. symlink(2)
// fails when the name exists: when two tasks (or two processes) build the same one at once, the first
// to finish wins, and the other removes its copy and takes the winner's. Within one process, tasks
// asking for the same key wait on one build. A failed build publishes nothing.
//
// Bounded: after a build, entries beyond `max` are removed, least recently used first, except those
// in use in this process and those any process used in the last hour (a process cannot see another's
// users). The link goes first, so no one finds a half-removed entry.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, readlink, rm, stat, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AloftError, ErrorCode } from '../../model/errors';

/** Entries kept by default; ALOFT_VENV_CACHE_MAX changes it, and 0 turns the cache off. */
export const DEFAULT_MAX_VIRTUALENVS = 8;
/** Touched at each use: its mtime is the entry's last use. */
const STAMP = '.aloft-used';
const RECENT_MS = 60 * 60 * 1000;
/** A folder without a link this old is a build that crashed (a running build is far younger). */
const ORPHAN_MS = 24 * 60 * 60 * 1000;
const KEY = /^[0-9a-f]{32}$/;
const BUILD = /^([0-9a-f]{32})\.[0-9a-f]+$/;

export interface VirtualenvRecipe {
  /** The interpreter's real path and its `sys.version`. */
  interpreter: string;
  version: string;
  /** The pip specs, in the order given to pip. */
  specs: readonly string[];
  /** The environment pip runs with: its PIP_* settings are part of the key. */
  env: Readonly<Record<string, string | undefined>>;
  /** pip's working directory, against which relative paths resolve. */
  cwd: string;
}

/** The cache key of a virtualenv: 32 hex characters. */
export async function virtualenvKey(r: VirtualenvRecipe): Promise<string> {
  const specs = [];
  for (const spec of r.specs) {
    const path = localPath(spec, r.cwd);
    specs.push(path === undefined ? [spec] : [spec, await contentHash(path)]);
  }
  const pip = Object.entries(r.env).filter(([k, v]) => k.startsWith('PIP_') && v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  const text = JSON.stringify({ v: 1, interpreter: r.interpreter, version: r.version, specs, pip });
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

const ARCHIVE = /\.(whl|zip|tar\.gz|tgz|tar\.bz2|tar)$/i;

/** The local file or folder a pip spec installs from, or undefined for an index name or a remote URL. */
export function localPath(spec: string, cwd: string): string | undefined {
  let s = spec.trim();
  const direct = /^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*@\s*(\S+)/.exec(s); // name @ url
  if (direct) s = direct[2];
  if (s.startsWith('file:')) {
    try {
      return fileURLToPath(s.replace(/#.*$/, ''));
    } catch {
      return undefined;
    }
  }
  if (s.includes('://')) return undefined;
  s = s.replace(/\s*;.*$/, '').replace(/\[[^\]]*\]$/, '');
  if (!(s.includes('/') || s.startsWith('.') || s.startsWith('~') || ARCHIVE.test(s))) return undefined;
  return resolve(cwd, s.replace(/^~(?=\/|$)/, homedir()));
}

/** sha256 of a file's bytes, or of a folder's files (relative names and bytes; caches and VCS data left out). */
async function contentHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  let info;
  try {
    info = await stat(path);
  } catch {
    return 'missing'; // pip will say why; a failed install is never cached
  }
  if (info.isDirectory()) {
    for (const file of await filesUnder(path)) {
      hash.update(`${relative(path, file)}\0`);
      await hashFile(hash, file);
    }
  } else {
    await hashFile(hash, path);
  }
  return hash.digest('hex');
}

const SKIPPED = (name: string): boolean => name === '__pycache__' || name === '.git' || name.endsWith('.egg-info') || name.endsWith('.pyc');

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (SKIPPED(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...await filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

async function hashFile(hash: ReturnType<typeof createHash>, file: string): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  hash.update('\0');
}

export interface VirtualenvLease {
  /** The virtualenv's folder (never moves while leased). */
  dir: string;
  /** Whether this call built it. */
  built: boolean;
  release(): void;
}

// Per process: users of each key, and builds under way (by link path).
const users = new Map<string, number>();
const building = new Map<string, Promise<string>>();

export class VirtualenvCache {
  constructor(readonly root: string, readonly max: number = DEFAULT_MAX_VIRTUALENVS) {}

  /** The virtualenv of `key`, built with `build(dir)` unless published already; release it when done. */
  async acquire(key: string, build: (dir: string) => Promise<void>): Promise<VirtualenvLease> {
    const link = join(this.root, key);
    // Counted before any await, so a prune in between never removes it.
    users.set(link, (users.get(link) ?? 0) + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const n = (users.get(link) ?? 1) - 1;
      if (n > 0) users.set(link, n);
      else users.delete(link);
    };
    try {
      let dir = await published(link);
      let built = false;
      if (!dir) {
        let pending = building.get(link);
        if (!pending) {
          built = true;
          pending = this.build(key, build).finally(() => building.delete(link));
          building.set(link, pending);
        }
        dir = await pending;
      }
      const now = new Date();
      await utimes(join(dir, STAMP), now, now).catch(() => undefined);
      return { dir, built, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  private async build(key: string, build: (dir: string) => Promise<void>): Promise<string> {
    await mkdir(this.root, { recursive: true });
    const dir = join(this.root, `${key}.${randomBytes(6).toString('hex')}`);
    try {
      await build(dir);
      await writeFile(join(dir, STAMP), '');
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    const link = join(this.root, key);
    for (let tries = 0; ; tries++) {
      try {
        await symlink(basename(dir), link);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 0) {
          await rm(dir, { recursive: true, force: true });
          throw err;
        }
        // Another process published the same one first: take it, drop this copy.
        const theirs = await published(link);
        if (theirs) {
          await rm(dir, { recursive: true, force: true });
          return theirs;
        }
      }
    }
    await this.prune().catch(() => undefined);
    return dir;
  }

  /** Removes entries beyond `max` (least recently used first) and builds that crashed. */
  async prune(now = Date.now()): Promise<void> {
    const entries: Array<{ link: string; dir: string; used: number }> = [];
    const linked = new Set<string>();
    const builds: string[] = [];
    for (const name of await readdir(this.root)) {
      const path = join(this.root, name);
      if (KEY.test(name)) {
        const target = await readlink(path).catch(() => undefined);
        if (!target) continue;
        const dir = join(this.root, target);
        linked.add(dir);
        const used = await stat(join(dir, STAMP)).then((s) => s.mtimeMs, () => 0);
        entries.push({ link: path, dir, used });
      } else if (BUILD.test(name)) {
        builds.push(path);
      }
    }
    entries.sort((a, b) => b.used - a.used);
    for (const e of entries.slice(this.max)) {
      if (users.has(e.link) || now - e.used < RECENT_MS) continue;
      await unlink(e.link).catch(() => undefined);
      await rm(e.dir, { recursive: true, force: true });
    }
    for (const dir of builds) {
      if (linked.has(dir) || building.has(join(this.root, BUILD.exec(basename(dir))![1]))) continue;
      const age = await lstat(dir).then((s) => now - s.mtimeMs, () => 0);
      if (age > ORPHAN_MS) await rm(dir, { recursive: true, force: true });
    }
  }
}

/** The folder a published link names, if it holds a virtualenv; a link to nothing is removed. */
async function published(link: string): Promise<string | undefined> {
  let target: string;
  try {
    target = await readlink(link);
  } catch {
    return undefined;
  }
  const dir = resolve(link, '..', target);
  try {
    await stat(join(dir, 'bin', 'python'));
    return dir;
  } catch {
    await unlink(link).catch(() => undefined);
    return undefined;
  }
}

/** The runtime's virtualenv cache, or undefined when it keeps none or ALOFT_VENV_CACHE_MAX is 0. */
export function virtualenvCacheOf(cacheRoot: string | undefined, env: Readonly<Record<string, string | undefined>>): VirtualenvCache | undefined {
  if (!cacheRoot) return undefined;
  const raw = env.ALOFT_VENV_CACHE_MAX;
  const max = raw === undefined || raw === '' ? DEFAULT_MAX_VIRTUALENVS : Number(raw);
  if (!Number.isInteger(max) || max < 0) throw new AloftError(ErrorCode.CONFIG_INVALID, `ALOFT_VENV_CACHE_MAX must be a whole number of virtualenvs (0 turns the cache off), not ${JSON.stringify(raw)}`);
  if (max === 0) return undefined;
  return new VirtualenvCache(join(cacheRoot, 'virtualenvs'), max);
}
