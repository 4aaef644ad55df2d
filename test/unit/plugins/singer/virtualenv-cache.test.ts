import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localPath, VirtualenvCache, virtualenvCacheOf, virtualenvKey, type VirtualenvRecipe } from '../../../../lib/plugins/singer/virtualenv-cache';

let root: string;
beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'aloft-venv-cache-')); });
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Stands for `python -m venv` + pip: what the cache checks for is bin/python. */
async function fakeBuild(dir: string): Promise<void> {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'bin/python'), '');
}

const recipe = (over: Partial<VirtualenvRecipe> = {}): VirtualenvRecipe => ({
  interpreter: '/usr/bin/python3.11', version: '3.11.2', specs: ['tap-github==1.0'], env: {}, cwd: root, ...over,
});

describe('virtualenvKey', () => {
  it('is the same for the same interpreter, specs and pip settings', async () => {
    expect(await virtualenvKey(recipe())).toMatch(/^[0-9a-f]{32}$/);
    expect(await virtualenvKey(recipe())).toBe(await virtualenvKey(recipe({ env: { HOME: '/elsewhere' } })));
  });

  it('changes with the interpreter, its version, the specs or their order, and PIP_ settings', async () => {
    const base = await virtualenvKey(recipe());
    for (const other of [
      recipe({ interpreter: '/usr/local/bin/python3.12' }),
      recipe({ version: '3.11.9' }),
      recipe({ specs: ['tap-github==1.1'] }),
      recipe({ specs: ['tap-github==1.0', 'python-json-logger'] }),
      recipe({ env: { PIP_INDEX_URL: 'https://mirror.example/simple' } }),
    ]) expect(await virtualenvKey(other)).not.toBe(base);
    expect(await virtualenvKey(recipe({ specs: ['a', 'b'] }))).not.toBe(await virtualenvKey(recipe({ specs: ['b', 'a'] })));
  });

  it('keys a local wheel by its content, not its name', async () => {
    const wheel = join(root, 'tap_x-0.1.0-py3-none-any.whl');
    writeFileSync(wheel, 'one');
    const first = await virtualenvKey(recipe({ specs: [wheel] }));
    expect(await virtualenvKey(recipe({ specs: [wheel] }))).toBe(first);
    writeFileSync(wheel, 'two');
    expect(await virtualenvKey(recipe({ specs: [wheel] }))).not.toBe(first);
  });

  it('keys a local folder by its files, leaving out __pycache__ and egg-info', async () => {
    const pkg = join(root, 'tap-x');
    mkdirSync(join(pkg, 'tap_x'), { recursive: true });
    writeFileSync(join(pkg, 'setup.py'), 'setup()');
    writeFileSync(join(pkg, 'tap_x/__init__.py'), 'A = 1');
    const first = await virtualenvKey(recipe({ specs: ['./tap-x'] }));
    mkdirSync(join(pkg, 'tap_x/__pycache__'));
    writeFileSync(join(pkg, 'tap_x/__pycache__/x.pyc'), 'compiled');
    mkdirSync(join(pkg, 'tap_x.egg-info'));
    expect(await virtualenvKey(recipe({ specs: ['./tap-x'] }))).toBe(first);
    writeFileSync(join(pkg, 'tap_x/__init__.py'), 'A = 2');
    expect(await virtualenvKey(recipe({ specs: ['./tap-x'] }))).not.toBe(first);
  });
});

describe('localPath', () => {
  it('finds paths, file URLs and direct references, and leaves names and remote URLs', () => {
    expect(localPath('./pkg', '/work')).toBe('/work/pkg');
    expect(localPath('../pkg[extra]', '/work/a')).toBe('/work/pkg');
    expect(localPath('/abs/tap.whl', '/work')).toBe('/abs/tap.whl');
    expect(localPath('dist/tap.tar.gz', '/work')).toBe('/work/dist/tap.tar.gz');
    expect(localPath('file:///abs/tap.whl', '/work')).toBe('/abs/tap.whl');
    expect(localPath('tap-x @ file:///abs/pkg', '/work')).toBe('/abs/pkg');
    expect(localPath('tap-github', '/work')).toBeUndefined();
    expect(localPath('tap-github>=1.0; python_version>"3"', '/work')).toBeUndefined();
    expect(localPath('git+https://github.com/kestra-io/target-bigquery.git@fix', '/work')).toBeUndefined();
    expect(localPath('tap-x @ https://example.com/tap.whl', '/work')).toBeUndefined();
  });
});

describe('VirtualenvCache', () => {
  const key = 'a'.repeat(32);

  it('builds once, then hands out the same folder', async () => {
    const cache = new VirtualenvCache(join(root, 'v'));
    const build = jest.fn(fakeBuild);
    const first = await cache.acquire(key, build);
    const second = await cache.acquire(key, build);
    expect(build).toHaveBeenCalledTimes(1);
    expect([first.built, second.built]).toEqual([true, false]);
    expect(second.dir).toBe(first.dir);
    expect(readlinkSync(join(root, 'v', key))).toBe(first.dir.split('/').pop());
    first.release();
    second.release();
  });

  it('makes tasks of one process that ask at once wait on one build', async () => {
    const cache = new VirtualenvCache(join(root, 'v'));
    const build = jest.fn(fakeBuild);
    const leases = await Promise.all([cache.acquire(key, build), cache.acquire(key, build), new VirtualenvCache(join(root, 'v')).acquire(key, build)]);
    expect(build).toHaveBeenCalledTimes(1);
    expect(new Set(leases.map((l) => l.dir)).size).toBe(1);
    for (const l of leases) l.release();
  });

  it('takes the copy another process published first and removes its own', async () => {
    const cache = new VirtualenvCache(join(root, 'v'));
    const theirs = join(root, 'v', `${key}.0000`);
    const lease = await cache.acquire(key, async (dir) => {
      await fakeBuild(dir);
      // The other process finishes while this one builds.
      await fakeBuild(theirs);
      symlinkSync(`${key}.0000`, join(root, 'v', key));
    });
    expect(lease.dir).toBe(theirs);
    expect(readdirSync(join(root, 'v')).sort()).toEqual([key, `${key}.0000`]);
    lease.release();
  });

  it('caches nothing from a failed build, and builds again on the next ask', async () => {
    const cache = new VirtualenvCache(join(root, 'v'));
    await expect(cache.acquire(key, async (dir) => {
      await fakeBuild(dir);
      throw new Error('pip could not install tap-x');
    })).rejects.toThrow('pip could not install tap-x');
    expect(readdirSync(join(root, 'v'))).toEqual([]);
    const lease = await cache.acquire(key, fakeBuild);
    expect(lease.built).toBe(true);
    lease.release();
  });

  it('forgets a link whose folder is gone, and builds again', async () => {
    const cache = new VirtualenvCache(join(root, 'v'));
    mkdirSync(join(root, 'v'));
    symlinkSync(`${key}.dead`, join(root, 'v', key));
    const lease = await cache.acquire(key, fakeBuild);
    expect(lease.built).toBe(true);
    lease.release();
  });

  it('keeps at most max entries, dropping the least recently used, but never one in use or used within the hour', async () => {
    const dir = join(root, 'v');
    const cache = new VirtualenvCache(dir, 2);
    const keys = ['1', '2', '3', '4'].map((c) => c.repeat(32));
    const leases = [];
    for (const k of keys) leases.push(await cache.acquire(k, fakeBuild));
    // Used 3, 4, 5 and 6 hours ago; the second one is still in use.
    const hoursAgo = (h: number): Date => new Date(Date.now() - h * 3_600_000);
    leases.forEach((l, i) => utimesSync(join(l.dir, '.aloft-used'), hoursAgo(6 - i), hoursAgo(6 - i)));
    leases[0].release();
    leases[2].release();
    leases[3].release();
    await cache.prune();
    expect(existsSync(join(dir, keys[0]))).toBe(false);
    expect(existsSync(leases[0].dir)).toBe(false);
    expect([keys[1], keys[2], keys[3]].every((k) => existsSync(join(dir, k)))).toBe(true);
    leases[1].release();

    // Used within the hour: kept, even beyond max (the two others were used later).
    utimesSync(join(leases[1].dir, '.aloft-used'), hoursAgo(0.5), hoursAgo(0.5));
    for (const l of [leases[2], leases[3]]) utimesSync(join(l.dir, '.aloft-used'), new Date(), new Date());
    await cache.prune();
    expect(existsSync(join(dir, keys[1]))).toBe(true);
  });

  it('removes builds a crashed process left, once they are a day old', async () => {
    const dir = join(root, 'v');
    const cache = new VirtualenvCache(dir);
    const crashed = join(dir, `${key}.0bad`);
    await fakeBuild(crashed);
    await cache.prune();
    expect(existsSync(crashed)).toBe(true);
    await cache.prune(Date.now() + 25 * 3_600_000);
    expect(existsSync(crashed)).toBe(false);
  });
});

describe('virtualenvCacheOf', () => {
  it('lives under the runtime\'s cache folder, can be turned off, and refuses a bad size', () => {
    expect(virtualenvCacheOf('/data/cache', {})?.root).toBe('/data/cache/virtualenvs');
    expect(virtualenvCacheOf('/data/cache', { ALOFT_VENV_CACHE_MAX: '3' })?.max).toBe(3);
    expect(virtualenvCacheOf('/data/cache', { ALOFT_VENV_CACHE_MAX: '0' })).toBeUndefined();
    expect(virtualenvCacheOf(undefined, {})).toBeUndefined();
    expect(() => virtualenvCacheOf('/data/cache', { ALOFT_VENV_CACHE_MAX: 'lots' })).toThrow('ALOFT_VENV_CACHE_MAX must be a whole number of virtualenvs (0 turns the cache off), not "lots"');
  });
});
